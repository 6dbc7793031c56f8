import type { EventBus } from '../bus/EventBus.ts';
import { MinutesError } from '../errors.ts';
import { meetingLogger, type Logger } from '../logger.ts';
import type { MeetingFilter, NewMeeting, Page, Stores } from '../store/index.ts';
import type { Attendee, Consent, Meeting, MeetingBundle, Segment, SegmentInput } from '../types.ts';
import { importIntoStores, type ImportOptions, type ImportResult } from './importMeeting.ts';
import { validateSegments, type ValidSegment } from './segments.ts';
import { ACCEPTS_SEGMENTS, MEETING_TRANSITIONS, canTransition, illegalTransition, type MeetingAction } from './state.ts';
import { loadBundle } from '../store/bundle.ts';
import { withDbRetry, type DbRetryOptions } from '../store/retry.ts';

export interface AppendResult {
  inserted: Segment[];
  /** Re-sent segments already stored (same source and sequence). */
  duplicates: number;
  /** Segments of attendees who opted out: never stored. */
  dropped: number;
}

export interface MeetingServiceDeps {
  stores: Stores;
  bus: EventBus;
  logger: Logger;
  now?: () => Date;
  /**
   * How segment appends ride out a database outage (a Postgres restart): transient
   * connection errors are retried with backoff (default 8 tries, ~9 s); `false` turns it off.
   */
  appendRetry?: DbRetryOptions | false;
}

/**
 * The one entry point for every meeting, whatever platform it comes from:
 * lifecycle, segment ingest, consent and import. Every change is published on
 * the event bus after it is committed.
 */
export class MeetingService {
  private readonly stores: Stores;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly appendRetry: DbRetryOptions;

  constructor(deps: MeetingServiceDeps) {
    this.stores = deps.stores;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.now = deps.now ?? (() => new Date());
    this.appendRetry = deps.appendRetry === false ? { attempts: 1 } : { ...deps.appendRetry };
  }

  async createMeeting(input: Omit<NewMeeting, 'status' | 'startedAt' | 'endedAt'>): Promise<Meeting> {
    const title = input.title.trim();
    if (!title) throw new MinutesError('SEGMENT_INVALID', 'A meeting needs a title');
    await this.stores.organizations.get(input.organizationId);
    const meeting = await this.stores.meetings.insert({ ...input, title, status: 'scheduled' });
    this.log(meeting).info({ title: meeting.title }, 'meeting created');
    await this.bus.publish({ type: 'meeting.created', meeting });
    return meeting;
  }

  getMeeting(id: string): Promise<Meeting> {
    return this.stores.meetings.get(id);
  }

  listMeetings(filter: MeetingFilter = {}): Promise<Page<Meeting>> {
    return this.stores.meetings.list(filter);
  }

  /** Records platform ids learnt after creation (a thread, a summary message); merged into the existing ones. */
  setExternalIds(id: string, ids: Record<string, string>): Promise<Meeting> {
    return this.stores.meetings.update(id, { externalIds: ids });
  }

  startMeeting(id: string): Promise<Meeting> {
    return this.transition(id, 'start', { startedAt: this.now() });
  }

  endMeeting(id: string): Promise<Meeting> {
    return this.transition(id, 'end', { endedAt: this.now() });
  }

  cancelMeeting(id: string, reason?: string): Promise<Meeting> {
    return this.transition(id, 'cancel', { endedAt: this.now() }, reason);
  }

  private async transition(id: string, action: MeetingAction, patch: { startedAt?: Date; endedAt?: Date }, reason?: string): Promise<Meeting> {
    const current = await this.stores.meetings.get(id);
    if (!canTransition(current.status, action)) throw illegalTransition(id, current.status, action);
    const { from, to } = MEETING_TRANSITIONS[action];
    const meeting = await this.stores.meetings.transition(id, from, to, patch);
    if (!meeting) {
      // Someone else moved it between our read and our write; report what it is now.
      const now = await this.stores.meetings.get(id);
      throw illegalTransition(id, now.status, action);
    }
    this.log(meeting).info({ from: current.status, to }, `meeting ${action}`);
    if (to === 'in_progress') await this.bus.publish({ type: 'meeting.started', meeting });
    else if (to === 'completed') await this.bus.publish({ type: 'meeting.ended', meeting });
    else await this.bus.publish({ type: 'meeting.cancelled', meeting, ...(reason ? { reason } : {}) });
    return meeting;
  }

  /**
   * Stores a batch of segments of a running meeting in one statement. The
   * whole batch is validated first; re-sent segments are skipped; words of
   * anyone who opted out are dropped before they reach storage.
   */
  async appendSegments(meetingId: string, inputs: SegmentInput[]): Promise<AppendResult> {
    const valid = validateSegments(inputs);
    // Safe to run again after an ambiguous failure: rows are keyed by (meeting, source, seq), so a batch
    // the database committed before the connection dropped is skipped as re-sent the second time.
    const { inserted, result } = await withDbRetry(() => this.storeSegments(meetingId, valid), {
      ...this.appendRetry,
      onRetry: (info) => {
        this.logger.warn({ err: info.err, meetingId, attempt: info.attempt, delayMs: info.delayMs }, 'storing segments failed: database unreachable, retrying');
        this.appendRetry.onRetry?.(info);
      },
    });
    if (result.dropped || result.duplicates) this.logger.debug({ meetingId, duplicates: result.duplicates, dropped: result.dropped }, 'segments skipped');
    if (inserted.length) await this.bus.publish({ type: 'segment.added', meetingId, segments: inserted });
    return result;
  }

