import type { Knex } from 'knex';
import type { Attendee, Consent, MeetingStatus } from '../types.ts';
import { isUuid } from './MeetingStore.ts';
import { toAttendee } from './rows.ts';

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
   * The meeting's status and the named attendees that already exist, in one
   * round trip: the hot path of live ingest. `null` when there is no such meeting.
   */
  async lookupForIngest(meetingId: string, displayNames: string[]): Promise<{ status: MeetingStatus; attendees: Map<string, Attendee> } | null> {
    if (!isUuid(meetingId)) return null;
    const { rows } = await this.db.raw(
      `SELECT m.status AS meeting_status, a.* FROM meetings m
       LEFT JOIN attendees a ON a.meeting_id = m.id AND a.display_name IN (SELECT json_array_elements_text(?::json))
       WHERE m.id = ?`,
      [JSON.stringify(displayNames), meetingId],
    );
    if (rows.length === 0) return null;
    const attendees = new Map<string, Attendee>();
    for (const row of rows) if (row.id) attendees.set(row.display_name, toAttendee(row));
    return { status: rows[0].meeting_status, attendees };
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
