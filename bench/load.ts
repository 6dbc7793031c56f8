/**
 * `npm run bench:load`: the whole service under a crowd, on the real local
 * Postgres (a fresh database, dropped at the end) and Redis. The service runs
 * as it ships (`node --import tsx bot/main.ts`), first one instance, then two
 * behind the same database and Redis.
 *
 * Seeded with BENCH_LOAD_MEETINGS (300) completed meetings with transcripts
 * (COPY) and minutes for one in three (the offline analyzer). Then, for each
 * configuration, for BENCH_LOAD_SECONDS (20) after a warm-up:
 *   - BENCH_LOAD_USERS (1,000) signed-in dashboard users, each a loop of one request and a think time
 *     (BENCH_LOAD_THINK_MS, 500–1500 ms): meeting list, meeting API and page, search, action items;
 *     with two instances users are split between them round-robin;
 *   - BENCH_LOAD_LIVE (100) live meetings × 10 speakers streaming text segments through /ws/ingest.
 * Prints throughput (req/s), p50/p95/p99 latency and error rate per configuration, and the ratio
 * two/one; ends with one `name: value (goal …) met|missed` line per goal.
 *
 * Env: BENCH_LOAD_MEETINGS, BENCH_LOAD_USERS, BENCH_LOAD_LIVE, BENCH_LOAD_SECONDS, BENCH_LOAD_WARMUP_S,
 * BENCH_LOAD_THINK_MS (min,max), BENCH_LOAD_POOL_MAX (the service's DATABASE_POOL_MAX), BENCH_DATABASE_URL, BENCH_LOAD_REDIS_URL, BENCH_SEED; SERVICE_ROOT runs another checkout.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfflineAnalyzer } from '../core/minutes/offline/index.ts';
import { MinutesService } from '../core/meetings/MinutesService.ts';
import { InProcessEventBus } from '../core/bus/InProcessEventBus.ts';
import { createLogger } from '../core/logger.ts';
import type { Database } from '../core/store/db.ts';
import { prng } from './lib/corpus.ts';
import { withBenchDatabase } from './lib/database.ts';
import { runUsers, type LoadResult, type LoadUser, type UserTarget } from './lib/dashboardUsers.ts';
import { harness, liveMeetings, signedIn, type Harness } from './lib/fixtures.ts';
import { bulkLoad } from './lib/fts.ts';
import { MeetingClient } from './lib/ingestClient.ts';
import { envNumber as env, fmt, Report } from './lib/report.ts';
import { freePort, ServiceProcess } from './lib/service.ts';
import { meetingTalk, speakerNames, type Talk } from './lib/talk.ts';

const MEETINGS = env('BENCH_LOAD_MEETINGS', 300);
const USERS = env('BENCH_LOAD_USERS', 1000);
const LIVE = env('BENCH_LOAD_LIVE', 100);
const SECONDS = env('BENCH_LOAD_SECONDS', 20);
const WARMUP_S = env('BENCH_LOAD_WARMUP_S', 5);
const THINK_MS = (process.env.BENCH_LOAD_THINK_MS ?? '500,1500').split(',').map(Number) as [number, number];
const SEED = env('BENCH_SEED', 20261210);
const REDIS_URL = process.env.BENCH_LOAD_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const AUTH_SECRET = 'bench-load-secret-bench-load-secret-0123456789';
const ORGANIZATION = 'Load';

const report = new Report();
const t00 = performance.now();
const log = (line: string) => report.line(`[${((performance.now() - t00) / 1000).toFixed(0)}s] ${line}`);

async function seed(db: Database, url: string, h: Harness, talk: Talk): Promise<string[]> {
  const bulk = await bulkLoad(db.knex, url, talk.corpus, [h.org.id], MEETINGS * 100, MEETINGS, SEED);
  const ids = (await db.knex('meetings').where({ organization_id: h.org.id }).pluck('id')) as string[];
  const logger = createLogger({ level: 'silent' });
  const minutes = new MinutesService({ stores: h.stores, bus: new InProcessEventBus(logger), logger, analyzer: new OfflineAnalyzer() });
  const withMinutes = ids.filter((_, i) => i % 3 === 0);
  for (const id of withMinutes) await minutes.ensure(id);
  log(`seeded ${ids.length} meetings, ${bulk.rowsLoaded} transcript lines, minutes for ${withMinutes.length}`);
  return ids;
}

interface Config {
  name: string;
  services: ServiceProcess[];
  ports: number[];
}

async function runConfig(cfg: Config, h: Harness, users: { bearer: string }[], ids: string[], talk: Talk, round: number): Promise<LoadResult> {
  const targets: UserTarget[] = cfg.ports.map((port) => ({ port, agent: new http.Agent({ keepAlive: true, maxSockets: USERS }) }));
  const live = await liveMeetings(h, LIVE, `Live ${cfg.name}`);
  const rnd = prng(SEED + round);
  const acks = { n: 0 };
  const clients = live.map((m, i) => new MeetingClient({
    url: `ws://127.0.0.1:${cfg.ports[i % cfg.ports.length]}/ws/ingest`, token: m.token, meetingId: m.id, speakers: speakerNames(10, i), talk, rnd,
    onStored: () => void acks.n++,
  }));
  for (const c of clients) c.start();
  const loadUsers: LoadUser[] = users.map((u, i) => ({ bearer: u.bearer, target: targets[i % targets.length]! }));
  try {
    const ackStart = { n: 0 };
    setTimeout(() => void (ackStart.n = acks.n), WARMUP_S * 1000);
    const r = await runUsers({ users: loadUsers, meetingIds: ids, corpus: talk.corpus, rnd, thinkMs: THINK_MS, warmupS: WARMUP_S, seconds: SECONDS });
    const ingestRate = (acks.n - ackStart.n) / SECONDS;
    const ingestErrors = clients.reduce((a, c) => a + [...c.errors.values()].reduce((x, y) => x + y, 0), 0);
    log(`${cfg.name}: ${fmt(r.perSecond)} req/s, p50 ${fmt(r.latency.p50)} ms, p95 ${fmt(r.latency.p95)} ms, p99 ${fmt(r.latency.p99)} ms, ` +
      `error rate ${fmt(r.errorRate * 100)}% (${r.errors} of ${r.requests}); statuses ${JSON.stringify(r.statuses)}`);
    for (const [kind, s] of Object.entries(r.byKind)) report.line(`  ${kind.padEnd(13)} n=${s.n} p50 ${fmt(s.p50)} ms p95 ${fmt(s.p95)} ms p99 ${fmt(s.p99)} ms errors ${s.errors}`);
    report.line(`  live ingest meanwhile: ${LIVE} meetings, ${fmt(ingestRate)} segments stored/s, ingest errors ${ingestErrors}`);
    return r;
  } finally {
    for (const c of clients) c.stopProducing();
    await Promise.all(clients.map((c) => c.drain(10_000)));
    for (const c of clients) c.close();
    for (const t of targets) t.agent.destroy();
  }
}

async function work(db: Database, url: string): Promise<void> {
  await db.migrate();
  const h = await harness(db, ORGANIZATION, AUTH_SECRET);
  const talk = meetingTalk(SEED);
  const ids = await seed(db, url, h, talk);
  const t = performance.now();
  const users: { bearer: string }[] = [];
  for (let i = 0; i < USERS; i += 50) users.push(...(await Promise.all(Array.from({ length: Math.min(50, USERS - i) }, (_, k) => signedIn(h, `User ${i + k + 1}`)))));
  log(`${users.length} users signed in (${fmt((performance.now() - t) / 1000)} s)`);

  const dataDir = mkdtempSync(join(tmpdir(), 'minutes-load-'));
  const env: Record<string, string> = { DATABASE_URL: url, REDIS_URL, LOG_LEVEL: 'warn', AUTH_SECRET, DEFAULT_ORGANIZATION: ORGANIZATION, DATA_DIR: dataDir };
  if (process.env.BENCH_LOAD_POOL_MAX) env.DATABASE_POOL_MAX = process.env.BENCH_LOAD_POOL_MAX;
  const ports = [await freePort(), await freePort()];
  const services = ports.map((port, i) => new ServiceProcess({ port, env, logFile: join(dataDir, `service-${i + 1}.log`), label: `instance ${i + 1}` }));
  try {
    log(`instance 1 healthy after ${fmt((await services[0]!.start()) / 1000)} s`);
    const one = await runConfig({ name: 'one instance', services: services.slice(0, 1), ports: ports.slice(0, 1) }, h, users, ids, talk, 1);
    log(`instance 2 healthy after ${fmt((await services[1]!.start()) / 1000)} s`);
    const two = await runConfig({ name: 'two instances', services, ports }, h, users, ids, talk, 2);
    const ratio = two.perSecond / one.perSecond;
    log(`two/one throughput: ${fmt(ratio)}x (${fmt(two.perSecond)} vs ${fmt(one.perSecond)} req/s)`);
    report.set('one', one);
    report.set('two', two);
    for (const [key, r] of [['one', one], ['two', two]] as const) {
      report.goal({ name: `load_${key}_error_rate_pct`, value: r.errorRate * 100, op: '<', target: 0.1, note: `${r.errors} of ${r.requests}` });
      report.goal({ name: `load_${key}_p95_ms`, value: r.latency.p95, op: '<', target: 250, note: `p50 ${fmt(r.latency.p50)} p99 ${fmt(r.latency.p99)}` });
    }
    report.goal({ name: 'load_two_vs_one_throughput_ratio', value: ratio, op: '>=', target: 1.3, note: `${fmt(two.perSecond)} vs ${fmt(one.perSecond)} req/s` });
  } catch (err) {
    for (const s of services) report.line(`service log (last lines):\n${s.tail(20)}`);
    throw err;
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    for (const s of services) s.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  report.line(`bench:load — ${USERS} dashboard users (think ${THINK_MS.join('–')} ms) + ${LIVE} live meetings × 10 speakers; ` +
    `${SECONDS} s per configuration after ${WARMUP_S} s warm-up; ${MEETINGS} seeded meetings; seed ${SEED}`);
  await withBenchDatabase({ prefix: 'minutes_bench_load', poolMax: 8, log }, work);
  report.writeJson('bench-results/load.json', {
    at: new Date().toISOString(), settings: { MEETINGS, USERS, LIVE, SECONDS, WARMUP_S, THINK_MS, SEED }, totalSeconds: (performance.now() - t00) / 1000,
  });
  report.printGoals();
}

main().then(() => process.exit(process.exitCode ?? 0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
