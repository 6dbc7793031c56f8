import type {
  ActionItem, Attendee, Decision, Meeting, MeetingNote, Organization, Segment, Summary, User,
} from '../types.ts';

/** Row → domain mappers. Drivers differ (pg vs PGlite) on bigint and date types, so normalise here. */
type Row = Record<string, any>;

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const ids = (v: unknown): number[] => (Array.isArray(v) ? v.map(num) : []);
/** Due dates are calendar days; keep them as `YYYY-MM-DD` with no time zone drift. */
const day = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    const y = v.getFullYear();
    const m = String(v.getMonth() + 1).padStart(2, '0');
    const d = String(v.getDate()).padStart(2, '0');
    return `${y}-${m}-${d}`;
  }
  return String(v).slice(0, 10);
};

export const toOrganization = (r: Row): Organization => ({
  id: r.id, name: r.name, settings: r.settings ?? {}, createdAt: date(r.created_at),
});

export const toUser = (r: Row): User => ({
  id: r.id, organizationId: r.organization_id, displayName: r.display_name, email: r.email ?? null, role: r.role,
});

export const toMeeting = (r: Row): Meeting => ({
  id: r.id,
  organizationId: r.organization_id,
  platform: r.platform,
  externalIds: r.external_ids ?? {},
  title: r.title,
  status: r.status,
  scheduledAt: dateOrNull(r.scheduled_at),
  startedAt: dateOrNull(r.started_at),
  endedAt: dateOrNull(r.ended_at),
  purgedAt: dateOrNull(r.purged_at),
  settings: r.settings ?? {},
  createdAt: date(r.created_at),
  updatedAt: date(r.updated_at),
});

export const toAttendee = (r: Row): Attendee => ({
  id: r.id,
  meetingId: r.meeting_id,
  userId: r.user_id ?? null,
  displayName: r.display_name,
  consent: r.consent,
  talkTimeMs: num(r.talk_time_ms),
});

export const toSegment = (r: Row): Segment => ({
  id: num(r.id),
  meetingId: r.meeting_id,
  attendeeId: r.attendee_id ?? null,
  speaker: r.speaker,
  startMs: num(r.start_ms),
  endMs: num(r.end_ms),
  text: r.text,
  confidence: numOrNull(r.confidence),
  source: r.source,
  sourceSeq: num(r.source_seq),
  language: r.language ?? null,
});

export const toActionItem = (r: Row): ActionItem => ({
  id: r.id,
  meetingId: r.meeting_id,
  description: r.description,
  ownerAttendeeId: r.owner_attendee_id ?? null,
  ownerUserId: r.owner_user_id ?? null,
  ownerName: r.owner_name ?? null,
  dueDate: day(r.due_date),
  status: r.status,
  priority: r.priority,
  confidence: numOrNull(r.confidence),
  evidenceSegmentIds: ids(r.evidence_segment_ids),
  source: r.source,
  createdAt: date(r.created_at),
  updatedAt: date(r.updated_at),
});

export const toDecision = (r: Row): Decision => ({
  id: r.id,
  meetingId: r.meeting_id,
  text: r.text,
  evidenceSegmentIds: ids(r.evidence_segment_ids),
  confidence: numOrNull(r.confidence),
  source: r.source,
  createdAt: date(r.created_at),
});

export const toNote = (r: Row): MeetingNote => ({
  id: r.id,
  meetingId: r.meeting_id,
  kind: r.kind,
  text: r.text,
  evidenceSegmentIds: ids(r.evidence_segment_ids),
  confidence: numOrNull(r.confidence),
  resolved: Boolean(r.resolved),
  source: r.source,
  createdAt: date(r.created_at),
});

export const toSummary = (r: Row): Summary => ({
  id: r.id,
  meetingId: r.meeting_id,
  kind: r.kind,
  text: r.text,
  provider: r.provider ?? null,
  model: r.model ?? null,
  version: num(r.version),
  createdAt: date(r.created_at),
});

export { num };
