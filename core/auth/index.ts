import type { Knex } from 'knex';
import { Argon2Hasher } from './Argon2Hasher.ts';
import { AuthService, type AuthServiceOptions } from './AuthService.ts';
import { JoseSigner } from './JoseSigner.ts';
import type { Clock } from './types.ts';

export { AuthService, PASSWORD_MIN_LENGTH, signInLinkPath } from './AuthService.ts';
export type { AuthServiceOptions, NewAdmin, SignInLink, SignInLinkRequest } from './AuthService.ts';
export { AuthStore } from './AuthStore.ts';
export { Argon2Hasher } from './Argon2Hasher.ts';
export { JoseSigner } from './JoseSigner.ts';
export { can, PERMISSIONS, type Permission } from './rbac.ts';
export { safeEqual } from './secrets.ts';
export type { AccessClaims, Clock, PasswordHasher, SessionTokens, TokenSigner } from './types.ts';

/** The production wiring: HS256 JWTs keyed by `secret` (AUTH_SECRET, ≥ 32 chars) and Argon2id passwords. */
export function createAuthService(options: { db: Knex; secret: string; now?: Clock } & Partial<Omit<AuthServiceOptions, 'db' | 'secret' | 'now'>>): AuthService {
  const now = options.now ?? (() => new Date());
  return new AuthService({
    ...options,
    now,
    signer: options.signer ?? new JoseSigner(options.secret, now),
    hasher: options.hasher ?? new Argon2Hasher(),
  });
}
