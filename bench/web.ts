/**
 * `npm run bench:web`: the dashboard under load, on a real local PostgreSQL
 * (a fresh database created for the run and dropped at the end, like
 * bench:store) holding BENCH_WEB_MEETINGS meetings (default 10,000) with their
 * attendees and BENCH_WEB_SEGMENTS transcript lines, bulk-inserted with COPY.
 *
 *   a. meeting page `/meetings/:id` p95 over random meetings (signed in with a Bearer session token)
 *   b. `GET /api/meetings/:id` requests/s vs a bare Express handler sending a JSON of the same size,
 *      both under the same keep-alive load loop in the same run
 *   c. WebSocket fan-out p95 to 1,000 viewers on two instances sharing Redis (bench/web-fanout.ts)
 *   d. JavaScript a meeting page loads (its `<script src>` files), gzip -9
 *
 * The dashboard runs as the service builds it: the full middleware stack
 * (helmet, compression, auth gate, rate limiter, CSRF) and the read-through
 * cache (InProcessCache, or a RedisCache with BENCH_WEB_CACHE=redis).
 *
 * Env: BENCH_DATABASE_URL, BENCH_WEB_MEETINGS, BENCH_WEB_SEGMENTS, BENCH_WEB_PAGES (page requests),
 * BENCH_WEB_SECONDS (per load run), BENCH_WEB_CONCURRENCY, BENCH_WEB_CACHE (memory|redis|off), REDIS_URL,
 * BENCH_SEED. Ends with one `name: value (goal …) met|missed` line per goal; a JSON copy goes to
 * bench-results/web.json.
 */
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { RedisCache } from '../adapters/redis/RedisCache.ts';
import { InProcessEventBus } from '../core/bus/InProcessEventBus.ts';
import { InProcessCache } from '../core/cache/index.ts';
import { createAuthService } from '../core/auth/index.ts';
import { createLogger } from '../core/logger.ts';
import { MeetingService } from '../core/meetings/MeetingService.ts';
import { MinutesService } from '../core/meetings/MinutesService.ts';
import type { Database } from '../core/store/db.ts';
import { createStores } from '../core/store/index.ts';
import { createDashboard } from '../dashboard/app.ts';
import { DashboardCache } from '../dashboard/cache/index.ts';
import { stubAnalyzer } from '../dashboard/testApp.ts';
import { buildCorpus, prng } from './lib/corpus.ts';
import { withBenchDatabase } from './lib/database.ts';
import { bulkLoad } from './lib/fts.ts';
import { envNumber as env, fmt, fmtLatency, Report, summarize } from './lib/report.ts';
import { fanoutBench } from './web-fanout.ts';

const MEETINGS = env('BENCH_WEB_MEETINGS', 10_000);
const SEGMENTS = env('BENCH_WEB_SEGMENTS', 300_000);
const PAGES = env('BENCH_WEB_PAGES', 1000);
const SECONDS = env('BENCH_WEB_SECONDS', 5);
const CONCURRENCY = env('BENCH_WEB_CONCURRENCY', 16);
const SEED = env('BENCH_SEED', 20261125);
const CACHE = process.env.BENCH_WEB_CACHE ?? 'memory';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const report = new Report();
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;
const logger = createLogger({ level: 'warn' });

interface Target {
  port: number;
  agent: http.Agent;
  headers: Record<string, string>;
}

