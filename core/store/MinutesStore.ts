import type { Knex } from 'knex';
import { MinutesError } from '../errors.ts';
import type { ActionItem, ActionStatus, Decision, MeetingNote, NoteKind, Priority, Summary } from '../types.ts';
import { isUuid } from './MeetingStore.ts';
import { toActionItem, toDecision, toNote, toSummary } from './rows.ts';

export interface NewActionItem {
  meetingId: string;
  description: string;
  ownerAttendeeId?: string | null;
  ownerUserId?: string | null;
  ownerName?: string | null;
  dueDate?: string | null;
  status?: ActionStatus;
  priority?: Priority;
  confidence?: number | null;
  evidenceSegmentIds?: number[];
  source?: string;
}

export interface ActionItemPatch {
  description?: string;
  status?: ActionStatus;
  priority?: Priority;
  ownerAttendeeId?: string | null;
  ownerUserId?: string | null;
  ownerName?: string | null;
  dueDate?: string | null;
}

export interface ActionItemFilter {
  organizationId?: string;
  meetingId?: string;
  ownerUserId?: string;
  status?: ActionStatus[];
  /** Only items whose due date is before this day (`YYYY-MM-DD`). */
  dueBefore?: string;
  limit?: number;
  offset?: number;
}

/** Postgres array literal for evidence ids; portable across pg and PGlite parameter handling. */
const idArray = (ids: number[] | undefined): string => `{${(ids ?? []).map((n) => Math.trunc(n)).join(',')}}`;

/** Persistence of what the minutes say: action items, decisions, questions/blockers, summaries. */
export class MinutesStore {
  constructor(private readonly db: Knex) {}

  async addActionItems(items: NewActionItem[]): Promise<ActionItem[]> {
    if (items.length === 0) return [];
    const rows = await this.db('action_items')
      .insert(items.map((i) => ({
        meeting_id: i.meetingId,
        description: i.description,
        owner_attendee_id: i.ownerAttendeeId ?? null,
        owner_user_id: i.ownerUserId ?? null,
        owner_name: i.ownerName ?? null,
        due_date: i.dueDate ?? null,
        status: i.status ?? 'pending',
        priority: i.priority ?? 'medium',
        confidence: i.confidence ?? null,
        evidence_segment_ids: idArray(i.evidenceSegmentIds),
        source: i.source ?? 'manual',
      })))
      .returning('*');
    return rows.map(toActionItem);
  }

  async updateActionItem(id: string, patch: ActionItemPatch): Promise<ActionItem> {
    const update: Record<string, unknown> = { updated_at: this.db.fn.now() };
    const columns: Record<keyof ActionItemPatch, string> = {
      description: 'description', status: 'status', priority: 'priority', ownerAttendeeId: 'owner_attendee_id',
      ownerUserId: 'owner_user_id', ownerName: 'owner_name', dueDate: 'due_date',
    };
    for (const [key, column] of Object.entries(columns)) {
      const value = patch[key as keyof ActionItemPatch];
      if (value !== undefined) update[column] = value;
    }
    const [row] = isUuid(id) ? await this.db('action_items').where({ id }).update(update).returning('*') : [];
    if (!row) throw new MinutesError('ACTION_ITEM_NOT_FOUND', `No action item with id ${id}`, { details: { actionItemId: id } });
    return toActionItem(row);
  }

  /** One action item with its meeting's organization, for ownership checks. */
  async getActionItem(id: string): Promise<ActionItem & { organizationId: string }> {
    const row = isUuid(id)
      ? await this.db('action_items as a').join('meetings as m', 'm.id', 'a.meeting_id').select('a.*', 'm.organization_id').where('a.id', id).first()
      : undefined;
    if (!row) throw new MinutesError('ACTION_ITEM_NOT_FOUND', `No action item with id ${id}`, { details: { actionItemId: id } });
    return { ...toActionItem(row), organizationId: row.organization_id as string };
  }

  async listActionItems(filter: ActionItemFilter = {}): Promise<ActionItem[]> {
    const query = this.actionItemQuery(filter).select('a.*');
    query.orderByRaw('a.due_date ASC NULLS LAST, a.created_at ASC').limit(Math.min(filter.limit ?? 200, 1000)).offset(filter.offset ?? 0);
    return (await query).map(toActionItem);
  }

