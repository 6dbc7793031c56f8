import { InProcessEventBus } from '../core/bus/InProcessEventBus.ts';
import type { EventBus } from '../core/bus/EventBus.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { MeetingService } from '../core/meetings/MeetingService.ts';
import { createDatabase, type Database } from '../core/store/db.ts';
import { createStores, type Stores } from '../core/store/index.ts';
import type { Organization } from '../core/types.ts';

/** Everything the service runs on, built once from the config. */
export interface Container {
  config: Config;
  logger: Logger;
  db: Database;
  stores: Stores;
  bus: EventBus;
  meetings: MeetingService;
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
  const bus = new InProcessEventBus(logger.child({ component: 'bus' }));
  const meetings = new MeetingService({ stores, bus, logger });
  const defaultOrganization = await stores.organizations.ensure(config.DEFAULT_ORGANIZATION);
  return {
    config, logger, db, stores, bus, meetings, defaultOrganization,
    async close() {
      await bus.close();
      await db.close();
    },
  };
}