/** One keep-alive GET, body read to the end. */
function get(t: Target, path: string, accept = 'application/json', gzip = true): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.port, path, agent: t.agent, headers: { accept, ...(gzip ? { 'accept-encoding': 'gzip' } : {}), ...t.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `concurrency` loops sending requests back to back for `seconds`; requests/s counts 200s only (anything else fails the run). */
async function load(t: Target, paths: () => string, seconds: number, concurrency: number): Promise<{ requests: number; perSecond: number }> {
  const until = performance.now() + seconds * 1000;
  let requests = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const path = paths();
      const res = await get(t, path);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.toString().slice(0, 200)}`);
      requests++;
    }
  }));
  return { requests, perSecond: requests / ((performance.now() - t0) / 1000) };
}

async function listen(app: express.Express): Promise<{ server: http.Server; port: number }> {
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function webSections(db: Database, url: string): Promise<void> {
  const migrated = await db.migrate();
  const stores = createStores(db.knex);
  const org = await stores.organizations.ensure('Acme Corp');
  const other = await stores.organizations.ensure('Globex');
  const t0 = performance.now();
  // Nine in ten meetings belong to the organization signed in; the rest to another one.
  const bulk = await bulkLoad(db.knex, url, buildCorpus(SEED), [org.id, org.id, org.id, org.id, org.id, org.id, org.id, org.id, org.id, other.id], SEGMENTS, MEETINGS, SEED + 1);
  const counts = (await db.knex('meetings').select('organization_id').count({ n: '*' }).groupBy('organization_id')) as { organization_id: string; n: string }[];
  const ids = (await db.knex('meetings').where({ organization_id: org.id }).pluck('id')) as string[];
  report.line(`[${elapsed()}] database ready (${migrated.length} migrations): ${counts.reduce((a, c) => a + Number(c.n), 0)} meetings ` +
    `(${ids.length} in the signed-in organization), ${bulk.rowsLoaded} transcript lines (${fmt(bulk.rowsLoaded / bulk.meetings)} per meeting), loaded in ${fmt((performance.now() - t0) / 1000)} s`);

  const bus = new InProcessEventBus(logger);
  const meetings = new MeetingService({ stores, bus, logger });
  const minutes = new MinutesService({ stores, bus, logger, analyzer: stubAnalyzer });
  // Minutes for one meeting in ten, so pages show both states.
  const withMinutes = ids.filter((_, i) => i % 10 === 0).slice(0, 300);
  for (const id of withMinutes) await minutes.ensure(id);
  const auth = createAuthService({ db: db.knex, secret: 'bench-web-secret-bench-web-secret-0123456789' });
  const user = await stores.organizations.createUser({ organizationId: org.id, displayName: 'Bench User', role: 'member' });
  const session = await auth.startSession(user, { userAgent: 'bench:web' });
  report.line(`[${elapsed()}] minutes written for ${withMinutes.length} meetings; signed in as ${user.displayName} (Bearer access token)`);

  const redisCache = CACHE === 'redis' ? new RedisCache({ url: REDIS_URL, prefix: `bench:web:${process.pid}:` }) : null;
  const cache = CACHE === 'off' ? null : new DashboardCache({ cache: redisCache ?? new InProcessCache({ maxEntries: 20_000 }), bus, logger });
  const app = createDashboard({
    meetings, minutes, orchestrator: null, stores, organizationId: org.id, logger, auth, publicUrl: 'http://127.0.0.1',
    rateLimitPerMinute: 1_000_000_000, cache,
  });
  const { server, port } = await listen(app);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target: Target = { port, agent, headers: { authorization: `Bearer ${session.accessToken}` } };
  const rnd = prng(SEED + 2);
  const pick = () => ids[Math.floor(rnd() * ids.length)]!;
  report.line(`[${elapsed()}] dashboard on :${port}, cache: ${CACHE === 'off' ? 'off' : CACHE === 'redis' ? 'RedisCache' : 'InProcessCache'}`);

  try {
    // a. Meeting page latency, one request at a time, random meetings (mostly first visits: cache misses).
    for (let i = 0; i < 20; i++) await get(target, `/meetings/${pick()}`, 'text/html');
    const before = cache?.stats() ?? { hits: 0, misses: 0, hitRate: 0 };
    const pageMs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < PAGES; i++) {
      const t = performance.now();
      const res = await get(target, `/meetings/${pick()}`, 'text/html');
      pageMs.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`meeting page: ${res.status}`);
      bytes += res.body.length;
    }
    const after = cache?.stats() ?? { hits: 0, misses: 0, hitRate: 0 };
    const hits = after.hits - before.hits;
    const misses = after.misses - before.misses;
    const pages = summarize(pageMs);
    report.line(`[${elapsed()}] meeting page /meetings/:id, ${PAGES} random meetings of ${ids.length}, sequential: ${fmtLatency(pages)}`);
    report.line(`  cache during the run: ${hits} hits, ${misses} misses (hit rate ${fmt(hits / Math.max(1, hits + misses))}); ` +
      `average page ${fmt(bytes / PAGES / 1024)} KB gzipped (requests send Accept-Encoding: gzip, like a browser)`);
    // Informational: the same meetings again, now all cached.
    const warmMs: number[] = [];
    const seen = prng(SEED + 2);
    for (let i = 0; i < 20 + PAGES; i++) {
      const id = ids[Math.floor(seen() * ids.length)]!;
      const t = performance.now();
      await get(target, `/meetings/${id}`, 'text/html');
      if (i >= 20) warmMs.push(performance.now() - t);
    }
    const warm = summarize(warmMs);
    report.line(`  (info) the same ${PAGES} meetings again, all cached: ${fmtLatency(warm)}`);
    report.set('page', { cold: pages, warm, hits, misses });
    report.goal({ name: 'meeting_page_p95_ms', value: pages.p95, op: '<', target: 30, note: `${PAGES} random meetings of ${MEETINGS}, hit rate ${fmt(hits / Math.max(1, hits + misses))}` });

    // b. API requests/s vs a bare Express handler with a same-size JSON.
    const sampleId = ids[Math.floor(ids.length / 2)]!;
    const sample = (await get(target, `/api/meetings/${sampleId}`, 'application/json', false)).body;
    const detail = JSON.parse(sample.toString()) as unknown;
    const bare = express();
    bare.get('/api/meetings/:id', (_req, res) => void res.json(detail));
    const b = await listen(bare);
    const bareAgent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const bareTarget: Target = { port: b.port, agent: bareAgent, headers: {} };
    const apiBefore = cache?.stats() ?? { hits: 0, misses: 0, hitRate: 0 };
    try {
      await load(bareTarget, () => `/api/meetings/${sampleId}`, 1, CONCURRENCY);
      await load(target, () => `/api/meetings/${pick()}`, 1, CONCURRENCY);
      const baseline = await load(bareTarget, () => `/api/meetings/${pick()}`, SECONDS, CONCURRENCY);
      const apiStats0 = cache?.stats() ?? apiBefore;
      const api = await load(target, () => `/api/meetings/${pick()}`, SECONDS, CONCURRENCY);
      const apiStats1 = cache?.stats() ?? apiBefore;
      const h = apiStats1.hits - apiStats0.hits;
      const m = apiStats1.misses - apiStats0.misses;
      report.line(`[${elapsed()}] GET /api/meetings/:id, random meetings, ${CONCURRENCY} keep-alive connections, ${SECONDS} s each (JSON ${sample.length} bytes):`);
      report.line(`  baseline: bare Express handler sending the same JSON: ${fmt(baseline.perSecond)} req/s (${baseline.requests} requests)`);
      report.line(`  dashboard (helmet, compression, auth, rate limit, cache): ${fmt(api.perSecond)} req/s (${api.requests} requests; cache ${h} hits, ${m} misses, hit rate ${fmt(h / Math.max(1, h + m))})`);
      // Informational: a working set of 200 meetings people keep opening, all cached after the first read.
      const hot = ids.slice(0, 200);
      const pickHot = () => hot[Math.floor(rnd() * hot.length)]!;
      for (const id of hot) await get(target, `/api/meetings/${id}`);
      const warmApi = await load(target, () => `/api/meetings/${pickHot()}`, SECONDS, CONCURRENCY);
      report.line(`  (info) dashboard over a working set of ${hot.length} meetings, all cached: ${fmt(warmApi.perSecond)} req/s (${fmt(warmApi.perSecond / baseline.perSecond)}x the baseline)`);
      const plain: Target = { ...target, headers: { ...target.headers, 'accept-encoding': 'identity' } };
      const plainApi = await load(plain, () => `/api/meetings/${pickHot()}`, SECONDS, CONCURRENCY);
      report.line(`  (info) the same without Accept-Encoding: gzip (no compression of the ${sample.length}-byte answer): ${fmt(plainApi.perSecond)} req/s (${fmt(plainApi.perSecond / baseline.perSecond)}x)`);
      report.set('api', { baseline, api, warmApi, plainApi, hits: h, misses: m, jsonBytes: sample.length });
      report.goal({ name: 'api_vs_bare_express_ratio', value: api.perSecond / baseline.perSecond, op: '>=', target: 0.3, note: `${Math.round(api.perSecond)} vs ${Math.round(baseline.perSecond)} req/s` });
    } finally {
      bareAgent.destroy();
      await new Promise<void>((resolve) => b.server.close(() => resolve()));
    }

    // d. JavaScript a meeting page ships.
    const html = (await get(target, `/meetings/${sampleId}`, 'text/html', false)).body.toString();
    // With sign-in configured, /static/* currently answers 401 (requireMethodPermission runs after the
    // auth gate lets public paths through without req.auth); the same files come from a dashboard without sign-in.
    const open = await listen(createDashboard({ meetings, minutes, orchestrator: null, stores, organizationId: org.id, logger, rateLimitPerMinute: 1_000_000 }));
    const openAgent = new http.Agent({ keepAlive: true });
    const statics: Target = { port: open.port, agent: openAgent, headers: {} };
    const probe = await get(target, '/static/app.js', '*/*', false);
    if (probe.status !== 200) report.line(`  note: GET /static/app.js with a signed-in Bearer token answered ${probe.status}; script sizes are read from a dashboard without sign-in`);
    const srcs = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((mm) => mm[1]!.replace(/&amp;/g, '&'));
    let gzipped = 0;
    let raw = 0;
    const files: { src: string; bytes: number; gzip: number }[] = [];
    for (const src of srcs) {
      const res = await get(probe.status === 200 ? target : statics, src, '*/*', false);
      if (res.status !== 200) throw new Error(`${src}: ${res.status}`);
      const gz = gzipSync(res.body, { level: 9 }).length;
      files.push({ src, bytes: res.body.length, gzip: gz });
      raw += res.body.length;
      gzipped += gz;
    }
    const sw = await get(statics, '/sw.js', '*/*', false);
    openAgent.destroy();
    await new Promise<void>((resolve) => open.server.close(() => resolve()));
    report.line(`[${elapsed()}] JS on a meeting page: ${files.map((f) => `${f.src} ${fmt(f.bytes / 1024)} KB (${fmt(f.gzip / 1024)} gz)`).join(', ')}; ` +
      `total ${fmt(raw / 1024)} KB, ${fmt(gzipped / 1024)} KB gzip -9`);
    report.line(`  (info) the service worker /sw.js, installed once: ${fmt(sw.body.length / 1024)} KB (${fmt(gzipSync(sw.body, { level: 9 }).length / 1024)} KB gz)`);
    report.set('js', { files, raw, gzipped });
    report.goal({ name: 'meeting_page_js_gzip_kb', value: gzipped / 1024, op: '<', target: 100, note: `${files.length} scripts` });
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    cache?.close();
    await redisCache?.close();
    await bus.close();
  }
}

async function fanoutSection(): Promise<void> {
  try {
    const r = await fanoutBench({ viewers: 1000, instances: 2, redisUrl: REDIS_URL });
    report.line(`[${elapsed()}] WebSocket fan-out: ${r.viewers} viewers on ${r.instances} instances sharing Redis, ${r.edits} edits, ${r.deliveries} deliveries: ` +
      `p50 ${fmt(r.p50Ms)} ms, p95 ${fmt(r.p95Ms)} ms, max ${fmt(r.maxMs)} ms; connected in ${r.connectMs} ms`);
    report.set('fanout', r);
    report.goal({ name: 'ws_fanout_p95_ms', value: r.p95Ms, op: '<', target: 100, note: `${r.viewers} viewers, ${r.instances} instances, Redis pub/sub` });
  } catch (err) {
    report.line(`[${elapsed()}] WebSocket fan-out FAILED: ${(err as Error).message}`);
    report.goal({ name: 'ws_fanout_p95_ms', value: Number.NaN, op: '<', target: 100, note: 'failed' });
  }
}

async function main(): Promise<void> {
  report.line(`bench:web — ${MEETINGS} meetings, ${SEGMENTS} transcript lines, ${PAGES} page requests, ${SECONDS} s load runs at concurrency ${CONCURRENCY}, cache ${CACHE}, seed ${SEED}`);
  await withBenchDatabase({ prefix: 'minutes_bench_web', poolMax: 8, log: (line) => report.line(`[${elapsed()}] ${line}`) }, webSections);
  await fanoutSection();
  report.writeJson('bench-results/web.json', {
    at: new Date().toISOString(),
    settings: { meetings: MEETINGS, segments: SEGMENTS, pages: PAGES, seconds: SECONDS, concurrency: CONCURRENCY, cache: CACHE, seed: SEED },
    totalSeconds: (performance.now() - started) / 1000,
  });
  // Goals in the order of the issue (a, b, c, d); fan-out runs last because it needs no database.
  const order = ['meeting_page_p95_ms', 'api_vs_bare_express_ratio', 'ws_fanout_p95_ms', 'meeting_page_js_gzip_kb'];
  report.goals.sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
  report.printGoals();
}

main().then(() => process.exit(process.exitCode ?? 0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
