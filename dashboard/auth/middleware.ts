import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { can, safeEqual, type AccessClaims, type AuthService, type Permission } from '../../core/auth/index.ts';
import { MinutesError, type ErrorCode } from '../../core/errors.ts';
import type { UserRole } from '../../core/types.ts';
import { ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER, readCookie } from './cookies.ts';

/** Who is calling, and how they proved it (cookie callers need CSRF tokens on writes). */
export interface RequestAuth extends AccessClaims {
  via: 'cookie' | 'bearer';
}

declare global {
  namespace Express {
    interface Request {
      /** Set by requireAuth. */
      auth?: RequestAuth;
    }
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Authenticates by `Authorization: Bearer` or the access cookie, and for
 * cookie callers also checks the CSRF token on writes: a cookie is attached
 * by the browser to cross-site requests, a Bearer header never is.
 */
export function requireAuth(auth: AuthService): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const found = credentialOf(req);
    if (!found) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new MinutesError('AUTH_REQUIRED', 'Sign in to continue');
    }
    const claims = await auth.verifyAccessToken(found.token);
    if (found.via === 'cookie' && !isSafeMethod(req.method)) checkCsrf(req, auth.csrfTokenFor(claims.sessionId));
    req.auth = { ...claims, via: found.via };
    next();
  };
}

function credentialOf(req: Request): { token: string; via: RequestAuth['via'] } | null {
  const header = req.get('authorization');
  if (header !== undefined) {
    // A malformed header is an error rather than a fallback to the cookie, so a client bug is not masked.
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new MinutesError('AUTH_INVALID', 'Use `Authorization: Bearer <token>`');
    return { token: match[1]!, via: 'bearer' };
  }
  const cookie = readCookie(req, ACCESS_COOKIE);
  return cookie ? { token: cookie, via: 'cookie' } : null;
}

/** Double submit, with the token bound to the session so a planted cookie from a sibling subdomain does not pass. */
function checkCsrf(req: Request, expected: string): void {
  const header = req.get(CSRF_HEADER);
  const cookie = readCookie(req, CSRF_COOKIE);
  if (!header || !cookie || !safeEqual(header, cookie) || !safeEqual(header, expected)) {
    throw new MinutesError('CSRF_MISSING', `Writes with a session cookie need the ${CSRF_COOKIE} cookie echoed in the X-CSRF-Token header`);
  }
}

/** The caller, or AUTH_REQUIRED when requireAuth did not run before. */
export function authOf(req: Request): RequestAuth {
  if (!req.auth) throw new MinutesError('AUTH_REQUIRED', 'Sign in to continue');
  return req.auth;
}

/** Allows only the listed roles (403 FORBIDDEN otherwise). Mount after requireAuth. */
export function requireRole(...roles: UserRole[]): RequestHandler {
  return (req, _res, next) => {
    if (!roles.includes(authOf(req).role)) throw new MinutesError('FORBIDDEN', 'Your role does not allow this');
    next();
  };
}

/** Allows roles holding `permission` (see core/auth/rbac.ts). */
export function requirePermission(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (!can(authOf(req).role, permission)) throw new MinutesError('FORBIDDEN', 'Your role does not allow this');
    next();
  };
}

/** The role policy by method: reads need `read` (everyone), writes need `write` (guests are read-only). */
export function requireMethodPermission(options: { readOnlyPosts?: readonly string[] } = {}): RequestHandler {
  // Some POSTs only read (a question is a body, not a change): guests may send those.
  const reads = new Set(options.readOnlyPosts ?? []);
  return (req, res, next) => requirePermission(isSafeMethod(req.method) || (req.method === 'POST' && reads.has(req.path)) ? 'read' : 'write')(req, res, next);
}

/**
 * Asserts that a resource belongs to the caller's organization. A foreign or
 * missing resource gets the same 404, so ids of other organizations cannot be
 * probed. Pass the resource's own not-found code (e.g. MEETING_NOT_FOUND).
 */
export function sameOrganization(req: Request, organizationId: string | null | undefined, code: ErrorCode = 'NOT_FOUND'): void {
  if (!organizationId || organizationId !== authOf(req).organizationId) {
    throw new MinutesError(code, 'Not found');
  }
}

/** For server-rendered pages: the token to put in a `<meta name="csrf-token">` for scripts. */
export function csrfTokenOf(auth: AuthService, req: Request): string {
  return auth.csrfTokenFor(authOf(req).sessionId);
}
