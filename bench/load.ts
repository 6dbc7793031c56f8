/**
 * `npm run bench:load`: the whole service under a crowd, on the real local
 * Postgres (a fresh database, dropped at the end) and Redis (a key prefix of
 * its own per configuration, deleted at the end). The service runs as it ships
 * (`node --import tsx bot/main.ts`) in two configurations, one after the other:
 *   one: a single process with every role;
 *   two: two `ROLE=web` processes (users and live meetings split between them, as a load
 *        balancer would) and one `ROLE=worker` process, sharing DATABASE_URL, REDIS_URL,
 *        REDIS_PREFIX and AUTH_SECRET.
 * Seeded with BENCH_LOAD_MEETINGS (300) completed meetings with transcripts (COPY), minutes
 * for one in three. In each configuration, while BENCH_LOAD_LIVE (100) live meetings × 10
 * speakers stream text segments through /ws/ingest (one every BENCH_LOAD_INGEST_MS, 1–3 s, each):
 *   people:   BENCH_LOAD_USERS (1,000) signed-in people, each a page view (the page's HTML, and the
 *             static files it links their browser does not hold yet: one in ten starts with none),
 *             then BENCH_LOAD_THINK_MS (5–15 s) reading;
 *             BENCH_LOAD_WARMUP_S (10) then BENCH_LOAD_SECONDS (30) measured;
 *   capacity: BENCH_LOAD_CAPACITY_CLIENTS (64) clients in a closed loop without think time (page
 *             HTML as random users), 3 s warm-up then BENCH_LOAD_CAPACITY_S (15) measured.
 * Prints throughput, p50/p95/p99 and error rate per phase and request kind, what each process
 * spent (CPU, event-loop delay, database pool acquires waiting, from its /metrics), the capacity
 * ratio two/one, and one `name: value (goal …) met|missed` line per goal.
 *
 * Env: BENCH_LOAD_MEETINGS, BENCH_LOAD_USERS, BENCH_LOAD_LIVE, BENCH_LOAD_SECONDS, BENCH_LOAD_WARMUP_S, BENCH_LOAD_THINK_MS (min,max),
 * BENCH_LOAD_INGEST_MS (min,max), BENCH_LOAD_FIRST_VISIT (0.1: share of people without the static files cached), BENCH_LOAD_CAPACITY_CLIENTS, BENCH_LOAD_CAPACITY_S, BENCH_LOAD_CONFIGS (one,two),
 * BENCH_LOAD_POOL_MAX (the service's DATABASE_POOL_MAX), BENCH_DATABASE_URL, BENCH_LOAD_REDIS_URL, BENCH_SEED; SERVICE_ROOT runs another checkout.
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfflineAnalyzer } from '../core/minutes/offline/index.ts';
import { MinutesService } from '../core/meetings/MinutesService.ts';
import { InProcessEventBus } from '../core/bus/InProcessEventBus.ts';
import { createLogger } from '../core/logger.ts';
import type { Database } from '../core/store/db.ts';
import { prng } from './lib/corpus.ts';
import { withBenchDatabase } from './lib/database.ts';
import { ALL_ASSETS, runCapacity, runPeople, type LoadResult, type LoadUser, type UserTarget } from './lib/dashboardUsers.ts';
import { harness, liveMeetings, signedIn, type Harness } from './lib/fixtures.ts';
import { bulkLoad } from './lib/fts.ts';
import { MeetingClient } from './lib/ingestClient.ts';
import { deleteRedisKeys } from './lib/redis.ts';
import { envNumber as env, fmt, Report, summarize } from './lib/report.ts';
import { cpuBetween, cpuSnapshot, watchProcess, type ProcessLoad } from './lib/scrape.ts';
import { freePort, ServiceProcess } from './lib/service.ts';
import { meetingTalk, speakerNames, type Talk } from './lib/talk.ts';

const MEETINGS = env('BENCH_LOAD_MEETINGS', 300);
const USERS = env('BENCH_LOAD_USERS', 1000);
const LIVE = env('BENCH_LOAD_LIVE', 100);
const SECONDS = env('BENCH_LOAD_SECONDS', 30);
const WARMUP_S = env('BENCH_LOAD_WARMUP_S', 10);
const range = (name: string, fallback: string) => (process.env[name] || fallback).split(',').map(Number) as [number, number];
const THINK_MS = range('BENCH_LOAD_THINK_MS', '5000,15000');
const INGEST_MS = range('BENCH_LOAD_INGEST_MS', '1000,3000');
const CAP_CLIENTS = env('BENCH_LOAD_CAPACITY_CLIENTS', 64);
const CAP_S = env('BENCH_LOAD_CAPACITY_S', 15);
const CAP_WARMUP_S = 3;
/** Share of people whose browser has none of the dashboard's static files yet. */
const FIRST_VISIT = Number(process.env.BENCH_LOAD_FIRST_VISIT || '0.1');
const CONFIGS = (process.env.BENCH_LOAD_CONFIGS || 'one,two').split(',').map((s) => s.trim()) as ('one' | 'two')[];
const SEED = env('BENCH_SEED', 20261210);
const REDIS_URL = process.env.BENCH_LOAD_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN_PREFIX = `load-${Date.now()}-${process.pid}`;
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

