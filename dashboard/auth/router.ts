import express, { type Request, type Response, type Router } from 'express';
import type { AuthService, SessionTokens } from '../../core/auth/index.ts';
import { safeEqual } from '../../core/auth/index.ts';
import { isMinutesError, MinutesError } from '../../core/errors.ts';
import type { User } from '../../core/types.ts';
import { clearSessionCookies, CSRF_COOKIE, CSRF_HEADER, isSecureUrl, readCookie, REFRESH_COOKIE, setSessionCookies, ACCESS_COOKIE } from './cookies.ts';

export interface AuthRouterDeps {
  auth: AuthService;
  /** The dashboard's public URL: https turns on Secure cookies, its origin is the only one allowed to post here. */
  publicUrl: string;
  /** Where a redeemed link lands. */
  home?: string;
}

/**
 * Sign-in endpoints (not mounted by createDashboard yet):
 * POST /auth/login, GET /auth/link/:token, POST /auth/refresh, POST /auth/logout.
 * Errors go to the app's error handler as MinutesErrors (JSON with a code).
 */
export function authRouter(deps: AuthRouterDeps): Router {
  const { auth } = deps;
  const secure = isSecureUrl(deps.publicUrl);
  const origin = new URL(deps.publicUrl).origin;
  const router = express.Router();
  const body = [express.json({ limit: '8kb' }), express.urlencoded({ extended: false, limit: '8kb' })];

  // Auth responses carry fresh credentials: never cache them, never leak the link token in a Referer.
  router.use('/auth', (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    checkOrigin(req, origin);
    next();
  });

  router.post('/auth/login', body, async (req: Request, res: Response) => {
    const { email, password } = (req.body ?? {}) as { email?: unknown; password?: unknown };
    if (typeof email !== 'string' || typeof password !== 'string') {
      throw new MinutesError('REQUEST_INVALID', 'Send email and password', { details: { fields: ['email', 'password'] } });
    }
    const user = await auth.signInWithPassword(email, password);
    const tokens = await signIn(res, user, req);
    // A plain HTML form gets a redirect; a script gets JSON.
    if (req.is('application/x-www-form-urlencoded')) return void res.redirect(303, deps.home ?? '/');
    res.json({ ...sessionBody(user, tokens), csrfToken: auth.csrfTokenFor(tokens.sessionId) });
  });

  router.get('/auth/link/:token', async (req: Request, res: Response) => {
    const user = await auth.redeemSignInLink(String(req.params.token));
    await signIn(res, user, req);
    res.redirect(303, deps.home ?? '/');
  });

  router.post('/auth/refresh', body, async (req: Request, res: Response) => {
    const fromBody = typeof req.body?.refreshToken === 'string' ? (req.body.refreshToken as string) : undefined;
    const fromCookie = readCookie(req, REFRESH_COOKIE);
    const token = fromBody ?? fromCookie;
    if (!token) throw new MinutesError('AUTH_REQUIRED', 'No refresh token');
    if (!fromBody) checkDoubleSubmit(req);
    try {
      const tokens = await auth.refresh(token, { userAgent: req.get('user-agent') ?? null });
      if (fromBody) return void res.json(tokenBody(tokens));
      setSessionCookies(res, tokens, auth.csrfTokenFor(tokens.sessionId), secure);
      res.json({ accessExpiresAt: tokens.accessExpiresAt, expiresAt: tokens.expiresAt, csrfToken: auth.csrfTokenFor(tokens.sessionId) });
    } catch (err) {
      // A dead session's cookies are useless; drop them so the browser stops sending them.
      if (isMinutesError(err) && !fromBody) clearSessionCookies(res, secure);
      throw err;
    }
  });

  router.post('/auth/logout', body, async (req: Request, res: Response) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
    const refresh = readCookie(req, REFRESH_COOKIE);
    if (!bearer && (refresh || readCookie(req, ACCESS_COOKIE))) checkDoubleSubmit(req);
    if (refresh) await auth.revokeRefreshToken(refresh);
    if (typeof req.body?.refreshToken === 'string') await auth.revokeRefreshToken(req.body.refreshToken);
    const access = bearer ?? readCookie(req, ACCESS_COOKIE);
    // A forged or expired access token is ignored: the refresh cookie, when sent, has already ended the session.
    const claims = access ? await auth.verifyAccessToken(access).catch(() => null) : null;
    if (claims) await auth.revoke(claims.sessionId);
    clearSessionCookies(res, secure);
    // The dashboard's sign-out button is a plain form: send the browser to the sign-in page.
    if (req.is('application/x-www-form-urlencoded')) return void res.redirect(303, '/login');
    res.status(204).end();
  });

  async function signIn(res: Response, user: User, req: Request): Promise<SessionTokens> {
    const tokens = await auth.startSession(user, { userAgent: req.get('user-agent') ?? null });
    setSessionCookies(res, tokens, auth.csrfTokenFor(tokens.sessionId), secure);
    return tokens;
  }

  return router;
}

/**
 * Browsers send Origin on cross-site POSTs. Refusing foreign origins here
 * stops login CSRF (signing a victim into the attacker's account), which
 * SameSite=Lax does not cover because login needs no prior cookie.
 */
function checkOrigin(req: Request, allowed: string): void {
  const sent = req.get('origin');
  if (req.method !== 'GET' && sent && sent !== 'null' && sent !== allowed) {
    throw new MinutesError('CSRF_MISSING', 'Cross-site requests to /auth are refused', { details: { origin: sent } });
  }
}

/** Refresh and logout by cookie have no session to bind the token to yet, so plain double submit. */
function checkDoubleSubmit(req: Request): void {
  const header = req.get(CSRF_HEADER);
  const cookie = readCookie(req, CSRF_COOKIE);
  if (!header || !cookie || !safeEqual(header, cookie)) {
    throw new MinutesError('CSRF_MISSING', `Echo the ${CSRF_COOKIE} cookie in the X-CSRF-Token header`);
  }
}

function sessionBody(user: User, tokens: SessionTokens) {
  return {
    user: { id: user.id, organizationId: user.organizationId, displayName: user.displayName, role: user.role },
    accessExpiresAt: tokens.accessExpiresAt,
    expiresAt: tokens.expiresAt,
  };
}

function tokenBody(tokens: SessionTokens) {
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, accessExpiresAt: tokens.accessExpiresAt, expiresAt: tokens.expiresAt };
}