  /** A page of action items matching `filter` (limit 1-200, default 50), with how many match in all. */
  async pageActionItems(filter: ActionItemFilter = {}): Promise<{ items: ActionItem[]; total: number; limit: number; offset: number }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    const offset = Math.max(filter.offset ?? 0, 0);
    const [items, counted] = await Promise.all([this.listActionItems({ ...filter, limit, offset }), this.actionItemQuery(filter).count({ count: '*' })]);
    return { items, total: Number((counted[0] as { count: string | number }).count), limit, offset };
  }

  private actionItemQuery(filter: ActionItemFilter): Knex.QueryBuilder {
    const query = this.db('action_items as a');
    if (filter.organizationId) query.join('meetings as m', 'm.id', 'a.meeting_id').where('m.organization_id', filter.organizationId);
    if (filter.meetingId) query.where('a.meeting_id', filter.meetingId);
    // A person owns an item assigned to them directly or to their attendee record in the meeting.
    if (filter.ownerUserId) {
      query.where((q) => q.where('a.owner_user_id', filter.ownerUserId!)
        .orWhereIn('a.owner_attendee_id', this.db('attendees').select('id').where('user_id', filter.ownerUserId!)));
    }
    if (filter.status?.length) query.whereIn('a.status', filter.status);
    if (filter.dueBefore) query.where('a.due_date', '<', filter.dueBefore);
    return query;
  }

  /**
   * Clears what an analyzer wrote before, so regenerated minutes replace it.
   * Action items someone has edited since (updated after creation) and
   * resolved notes stay: they are a person's work now, not the analyzer's.
   */
  async removeGenerated(meetingId: string, sources: readonly string[]): Promise<void> {
    await this.db('action_items').where('meeting_id', meetingId).whereIn('source', sources as string[]).whereRaw('updated_at = created_at').delete();
    await this.db('decisions').where('meeting_id', meetingId).whereIn('source', sources as string[]).delete();
    await this.db('meeting_notes').where({ meeting_id: meetingId, resolved: false }).whereIn('source', sources as string[]).delete();
  }

  async addDecisions(items: { meetingId: string; text: string; evidenceSegmentIds?: number[]; confidence?: number | null; source?: string }[]): Promise<Decision[]> {
    if (items.length === 0) return [];
    const rows = await this.db('decisions')
      .insert(items.map((d) => ({
        meeting_id: d.meetingId, text: d.text, evidence_segment_ids: idArray(d.evidenceSegmentIds),
        confidence: d.confidence ?? null, source: d.source ?? 'manual',
      })))
      .returning('*');
    return rows.map(toDecision);
  }

  async listDecisions(meetingId: string): Promise<Decision[]> {
    return (await this.db('decisions').where('meeting_id', meetingId).orderBy('created_at')).map(toDecision);
  }

  async addNotes(items: { meetingId: string; kind: NoteKind; text: string; evidenceSegmentIds?: number[]; confidence?: number | null; source?: string }[]): Promise<MeetingNote[]> {
    if (items.length === 0) return [];
    const rows = await this.db('meeting_notes')
      .insert(items.map((n) => ({
        meeting_id: n.meetingId, kind: n.kind, text: n.text, evidence_segment_ids: idArray(n.evidenceSegmentIds),
        confidence: n.confidence ?? null, source: n.source ?? 'manual',
      })))
      .returning('*');
    return rows.map(toNote);
  }

  async listNotes(meetingId: string): Promise<MeetingNote[]> {
    return (await this.db('meeting_notes').where('meeting_id', meetingId).orderBy('created_at')).map(toNote);
  }

  /** Stores a new version of a summary kind; earlier versions are kept for comparison. */
  async addSummary(input: { meetingId: string; kind?: string; text: string; provider?: string | null; model?: string | null }): Promise<Summary> {
    const kind = input.kind ?? 'abstract';
    const { rows } = await this.db.raw(
      `INSERT INTO summaries (meeting_id, kind, text, provider, model, version)
       SELECT ?, ?, ?, ?, ?, coalesce(max(version), 0) + 1 FROM summaries WHERE meeting_id = ? AND kind = ?
       RETURNING *`,
      [input.meetingId, kind, input.text, input.provider ?? null, input.model ?? null, input.meetingId, kind],
    );
    return toSummary(rows[0]);
  }

  async listSummaries(meetingId: string): Promise<Summary[]> {
    return (await this.db('summaries').where('meeting_id', meetingId).orderBy([{ column: 'kind' }, { column: 'version' }])).map(toSummary);
  }
}
