import type { Knex } from 'knex';
import type { Segment } from '../types.ts';
import { copySegments } from './copySegments.ts';
import { toSegment } from './rows.ts';

/** A validated segment ready to store, its speaker already resolved to an attendee. */
export type SegmentRow = Omit<Segment, 'id' | 'meetingId'>;

export class TranscriptStore {
  /**
   * COPY needs a connection of its own, so inside a transaction (imports) the
   * INSERT path keeps the work atomic. With COPY, callers reserve segment ids
   * beforehand (AttendeeStore.lookupForIngest) and pass them to `append`.
   */
  readonly usesReservedIds: boolean;

  constructor(private readonly db: Knex) {
    this.usesReservedIds = db.client.config?.client === 'pg' && !db.isTransaction;
  }

  /**
   * Stores a batch; attendees' talk time follows by trigger. Rows whose
   * (source, sourceSeq) is already stored are skipped, so a producer that
   * re-sends after a timeout never duplicates a line. Returns only the rows
   * actually inserted, in time order.
   */
  async append(meetingId: string, rows: SegmentRow[], reservedIds: number[] = []): Promise<Segment[]> {
    if (rows.length === 0) return [];
    if (this.usesReservedIds && reservedIds.length >= rows.length) {
      const copied = await copySegments(this.db, meetingId, rows, reservedIds);
      if (copied) return copied;
    }
    return this.insert(meetingId, rows);
  }

  private async insert(meetingId: string, rows: SegmentRow[]): Promise<Segment[]> {
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
         RETURNING id, source, source_seq
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

  /**
   * One page of a transcript in time order, continuing after segment `after`
   * (keyset on start time and id, so pages stay stable while segments are
   * appended). `next` is the id to pass as `after` for the following page.
   */
  async page(meetingId: string, page: { after?: number; limit: number }): Promise<{ items: Segment[]; next: number | null }> {
    const query = this.db('transcript_segments')
      .select('id', 'meeting_id', 'attendee_id', 'speaker', 'start_ms', 'end_ms', 'text', 'confidence', 'source', 'source_seq', 'language')
      .where('meeting_id', meetingId);
    if (page.after !== undefined) {
      const cursor = this.db('transcript_segments').select('start_ms', 'id').where({ id: page.after, meeting_id: meetingId });
      query.whereRaw('(start_ms, id) > ?', [cursor]);
    }
    const rows = (await query.orderBy([{ column: 'start_ms' }, { column: 'id' }]).limit(page.limit + 1)).map(toSegment);
    const items = rows.slice(0, page.limit);
    return { items, next: rows.length > page.limit ? items[items.length - 1]!.id : null };
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
