import type { Knex } from 'knex';
import type { Segment } from '../types.ts';
import { toSegment } from './rows.ts';

/** A validated segment ready to store, its speaker already resolved to an attendee. */
export interface SegmentRow {
  attendeeId: string | null;
  speaker: string;
  startMs: number;
  endMs: number;
  text: string;
  confidence: number | null;
  source: string;
  sourceSeq: number;
  language: string | null;
}

export class TranscriptStore {
  constructor(private readonly db: Knex) {}

  /**
   * Inserts a batch in one statement and adds the new talk time to each
   * attendee. Rows whose (source, sourceSeq) is already stored are skipped, so
   * a producer that re-sends after a timeout never duplicates a line. Returns
   * only the rows actually inserted.
   */
  async append(meetingId: string, rows: SegmentRow[]): Promise<Segment[]> {
    if (rows.length === 0) return [];
    const payload = JSON.stringify(
      rows.map((r) => ({
        attendee_id: r.attendeeId,
        speaker: r.speaker,
        start_ms: r.startMs,
        end_ms: r.endMs,
        text: r.text,
        confidence: r.confidence,
        source: r.source,
        source_seq: r.sourceSeq,
        language: r.language,
      })),
    );
    // json (not jsonb) skips building a binary document only to read it once,
    // and RETURNING just the keys spares sending every text back: the caller's
    // rows already hold it.
    const { rows: inserted } = await this.db.raw(
      `WITH input AS (
         SELECT * FROM json_to_recordset(?::json) AS x(
           attendee_id uuid, speaker text, start_ms integer, end_ms integer, text text,
           confidence real, source text, source_seq bigint, language text)
       ),
       ins AS (
         INSERT INTO transcript_segments
           (meeting_id, attendee_id, speaker, start_ms, end_ms, text, confidence, source, source_seq, language)
         SELECT ?::uuid, attendee_id, speaker, start_ms, end_ms, text, confidence, source, source_seq, language FROM input
         ON CONFLICT (meeting_id, source, source_seq) DO NOTHING
         RETURNING id, attendee_id, start_ms, end_ms, source, source_seq
       ),
       talk AS (
         UPDATE attendees a SET talk_time_ms = a.talk_time_ms + t.ms
         FROM (SELECT attendee_id, sum(end_ms - start_ms) AS ms FROM ins WHERE attendee_id IS NOT NULL GROUP BY attendee_id) t
         WHERE a.id = t.attendee_id
       )
       SELECT id, source, source_seq FROM ins`,
      [payload, meetingId],
    );
    const byKey = new Map(rows.map((r) => [`${r.source}\u0000${r.sourceSeq}`, r]));
    const segments: Segment[] = [];
    for (const row of inserted as { id: unknown; source: string; source_seq: unknown }[]) {
      const r = byKey.get(`${row.source}\u0000${Number(row.source_seq)}`);
      if (r) segments.push({ id: Number(row.id), meetingId, ...r });
    }
    return segments.sort((a, b) => a.startMs - b.startMs || a.id - b.id);
  }

  async list(meetingId: string, page: { limit?: number; offset?: number } = {}): Promise<Segment[]> {
    const query = this.db('transcript_segments')
      .select('id', 'meeting_id', 'attendee_id', 'speaker', 'start_ms', 'end_ms', 'text', 'confidence', 'source', 'source_seq', 'language')
      .where('meeting_id', meetingId)
      .orderBy([{ column: 'start_ms' }, { column: 'id' }]);
    if (page.limit !== undefined) query.limit(page.limit);
    if (page.offset) query.offset(page.offset);
    return (await query).map(toSegment);
  }

  async count(meetingId: string): Promise<number> {
    const [{ count }] = (await this.db('transcript_segments').where('meeting_id', meetingId).count({ count: '*' })) as [{ count: unknown }];
    return Number(count);
  }

  async getMany(ids: number[]): Promise<Segment[]> {
    if (ids.length === 0) return [];
    return (await this.db('transcript_segments').whereIn('id', ids).orderBy('id')).map(toSegment);
  }
}
