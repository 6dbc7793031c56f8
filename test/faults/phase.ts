import type { Knex } from 'knex';
import { MeetingClient } from '../../bench/lib/ingestClient.ts';
import { liveMeetings, signedIn, type Harness } from '../../bench/lib/fixtures.ts';
import { prng } from '../../bench/lib/corpus.ts';
import { sleep } from '../../bench/lib/service.ts';
import { speakerNames, type Talk } from '../../bench/lib/talk.ts';
import { countMinutes, countSegments, recovery, type Counts, type MinutesCounts, type Recovery } from './measure.ts';

/**
 * One phase of the fault suite: `meetings` fresh meetings stream for
 * `streamS` seconds, the fault strikes at `faultAtS`, then the clients stop,
 * drain what is not yet stored, the meetings are ended through the service's
 * API (so the service writes their minutes), and everything is counted.
 */
export interface PhaseContext {
  knex: Knex;
  h: Harness;
  /** The service's base URL, http://127.0.0.1:port (unchanged across restarts). */
  url: () => string;
  talk: Talk;
  meetings: number;
  speakers: number;
  /** Each meeting sends a segment every min..max ms. */
  intervalMs: [number, number];
  streamS: number;
  faultAtS: number;
  drainS: number;
  minutesS: number;
  seed: number;
  log: (line: string) => void;
}

export interface PhaseResult {
  counts: Counts;
  minutes: MinutesCounts;
  /** Null when the phase injects nothing. */
  recovery: Recovery | null;
  jobsLost: number;
  endFailures: number;
  clientErrors: Record<string, number>;
  refused: Record<string, number>;
  reconnects: number;
  meetingIds: string[];
}

export type Fault = (t0: number) => Promise<void>;

export async function runPhase(ctx: PhaseContext, name: string, fault: Fault | null): Promise<PhaseResult> {
  const meetings = await liveMeetings(ctx.h, ctx.meetings, `Faults ${name}`);
  const rnd = prng(ctx.seed);
  const ws = ctx.url().replace(/^http/, 'ws') + '/ws/ingest';
  const clients = meetings.map((m, i) => new MeetingClient({
    url: ws, token: m.token, meetingId: m.id, speakers: speakerNames(ctx.speakers, i), talk: ctx.talk, rnd, client: 'synthetic', intervalMs: ctx.intervalMs,
  }));
  const started = performance.now();
  for (const c of clients) c.start();
  let t0 = Number.NaN;
  try {
    if (fault) {
      await sleep(ctx.faultAtS * 1000);
      t0 = performance.now();
      await fault(t0);
    }
    await sleep(Math.max(0, ctx.streamS * 1000 - (performance.now() - started)));
  } finally {
    for (const c of clients) c.stopProducing();
  }
  const drained = await Promise.all(clients.map((c) => c.drain(ctx.drainS * 1000)));
  for (const c of clients) c.close();
  ctx.log(`  streamed ${ctx.streamS} s, drained in ${((performance.now() - started) / 1000 - ctx.streamS).toFixed(1)} s; ${drained.filter(Boolean).length}/${clients.length} clients fully stored`);

  const endFailures = await endMeetings(ctx, meetings.map((m) => m.id), name);
  const minutes = await waitForMinutes(ctx, meetings.map((m) => m.id));
  const counts = await countSegments(ctx.knex, meetings.map((m) => m.id), clients, 'ingest:synthetic');
  const merge = (pick: (c: MeetingClient) => Map<string, number>) => {
    const out: Record<string, number> = {};
    for (const c of clients) for (const [k, v] of pick(c)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    counts, minutes, endFailures,
    recovery: fault ? recovery(clients, t0) : null,
    jobsLost: minutes.ended - minutes.withMinutes,
    clientErrors: merge((c) => c.errors),
    refused: merge((c) => c.refused),
    reconnects: clients.reduce((a, c) => a + c.connects - 1, 0),
    meetingIds: meetings.map((m) => m.id),
  };
}

/**
 * POST /api/meetings/:id/end as signed-in members (ten of them: the per-user
 * rate limit is 100 a minute). A failed call is retried a few times; what
 * still failed is counted.
 */
async function endMeetings(ctx: PhaseContext, ids: string[], phase: string): Promise<number> {
  const enders = await Promise.all(Array.from({ length: 10 }, (_, i) => signedIn(ctx.h, `Ender ${phase} ${i + 1}`)));
  let failures = 0;
  await Promise.all(enders.map(async (user, k) => {
    for (let i = k; i < ids.length; i += enders.length) {
      let ok = false;
      for (let attempt = 0; attempt < 5 && !ok; attempt++) {
        const res = await fetch(`${ctx.url()}/api/meetings/${ids[i]}/end`, {
          method: 'POST', headers: { authorization: `Bearer ${user.bearer}`, 'content-type': 'application/json' }, body: '{}',
        }).catch(() => null);
        await res?.arrayBuffer();
        ok = res?.status === 200;
        if (!ok) await sleep(200 * (attempt + 1));
      }
      if (!ok) failures++;
    }
  }));
  return failures;
}

async function waitForMinutes(ctx: PhaseContext, ids: string[]): Promise<MinutesCounts> {
  const end = performance.now() + ctx.minutesS * 1000;
  for (;;) {
    const m = await countMinutes(ctx.knex, ids);
    if (m.withMinutes >= m.ended || performance.now() > end) return m;
    await sleep(500);
  }
}

/** GETs a dashboard API page every `everyMs` until `stop()`; what it answered and how fast. */
export function probeDashboard(url: () => string, bearer: string, paths: string[], everyMs = 200): { stop(): Promise<{ total: number; ok: number; statuses: Record<string, number>; maxMs: number }> } {
  let running = true;
  const statuses: Record<string, number> = {};
  let total = 0;
  let ok = 0;
  let maxMs = 0;
  // Three loops, so one request stuck for seconds does not leave the outage unobserved.
  const loop = Promise.all([0, 1, 2].map(async (offset) => {
    for (let i = offset; running; i++) {
      const t = performance.now();
      const res = await fetch(`${url()}${paths[i % paths.length]}`, { headers: { authorization: `Bearer ${bearer}` }, signal: AbortSignal.timeout(5000) }).catch((err: Error) => err);
      const key = res instanceof Error ? res.name : String(res.status);
      if (!(res instanceof Error)) await res.arrayBuffer().catch(() => undefined);
      total++;
      if (key === '200') ok++;
      statuses[key] = (statuses[key] ?? 0) + 1;
      maxMs = Math.max(maxMs, performance.now() - t);
      await sleep(Math.max(0, everyMs - (performance.now() - t)));
    }
  }));
  return {
    async stop() {
      running = false;
      await loop;
      return { total, ok, statuses, maxMs };
    },
  };
}
