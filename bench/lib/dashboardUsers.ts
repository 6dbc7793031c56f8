import http from 'node:http';
import { pick, BIGRAMS, type Corpus } from './corpus.ts';
import { summarize, type LatencySummary } from './report.ts';

/**
 * Simulated dashboard users, two ways:
 *   - `runPeople`: people. Each opens a page (the page's HTML, plus on their
 *     first visit the static files it links, which the browser then keeps:
 *     max-age), reads it for a think time, opens the next one.
 *   - `runCapacity`: a closed loop of `concurrency` clients with no think
 *     time, each request on behalf of a random user: the most the service
 *     answers per second.
 * Every user has its own Bearer session (the per-user rate limit, 100 a
 * minute, applies to each as to a person) and its own address, sent as
 * X-Forwarded-For the way the load balancer in front of the service would
 * (the service trusts a loopback proxy), so per-address limits see 1,000
 * people, not one.
 */

export interface UserTarget {
  port: number;
  agent: http.Agent;
}

export interface LoadUser {
  bearer: string;
  /** The client address a proxy would forward. */
  ip: string;
  target: UserTarget;
  /** Static files this user's browser already holds. */
  cached: Set<string>;
}

export interface Sample {
  kind: string;
  ms: number;
  /** HTTP status, or the error code of a request that got none (ECONNRESET, timeout). */
  status: number | string;
}

export interface LoadResult {
  seconds: number;
  requests: number;
  errors: number;
  perSecond: number;
  errorRate: number;
  latency: LatencySummary;
  byKind: Record<string, LatencySummary & { errors: number }>;
  statuses: Record<string, number>;
  /** People only: whole page views (HTML, then its uncached files in parallel). */
  pageViews?: Record<string, LatencySummary>;
}

type Req = { kind: string; path: string; accept?: string };

interface Page {
  kind: string;
  html: Req;
  assets: string[];
}

const LAYOUT = ['/static/app.css', '/static/icon.svg', '/manifest.webmanifest'];
const ASSETS: Record<string, string[]> = {
  'meetings page': [...LAYOUT, '/static/app.js'],
  'meeting page': [...LAYOUT, '/static/vendor/chartist.css', '/static/vendor/chartist.js', '/static/app.js', '/static/live.js', '/static/actions.js'],
  'search page': [...LAYOUT, '/static/app.js'],
  'actions page': [...LAYOUT, '/static/app.js', '/static/actions.js'],
};

export const ALL_ASSETS = [...new Set(Object.values(ASSETS).flat())];

/** What people open: mostly a meeting, then the list, a search, the action items. */
export function nextPage(rnd: () => number, meetingIds: readonly string[], corpus: Corpus): Page {
  const r = rnd();
  let kind: string;
  let path: string;
  if (r < 0.4) {
    kind = 'meeting page';
    path = `/meetings/${meetingIds[Math.floor(rnd() * meetingIds.length)]!}`;
  } else if (r < 0.7) {
    kind = 'meetings page';
    path = rnd() < 0.2 ? `/?page=${2 + Math.floor(rnd() * 3)}` : '/';
  } else if (r < 0.85) {
    kind = 'search page';
    const q = rnd() < 0.3 ? `"${pick(rnd, BIGRAMS)}"` : corpus.words[60 + Math.floor(rnd() * 400)]!;
    path = `/search?q=${encodeURIComponent(q)}`;
  } else {
    kind = 'actions page';
    path = '/actions';
  }
  return { kind, html: { kind, path, accept: 'text/html' }, assets: ASSETS[kind]! };
}

