import { createServer, type Server } from 'node:http';
import { createDashboard } from '../dashboard/app.ts';
import { startAdapters, adapterStatuses } from './adapters.ts';
import type { Container } from './container.ts';
import { slackRouter, stopSlack } from './slack.ts';
import { stopTeams, teamsRouter } from './teams.ts';
import { announceAdminLink } from './auth.ts';
import { attachLiveServer } from '../dashboard/live/index.ts';
import { meetingOrganization, socketAuthenticator } from './live.ts';
import { attachRecordServer, recordPipelineFactory } from '../dashboard/record/index.ts';
import { attachIngestServer, ingestPipelineFactory } from '../dashboard/ingest/index.ts';
import { opusDecoderFactory } from '../adapters/audio/opus.ts';
import { createTranscriberFromConfig } from '../adapters/asr/factory.ts';
import type { Transcriber } from '../core/asr/types.ts';
import { createRedisRateLimitStore } from '../adapters/redis/rateLimitStore.ts';
import { RedisCache } from '../adapters/redis/RedisCache.ts';
import { InProcessCache } from '../core/cache/index.ts';
import { DashboardCache } from '../dashboard/cache/index.ts';
import type { MetricsRegistry } from '../dashboard/metrics/index.ts';
import type { RoleName } from '../core/config.ts';
import { startBackgroundRoles, startOpsServer, type BackgroundRoles } from './background.ts';
import { readinessChecks } from './readiness.ts';
import { audioEventObserver, countAudio, observeOperations } from './operations.ts';

export interface RunningServer {
  url: string;
  server: Server;
  roles: readonly RoleName[];
  /** Stops intake first, then flushes and finishes what is in flight; the caller bounds the time. */
  stop(): Promise<void>;
}

/**
 * Starts this process's roles (ROLE, default all): `web` serves the dashboard,
 * API, sockets and the Slack/Teams webhooks; `bot` connects the Discord gateway
 * (and Slack Socket Mode); `worker` runs jobs and schedules. Every process
 * listens on PORT: without `web`, only /health, /ready and /metrics.
 */
