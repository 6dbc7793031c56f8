import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SegmentInput } from '../../core/types.ts';
import { SPEAKERS, type Corpus } from './corpus.ts';

/** A meeting's speakers, with their attendee ids once the attendees exist. */
export interface BenchMeeting {
  id: string;
  organizationId: string;
  speakers: { name: string; attendeeId: string | null }[];
}

export const SEGMENT_SOURCE = 'asr:bench';

export const COPY_SQL = `COPY transcript_segments
  (meeting_id, attendee_id, speaker, start_ms, end_ms, text, confidence, source, source_seq, language)
  FROM STDIN`;

/** Segments of one meeting, as a live producer would send them (numbered, in time order). */
export function* meetingSegments(corpus: Corpus, rnd: () => number, speakers: string[], count: number, firstSeq = 0): Generator<SegmentInput> {
  let clock = Math.floor(rnd() * 60_000);
  for (let i = 0; i < count; i++) {
    const text = corpus.sentence(rnd);
    const words = text.length / 6;
    const startMs = clock;
    const endMs = startMs + Math.round(words * (280 + rnd() * 160));
    clock = endMs + Math.floor(rnd() * 1500);
    yield {
      speaker: speakers[Math.floor(rnd() * speakers.length)]!,
      startMs,
      endMs,
      text,
      confidence: Math.round((0.75 + rnd() * 0.25) * 1000) / 1000,
      source: SEGMENT_SOURCE,
      sourceSeq: firstSeq + i,
      language: 'en',
    };
  }
}

/** One line of COPY text format (the generated text has no tab, newline or backslash). */
export function copyLine(meeting: BenchMeeting, s: SegmentInput): string {
  const attendee = meeting.speakers.find((p) => p.name === s.speaker)?.attendeeId ?? '\\N';
  return `${meeting.id}\t${attendee}\t${s.speaker}\t${s.startMs}\t${s.endMs}\t${s.text}\t${s.confidence}\t${s.source}\t${s.sourceSeq}\t${s.language}\n`;
}

/** Streams COPY text (strings of many lines each) into transcript_segments over a connected client. */
export async function copyIn(client: pg.Client, chunks: Iterable<string> | AsyncIterable<string>): Promise<number> {
  const stream = client.query(copyFrom(COPY_SQL));
  await pipeline(Readable.from(chunks, { objectMode: false }), stream);
  return stream.rowCount;
}

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Groups lines into ~256 KB strings: fewer, larger writes keep Node out of the way of COPY. */
export function* chunked(lines: Iterable<string>, maxChars = 256 * 1024): Generator<string> {
  let buf = '';
  for (const line of lines) {
    buf += line;
    if (buf.length >= maxChars) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

export function pickSpeakers(rnd: () => number): string[] {
  const n = 3 + Math.floor(rnd() * 4);
  const start = Math.floor(rnd() * SPEAKERS.length);
  return Array.from({ length: n }, (_, i) => SPEAKERS[(start + i) % SPEAKERS.length]!);
}

/**
 * Inserts `count` completed meetings spread over `orgIds` and the past year,
 * each with 3–6 attendees, in two statements (bulk fixtures, not the service).
 */
export async function insertMeetings(knex: Knex, orgIds: string[], count: number, rnd: () => number, titlePrefix: string): Promise<BenchMeeting[]> {
  const year = 365 * 24 * 3600 * 1000;
  const now = Date.now();
  const specs = Array.from({ length: count }, (_, i) => {
    const started = new Date(now - Math.floor(rnd() * year));
    return {
      organization_id: orgIds[i % orgIds.length]!,
      platform: 'ingest',
      title: `${titlePrefix} ${i + 1}`,
      status: 'completed',
      started_at: started,
      ended_at: new Date(started.getTime() + 3600_000),
      speakers: pickSpeakers(rnd),
    };
  });
  const meetings: BenchMeeting[] = [];
  for (let i = 0; i < specs.length; i += 1000) {
    const part = specs.slice(i, i + 1000);
    const rows = await knex('meetings').insert(part.map(({ speakers: _s, ...m }) => m)).returning(['id', 'organization_id']);
    rows.forEach((r: { id: string; organization_id: string }, j: number) => {
      meetings.push({ id: r.id, organizationId: r.organization_id, speakers: part[j]!.speakers.map((name) => ({ name, attendeeId: null })) });
    });
  }
  await attachAttendees(knex, meetings);
  return meetings;
}

/** Creates the attendees of each meeting and fills in their ids. */
export async function attachAttendees(knex: Knex, meetings: BenchMeeting[]): Promise<void> {
  const byMeeting = new Map(meetings.map((m) => [m.id, m]));
  const all = meetings.flatMap((m) => m.speakers.map((s) => ({ meeting_id: m.id, display_name: s.name })));
  for (let i = 0; i < all.length; i += 2000) {
    const rows = await knex('attendees').insert(all.slice(i, i + 2000)).onConflict(['meeting_id', 'display_name']).merge().returning(['id', 'meeting_id', 'display_name']);
    for (const r of rows as { id: string; meeting_id: string; display_name: string }[]) {
      const speaker = byMeeting.get(r.meeting_id)!.speakers.find((s) => s.name === r.display_name)!;
      speaker.attendeeId = r.id;
    }
  }
}

/** Splits `total` rows over meetings with uneven sizes (0.3–1.7× the mean), summing exactly to total. */
export function meetingSizes(total: number, meetings: number, rnd: () => number): number[] {
  const weights = Array.from({ length: meetings }, () => 0.3 + rnd() * 1.4);
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.floor((w / sum) * total));
  sizes[sizes.length - 1]! += total - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}
