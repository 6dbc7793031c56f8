import express, { type Request } from 'express';
import { MinutesError } from '../core/errors.ts';
import type { Orchestrator } from '../core/ai/Orchestrator.ts';
import type { Logger } from '../core/logger.ts';
import type { MeetingService } from '../core/meetings/MeetingService.ts';
import type { MinutesService } from '../core/meetings/MinutesService.ts';
import { minutesView } from '../core/minutes/stored.ts';
import type { Stores } from '../core/store/index.ts';
import { MEETING_STATUSES, type MeetingStatus } from '../core/types.ts';
import { apiRoutes, orgOf } from './api/index.ts';
import { errorHandler, notFoundHandler, wrap } from './api/http.ts';
import { scopedMeeting } from './api/scope.ts';
import { meetingPage, meetingsPage, searchPage } from './pages.ts';
import type { AuthService } from '../core/auth/index.ts';
import { authRouter, requireMethodPermission } from './auth/index.ts';
import { isSecureUrl } from './auth/cookies.ts';
import { authGate, loginPage } from './authGate.ts';
import { formCsrf, rateLimiter, securityMiddleware } from './security.ts';
import type { Store } from 'express-rate-limit';

export interface DashboardDeps {
  meetings: MeetingService;
  minutes: MinutesService;
  /** Null when no LLM provider is configured: questions are answered with passages. */
  orchestrator: Orchestrator | null;
  stores: Stores;
  /** The organization every request acts for until sign-in provides one (see orgOf). */
  organizationId: string;
  logger: Logger;
  /** Readiness checks by name (database, redis, adapters...); each throws when not ready. */
  readiness?: Record<string, () => Promise<void>>;
  /**
   * Sign-in. Null only in tests of the API alone: every request then acts for
   * `organizationId`. The service (bot/) always passes one.
   */
  auth?: AuthService | null;
  /** Where people reach the dashboard (cookies are Secure and HSTS is on when it is https). */
  publicUrl?: string;
  /** Shared rate-limit counters (Redis) when configured. */
  rateLimitStore?: Store;
  /** Requests per minute per user (default 100). */
  rateLimitPerMinute?: number;
}

/**
 * The dashboard: health endpoints, the JSON API under /api (described by
 * /api/openapi.json) and server-rendered pages for meetings, a transcript and
 * search. Every bot message links to a meeting page here.
 */
export function createDashboard(deps: DashboardDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.locals.organizationId = deps.organizationId;
  app.locals.authRequired = Boolean(deps.auth);
  const { meetings, stores } = deps;
  const publicUrl = deps.publicUrl ?? 'http://127.0.0.1';

  app.use(securityMiddleware({ publicUrl }));
  app.get('/health', (_req, res) => void res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }));
  app.get('/ready', wrap(async (_req, res) => {
    const { ready, checks } = await readiness(deps.readiness ?? {});
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  }));
  const limiter = rateLimiter({
    publicUrl, perMinute: deps.rateLimitPerMinute ?? 100, ...(deps.rateLimitStore ? { rateLimitStore: deps.rateLimitStore } : {}),
    // After the gate: a signed-in user is counted by id wherever they come from; anyone else by address.
    key: (req) => req.auth?.userId ?? null,
  });
  if (deps.auth) {
    app.get('/login', limiter, loginPage);
    app.use(formCsrf());
    app.use(authGate(deps.auth, { secureCookies: isSecureUrl(publicUrl) }));
    app.use(limiter);
    app.use(authRouter({ auth: deps.auth, publicUrl }));
    app.use(requireMethodPermission());
  } else {
    app.use(limiter);
  }

  app.use(apiRoutes(deps).router);

  app.get('/', wrap(async (req, res) => {
    res.type('html').send(meetingsPage(await meetings.listMeetings({ organizationId: orgOf(req), ...listFilter(req) })));
  }));
  app.get('/meetings/:id', wrap(async (req, res) => {
    await scopedMeeting(stores, orgOf(req), String(req.params.id));
    const bundle = await meetings.getBundle(String(req.params.id));
    res.type('html').send(meetingPage(bundle, minutesView(bundle)));
  }));
  app.get('/search', wrap(async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const result = q.trim() ? await stores.search.search({ ...searchQuery(req), organizationId: orgOf(req) }) : null;
    res.type('html').send(searchPage(q, result));
  }));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

async function readiness(checks: Record<string, () => Promise<void>>): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const results: Record<string, string> = {};
  let ready = true;
  for (const [name, check] of Object.entries(checks)) {
    try {
      await check();
      results[name] = 'ok';
    } catch (err) {
      ready = false;
      results[name] = (err as Error).message;
    }
  }
  return { ready, checks: results };
}

function listFilter(req: Request): { status?: MeetingStatus; title?: string; limit: number; offset: number } {
  const page = Math.max(Number(req.query.page) || 1, 1);
  const status = MEETING_STATUSES.find((s) => s === req.query.status);
  const title = typeof req.query.q === 'string' && req.query.q.trim() ? req.query.q.trim() : undefined;
  return { ...(status ? { status } : {}), ...(title ? { title } : {}), limit: 50, offset: (page - 1) * 50 };
}

function searchQuery(req: Request) {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const date = (v: unknown) => {
    const s = str(v);
    if (!s) return undefined;
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) throw new MinutesError('SEARCH_INVALID', `Not a date: ${s}`);
    return d;
  };
  const page = Math.max(Number(req.query.page) || 1, 1);
  return {
    q: str(req.query.q) ?? '',
    meetingId: str(req.query.meeting),
    speaker: str(req.query.speaker),
    from: date(req.query.from),
    to: date(req.query.to),
    limit: 20,
    offset: (page - 1) * 20,
  };
}