  private async storeSegments(meetingId: string, valid: ValidSegment[]): Promise<{ inserted: Segment[]; result: AppendResult }> {
    const names = [...new Set(valid.map((s) => s.speaker))];
    const reserve = this.stores.transcripts.usesReservedIds ? valid.length : 0;
    const found = await this.stores.attendees.lookupForIngest(meetingId, names, reserve);
    if (!found) throw new MinutesError('MEETING_NOT_FOUND', `No meeting with id ${meetingId}`, { details: { meetingId } });
    if (!ACCEPTS_SEGMENTS.includes(found.status)) {
      throw new MinutesError('MEETING_NOT_ACCEPTING_SEGMENTS', `Meeting ${meetingId} is ${found.status}; segments are accepted only while it is in progress`, {
        details: { meetingId, status: found.status },
      });
    }
    if (valid.length === 0) return { inserted: [], result: { inserted: [], duplicates: 0, dropped: 0 } };
    const bySpeaker = found.attendees;
    const missing = names.filter((n) => !bySpeaker.has(n));
    if (missing.length) for (const a of await this.stores.attendees.ensure(meetingId, missing)) bySpeaker.set(a.displayName, a);
    const kept = valid.filter((s) => bySpeaker.get(s.speaker)?.consent !== 'opted_out');
    const rows = kept.map((s) => ({ ...s, attendeeId: bySpeaker.get(s.speaker)?.id ?? null }));
    const inserted = await this.stores.transcripts.append(meetingId, rows, found.reservedIds);
    return { inserted, result: { inserted, duplicates: kept.length - inserted.length, dropped: valid.length - kept.length } };
  }

  /**
   * A platform's own transcript of a meeting that may already be over (Teams
   * publishes it minutes after the end): the same rules as live ingest —
   * validated as a batch, re-sent segments skipped, opted-out speakers dropped,
   * `segment.added` published — for a meeting in progress or completed.
   */
  async attachTranscript(meetingId: string, inputs: SegmentInput[]): Promise<AppendResult> {
    const meeting = await this.stores.meetings.get(meetingId);
    if (meeting.status !== 'in_progress' && meeting.status !== 'completed') {
      throw new MinutesError('MEETING_NOT_ACCEPTING_SEGMENTS', `Meeting ${meetingId} is ${meeting.status}; a transcript can be attached to a running or completed meeting`, {
        details: { meetingId, status: meeting.status },
      });
    }
    const valid = validateSegments(inputs);
    if (valid.length === 0) return { inserted: [], duplicates: 0, dropped: 0 };
    const attendees = await this.stores.attendees.ensure(meetingId, [...new Set(valid.map((s) => s.speaker))]);
    const bySpeaker = new Map(attendees.map((a) => [a.displayName, a]));
    const kept = valid.filter((s) => bySpeaker.get(s.speaker)?.consent !== 'opted_out');
    const inserted = await this.stores.transcripts.append(meetingId, kept.map((s) => ({ ...s, attendeeId: bySpeaker.get(s.speaker)?.id ?? null })));
    if (inserted.length) await this.bus.publish({ type: 'segment.added', meetingId, segments: inserted });
    this.log(meeting).info({ segments: inserted.length, dropped: valid.length - kept.length }, 'transcript attached');
    return { inserted, duplicates: kept.length - inserted.length, dropped: valid.length - kept.length };
  }

  addAttendee(meetingId: string, displayName: string): Promise<Attendee> {
    return this.stores.attendees.ensure(meetingId, [displayName]).then((a) => a[0]!);
  }

  /** Records consent; an opt-out takes effect for every later segment of that person. */
  async setConsent(meetingId: string, displayName: string, consent: Consent): Promise<Attendee> {
    const meeting = await this.stores.meetings.get(meetingId);
    const attendee = await this.stores.attendees.setConsent(meetingId, displayName, consent);
    this.log(meeting).info({ attendeeId: attendee.id, consent }, 'consent changed');
    await this.bus.publish({ type: 'attendee.updated', meetingId, attendee });
    return attendee;
  }

  /** Turns a parsed transcript into a completed meeting: everything in one transaction or nothing. */
  async importTranscript(options: ImportOptions): Promise<ImportResult> {
    await this.stores.organizations.get(options.organizationId);
    const result = await this.stores.transaction((trx) => importIntoStores(trx, options, this.now()));
    this.log(result.meeting).info({ segments: result.segmentCount, format: options.transcript.format }, 'transcript imported');
    await this.bus.publish({ type: 'meeting.created', meeting: result.meeting });
    await this.bus.publish({ type: 'transcript.imported', meeting: result.meeting, segmentCount: result.segmentCount });
    return result;
  }

  getBundle(meetingId: string): Promise<MeetingBundle> {
    return loadBundle(this.stores, meetingId);
  }

  /** A child logger for one meeting, so every line about it can be found by its id. */
  log(meeting: Pick<Meeting, 'id' | 'platform'>): Logger {
    return meetingLogger(this.logger, meeting);
  }
}
