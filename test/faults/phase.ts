import type { Knex } from 'knex';
import { MeetingClient } from '../../bench/lib/ingestClient.ts';
import { liveMeetings, signedIn, type Harness } from '../../bench/lib/fixtures.ts';
import { prng } from '../../bench/lib/corpus.ts';
import { sleep } from '../../bench/lib/service.ts';
import { speakerNames, type Talk } from '../../bench/lib/talk.ts';
import { countMinutes, countSegments, recovery, type Counts, type MinutesCounts, type Recovery } from './measure.ts';

/**
 * One phase of the fault suite: `meetings` fresh meetings stream for
 * `streamS` seconds and the fault strikes at `faultAtS`. Shortly before it,
 * `endEarly` of them stop streaming and are ended through the service's API
 * (spread over `endEarlyMs` before the fault), so their minutes jobs are
 * queued or running when it strikes. Then the clients stop, drain what is not
 * yet stored, the other meetings are ended the same way, every ended meeting
 * must get minutes within `minutesS`, and everything is counted.
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
  /** Meetings ended just before the fault (none without a fault). */
  endEarly: number;
  /** They end between max and min ms before the fault. */
  endEarlyMs: [number, number];
  drainS: number;
  /** Bound on the wait for the minutes of every ended meeting. */
  minutesS: number;
  seed: number;
  log: (line: string) => void;
}

export interface EarlyEnd {
  /** Meetings ended (200) before the fault. */
  ended: number;
  /** How long before the fault their end calls returned: [closest, farthest] ms. */
  beforeFaultMs: [number, number];
  /** Of them, with minutes already stored when the fault struck (the rest were queued or running). */
  minutesAtFault: number;
  /** Of them, with minutes at the end of the bounded wait. */
  withMinutes: number;
}

export interface PhaseResult {
  counts: Counts;
  minutes: MinutesCounts;
  /** Null when the phase injects nothing. */
  recovery: Recovery | null;
  early: EarlyEnd | null;
  /** Ended meetings still without minutes after the bounded wait. */
  jobsLost: number;
  /** From the last end call until every ended meeting had minutes; null if some never did. */
  minutesAfterMs: number | null;
  endFailures: number;
  clientErrors: Record<string, number>;
  refused: Record<string, number>;
  /** Close codes of ready connections (1001 drained by a shutting-down server, 1006 cut). */
  closes: Record<string, number>;
  reconnects: number;
  meetingIds: string[];
}

export type Fault = (t0: number) => Promise<void>;

type User = { bearer: string };

