import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { createLogger } from '../../core/logger.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import { MinutesService } from '../../core/meetings/MinutesService.ts';
import { OfflineAnalyzer } from '../../core/minutes/offline/index.ts';
import { createStores } from '../../core/store/index.ts';
import { randomUUID } from 'node:crypto';
import { database } from './databases.ts';

/** Polls `check` every 20 ms until it gives a truthy value, or fails naming `what` after `timeoutMs`. */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The real core an adapter test runs on: the shared in-memory PGlite, an
 * in-process bus, the meeting and minutes services (offline analyzer) and a
 * fresh organization named after the test.
 */
export async function testCore(label: string) {
  const db = await database('pglite');
  const stores = createStores(db.knex);
  const logger = createLogger({ level: 'silent' });
  const bus = new InProcessEventBus(logger);
  const meetings = new MeetingService({ stores, bus, logger });
  const minutes = new MinutesService({ stores, bus, logger, analyzer: new OfflineAnalyzer() });
  const org = await stores.organizations.ensure(`${label}-${randomUUID()}`);
  return { db, stores, logger, bus, meetings, minutes, org };
}