interface Proc {
  svc: ServiceProcess;
  port: number;
  label: string;
  web: boolean;
}

interface ConfigResult {
  people: LoadResult;
  capacity: LoadResult;
  loads: { people: PhaseLoad; capacity: PhaseLoad };
  ingest: { perSecond: number; ackP95Ms: number; errors: number };
}

/** The processes of a configuration, started (each healthy) in order. */
async function startConfig(name: 'one' | 'two', base: Record<string, string>, dataDir: string, logDir: string): Promise<Proc[]> {
  const env = { ...base, REDIS_PREFIX: `${RUN_PREFIX}-${name}:` };
  const specs = name === 'one' ? [{ role: '', label: 'all roles' }] : [{ role: 'web', label: 'web 1' }, { role: 'web', label: 'web 2' }, { role: 'worker', label: 'worker' }];
  const procs: Proc[] = [];
  for (const [i, s] of specs.entries()) {
    const port = await freePort();
    const svc = new ServiceProcess({ port, env: s.role ? { ...env, ROLE: s.role } : env, logFile: join(logDir, `${name}-${i + 1}.log`), label: s.label });
    procs.push({ svc, port, label: `${s.label} (${s.role ? `ROLE=${s.role}` : 'ROLE unset'}) :${port}`, web: s.role !== 'worker' });
    const ms = await svc.start();
    log(`  ${procs.at(-1)!.label} healthy after ${fmt(ms / 1000)} s`);
  }
  return procs;
}

interface PhaseLoad {
  processes: ProcessLoad[];
  machineCores: number;
  postgresCores: number;
  generatorCores: number;
}

/** Runs `run` while watching each process's /metrics, the machine's CPU, Postgres' and this load generator's. */
async function watched<T>(procs: Proc[], run: () => Promise<T>): Promise<[T, PhaseLoad]> {
  const watchers = procs.map((p) => watchProcess(p.label, p.svc.url));
  const cpu0 = cpuSnapshot();
  const gen0 = process.cpuUsage();
  const result = await run();
  const gen = process.cpuUsage(gen0);
  const cpu = cpuBetween(cpu0, cpuSnapshot());
  const generatorCores = (gen.user + gen.system) / 1000 / (performance.now() - cpu0.at);
  return [result, { processes: await Promise.all(watchers.map((w) => w.stop())), machineCores: cpu.machineCores, postgresCores: cpu.postgresCores, generatorCores }];
}

async function runConfig(name: 'one' | 'two', procs: Proc[], h: Harness, bearers: string[], ids: string[], talk: Talk, round: number): Promise<ConfigResult> {
  const web = procs.filter((p) => p.web);
  const targets: UserTarget[] = web.map((p) => ({ port: p.port, agent: new http.Agent({ keepAlive: true, maxSockets: USERS }) }));
  const live = await liveMeetings(h, LIVE, `Live ${name}`);
  const rnd = prng(SEED + round);
  const acks: { at: number; ms: number }[] = [];
  const clients = live.map((m, i) => new MeetingClient({
    url: `ws://127.0.0.1:${web[i % web.length]!.port}/ws/ingest`, token: m.token, meetingId: m.id, speakers: speakerNames(10, i), talk, rnd, intervalMs: INGEST_MS,
    onStored: (s, at) => void acks.push({ at, ms: at - s.createdAt }),
  }));
  for (const c of clients) c.start();
  // A user keeps one instance (sticky sessions); each has an address of its own in 10.0.0.0/8.
  // Most people used the dashboard within the hour (static files max-age): their browser holds its files.
  const users: LoadUser[] = bearers.map((bearer, i) => ({
    bearer, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, target: targets[i % targets.length]!,
    cached: new Set(rnd() < FIRST_VISIT ? [] : ALL_ASSETS),
  }));
  try {
    const t0 = performance.now();
    const [people, peopleLoads] = await watched(procs, () => runPeople({ users, meetingIds: ids, corpus: talk.corpus, rnd, thinkMs: THINK_MS, warmupS: WARMUP_S, seconds: SECONDS }));
    const from = t0 + WARMUP_S * 1000;
    const window = acks.filter((a) => a.at >= from && a.at < from + SECONDS * 1000);
    print(`${name} / people`, people, peopleLoads);
    // The capacity clients are another crowd: fresh connections, not the people's idle ones (closed by the server's keep-alive timeout).
    for (const t of targets) {
      t.agent.destroy();
      t.agent = new http.Agent({ keepAlive: true, maxSockets: USERS });
    }
    const [capacity, capLoads] = await watched(procs, () => runCapacity({ users, meetingIds: ids, corpus: talk.corpus, rnd, concurrency: CAP_CLIENTS, warmupS: CAP_WARMUP_S, seconds: CAP_S }));
    print(`${name} / capacity`, capacity, capLoads);
    const ingest = { perSecond: window.length / SECONDS, ackP95Ms: summarize(window.map((a) => a.ms)).p95, errors: clients.reduce((a, c) => a + [...c.errors.values()].reduce((x, y) => x + y, 0), 0) };
    report.line(`  live ingest during people: ${LIVE} meetings, ${fmt(ingest.perSecond)} segments stored/s, send→stored p95 ${fmt(ingest.ackP95Ms)} ms, ingest errors ${ingest.errors}`);
    return { people, capacity, loads: { people: peopleLoads, capacity: capLoads }, ingest };
  } finally {
    for (const c of clients) c.stopProducing();
    await Promise.all(clients.map((c) => c.drain(10_000)));
    for (const c of clients) c.close();
    for (const t of targets) t.agent.destroy();
  }
}

