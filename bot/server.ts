import { createServer, type Server } from 'node:http';
import { createDashboard } from '../dashboard/app.ts';
import { startAdapters } from './adapters.ts';
import type { Container } from './container.ts';
import { startDiscord } from './discord.ts';
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
import { adapterStatuses } from './adapters.ts';
import { createRedisRateLimitStore } from '../adapters/redis/rateLimitStore.ts';
import type { DiscordAdapter } from '../adapters/discord/index.ts';
import { RedisCache } from '../adapters/redis/RedisCache.ts';
import { InProcessCache } from '../core/cache/index.ts';
import { DashboardCache } from '../dashboard/cache/index.ts';
import { createMetrics } from '../dashboard/metrics/index.ts';

export interface RunningServer {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** Starts the HTTP server (dashboard, API, health) and the adapters that have credentials. */
export async function startServer(c: Container): Promise<RunningServer> {
  const rateLimit = c.config.REDIS_URL ? createRedisRateLimitStore(c.config.REDIS_URL) : null;
  // Shared by every instance on one Redis (their writes invalidate each other's entries); else this process's own.
  const redisCache = c.config.REDIS_URL ? new RedisCache({ url: c.config.REDIS_URL, prefix: 'minutes:dashboard:' }) : null;
  const cache = new DashboardCache({
    cache: redisCache ?? new InProcessCache({ maxEntries: 20_000 }), bus: c.bus, logger: c.logger.child({ component: 'cache' }),
  });
  const metrics = createMetrics();
  const unobserve = metrics.observeBus(c.bus);
  // Listen first: with PORT=0 the address people use (cookies, links, origin checks) is only known then.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(c.config.PORT, c.config.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : c.config.PORT;
  const url = c.config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://${c.config.HOST === '0.0.0.0' ? 'localhost' : c.config.HOST}:${port}`;
  const slack = slackRouter(c);
  let teams: Awaited<ReturnType<typeof teamsRouter>> = null;
  try {
    teams = await teamsRouter(c);
  } catch (err) {
    // A misconfigured Teams app must not take the dashboard (or Discord and Slack) down with it.
    c.logger.error({ err, adapter: 'teams' }, 'teams adapter failed to start; the dashboard keeps running');
  }
  const app = createDashboard({
    meetings: c.meetings,
    minutes: c.minutes,
    orchestrator: c.orchestrator,
    stores: c.stores,
    organizationId: c.defaultOrganization.id,
    logger: c.logger.child({ component: 'dashboard' }),
    readiness: { database: () => c.db.ping() },
    auth: c.auth,
    publicUrl: url,
    platforms: adapterStatuses(c.config),
    webhooks: [slack, teams].filter((r): r is NonNullable<typeof r> => Boolean(r)),
    ingestTokens: c.ingestTokens,
    llmProviders: c.orchestrator ? c.orchestrator.orderFor('minutes').map((p) => `${p.name} ${p.model}`) : [],
    ...(rateLimit ? { rateLimitStore: rateLimit.store } : {}),
    cache,
    metrics,
    // Lets a scraper off this host read /metrics (loopback needs no token).
    metricsToken: c.config.METRICS_TOKEN ?? null,
  });
  startAdapters(c.config, c.logger);
  server.on('request', app);
  c.logger.info({ url }, `dashboard listening on ${url}`);
  let engine: Transcriber | null = null;
  const record = attachRecordServer(server, {
    authenticate: socketAuthenticator(c, c.auth), meetings: c.meetings, logger: c.logger.child({ component: 'record' }),
    createPipeline: recordPipelineFactory({ meetings: c.meetings, bus: c.bus, transcriber: () => (engine ??= createTranscriberFromConfig(c.config)) }),
    allowedOrigins: [new URL(url).origin],
  });
  const ingest = attachIngestServer(server, {
    tokens: c.ingestTokens, meetings: c.meetings, bus: c.bus, logger: c.logger.child({ component: 'ingest' }),
    createPipeline: ingestPipelineFactory({ bus: c.bus, decoder: opusDecoderFactory(), transcriber: () => (engine ??= createTranscriberFromConfig(c.config)), logger: c.logger }),
  });
  const live = attachLiveServer(server, {
    bus: c.bus, authenticate: socketAuthenticator(c, c.auth), meetingOrganization: (id) => meetingOrganization(c, id),
    logger: c.logger.child({ component: 'live' }),
  });
  metrics.setGauges(async () => ({
    websocketConnections: { live: live.stats().connections, record: record.connections, ingest: ingest.connections },
    // Counted in the store: right across restarts and instances, unlike the bus-followed fallback.
    activeMeetings: (await c.stores.meetings.list({ status: 'in_progress', limit: 1 }).catch(() => null))?.total,
  }));
  await announceAdminLink(c, c.auth, url).catch((err: unknown) => c.logger.warn({ err }, 'could not issue the administrator sign-in link'));
  let discord: DiscordAdapter | null = null;
  try {
    discord = await startDiscord(c);
  } catch (err) {
    // A bad token or an unreachable Discord must not take the dashboard down with it.
    c.logger.error({ err, adapter: 'discord' }, 'discord adapter failed to start; the dashboard keeps running');
  }
  return {
    url,
    server,
    async stop() {
      await discord?.stop().catch((err: unknown) => c.logger.warn({ err }, 'discord adapter stop failed'));
      await stopTeams(c).catch((err: unknown) => c.logger.warn({ err }, 'teams adapter stop failed'));
      await stopSlack(c).catch((err: unknown) => c.logger.warn({ err }, 'slack adapter stop failed'));
      await record.close();
      await ingest.close();
      await live.close();
      unobserve();
      await rateLimit?.close();
      cache.close();
      await redisCache?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
