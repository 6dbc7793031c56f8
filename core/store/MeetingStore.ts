import type { Knex } from 'knex';
import { MinutesError } from '../errors.ts';
import type { ExternalIds, Meeting, MeetingStatus, Platform } from '../types.ts';
import { toMeeting } from './rows.ts';

export interface NewMeeting {
  organizationId: string;
  platform: Platform;
  title: string;
  externalIds?: ExternalIds;
  status?: MeetingStatus;
  scheduledAt?: Date | null;
  startedAt?: Date | null;
  endedAt?: Date | null;
  settings?: Record<string, unknown>;
}

export interface MeetingFilter {
  organizationId?: string;
  status?: MeetingStatus;
  platform?: Platform;
  /** Case-insensitive substring of the title. */
  title?: string;
  externalIds?: ExternalIds;
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export class MeetingStore {
  constructor(private readonly db: Knex) {}

  async insert(input: NewMeeting): Promise<Meeting> {
    const [row] = await this.db('meetings')
      .insert({
        organization_id: input.organizationId,
        platform: input.platform,
        title: input.title,
        external_ids: JSON.stringify(input.externalIds ?? {}),
        status: input.status ?? 'scheduled',
        scheduled_at: input.scheduledAt ?? null,
        started_at: input.startedAt ?? null,
        ended_at: input.endedAt ?? null,
        settings: JSON.stringify(input.settings ?? {}),
      })
      .returning('*');
    return toMeeting(row);
  }

  async find(id: string): Promise<Meeting | null> {
    // A malformed id cannot name a meeting; answering "not found" beats a driver cast error.
    if (!isUuid(id)) return null;
    const row = await this.db('meetings').where({ id }).first();
    return row ? toMeeting(row) : null;
  }

  async get(id: string): Promise<Meeting> {
    const meeting = await this.find(id);
    if (!meeting) throw new MinutesError('MEETING_NOT_FOUND', `No meeting with id ${id}`, { details: { meetingId: id } });
    return meeting;
  }

  /**
   * Moves a meeting to `to` only if it is still in one of `from`: the check and
   * the write are one statement, so two racing stops cannot both succeed.
   */
  async transition(id: string, from: readonly MeetingStatus[], to: MeetingStatus, patch: { startedAt?: Date; endedAt?: Date } = {}): Promise<Meeting | null> {
    const update: Record<string, unknown> = { status: to, updated_at: this.db.fn.now() };
    if (patch.startedAt) update.started_at = this.db.raw('coalesce(started_at, ?)', [patch.startedAt]);
    if (patch.endedAt) update.ended_at = patch.endedAt;
    const [row] = await this.db('meetings').where({ id }).whereIn('status', from as MeetingStatus[]).update(update).returning('*');
    return row ? toMeeting(row) : null;
  }

  /** `externalIds` are merged into the stored ones (a thread created after the meeting started, say). */
  async update(id: string, patch: { title?: string; settings?: Record<string, unknown>; externalIds?: ExternalIds }): Promise<Meeting> {
    const update: Record<string, unknown> = { updated_at: this.db.fn.now() };
    if (patch.externalIds !== undefined) update.external_ids = this.db.raw('external_ids || ?::jsonb', [JSON.stringify(patch.externalIds)]);
    if (patch.title !== undefined) update.title = patch.title;
    if (patch.settings !== undefined) update.settings = JSON.stringify(patch.settings);
    const [row] = await this.db('meetings').where({ id }).update(update).returning('*');
    if (!row) throw new MinutesError('MEETING_NOT_FOUND', `No meeting with id ${id}`, { details: { meetingId: id } });
    return toMeeting(row);
  }

  async list(filter: MeetingFilter = {}): Promise<Page<Meeting>> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    const offset = Math.max(filter.offset ?? 0, 0);
    const query = this.db('meetings');
    if (filter.organizationId) query.where('organization_id', filter.organizationId);
    if (filter.status) query.where('status', filter.status);
    if (filter.platform) query.where('platform', filter.platform);
    if (filter.title) query.whereILike('title', `%${escapeLike(filter.title)}%`);
    if (filter.externalIds) query.whereRaw('external_ids @> ?::jsonb', [JSON.stringify(filter.externalIds)]);
    const [{ count }] = (await query.clone().count({ count: '*' })) as [{ count: string | number }];
    const rows = await query
      .orderByRaw('coalesce(started_at, scheduled_at, created_at) DESC, id DESC')
      .limit(limit)
      .offset(offset);
    return { items: rows.map(toMeeting), total: Number(count), limit, offset };
  }

  /**
   * Deletes a meeting of `organizationId` and, by foreign-key cascade, its
   * attendees, transcript, minutes and recordings. False when there was none.
   */
  async delete(id: string, organizationId: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    // RETURNING, not the affected-row count: knex-pglite does not report the count as a number.
    const rows = await this.db('meetings').where({ id, organization_id: organizationId }).delete().returning('id');
    return rows.length > 0;
  }
}

export const isUuid = (v: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
export const escapeLike = (v: string): string => v.replace(/[\\%_]/g, (c) => `\\${c}`);