function print(title: string, r: LoadResult, load: PhaseLoad): void {
  log(`${title}: ${fmt(r.perSecond)} req/s, p50 ${fmt(r.latency.p50)} ms, p95 ${fmt(r.latency.p95)} ms, p99 ${fmt(r.latency.p99)} ms, ` +
    `error rate ${fmt(r.errorRate * 100)}% (${r.errors} of ${r.requests}); statuses ${JSON.stringify(r.statuses)}`);
  for (const [kind, s] of Object.entries(r.byKind)) report.line(`  ${kind.padEnd(13)} n=${s.n} p50 ${fmt(s.p50)} ms p95 ${fmt(s.p95)} ms p99 ${fmt(s.p99)} ms errors ${s.errors}`);
  for (const [kind, s] of Object.entries(r.pageViews ?? {})) report.line(`  whole ${kind.padEnd(13)} views=${s.n} p50 ${fmt(s.p50)} ms p95 ${fmt(s.p95)} ms`);
  const service = load.processes.reduce((a, l) => a + l.cpuCores, 0);
  // Whatever else runs on the machine (Redis, other jobs): a run with much of it measured a shared machine.
  const other = load.machineCores - service - load.postgresCores - load.generatorCores;
  report.line(`  CPU: machine ${fmt(load.machineCores)} of ${cpus().length} cores busy; service ${fmt(service)}, Postgres ${fmt(load.postgresCores)}, ` +
    `load generator ${fmt(load.generatorCores)}, anything else ${fmt(Math.max(0, other))}`);
  for (const l of load.processes) {
    report.line(`  process ${l.label}: CPU ${fmt(l.cpuCores)} cores, event-loop delay p99 mean ${fmt(l.lagP99Ms.mean)} ms / max ${fmt(l.lagP99Ms.max)} ms, ` +
      `DB pool acquires waiting mean ${fmt(l.poolPending.mean)} / max ${fmt(l.poolPending.max)}, connections used max ${fmt(l.poolUsedMax)}`);
  }
}

/** One line on where the time went at capacity, from the processes' own metrics and /proc. */
function diagnose(name: string, r: ConfigResult): string {
  const m = r.loads.capacity;
  const web = m.processes.filter((l) => !l.label.startsWith('worker'));
  const pending = Math.max(...web.map((l) => l.poolPending.max));
  const lag = Math.max(...web.map((l) => l.lagP99Ms.mean));
  const busiest = Math.max(...web.map((l) => l.cpuCores));
  const full = m.machineCores > 0.9 * cpus().length;
  const parts = [
    `web process CPU ${web.map((l) => fmt(l.cpuCores)).join(' + ')} cores${busiest >= 0.85 ? ' (a main thread is saturated: CPU-bound in Node)' : ''}`,
    `machine ${fmt(m.machineCores)} of ${cpus().length} cores busy${full ? ' (saturated)' : ''}, Postgres ${fmt(m.postgresCores)}, generator ${fmt(m.generatorCores)}, ` +
      `anything else ${fmt(Math.max(0, m.machineCores - m.postgresCores - m.generatorCores - m.processes.reduce((a, l) => a + l.cpuCores, 0)))}`,
    `DB pool acquires waiting up to ${fmt(pending)}${pending > 0 && m.postgresCores < 0.5 ? ' while Postgres is mostly idle: connections are held while the busy event loop gets round to their results' : ''}`,
    `event-loop delay p99 ${fmt(lag)} ms`,
  ];
  return `${name} at capacity: ${parts.join('; ')}`;
}

