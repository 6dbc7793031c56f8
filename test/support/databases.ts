import { randomUUID } from 'node:crypto';
import { createDatabase, createPostgresDatabase, dropPostgresDatabase, type Database } from '../../core/store/db.ts';
import { createStores, type Stores } from '../../core/store/index.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import { createLogger } from '../../core/logger.ts';
import type { MeetingEvent } from '../../core/bus/EventBus.ts';
import type { Organization } from '../../core/types.ts';

/**
 * The same store tests run on embedded PGlite and on a real Postgres server.
 * One PGlite instance is shared by the whole run (each costs ~2 s and
 * hundreds of MB); Postgres gets a fresh database per run, dropped at the end.
 */
export type BackendName = 'pglite' | 'postgres';

const requested = (process.env.TEST_BACKENDS ?? 'pglite,postgres').split(',').map((s) => s.trim()).filter(Boolean) as BackendName[];
export const BACKENDS: BackendName[] = requested;

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const opened = new Map<BackendName, Promise<Database>>();
let postgresName: string | null = null;

export function database(name: BackendName): Promise<Database> {
  let db = opened.get(name);
  if (!db) {
    db = open(name);
    opened.set(name, db);
  }
  return db;
}

async function open(name: BackendName): Promise<Database> {
  let db: Database;
  if (name === 'pglite') {
    db = createDatabase({ kind: 'pglite', dataDir: null });
  } else {
    postgresName = `minutes_test_${Date.now()}_${process.pid}`;
    try {
      const url = await createPostgresDatabase(serverUrl, postgresName);
      db = createDatabase({ kind: 'postgres', url, poolMax: 5 });
    } catch (cause) {
      throw new Error(`Cannot create a test database on ${serverUrl} (is PostgreSQL running? scripts/services.sh starts it): ${(cause as Error).message}`);
    }
  }
  await db.migrate();
  return db;
}

export async function closeDatabases(): Promise<void> {
  for (const [, db] of opened) await (await db.catch(() => null))?.close();
  opened.clear();
  if (postgresName) await dropPostgresDatabase(serverUrl, postgresName).catch(() => undefined);
}

export interface StoreContext {
  db: Database;
  stores: Stores;
  service: MeetingService;
  events: MeetingEvent[];
  /** A fresh organization per test, so tests sharing a database never see each other's rows. */
  org: Organization;
}

/** Runs `suite` once per backend, with a fresh organization and event log for each test. */
export function describeEachBackend(title: string, suite: (ctx: StoreContext) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, function () {
      const ctx = {} as StoreContext;
      before(async function () {
        this.timeout(120_000);
        ctx.db = await database(backend);
        ctx.stores = createStores(ctx.db.knex);
      });
      beforeEach(async () => {
        const bus = new InProcessEventBus();
        ctx.events = [];
        bus.subscribe('*', (e) => void ctx.events.push(e));
        ctx.service = new MeetingService({ stores: ctx.stores, bus, logger: createLogger({ level: 'silent' }) });
        ctx.org = await ctx.stores.organizations.ensure(`test-org-${randomUUID()}`);
      });
      suite(ctx);
    });
  }
}
