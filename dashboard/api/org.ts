import type { Request } from 'express';
import { MinutesError } from '../../core/errors.ts';

/**
 * The organization a request acts for: every API query is scoped by it. This
 * is the one place to swap when sign-in lands (return
 * `req.auth.organizationId`); today it is the organization the dashboard was
 * started with (`DashboardDeps.organizationId`, kept in `app.locals`).
 */
export function orgOf(req: Request): string {
  if (req.auth) return req.auth.organizationId;
  // Without sign-in configured (tests of the API alone) the app acts for one organization; with it, never.
  if (req.app.locals.authRequired) throw new MinutesError('AUTH_REQUIRED', 'Sign in to continue');
  const org: unknown = req.app.locals.organizationId;
  if (typeof org !== 'string' || !org) throw new MinutesError('FORBIDDEN', 'This request acts for no organization');
  return org;
}