export async function runPhase(ctx: PhaseContext, name: string, fault: Fault | null): Promise<PhaseResult> {
  const meetings = await liveMeetings(ctx.h, ctx.meetings, `Faults ${name}`);
  const ids = meetings.map((m) => m.id);
  // Ten enders: the per-user rate limit is 100 a minute.
  const enders = await Promise.all(Array.from({ length: 10 }, (_, i) => signedIn(ctx.h, `Ender ${name} ${i + 1}`)));
  const rnd = prng(ctx.seed);
  const ws = ctx.url().replace(/^http/, 'ws') + '/ws/ingest';
  const clients = meetings.map((m, i) => new MeetingClient({
    url: ws, token: m.token, meetingId: m.id, speakers: speakerNames(ctx.speakers, i), talk: ctx.talk, rnd, client: 'synthetic', intervalMs: ctx.intervalMs,
  }));
  const started = performance.now();
  for (const c of clients) c.start();
  let t0 = Number.NaN;
  let early: (EarlyEnd & { ids: Set<string>; returnedAt: number[] }) | null = null;
  try {
    if (fault) {
      early = await endBeforeFault(ctx, clients.slice(0, ctx.endEarly), enders, started + ctx.faultAtS * 1000);
      // A slow end call moves the fault, never the other way round: each ending precedes it by ≥ endEarlyMs[0].
      await sleep(Math.max(started + ctx.faultAtS * 1000, Math.max(...early.returnedAt) + ctx.endEarlyMs[0]) - performance.now());
      const atFault = countMinutes(ctx.knex, [...early.ids]);
      t0 = performance.now();
      const before = early.returnedAt.map((at) => t0 - at);
      early.beforeFaultMs = [Math.min(...before), Math.max(...before)];
      await Promise.all([fault(t0), atFault.then((m) => void (early!.minutesAtFault = m.withMinutes))]);
    }
    await sleep(Math.max(0, ctx.streamS * 1000 - (performance.now() - started)));
  } finally {
    for (const c of clients) c.stopProducing();
  }
  const drained = await Promise.all(clients.map((c) => c.drain(ctx.drainS * 1000)));
  for (const c of clients) c.close();
  ctx.log(`  streamed ${ctx.streamS} s, drained in ${((performance.now() - started) / 1000 - ctx.streamS).toFixed(1)} s; ${drained.filter(Boolean).length}/${clients.length} clients fully stored`);

  const endFailures = await endMeetings(ctx, ids.filter((id) => !early?.ids.has(id)), enders);
  const endedAt = performance.now();
  const minutes = await waitForMinutes(ctx, ids);
  const minutesAfterMs = minutes.withMinutes >= minutes.ended ? performance.now() - endedAt : null;
  if (early) early.withMinutes = (await countMinutes(ctx.knex, [...early.ids])).withMinutes;
  const counts = await countSegments(ctx.knex, ids, clients, 'ingest:synthetic');
  const merge = (pick: (c: MeetingClient) => Map<string, number>) => {
    const out: Record<string, number> = {};
    for (const c of clients) for (const [k, v] of pick(c)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    counts, minutes, endFailures, minutesAfterMs,
    recovery: fault ? recovery(clients.filter((c) => !early?.ids.has(c.meetingId)), t0) : null,
    early: early && { ended: early.ended, beforeFaultMs: early.beforeFaultMs, minutesAtFault: early.minutesAtFault, withMinutes: early.withMinutes },
    jobsLost: minutes.ended - minutes.withMinutes,
    clientErrors: merge((c) => c.errors),
    refused: merge((c) => c.refused),
    closes: merge((c) => c.closes),
    reconnects: clients.reduce((a, c) => a + c.connects - 1, 0),
    meetingIds: ids,
  };
}

/**
 * The first meetings stop streaming (what they sent is stored first, so ending
 * them loses nothing) and are ended one by one between `endEarlyMs[1]` and
 * `endEarlyMs[0]` ms before `faultAt`: their minutes jobs are fresh when it strikes.
 */
async function endBeforeFault(ctx: PhaseContext, clients: MeetingClient[], enders: User[], faultAt: number): Promise<EarlyEnd & { ids: Set<string>; returnedAt: number[] }> {
  const [closest, farthest] = ctx.endEarlyMs;
  await sleep(faultAt - farthest - 1500 - performance.now());
  for (const c of clients) c.stopProducing();
  await Promise.all(clients.map((c) => c.drain(1200)));
  for (const c of clients) c.close();
  const ids = new Set<string>();
  const returnedAt: number[] = [];
  const step = clients.length > 1 ? (farthest - closest) / (clients.length - 1) : 0;
  await Promise.all(clients.map(async (c, k) => {
    await sleep(faultAt - farthest + k * step - performance.now());
    if (!(await endOnce(ctx, c.meetingId, enders[k % enders.length]!))) return;
    ids.add(c.meetingId);
    returnedAt.push(performance.now());
  }));
  return { ended: ids.size, beforeFaultMs: [Number.NaN, Number.NaN], minutesAtFault: 0, withMinutes: 0, ids, returnedAt };
}

async function endOnce(ctx: PhaseContext, id: string, user: User): Promise<boolean> {
  const res = await fetch(`${ctx.url()}/api/meetings/${id}/end`, {
    method: 'POST', headers: { authorization: `Bearer ${user.bearer}`, 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(10_000),
  }).catch(() => null);
  await res?.arrayBuffer().catch(() => undefined);
  return res?.status === 200;
}

/** POST /api/meetings/:id/end, spread over the enders; a failed call is retried a few times, what still failed is counted. */
async function endMeetings(ctx: PhaseContext, ids: string[], enders: User[]): Promise<number> {
  let failures = 0;
  await Promise.all(enders.map(async (user, k) => {
    for (let i = k; i < ids.length; i += enders.length) {
      let ok = false;
      for (let attempt = 0; attempt < 5 && !ok; attempt++) {
        ok = await endOnce(ctx, ids[i]!, user);
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
