import type { Knex } from 'knex';
import type { Attendee, Consent } from '../types.ts';
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
