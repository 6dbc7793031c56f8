import type { Knex } from 'knex';
import type { Attendee, Consent, MeetingStatus } from '../types.ts';
import { isUuid } from './MeetingStore.ts';
import { toAttendee } from './rows.ts';

export interface IngestLookup {
  status: MeetingStatus;
  attendees: Map<string, Attendee>;
  reservedIds: number[];
}

export class AttendeeStore {
  constructor(private readonly db: Knex) {}

  /** Returns the attendees named, creating the missing ones (consent `unknown`). */
  async ensure(meetingId: string, displayNames: string[], userIds: Record<string, string> = {}): Promise<Attendee[]> {
    const names = [...new Set(displayNames)];
    if (names.length === 0) return [];
    const input = JSON.stringify(names.map((name) => ({ name, user_id: userIds[name] ?? null })));
    await this.db.raw(
      `INSERT INTO attendees (meeting_id, display_name, user_id)
       SELECT ?, x.name, x.user_id FROM jsonb_to_recordset(?::jsonb) AS x(name text, user_id uuid)
       ON CONFLICT (meeting_id, display_name) DO NOTHING`,
      [meetingId, input],
    );
    const rows = await this.db('attendees').where('meeting_id', meetingId).whereIn('display_name', names);
    return rows.map(toAttendee);
  }

  /**
   * The hot path of live ingest in one round trip: the meeting's status, the
   * named attendees that already exist and, when `reserveIds` > 0, that many
   * segment ids taken from the sequence (the COPY path writes them itself).
   * `null` when there is no such meeting.
   */
  async lookupForIngest(meetingId: string, displayNames: string[], reserveIds = 0): Promise<IngestLookup | null> {
    if (!isUuid(meetingId)) return null;
    const { rows } = await this.db.raw(
      `SELECT m.status AS meeting_status, a.*,
         (SELECT json_agg(nextval(seq.id)) FROM
            (SELECT pg_get_serial_sequence('transcript_segments', 'id')::regclass AS id) seq, generate_series(1, ?::int)) AS reserved_ids
       FROM meetings m
       LEFT JOIN attendees a ON a.meeting_id = m.id AND a.display_name IN (SELECT json_array_elements_text(?::json))
       WHERE m.id = ?`,
      [reserveIds, JSON.stringify(displayNames), meetingId],
    );
    if (rows.length === 0) return null;
    const attendees = new Map<string, Attendee>();
    for (const row of rows) if (row.id) attendees.set(row.display_name, toAttendee(row));
    const reservedIds = ((rows[0].reserved_ids ?? []) as (number | string)[]).map(Number);
    return { status: rows[0].meeting_status, attendees, reservedIds };
  }

  async list(meetingId: string): Promise<Attendee[]> {
    return (await this.db('attendees').where('meeting_id', meetingId).orderBy([{ column: 'talk_time_ms', order: 'desc' }, 'display_name'])).map(toAttendee);
  }

  async setConsent(meetingId: string, displayName: string, consent: Consent): Promise<Attendee> {
    const { rows } = await this.db.raw(
      `INSERT INTO attendees (meeting_id, display_name, consent) VALUES (?, ?, ?)
       ON CONFLICT (meeting_id, display_name) DO UPDATE SET consent = excluded.consent
       RETURNING *`,
      [meetingId, displayName, consent],
    );
    return toAttendee(rows[0]);
  }
}
