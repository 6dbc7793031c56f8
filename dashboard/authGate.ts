import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthService } from '../core/auth/index.ts';
import { isMinutesError } from '../core/errors.ts';
import { escapeHtml } from '../core/format.ts';
import { readCookie, REFRESH_COOKIE, requireAuth, setSessionCookies } from './auth/index.ts';

/** Paths anyone may reach: health, sign-in, static assets and the PWA files. */
const PUBLIC = [/^\/health$/, /^\/ready$/, /^\/auth\//, /^\/login$/, /^\/static\//, /^\/manifest\.webmanifest$/, /^\/sw\.js$/, /^\/favicon\.ico$/];

/**
 * Everything else needs a signed-in user. A page visit with an expired access
 * token is renewed from the refresh cookie on the server (navigations come one
 * at a time, so this cannot race itself); a page visit with no session goes to
 * /login; API calls get a JSON 401.
 */
export function authGate(auth: AuthService, options: { secureCookies: boolean }): RequestHandler {
  const required = requireAuth(auth);
  return async (req: Request, res: Response, next: NextFunction) => {
    if (PUBLIC.some((p) => p.test(req.path))) return next();
    const page = req.method === 'GET' && !req.path.startsWith('/api/') && !req.path.startsWith('/ws/') && Boolean(req.accepts('html'));
    try {
      await required(req, res, next);
    } catch (err) {
      if (!page || !isMinutesError(err) || !['AUTH_REQUIRED', 'AUTH_EXPIRED', 'AUTH_INVALID'].includes(err.code)) throw err;
      const refresh = readCookie(req, REFRESH_COOKIE);
      if (refresh) {
        try {
          const tokens = await auth.refresh(refresh, { userAgent: req.get('user-agent') ?? null });
          setSessionCookies(res, tokens, auth.csrfTokenFor(tokens.sessionId), options.secureCookies);
          req.auth = { userId: tokens.userId, organizationId: tokens.organizationId, role: tokens.role, sessionId: tokens.sessionId, via: 'cookie' };
          return next();
        } catch {
          // Fall through to the sign-in page.
        }
      }
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
  };
}

/** The sign-in page: a password form for admins, and how to get a link from a bot. */
export function loginPage(req: Request, res: Response): void {
  const next = typeof req.query.next === 'string' && req.query.next.startsWith('/') && !req.query.next.startsWith('//') ? req.query.next : '/';
  res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Open Minutes</title><link rel="stylesheet" href="/static/app.css"></head>
<body class="login"><main>
<h1>Open Minutes</h1>
<p>Sign in with a link: type <code>/minutes link</code> in Discord (or Slack, Teams), or open the administrator link printed in the server log on first start.</p>
<form method="post" action="/auth/login">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label>Email <input type="email" name="email" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></main></body></html>`);
}
