import type { CookieOptions, Request, Response } from 'express';
import type { SessionTokens } from '../../core/auth/index.ts';

export const ACCESS_COOKIE = 'minutes_access';
export const REFRESH_COOKIE = 'minutes_refresh';
/** Readable by page scripts on purpose: they echo it in X-CSRF-Token (double submit). */
export const CSRF_COOKIE = 'minutes_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** Secure cookies whenever the dashboard is served over https; plain http only for local development. */
export function isSecureUrl(publicUrl: string): boolean {
  return /^https:/i.test(publicUrl);
}

function options(secure: boolean, expires: Date, httpOnly: boolean): CookieOptions {
  return { httpOnly, secure, sameSite: 'lax', path: '/', expires };
}

/**
 * All three cookies live as long as the session: an expired access token is
 * then reported as AUTH_EXPIRED (refresh and retry) rather than looking like
 * a visitor who never signed in.
 */
export function setSessionCookies(res: Response, tokens: SessionTokens, csrfToken: string, secure: boolean): void {
  res.cookie(ACCESS_COOKIE, tokens.accessToken, options(secure, tokens.expiresAt, true));
  res.cookie(REFRESH_COOKIE, tokens.refreshToken, options(secure, tokens.expiresAt, true));
  res.cookie(CSRF_COOKIE, csrfToken, options(secure, tokens.expiresAt, false));
}

export function clearSessionCookies(res: Response, secure: boolean): void {
  for (const [name, httpOnly] of [[ACCESS_COOKIE, true], [REFRESH_COOKIE, true], [CSRF_COOKIE, false]] as const) {
    res.clearCookie(name, { httpOnly, secure, sameSite: 'lax', path: '/' });
  }
}

/** A tiny Cookie header parser, so the dashboard needs no cookie-parser dependency. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}