export async function startServer(c: Container, options: { roles?: readonly RoleName[] } = {}): Promise<RunningServer> {
  const roles = options.roles ?? c.config.ROLE;
  const metrics = c.metrics;
  const server = createServer();
  const url = await listen(c, server);
  const background = await startBackgroundRoles(c, roles, { webhooksHere: roles.includes('web') });
  // Discord is reported where it runs (bot role) and only when it is configured.
  const discordHere = roles.includes('bot') && Boolean(c.config.DISCORD_TOKEN && c.config.DISCORD_APPLICATION_ID);
  const ready = readinessChecks(c, { ...(discordHere ? { discord: () => background.discord } : {}), failed: background.failed });
  const unobserve = observeOperations(c, metrics, background);
  const web = roles.includes('web') ? await startWeb(c, server, url, metrics, ready.checks, background) : null;
  if (!web) {
    server.on('request', startOpsServer(c, metrics, ready.checks));
    c.logger.info({ url, roles }, `running ${roles.join(', ')}: /health, /ready and /metrics on ${url}`);
  }
  return {
    url, server, roles,
    async stop() {
      // Intake first: no new connections, sockets or webhooks while the rest drains.
      const closed = stopListening(server);
      await web?.stopIntake();
      await background.stop();
      await web?.stop();
      unobserve();
      await ready.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Listens first: with PORT=0 the address people use (cookies, links, origin checks) is only known then. */
async function listen(c: Container, server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(c.config.PORT, c.config.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : c.config.PORT;
  return c.config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://${c.config.HOST === '0.0.0.0' ? 'localhost' : c.config.HOST}:${port}`;
}

async function startWeb(c: Container, server: Server, url: string, metrics: MetricsRegistry, readiness: Record<string, () => Promise<void>>, background: BackgroundRoles) {
  const rateLimit = c.config.REDIS_URL ? createRedisRateLimitStore(c.config.REDIS_URL, `${c.config.REDIS_PREFIX}rl:`) : null;
  // Shared by every instance on one Redis (their writes invalidate each other's entries); else this process's own.
  const redisCache = c.config.REDIS_URL ? new RedisCache({ url: c.config.REDIS_URL, prefix: `${c.config.REDIS_PREFIX}dashboard:` }) : null;
  const cache = new DashboardCache({
    cache: redisCache ?? new InProcessCache({ maxEntries: 20_000 }), bus: c.bus, logger: c.logger.child({ component: 'cache' }),
  });
  const unobserve = metrics.observeBus(c.bus);
  const slack = slackRouter(c);
  let teams: Awaited<ReturnType<typeof teamsRouter>> = null;
  try {
    teams = await teamsRouter(c);
  } catch (err) {
    // A misconfigured Teams app must not take the dashboard (or Discord and Slack) down with it.
    c.logger.error({ err, adapter: 'teams' }, 'teams adapter failed to start; the dashboard keeps running');
    background.failed.teams = `failed to start: ${(err as Error).message}`;
    // The checks object is read at each probe: a late failure shows up on /ready too.
    readiness.teams = () => Promise.reject(new Error(background.failed.teams));
  }
  const app = createDashboard({
    meetings: c.meetings, minutes: c.minutes, orchestrator: c.orchestrator, stores: c.stores,
    organizationId: c.defaultOrganization.id, logger: c.logger.child({ component: 'dashboard' }),
    readiness, auth: c.auth, publicUrl: url, platforms: adapterStatuses(c.config),
    webhooks: [slack, teams].filter((r): r is NonNullable<typeof r> => Boolean(r)),
    ingestTokens: c.ingestTokens,
    llmProviders: c.orchestrator ? c.orchestrator.orderFor('minutes').map((p) => `${p.name} ${p.model}`) : [],
    ...(rateLimit ? { rateLimitStore: rateLimit.store } : {}),
    cache, metrics, jobs: c.jobs,
    // Lets a scraper off this host read /metrics (loopback needs no token).
    metricsToken: c.config.METRICS_TOKEN ?? null,
  });
  startAdapters(c.config, c.logger);
  server.on('request', app);
  c.logger.info({ url }, `dashboard listening on ${url}`);
  let engine: Transcriber | null = null;
  const transcriber = () => (engine ??= createTranscriberFromConfig(c.config));
  const observe = audioEventObserver(c);
  const record = attachRecordServer(server, {
    authenticate: socketAuthenticator(c, c.auth), meetings: c.meetings, logger: c.logger.child({ component: 'record' }),
    createPipeline: counted(c, 'record', recordPipelineFactory({ meetings: c.meetings, bus: c.bus, transcriber, onEvent: (_m, e) => observe(e) })),
    allowedOrigins: [new URL(url).origin],
  });
  const ingest = attachIngestServer(server, {
    tokens: c.ingestTokens, meetings: c.meetings, bus: c.bus, logger: c.logger.child({ component: 'ingest' }),
    createPipeline: counted(c, 'ingest', ingestPipelineFactory({ bus: c.bus, decoder: opusDecoderFactory(), transcriber, logger: c.logger, onEvent: (_m, e) => observe(e) })),
  });
  const live = attachLiveServer(server, {
    bus: c.bus, authenticate: socketAuthenticator(c, c.auth), meetingOrganization: (id) => meetingOrganization(c, id),
    logger: c.logger.child({ component: 'live' }),
  });
  background.sockets = { live: () => live.stats().connections, record: () => record.connections, ingest: () => ingest.connections };
  await announceAdminLink(c, c.auth, url).catch((err: unknown) => c.logger.warn({ err }, 'could not issue the administrator sign-in link'));
  return {
    /** Sockets drain (acked audio is transcribed and stored) before the parts they write through stop. */
    async stopIntake() {
      await record.close();
      await ingest.close();
    },
    async stop() {
      await stopTeams(c).catch((err: unknown) => c.logger.warn({ err }, 'teams adapter stop failed'));
      await stopSlack(c).catch((err: unknown) => c.logger.warn({ err }, 'slack adapter stop failed'));
      await live.close();
      unobserve();
      await rateLimit?.close();
      cache.close();
      await redisCache?.close();
    },
  };
}

/** Wraps a pipeline factory so each pipeline counts as a live audio stream until it ends. */
function counted<A extends unknown[], P extends { end(): Promise<void> } | Promise<{ end(): Promise<void> }>>(c: Container, source: string, factory: (...args: A) => P): (...args: A) => P {
  return (...args: A) => {
    const wrap = <T extends { end(): Promise<void> }>(p: T): T => {
      const count = countAudio(c, source);
      const end = p.end.bind(p);
      return Object.assign(p, { end: () => end().finally(count.end) });
    };
    const made = factory(...args);
    return (made instanceof Promise ? made.then(wrap) : wrap(made as { end(): Promise<void> })) as P;
  };
}

/** Stops accepting connections (idle keep-alive ones close now, busy ones after their response); resolves once all are gone. */
function stopListening(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}
