/**
 * Run in a child process by bench/lib/pglite.ts so the memory numbers belong
 * to one PGlite alone: modules are loaded first, then the clock and RSS cover
 * createDatabase + migrate + the first query. Prints one JSON line.
 */
import { createDatabase } from '../../core/store/db.ts';

const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const db = createDatabase({ kind: 'pglite', dataDir: null });
await db.migrate();
const t1 = performance.now();
await db.knex.raw(`SELECT count(*) FROM transcript_segments WHERE tsv @@ websearch_to_tsquery('english', 'budget')`);
const startMs = performance.now() - t0;
const rssAfter = process.memoryUsage().rss;
await db.close();
console.log(JSON.stringify({ startMs, migrateMs: t1 - t0, rssBeforeMb: rssBefore / 2 ** 20, rssAfterMb: rssAfter / 2 ** 20 }));
