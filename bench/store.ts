/**
 * `npm run bench:store`: storage benchmarks on a real local PostgreSQL, in a
 * fresh database created for the run and dropped at the end.
 *
 *   1. ingest through MeetingService.appendSegments vs raw COPY (same table, same run)
 *   2. full-text search at BENCH_SEGMENTS rows (default 1,000,000) vs naive ILIKE
 *   3. in-memory PGlite start time and memory (in a child process)
 *
 * Env: BENCH_DATABASE_URL (server to create the database on), BENCH_SEGMENTS,
 * BENCH_INGEST_ROWS, BENCH_QUERIES, BENCH_ILIKE_QUERIES, BENCH_SEED,
 * BENCH_EXPLAIN (n: print EXPLAIN ANALYZE of the n slowest searches),
 * BENCH_ONLY (comma list of pglite, ingest, fts; default all).
 * Ends with one `name: value (goal …) met|missed` line per goal; a JSON copy
 * goes to bench-results/store.json.
 */
import type { Database } from '../core/store/db.ts';
import { withBenchDatabase } from './lib/database.ts';
import { createStores } from '../core/store/index.ts';
import { SearchStore } from '../core/store/SearchStore.ts';
import { buildCorpus, type Corpus } from './lib/corpus.ts';
import { benchIngest } from './lib/ingest.ts';
import { bulkLoad, byClass, explainSlowest, runFts, runIlike } from './lib/fts.ts';
import { buildQueries, queryPools } from './lib/queries.ts';
import { measurePgliteStart } from './lib/pglite.ts';
import { envNumber as env, fmt, fmtLatency, Report, summarize } from './lib/report.ts';


const SEGMENTS = env('BENCH_SEGMENTS', 1_000_000);
const INGEST_ROWS = env('BENCH_INGEST_ROWS', Math.min(100_000, Math.floor(SEGMENTS / 5)));
const QUERIES = env('BENCH_QUERIES', 200);
const ILIKE_QUERIES = Math.min(env('BENCH_ILIKE_QUERIES', QUERIES), QUERIES);
const SEED = env('BENCH_SEED', 20261125);
const EXPLAIN = env('BENCH_EXPLAIN', 0);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'pglite,ingest,fts').split(',').map((s) => s.trim()));
const BATCH = env('BENCH_BATCH', 500);
const MEETINGS = Math.max(30, Math.round(SEGMENTS / 1000));

const report = new Report();
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;

async function pgliteSection(): Promise<void> {
  let runs: Awaited<ReturnType<typeof measurePgliteStart>>;
  try {
    runs = await measurePgliteStart(3);
  } catch (err) {
    // A broken PGlite start is a result too: report it and go on with Postgres.
    report.line(`[${elapsed()}] pglite: FAILED to start: ${(err as Error).message}`);
    report.set('pglite', { error: (err as Error).message });
    report.goal({ name: 'pglite_start_ms', value: Number.NaN, op: '<', target: 5000, note: 'failed' });
    report.goal({ name: 'pglite_rss_mb', value: Number.NaN, op: '<', target: 1024, note: 'failed' });
    return;
  }
  const best = runs.reduce((a, b) => (a.startMs <= b.startMs ? a : b));
  const rss = Math.max(...runs.map((r) => r.rssGrowthMb));
  report.line(`[${elapsed()}] pglite: start+migrate+first query ${runs.map((r) => fmt(r.startMs)).join(' / ')} ms over ${runs.length} child processes; ` +
    `rss ${fmt(runs[0]!.rssBeforeMb)} -> ${fmt(runs[0]!.rssAfterMb)} MB (growth ${runs.map((r) => fmt(r.rssGrowthMb)).join(' / ')} MB)`);
  report.set('pglite', runs);
  report.goal({ name: 'pglite_start_ms', value: best.startMs, op: '<', target: 5000, note: `best of ${runs.length} child processes` });
  report.goal({ name: 'pglite_rss_mb', value: rss, op: '<', target: 1024, note: 'RSS growth, worst of the runs' });
}

async function postgresSections(db: Database, url: string): Promise<void> {
  const migrated = await db.migrate();
  const stores = createStores(db.knex);
  const orgs = await Promise.all(['Acme Corp', 'Globex', 'Initech'].map((n) => stores.organizations.ensure(n)));
  const corpus = buildCorpus(SEED);
  report.line(`[${elapsed()}] database ready (${migrated.length} migrations), vocabulary ${corpus.words.length} words`);

  // 1. Ingest.
  if (ONLY.has('ingest')) await ingestSection(db, url, corpus, orgs[0]!.id);
  // 2. Full-text search.
  if (ONLY.has('fts')) await ftsSection(db, url, corpus, orgs.map((o) => o.id));
}

async function ingestSection(db: Database, url: string, corpus: Corpus, organizationId: string): Promise<void> {
  const ingest = await benchIngest({
    db, url, corpus, organizationId, rows: INGEST_ROWS, batch: BATCH, perMeeting: 2000, rounds: 4, seed: SEED + 1,
  });
  const batches = summarize(ingest.serviceBatchMs);
  report.line(`[${elapsed()}] ingest ${ingest.rows} rows each, into fresh meetings, alternating rounds:`);
  report.line(`  service appendSegments (${BATCH}/call): ${fmt(ingest.serviceRowsPerSec)} rows/s (${fmt(ingest.serviceMs)} ms; per call p50 ${fmt(batches.p50)} ms p95 ${fmt(batches.p95)} ms)`);
  const appends = summarize(ingest.appendMs);
  report.line(`    of which TranscriptStore.append (the INSERT): p50 ${fmt(appends.p50)} ms, ${fmt((appends.mean * appends.n) / ingest.serviceMs * 100)}% of the time`);
  report.line(`  raw COPY FROM STDIN:                ${fmt(ingest.copyRowsPerSec)} rows/s (${fmt(ingest.copyMs)} ms)`);
  const c = ingest.concurrent;
  report.line(`  (info) service, ${c.concurrency} meetings sending at once: ${fmt(c.rowsPerSec)} rows/s over ${c.rows} rows (${fmt(c.rowsPerSec / ingest.copyRowsPerSec)}x one COPY stream; not the goal)`);
  report.set('ingest', { ...ingest, serviceBatchMs: batches, appendMs: appends });
  report.goal({ name: 'ingest_ratio', value: ingest.ratio, op: '>=', target: 0.7, note: `service ${Math.round(ingest.serviceRowsPerSec)} rows/s vs COPY ${Math.round(ingest.copyRowsPerSec)} rows/s` });
}

