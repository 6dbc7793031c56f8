import type { Knex } from 'knex';
import { withDbRetry } from '../../core/store/retry.ts';
import type { MeetingClient } from '../../bench/lib/ingestClient.ts';

/**
 * The numbers of one phase, counted from the database (what is really
 * stored) against what the clients were told (`stored` acks).
 */
export interface Counts {
  /** Segments the clients generated. */
  sent: number;
  /** Distinct segments a `stored` ack was received for. */
  acked: number;
  /** Rows in transcript_segments for the phase's meetings. */
  stored: number;
  /** Acked but not in the database, or stored with other text or speaker. */
  lost: number;
  /** Rows beyond the first for one (client, seq), plus rows beyond the first for one (speaker, start, text). */
  duplicated: number;
  /** Still without a `stored` when the clients gave up draining. */
  unacked: number;
  /** Stored rows the client never got an ack for (committed after it gave up): informational. */
  storedNotAcked: number;
}

export async function countSegments(knex: Knex, meetingIds: string[], clients: MeetingClient[], source: string): Promise<Counts> {
  const rows = (await withDbRetry(() => knex('transcript_segments')
    .whereIn('meeting_id', meetingIds)
    .select('meeting_id', 'source', 'source_seq', 'speaker', 'start_ms', 'text'))) as { meeting_id: string; source: string; source_seq: number; speaker: string; start_ms: number; text: string }[];
  const [dups] = (await withDbRetry(() => knex('transcript_segments').whereIn('meeting_id', meetingIds).select(
    knex.raw('count(*) - count(DISTINCT (meeting_id, source, source_seq)) AS by_key'),
    knex.raw('count(*) - count(DISTINCT (meeting_id, speaker, start_ms, md5(text))) AS by_text'),
  ))) as { by_key: number | string; by_text: number | string }[];
  const byKey = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (r.source === source) byKey.set(`${r.meeting_id}:${r.source_seq}`, r);
  let acked = 0;
  let lost = 0;
  let sent = 0;
  let unacked = 0;
  let ackedKeys = 0;
  meetingIds.forEach((id, i) => {
    const c = clients[i]!;
    sent += c.segments.size;
    unacked += c.unstored.size;
    for (const seq of c.storedAt.keys()) {
      acked++;
      const row = byKey.get(`${id}:${seq}`);
      const s = c.segments.get(seq)!;
      if (!row || row.text !== s.text || row.speaker !== s.speaker || Number(row.start_ms) !== s.startMs) lost++;
      else ackedKeys++;
    }
  });
  return {
    sent, acked, stored: rows.length, lost, unacked,
    duplicated: Number(dups!.by_key) + Number(dups!.by_text),
    storedNotAcked: byKey.size - ackedKeys,
  };
}

export interface MinutesCounts {
  /** Meetings of the phase the service reports completed. */
  ended: number;
  withMinutes: number;
  /** analyzer → count, from the provenance stored with the minutes. */
  analyzers: Record<string, number>;
  /** Written by the offline analyzer because the LLM failed (provenance.fallbackReason set). */
  fallback: number;
}

export async function countMinutes(knex: Knex, meetingIds: string[]): Promise<MinutesCounts> {
  const rows = (await withDbRetry(() => knex('meetings').whereIn('id', meetingIds).select('status', knex.raw(`settings->'minutes' AS minutes`)))) as
    { status: string; minutes: { analyzer?: string; fallbackReason?: string } | null }[];
  const analyzers: Record<string, number> = {};
  let fallback = 0;
  for (const r of rows) {
    if (!r.minutes) continue;
    const a = r.minutes.analyzer ?? 'unknown';
    analyzers[a] = (analyzers[a] ?? 0) + 1;
    if (r.minutes.fallbackReason) fallback++;
  }
  return { ended: rows.filter((r) => r.status === 'completed').length, withMinutes: rows.filter((r) => r.minutes).length, analyzers, fallback };
}

/** When acks flowed again after a fault at `t0` (performance.now()). */
export interface Recovery {
  /** First ack of a segment generated after the fault. */
  firstAckMs: number;
  /** The last meeting to get such an ack: every meeting is flowing again. */
  allMeetingsMs: number;
  /** Longest silence between two acks of one meeting during the phase. */
  maxGapMs: number;
}

export function recovery(clients: MeetingClient[], t0: number): Recovery {
  let first = Infinity;
  let all = 0;
  let maxGap = 0;
  for (const c of clients) {
    let mine = Infinity;
    for (const [seq, at] of c.storedAt) if (c.segments.get(seq)!.createdAt >= t0) mine = Math.min(mine, at - t0);
    first = Math.min(first, mine);
    all = Math.max(all, mine);
    const times = [...c.storedAt.values()].sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) maxGap = Math.max(maxGap, times[i]! - times[i - 1]!);
  }
  return { firstAckMs: first, allMeetingsMs: all, maxGapMs: maxGap };
}
