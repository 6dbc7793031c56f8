import type { Knex } from 'knex';
import type { Priority } from '../types.ts';
import type { OpenItem } from './digest.ts';

type Row = Record<string, unknown>;

// Due dates come back as text: pg parses `date` into a local Date, PGlite may not; text is the same everywhere.
const ITEM_COLUMNS = `a.id, a.meeting_id, a.description, a.priority, m.title AS meeting_title, m.organization_id,
  to_char(a.due_date, 'YYYY-MM-DD') AS due_date,
  coalesce(a.owner_user_id, att.user_id) AS owner_user_id,
  coalesce(a.owner_name, att.display_name) AS owner_name`;

const toOpenItem = (r: Row): OpenItem & { organizationId: string } => ({
  id: r.id as string,
  meetingId: r.meeting_id as string,
  meetingTitle: r.meeting_title as string,
  organizationId: r.organization_id as string,
  description: r.description as string,
  ownerUserId: (r.owner_user_id as string | null) ?? null,
  ownerName: (r.owner_name as string | null) ?? null,
  dueDate: (r.due_date as string | null) ?? null,
  priority: r.priority as Priority,
});

export interface RetentionCounts {
  meetings: number;
  segmentsDeleted: number;
  minutesDeleted: number;
  actionItemsDeleted: number;
}

/** The queries of the scheduled tasks (the regular stores stay about one meeting at a time). */
export class ScheduleStore {
  constructor(private readonly db: Knex) {}

  /** Open (pending / in progress) action items of an organization. */
  async openItems(organizationId: string): Promise<(OpenItem & { organizationId: string })[]> {
    const { rows } = await this.db.raw(
      `SELECT ${ITEM_COLUMNS}
       FROM action_items a JOIN meetings m ON m.id = a.meeting_id
       LEFT JOIN attendees att ON att.id = a.owner_attendee_id
       WHERE m.organization_id = ? AND a.status IN ('pending', 'in_progress')
       ORDER BY a.due_date ASC NULLS LAST, a.created_at, a.id`,
      [organizationId],
    );
    return (rows as Row[]).map(toOpenItem);
  }

  /** Open items with an owner and a due date within [fromDay, toDay], every organization. */
  async ownedItemsDueBetween(fromDay: string, toDay: string): Promise<(OpenItem & { organizationId: string })[]> {
    const { rows } = await this.db.raw(
      `SELECT ${ITEM_COLUMNS}
       FROM action_items a JOIN meetings m ON m.id = a.meeting_id
       LEFT JOIN attendees att ON att.id = a.owner_attendee_id
       WHERE a.status IN ('pending', 'in_progress') AND a.due_date BETWEEN ?::date AND ?::date
         AND coalesce(a.owner_user_id, att.user_id) IS NOT NULL
       ORDER BY a.due_date, a.id`,
      [fromDay, toDay],
    );
    return (rows as Row[]).map(toOpenItem);
  }

  /** Claims a notification key; false when it was claimed before (by this run, another run or another instance). */
  async claim(key: string, organizationId: string | null): Promise<boolean> {
    const { rows } = await this.db.raw(
      `INSERT INTO notifications_sent (key, organization_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, organizationId],
    );
    return (rows as Row[]).length > 0;
  }

  async release(key: string): Promise<void> {
    await this.db('notifications_sent').where({ key }).delete();
  }

  /** Meetings in progress whose last segment (or start, when none) is older than `cutoff`. */
  async staleMeetings(cutoff: Date): Promise<string[]> {
    const { rows } = await this.db.raw(
      `SELECT m.id FROM meetings m
       WHERE m.status = 'in_progress'
         AND coalesce((SELECT max(s.created_at) FROM transcript_segments s WHERE s.meeting_id = m.id), m.started_at, m.created_at) < ?
       ORDER BY m.id`,
      [cutoff],
    );
    return (rows as Row[]).map((r) => r.id as string);
  }

  /** Ended meetings of an organization not yet purged that ended before `cutoff`, locked for the purge. */
  async expiredMeetings(organizationId: string, cutoff: Date): Promise<string[]> {
    const rows = await this.db('meetings')
      .where('organization_id', organizationId)
      .whereIn('status', ['completed', 'cancelled'])
      .whereNull('purged_at')
      .whereRaw('coalesce(ended_at, updated_at) < ?', [cutoff])
      .orderBy('id')
      .forUpdate()
      .select('id');
    return rows.map((r: Row) => r.id as string);
  }

  /**
   * Deletes the transcript and the minutes of `meetingIds` and marks the
   * meetings purged. The meeting row (title, times, attendees) stays as a
   * tombstone, so links to it can say "purged by retention".
   */
  async purgeMeetings(meetingIds: string[], now: Date): Promise<RetentionCounts> {
    if (meetingIds.length === 0) return { meetings: 0, segmentsDeleted: 0, minutesDeleted: 0, actionItemsDeleted: 0 };
    // Counted in SQL, not from affected-row counts: knex-pglite does not report them as numbers.
    const ids = `{${meetingIds.join(',')}}`;
    const del = async (table: string): Promise<number> => {
      const { rows } = await this.db.raw(`WITH d AS (DELETE FROM ${table} WHERE meeting_id = ANY(?::uuid[]) RETURNING 1) SELECT count(*)::int AS n FROM d`, [ids]);
      return Number((rows as Row[])[0]?.n ?? 0);
    };
    const segmentsDeleted = await del('transcript_segments');
    const actionItemsDeleted = await del('action_items');
    const minutesDeleted = (await del('summaries')) + (await del('decisions')) + (await del('meeting_notes'));
    await this.db('meetings').whereIn('id', meetingIds).update({ purged_at: now, updated_at: this.db.fn.now() });
    return { meetings: meetingIds.length, segmentsDeleted, minutesDeleted, actionItemsDeleted };
  }

  async addRetentionAudit(row: RetentionCounts & { organizationId: string; ranAt: Date; cutoff: Date; retentionDays: number; recordingsDeleted: number }): Promise<void> {
    await this.db('retention_audit').insert({
      organization_id: row.organizationId, ran_at: row.ranAt, cutoff: row.cutoff, retention_days: row.retentionDays,
      meetings: row.meetings, segments_deleted: row.segmentsDeleted, minutes_deleted: row.minutesDeleted,
      action_items_deleted: row.actionItemsDeleted, recordings_deleted: row.recordingsDeleted,
    });
  }
}