async function ftsSection(db: Database, url: string, corpus: Corpus, orgIds: string[]): Promise<void> {
  const bulk = await bulkLoad(db.knex, url, corpus, orgIds, SEGMENTS, MEETINGS, SEED + 2);
  report.line(`[${elapsed()}] bulk COPY ${bulk.rowsLoaded} rows over ${bulk.meetings} meetings in ${fmt(bulk.copyMs / 1000)} s ` +
    `(${fmt(bulk.rowsLoaded / (bulk.copyMs / 1000))} rows/s); VACUUM ANALYZE ${fmt(bulk.vacuumMs / 1000)} s; ` +
    `table ${fmt(bulk.tableMb)} MB, GIN ${fmt(bulk.ginMb)} MB, ${SEGMENTS} segments total`);
  report.set('bulk', bulk);

  const search = new SearchStore(db.knex);
  const pools = await queryPools(db.knex, corpus);
  const queries = buildQueries(pools, orgIds, QUERIES, SEED + 3);
  const warmup = buildQueries(pools, orgIds, 10, SEED + 4);
  await runFts(search, warmup);
  const fts = await runFts(search, queries);
  const ftsAll = summarize(fts.map((t) => t.ms));
  report.line(`[${elapsed()}] FTS SearchStore.search (limit 20), ${fts.length} queries: ${fmtLatency(ftsAll)}`);
  const classes = byClass(fts);
  for (const [k, s] of Object.entries(classes)) report.line(`  ${k.padEnd(13)} ${fmtLatency(s)}  avg matches ${fmt(s.avgHits)}`);
  report.set('fts', { all: ftsAll, classes });
  report.goal({ name: 'fts_p95_ms', value: ftsAll.p95, op: '<', target: 20, note: `${fts.length} queries at ${SEGMENTS} segments` });

  const slowest = [...fts].sort((a, b) => b.ms - a.ms).slice(0, 5);
  report.line(`  slowest: ${slowest.map((t) => `${t.query.label} ${JSON.stringify(t.query.q)} ${fmt(t.ms)} ms`).join(', ')}`);
  if (EXPLAIN > 0) for (const plan of await explainSlowest(db.knex, url, search, fts, EXPLAIN)) report.line(plan);

  // Naive ILIKE: every (QUERIES / ILIKE_QUERIES)-th query, so every class is represented.
  const step = QUERIES / ILIKE_QUERIES;
  const subsetIdx = Array.from({ length: ILIKE_QUERIES }, (_, i) => Math.floor(i * step));
  const subset = subsetIdx.map((i) => queries[i]!);
  await runIlike(db.knex, [warmup[0]!, warmup[1]!, warmup[2]!]);
  const ilike = await runIlike(db.knex, subset);
  const ilikeAll = summarize(ilike.map((t) => t.ms));
  const ftsSubset = summarize(subsetIdx.map((i) => fts[i]!.ms));
  const which = ilike.length === QUERIES ? `the same ${QUERIES} queries` : `${ilike.length} of the ${QUERIES} queries (every ${fmt(step)}th)`;
  report.line(`[${elapsed()}] ILIKE (naive '%word%' [AND org] ORDER BY id DESC LIMIT 20), ${which}: ${fmtLatency(ilikeAll)}`);
  for (const [k, s] of Object.entries(byClass(ilike))) report.line(`  ${k.padEnd(13)} ${fmtLatency(s)}`);
  report.line(`  FTS on the same ${subset.length} queries: ${fmtLatency(ftsSubset)}`);
  report.set('ilike', { subset: subset.length, all: ilikeAll, classes: byClass(ilike), ftsSameSubset: ftsSubset });
  report.goal({
    name: 'fts_vs_ilike_p95_ratio', value: ilikeAll.p95 / ftsSubset.p95, op: '>=', target: 10,
    note: `ILIKE p95 / FTS p95 over the same ${subset.length} queries`,
  });
}

async function main(): Promise<void> {
  report.line(`bench:store — ${SEGMENTS} segments, ingest ${INGEST_ROWS} rows per path, ${QUERIES} queries (ILIKE on ${ILIKE_QUERIES}), seed ${SEED}`);
  if (ONLY.has('pglite')) await pgliteSection();
  if (ONLY.has('ingest') || ONLY.has('fts')) await postgresRun();
  report.writeJson('bench-results/store.json', {
    at: new Date().toISOString(),
    settings: { segments: SEGMENTS, ingestRows: INGEST_ROWS, queries: QUERIES, ilikeQueries: ILIKE_QUERIES, seed: SEED, batch: BATCH, meetings: MEETINGS },
    totalSeconds: (performance.now() - started) / 1000,
  });
  report.printGoals();
}

/** A fresh database for the run, dropped at the end whatever happens (also on Ctrl-C). */
function postgresRun(): Promise<void> {
  return withBenchDatabase({ prefix: 'minutes_bench', poolMax: 4, log: (line) => report.line(`[${elapsed()}] ${line}`) }, postgresSections);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