async function work(db: Database, url: string): Promise<void> {
  await db.migrate();
  const h = await harness(db, ORGANIZATION, AUTH_SECRET);
  const talk = meetingTalk(SEED);
  const ids = await seed(db, url, h, talk);
  const t = performance.now();
  const bearers: string[] = [];
  for (let i = 0; i < USERS; i += 50) bearers.push(...(await Promise.all(Array.from({ length: Math.min(50, USERS - i) }, (_, k) => signedIn(h, `User ${i + k + 1}`)))).map((u) => u.bearer));
  log(`${bearers.length} users signed in (${fmt((performance.now() - t) / 1000)} s)`);

  const dataDir = mkdtempSync(join(tmpdir(), 'minutes-load-'));
  const logDir = 'bench-results/load-logs';
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const base: Record<string, string> = { DATABASE_URL: url, REDIS_URL, LOG_LEVEL: 'warn', AUTH_SECRET, DEFAULT_ORGANIZATION: ORGANIZATION, DATA_DIR: dataDir };
  if (process.env.BENCH_LOAD_POOL_MAX) base.DATABASE_POOL_MAX = process.env.BENCH_LOAD_POOL_MAX;
  const results: Partial<Record<'one' | 'two', ConfigResult>> = {};
  try {
    for (const [i, name] of CONFIGS.entries()) {
      log(`${name === 'one' ? 'one instance' : 'two instances'}: (service logs in ${logDir})`);
      const procs = await startConfig(name, base, dataDir, logDir);
      try {
        results[name] = await runConfig(name, procs, h, bearers, ids, talk, i + 1);
      } catch (err) {
        for (const p of procs) report.line(`service log of ${p.label} (last lines):\n${p.svc.tail(20)}`);
        throw err;
      } finally {
        await Promise.all(procs.map((p) => p.svc.stop()));
        for (const p of procs) p.svc.close();
      }
    }
  } finally {
    for (const name of CONFIGS) await deleteRedisKeys(`${RUN_PREFIX}-${name}:`, REDIS_URL).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  goals(results);
}

function goals(results: Partial<Record<'one' | 'two', ConfigResult>>): void {
  for (const [name, r] of Object.entries(results)) report.line(diagnose(name, r));
  const { one, two } = results;
  for (const [key, r] of Object.entries(results)) {
    report.set(key, { people: r.people, capacity: r.capacity, loads: r.loads, ingest: r.ingest });
    const all = { requests: r.people.requests + r.capacity.requests, errors: r.people.errors + r.capacity.errors };
    report.goal({ name: `load_${key}_error_rate_pct`, value: (all.errors / all.requests) * 100, op: '<', target: 0.1, note: `${all.errors} of ${all.requests} (people and capacity)` });
    report.goal({ name: `load_${key}_people_p95_ms`, value: r.people.latency.p95, op: '<', target: 250, note: `p50 ${fmt(r.people.latency.p50)} p99 ${fmt(r.people.latency.p99)}; ${fmt(r.people.perSecond)} req/s` });
  }
  if (one && two) {
    const ratio = two.capacity.perSecond / one.capacity.perSecond;
    log(`capacity two/one: ${fmt(ratio)}x (${fmt(two.capacity.perSecond)} vs ${fmt(one.capacity.perSecond)} req/s with ${CAP_CLIENTS} clients)`);
    report.goal({ name: 'load_capacity_two_vs_one', value: ratio, op: '>=', target: 1.3, note: `${fmt(two.capacity.perSecond)} vs ${fmt(one.capacity.perSecond)} req/s` });
  }
}

async function main(): Promise<void> {
  report.line(`bench:load — ${USERS} dashboard users (a page view, then ${THINK_MS.join('–')} ms reading) + ${LIVE} live meetings × 10 speakers ` +
    `(a segment every ${INGEST_MS.join('–')} ms each); ${SECONDS} s measured after ${WARMUP_S} s warm-up; capacity: ${CAP_CLIENTS} clients without think time, ` +
    `${CAP_S} s; ${MEETINGS} seeded meetings; seed ${SEED}; configurations ${CONFIGS.join(', ')}`);
  await withBenchDatabase({ prefix: 'minutes_bench_load', poolMax: 8, log }, work);
  report.writeJson('bench-results/load.json', {
    at: new Date().toISOString(), settings: { MEETINGS, USERS, LIVE, SECONDS, WARMUP_S, THINK_MS, INGEST_MS, CAP_CLIENTS, CAP_S, SEED, CONFIGS }, totalSeconds: (performance.now() - t00) / 1000,
  });
  report.line(`total ${fmt((performance.now() - t00) / 1000)} s; machine: ${cpus().length} cores; Postgres, Redis, the service and the load generator all on it`);
  report.printGoals();
}

main().then(() => process.exit(process.exitCode ?? 0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
