import { InProcessEventBus } from '../core/bus/InProcessEventBus.ts';
import type { EventBus } from '../core/bus/EventBus.ts';
import type { Orchestrator } from '../core/ai/Orchestrator.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { AutoMinutes } from '../core/meetings/AutoMinutes.ts';
import { MeetingService } from '../core/meetings/MeetingService.ts';
import { MinutesService } from '../core/meetings/MinutesService.ts';
import { LiveCopilot } from '../core/meetings/LiveCopilot.ts';
import { OfflineLiveAnalyzer } from '../core/minutes/offline/index.ts';
import type { Analyzer } from '../core/minutes/types.ts';
import { createDatabase, type Database } from '../core/store/db.ts';
import { createStores, type Stores } from '../core/store/index.ts';
import type { Organization } from '../core/types.ts';
import { createMinutesEngine } from './llm.ts';
import { RedisEventBus } from '../adapters/redis/RedisEventBus.ts';
import type { AuthService } from '../core/auth/index.ts';
import { createAuth } from './auth.ts';
import { IngestTokens } from '../core/meetings/ingestTokens.ts';
import { claimedEventBus, type Claim } from '../core/bus/ClaimedEventBus.ts';
import { createRedisClaims } from '../adapters/redis/RedisClaims.ts';
import type { JournaledJobQueue } from '../core/jobs/JournaledJobQueue.ts';
import { createJobQueue, registerCoreJobs } from './jobs.ts';
import { createMetrics, type MetricsRegistry } from '../dashboard/metrics/index.ts';
import { observedLedger } from '../core/ai/ledger.ts';

/** Everything the service runs on, built once from the config. */
export interface Container {
  config: Config;
  logger: Logger;
  db: Database;
  stores: Stores;
  bus: EventBus;
  meetings: MeetingService;
  /** Who writes minutes: the LLM analyzer (with the offline one as fallback) or the offline analyzer. */
  analyzer: Analyzer;
  /** Null when no LLM provider is configured. */
  orchestrator: Orchestrator | null;
  minutes: MinutesService;
  /** Writes minutes when a meeting ends or a transcript is imported (through `jobs`, unless built `direct`). */
  autoMinutes: AutoMinutes;
  /** Durable background jobs: BullMQ with REDIS_URL (run by worker processes), else in this process; journaled in Postgres. */
  jobs: JournaledJobQueue;
  /** This process's Prometheus metrics (served at /metrics by every role). */
  metrics: MetricsRegistry;
  /** Live insights (decisions, action items, questions) of meetings in progress, as `insight.added` events. */
  copilot: LiveCopilot;
  /** Per-meeting tokens of the media-ingest socket (revoked when the meeting ends). */
  ingestTokens: IngestTokens;
  /** Dashboard sign-in: links, passwords, sessions. */
  auth: AuthService;
  /** The organization used when a request names none (single-team installs). */
  defaultOrganization: Organization;
  /** Shared "first instance to ask holds it" claims (Redis); null in one process, where there is nobody to share with. */
  claim: Claim | null;
  /**
   * The bus as a follower that posts to a platform should see it: with several
   * instances, each meeting's events go to one of them (see claimedEventBus).
   */
  followerBus(scope: string): EventBus;
  close(): Promise<void>;
}

export interface ContainerOptions {
  /**
   * 'queue' (the service): minutes are jobs on `jobs`. 'direct' (the CLI):
   * written in this process, so a command can wait for them without a worker.
   */
  minutes?: 'queue' | 'direct';
}

