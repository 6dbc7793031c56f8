import express, { type Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { Orchestrator } from '../core/ai/Orchestrator.ts';
import type { JobQueue } from '../core/jobs/JobQueue.ts';
import type { Logger } from '../core/logger.ts';
import type { MeetingService } from '../core/meetings/MeetingService.ts';
import type { MinutesService } from '../core/meetings/MinutesService.ts';
import type { Stores } from '../core/store/index.ts';
import { apiRoutes, orgOf } from './api/index.ts';
import { errorHandler, notFoundHandler, wrap } from './api/http.ts';
import { createWebRouter, type PlatformStatus } from './web/router.ts';
import type { AuthService } from '../core/auth/index.ts';
import { authRouter, requireMethodPermission } from './auth/index.ts';
import { isSecureUrl } from './auth/cookies.ts';
import { authGate, loginPage } from './authGate.ts';
import { formCsrf, rateLimiter, securityMiddleware } from './security.ts';
import type { Store } from 'express-rate-limit';
import { attachCache, type DashboardCache } from './cache/index.ts';
import { metricsHandler, type MetricsRegistry } from './metrics/index.ts';

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
  /** A check that has not answered in this long fails as timed out (default 2000 ms), so /ready never hangs. */
  readinessTimeoutMs?: number;
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
  /** Which platform adapters run and what turns the others on (the empty state shows it). */
  platforms?: PlatformStatus[];
  /** Names of the LLM providers configured (never keys), for the settings page. */
  llmProviders?: string[];
  /**
   * Platform webhooks (Slack events, Teams messages) that verify their own
   * callers' signatures: mounted before sign-in, body parsers and the per-user
   * rate limit, which would otherwise refuse them or consume the raw body they sign.
   */
  webhooks?: express.Router[];
  /** Per-meeting tokens for the media-ingest socket; with them, POST /api/meetings/:id/ingest-token is served. */
  ingestTokens?: { issue(meetingId: string, options: { ttlMs?: number; createdBy?: string }): Promise<string> };
  /** The small CC-licensed sample a fresh install offers to import. */
  sampleTranscriptPath?: string;
  /** Read-through cache of meeting lists, meetings and minutes (in-process or Redis, built by the service). */
  cache?: DashboardCache | null;
  /** Prometheus metrics: with them every request is timed and GET /metrics is served (loopback or `metricsToken`). */
  metrics?: MetricsRegistry;
  /** Bearer token that lets a non-loopback scraper read /metrics (without it, loopback only). */
  metricsToken?: string | null;
  /** Background jobs: with them, admins get GET /api/admin/jobs (counts, dead letters) and POST /api/admin/jobs/:id/retry; without, those paths are 404. */
  jobs?: JobQueue;
}

const SAMPLE = new URL('../test/fixtures/transcripts/ami-ES2006c-excerpt.json', import.meta.url).pathname;

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

  app.use(requestIds(deps.logger));
  if (deps.metrics) app.use(deps.metrics.httpMiddleware);
  app.use(securityMiddleware({ publicUrl }));
  // Before sign-in and the rate limit (scrapers have no session); guarded by address or token instead.
  if (deps.metrics) app.get('/metrics', metricsHandler(deps.metrics, { token: deps.metricsToken ?? null }));
  app.get('/health', (_req, res) => void res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }));
  app.get('/ready', readyHandler(deps.readiness ?? {}, deps.readinessTimeoutMs));
  for (const router of deps.webhooks ?? []) app.use(router);
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
    // Public paths (static files, sign-in, health) passed the gate unidentified: no role to check there.
    const permission = requireMethodPermission({ readOnlyPosts: ['/api/ask'] });
    app.use((req, res, next) => (req.auth ? permission(req, res, next) : next()));
  } else {
    app.use(limiter);
  }

  if (deps.cache) {
    attachCache(app.locals, deps.cache);
    app.use(deps.cache.writeHook(orgOf));
  }
  app.use(apiRoutes(deps).router);

  app.use(currentUser(stores));
  app.use(createWebRouter({
    meetings, minutes: deps.minutes, stores, orgOf,
    userOf: (req) => (req.res?.locals.user as { id: string; displayName: string; role: 'admin' | 'member' | 'guest' } | undefined) ?? null,
    sampleTranscriptPath: deps.sampleTranscriptPath ?? SAMPLE,
    platforms: deps.platforms ?? [],
    llmProviders: deps.llmProviders ?? [],
    ...(deps.jobs ? { jobs: deps.jobs } : {}),
  }));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

/**
 * Runs every check at once, each bounded by `timeoutMs`: a hung dependency
 * answers "not ready", never a hung probe. `checks` maps a name to 'ok' or why not.
 */
/** GET /ready: 200 `ready` when every check passes, else 503 `not_ready`; each check's result by name. */
export function readyHandler(checks: Record<string, () => Promise<void>>, timeoutMs?: number): express.RequestHandler {
  return wrap(async (_req, res) => {
    const { ready, checks: results } = await readinessReport(checks, timeoutMs);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: results });
  });
}

export async function readinessReport(checks: Record<string, () => Promise<void>>, timeoutMs = 2000): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const entries = await Promise.all(Object.entries(checks).map(async ([name, check]): Promise<[string, string, boolean]> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(check), timeout]);
      return [name, 'ok', true];
    } catch (err) {
      return [name, (err as Error)?.message || String(err) || 'failed', false];
    } finally {
      clearTimeout(timer);
    }
  }));
  return { ready: entries.every(([, , ok]) => ok), checks: Object.fromEntries(entries.map(([name, result]) => [name, result])) };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every request gets an id (a proxy's X-Request-Id when it is sane, else a new
 * one), echoed in the response header and on every log line about it; 5xx
 * answers are logged with it, so a user's "request failed" can be found.
 */
function requestIds(logger: Logger): express.RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      if (res.statusCode < 500) return;
      logger.warn({ requestId: id, method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request answered with a server error');
    });
    next();
  };
}

/** The signed-in person (name and role) for pages; one read per request, only when signed in. */
function currentUser(stores: Stores) {
  return async (req: Request, res: express.Response, next: express.NextFunction) => {
    // Pages only: the API and static files never show who is signed in, so they skip this read.
    if (req.auth && !req.path.startsWith('/api/') && !req.path.startsWith('/static/')) {
      const user = await stores.organizations.getUser(req.auth.userId).catch(() => null);
      if (user) res.locals.user = { id: user.id, displayName: user.displayName, role: user.role };
    }
    next();
  };
}
