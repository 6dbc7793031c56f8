import type { UserRole } from '../types.ts';

/**
 * What each role may do inside its own organization. Nobody can do anything
 * in another organization; that check is separate (ownership, not role).
 */
export const PERMISSIONS = ['read', 'write', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<UserRole, readonly Permission[]> = {
  guest: ['read'],
  member: ['read', 'write'],
  admin: ['read', 'write', 'admin'],
};

export function can(role: UserRole, permission: Permission): boolean {
  return GRANTS[role]?.includes(permission) ?? false;
}