export function get(user: LoadUser, req: Req, timeoutMs = 30_000): Promise<number | string> {
  return new Promise((resolve) => {
    const r = http.request({
      host: '127.0.0.1', port: user.target.port, path: req.path, agent: user.target.agent,
      headers: { accept: req.accept ?? '*/*', 'accept-encoding': 'gzip', authorization: `Bearer ${user.bearer}`, 'x-forwarded-for': user.ip },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    r.setTimeout(timeoutMs, () => r.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    r.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    r.end();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Window {
  from: number;
  until: number;
}

const inWindow = (w: Window, t: number) => t >= w.from && t < w.until;

export interface PeopleOptions {
  users: LoadUser[];
  meetingIds: string[];
  corpus: Corpus;
  rnd: () => number;
  /** Reading time between two page views of one person: min..max ms. */
  thinkMs: [number, number];
  warmupS: number;
  seconds: number;
}

/** Every person for warm-up + `seconds`; only requests (and page views) started after the warm-up count. */
export async function runPeople(o: PeopleOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const w: Window = { from: t0 + o.warmupS * 1000, until: t0 + (o.warmupS + o.seconds) * 1000 };
  const samples: Sample[] = [];
  const views = new Map<string, number[]>();
  const [lo, hi] = o.thinkMs;
  const timed = async (user: LoadUser, req: Req) => {
    const start = performance.now();
    const status = await get(user, req);
    if (inWindow(w, start)) samples.push({ kind: req.kind, ms: performance.now() - start, status });
    return status;
  };
  await Promise.all(o.users.map(async (user) => {
    // People arrive spread over the warm-up (or the first reading time), not all in the same millisecond.
    await sleep(o.rnd() * Math.min(hi, o.warmupS * 1000 || hi));
    while (performance.now() < w.until) {
      const page = nextPage(o.rnd, o.meetingIds, o.corpus);
      const start = performance.now();
      const status = await timed(user, page.html);
      if (status === 200) {
        const fresh = page.assets.filter((a) => !user.cached.has(a));
        const got = await Promise.all(fresh.map((path) => timed(user, { kind: 'static file', path })));
        fresh.forEach((a, i) => got[i] === 200 && user.cached.add(a));
      }
      if (inWindow(w, start)) {
        const list = views.get(page.kind) ?? [];
        list.push(performance.now() - start);
        views.set(page.kind, list);
      }
      // Whoever is still reading when the window closes is done.
      await sleep(Math.min(lo + o.rnd() * (hi - lo), w.until - performance.now()));
    }
  }));
  const result = aggregate(samples, o.seconds);
  result.pageViews = Object.fromEntries([...views].sort().map(([k, v]) => [k, summarize(v)]));
  return result;
}

export interface CapacityOptions {
  users: LoadUser[];
  meetingIds: string[];
  corpus: Corpus;
  rnd: () => number;
  concurrency: number;
  warmupS: number;
  seconds: number;
}

/** `concurrency` loops, each sending the next page's HTML as soon as the last answer arrived, as a random user. */
export async function runCapacity(o: CapacityOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const w: Window = { from: t0 + o.warmupS * 1000, until: t0 + (o.warmupS + o.seconds) * 1000 };
  const samples: Sample[] = [];
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (performance.now() < w.until) {
      const user = o.users[Math.floor(o.rnd() * o.users.length)]!;
      const { html } = nextPage(o.rnd, o.meetingIds, o.corpus);
      const start = performance.now();
      const status = await get(user, html);
      if (inWindow(w, start)) samples.push({ kind: html.kind, ms: performance.now() - start, status });
    }
  }));
  return aggregate(samples, o.seconds);
}

function aggregate(samples: Sample[], seconds: number): LoadResult {
  const errors = samples.filter((s) => s.status !== 200).length;
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  const kinds = [...new Set(samples.map((s) => s.kind))].sort();
  const byKind = Object.fromEntries(kinds.map((k) => {
    const of = samples.filter((s) => s.kind === k);
    return [k, { ...summarize(of.map((s) => s.ms)), errors: of.filter((s) => s.status !== 200).length }];
  }));
  return {
    seconds, requests: samples.length, errors, perSecond: samples.length / seconds, errorRate: samples.length ? errors / samples.length : 1,
    latency: summarize(samples.map((s) => s.ms)), byKind, statuses,
  };
}
