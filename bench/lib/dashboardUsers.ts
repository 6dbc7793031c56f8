import http from 'node:http';
import { pick, BIGRAMS, type Corpus } from './corpus.ts';
import { summarize, type LatencySummary } from './report.ts';

/**
 * Simulated dashboard users: each a closed loop of one request, then a think
 * time, signed in with its own Bearer session (the per-user rate limit, 100 a
 * minute, applies to each as to a person). The mix is what people open: the
 * meeting list, a meeting (API and page), a search, the action items.
 */

export interface UserTarget {
  /** Base URL of the instance this user is served by. */
  port: number;
  agent: http.Agent;
}

export interface LoadUser {
  bearer: string;
  target: UserTarget;
}

export interface Sample {
  kind: string;
  ms: number;
  /** HTTP status, 0 for a network error. */
  status: number;
}

export interface LoadOptions {
  users: LoadUser[];
  meetingIds: string[];
  corpus: Corpus;
  rnd: () => number;
  /** Think time between two requests of one user: min..max ms. */
  thinkMs: [number, number];
  warmupS: number;
  seconds: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  errorRate: number;
  latency: LatencySummary;
  byKind: Record<string, LatencySummary & { errors: number }>;
  statuses: Record<string, number>;
}

type Req = { kind: string; path: string; accept?: string };

function nextRequest(o: LoadOptions): Req {
  const r = o.rnd();
  const meeting = () => o.meetingIds[Math.floor(o.rnd() * o.meetingIds.length)]!;
  if (r < 0.3) return { kind: 'meeting list', path: `/api/meetings?limit=20${o.rnd() < 0.3 ? `&page=${2 + Math.floor(o.rnd() * 3)}` : ''}` };
  if (r < 0.6) return { kind: 'meeting api', path: `/api/meetings/${meeting()}` };
  if (r < 0.7) return { kind: 'meeting page', path: `/meetings/${meeting()}`, accept: 'text/html' };
  if (r < 0.85) {
    const q = o.rnd() < 0.3 ? `"${pick(o.rnd, BIGRAMS)}"` : o.corpus.words[60 + Math.floor(o.rnd() * 400)]!;
    return { kind: 'search', path: `/api/search?q=${encodeURIComponent(q)}` };
  }
  return { kind: 'action items', path: '/api/action-items' };
}

function get(user: LoadUser, req: Req): Promise<number> {
  return new Promise((resolve) => {
    const r = http.request({
      host: '127.0.0.1', port: user.target.port, path: req.path, agent: user.target.agent,
      headers: { accept: req.accept ?? 'application/json', 'accept-encoding': 'gzip', authorization: `Bearer ${user.bearer}` },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    r.setTimeout(30_000, () => r.destroy(new Error('timeout')));
    r.on('error', () => resolve(0));
    r.end();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs every user for warm-up + `seconds`; only requests started after the warm-up count. */
export async function runUsers(o: LoadOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const measureFrom = t0 + o.warmupS * 1000;
  const until = measureFrom + o.seconds * 1000;
  const samples: Sample[] = [];
  const [lo, hi] = o.thinkMs;
  await Promise.all(o.users.map(async (user) => {
    // Users arrive spread over the first think time, not all in the same millisecond.
    await sleep(o.rnd() * hi);
    while (performance.now() < until) {
      const req = nextRequest(o);
      const start = performance.now();
      const status = await get(user, req);
      if (start >= measureFrom && start < until) samples.push({ kind: req.kind, ms: performance.now() - start, status });
      await sleep(lo + o.rnd() * (hi - lo));
    }
  }));
  const errors = samples.filter((s) => s.status !== 200).length;
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  const kinds = [...new Set(samples.map((s) => s.kind))].sort();
  const byKind = Object.fromEntries(kinds.map((k) => {
    const of = samples.filter((s) => s.kind === k);
    return [k, { ...summarize(of.map((s) => s.ms)), errors: of.filter((s) => s.status !== 200).length }];
  }));
  return {
    requests: samples.length, errors, perSecond: samples.length / o.seconds, errorRate: samples.length ? errors / samples.length : 1,
    latency: summarize(samples.map((s) => s.ms)), byKind, statuses,
  };
}
