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
  /** Writes minutes when a meeting ends or a transcript is imported. */
  autoMinutes: AutoMinutes;
  /** Live insights (decisions, action items, questions) of meetings in progress, as `insight.added` events. */
  copilot: LiveCopilot;
  /** Per-meeting tokens of the media-ingest socket (revoked when the meeting ends). */
  ingestTokens: IngestTokens;
  /** Dashboard sign-in: links, passwords, sessions. */
  auth: AuthService;
  /** The organization used when a request names none (single-team installs). */
  defaultOrganization: Organization;
  close(): Promise<void>;
}

export async function createContainer(config: Config, logger: Logger): Promise<Container> {
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
    ? new RedisEventBus({ url: config.REDIS_URL, channel: 'minutes:events', logger: logger.child({ component: 'bus' }) })
    : new InProcessEventBus(logger.child({ component: 'bus' }));
  const meetings = new MeetingService({ stores, bus, logger });
  const engine = createMinutesEngine(config, { ledger: stores.ledger, logger });
  const minutes = new MinutesService({ stores, bus, logger, analyzer: engine.analyzer });
  const autoMinutes = new AutoMinutes({ bus, minutes, logger }).start();
  const copilot = new LiveCopilot({
    bus, logger: logger.child({ component: 'copilot' }), getMeeting: (id) => meetings.getMeeting(id),
    createAnalyzer: (meeting, attendees) => new OfflineLiveAnalyzer({ attendees, meetingStart: meeting?.startedAt ?? null }),
  }).start();
  const ingestTokens = new IngestTokens(db.knex);
  // A token outliving its meeting would let a media bot feed a finished meeting: revoke with the meeting.
  for (const type of ['meeting.ended', 'meeting.cancelled'] as const) {
    bus.subscribe(type, (e) => void ingestTokens.revokeMeeting(e.meeting.id).catch((err: unknown) => logger.warn({ err }, 'revoking ingest tokens failed')));
  }
  let defaultOrganization: Organization;
  try {
    defaultOrganization = await stores.organizations.ensure(config.DEFAULT_ORGANIZATION);
  } catch (err) {
    await engine.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
  return {
    config, logger, db, stores, bus, meetings, analyzer: engine.analyzer, orchestrator: engine.orchestrator, minutes, autoMinutes, copilot, defaultOrganization, ingestTokens, auth: createAuth({ config, logger, db }),
    async close() {
      // Running generations end (cancelled) before the database they write to closes.
      await autoMinutes.stop();
      copilot.stop();
      await bus.close();
      await engine.close().catch((err: unknown) => logger.warn({ err }, 'closing the LLM cache failed'));
      await db.close();
    },
  };
}