export async function createContainer(config: Config, logger: Logger, options: ContainerOptions = {}): Promise<Container> {
  const started = Date.now();
  const db = createDatabase(
    config.database.kind === 'postgres'
      ? { kind: 'postgres', url: config.database.url, poolMax: config.DATABASE_POOL_MAX }
      : { kind: 'pglite', dataDir: config.database.dataDir },
  );
  try {
    const applied = await db.migrate();
    logger.info(
      { database: db.kind, ...(db.kind === 'pglite' ? { dataDir: config.DATA_DIR } : {}), migrationsApplied: applied.length, ms: Date.now() - started },
      db.kind === 'pglite' ? 'embedded PGlite database ready (set DATABASE_URL to use a Postgres server)' : 'Postgres database ready',
    );
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  const stores = createStores(db.knex);
  // Redis pub/sub carries events between instances (dashboards, bots, workers); one process needs nothing.
  const bus: EventBus = config.REDIS_URL
    ? new RedisEventBus({ url: config.REDIS_URL, channel: `${config.REDIS_PREFIX}events`, logger: logger.child({ component: 'bus' }) })
    : new InProcessEventBus(logger.child({ component: 'bus' }));
  const claims = config.REDIS_URL ? createRedisClaims({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX }) : null;
  const followerBus = (scope: string): EventBus => (claims ? claimedEventBus(bus, { scope, claim: claims.claim, logger }) : bus);
  const meetings = new MeetingService({ stores, bus, logger });
  const metrics = createMetrics();
  // Every LLM call the ledger records is also counted (provider, model, outcome, tokens).
  const engine = createMinutesEngine(config, { ledger: observedLedger(stores.ledger, (e) => metrics.observeAiCall(e)), logger });
  const minutes = new MinutesService({ stores, bus, logger, analyzer: engine.analyzer });
  const jobs = createJobQueue(config, logger, db.knex);
  // In one process nobody else would run them; with Redis the worker role registers them (bot/worker.ts).
  if (jobs.kind === 'in-process') {
    registerCoreJobs(jobs, { minutes, concurrency: config.JOB_CONCURRENCY });
    await jobs.start();
  }
  const queued = (options.minutes ?? 'queue') === 'queue';
  const autoMinutes = new AutoMinutes({ bus, minutes, logger, ...(queued ? { jobs } : {}) }).start();
  const copilot = new LiveCopilot({
    // Every worker hears every segment through Redis; one of them analyses a given meeting.
    bus: followerBus('copilot'), logger: logger.child({ component: 'copilot' }), getMeeting: (id) => meetings.getMeeting(id),
    createAnalyzer: (meeting, attendees) => new OfflineLiveAnalyzer({ attendees, meetingStart: meeting?.startedAt ?? null }),
  });
  // Analysis is CPU work: it runs where jobs run, so web processes keep their event loop for requests.
  if (config.ROLE.includes('worker')) copilot.start();
  const ingestTokens = new IngestTokens(db.knex);
  // A token outliving its meeting would let a media bot feed a finished meeting: revoke with the meeting.
  for (const type of ['meeting.ended', 'meeting.cancelled'] as const) {
    bus.subscribe(type, (e) => void ingestTokens.revokeMeeting(e.meeting.id).catch((err: unknown) => logger.warn({ err }, 'revoking ingest tokens failed')));
  }
  let defaultOrganization: Organization;
  try {
    defaultOrganization = await stores.organizations.ensure(config.DEFAULT_ORGANIZATION);
  } catch (err) {
    await jobs.close().catch(() => undefined);
    await engine.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
  return {
    claim: claims?.claim ?? null,
    followerBus,
    jobs,
    metrics,
    config, logger, db, stores, bus, meetings, analyzer: engine.analyzer, orchestrator: engine.orchestrator, minutes, autoMinutes, copilot, defaultOrganization, ingestTokens, auth: createAuth({ config, logger, db }),
    async close() {
      // Running generations end (cancelled) before the database they write to closes.
      await autoMinutes.stop();
      await jobs.close(config.SHUTDOWN_TIMEOUT_MS / 2).catch((err: unknown) => logger.warn({ err }, 'closing the job queue failed'));
      copilot.stop();
      await bus.close();
      await claims?.close();
      await engine.close().catch((err: unknown) => logger.warn({ err }, 'closing the LLM cache failed'));
      await db.close();
    },
  };
}
