import { z } from 'zod';
import { segmentInputSchema } from '../../core/meetings/segments.ts';
import { ACTION_STATUSES, EXPORT_FORMATS, MEETING_STATUSES, NOTE_KINDS, PLATFORMS, PRIORITIES } from '../../core/types.ts';

/**
 * The API's shapes. Every request and response schema a route uses is
 * registered here under a name, which is its `components/schemas` entry in
 * the OpenAPI document.
 */
export const schemaRegistry = z.registry<{ id: string }>();
/** The same schemas by name, e.g. to check a response against what the document says. */
export const namedSchemas = new Map<string, z.ZodType>();
const named = <S extends z.ZodType>(id: string, schema: S): S => {
  schemaRegistry.add(schema, { id });
  namedSchemas.set(id, schema);
  return schema;
};

const id = z.string().describe('UUID');
const dateTime = z.iso.datetime();
const nullableDateTime = dateTime.nullable();
const day = z.iso.date();
const evidence = z.array(z.number().int()).describe('Transcript segment ids the item is quoted from');
/** Ids in filters and paths: anything not shaped like a UUID cannot name a row. */
const uuidLike = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'not a UUID');
const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const offset = z.coerce.number().int().min(0).max(1_000_000).default(0);

// ---- errors
export const ErrorSchema = named('Error', z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. MEETING_NOT_FOUND, REQUEST_INVALID, REQUEST_TOO_LARGE'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
}));

// ---- domain objects as JSON
export const MeetingSchema = named('Meeting', z.object({
  id, organizationId: id, platform: z.enum(PLATFORMS), externalIds: z.record(z.string(), z.string()), title: z.string(),
  status: z.enum(MEETING_STATUSES), scheduledAt: nullableDateTime, startedAt: nullableDateTime, endedAt: nullableDateTime, purgedAt: nullableDateTime,
  settings: z.record(z.string(), z.unknown()), createdAt: dateTime, updatedAt: dateTime,
}));
export const AttendeeSchema = named('Attendee', z.object({
  id, meetingId: id, userId: id.nullable(), displayName: z.string(), consent: z.enum(['unknown', 'granted', 'opted_out']), talkTimeMs: z.number(),
}));
export const SegmentSchema = named('Segment', z.object({
  id: z.number().int(), meetingId: id, attendeeId: id.nullable(), speaker: z.string(), startMs: z.number().int(), endMs: z.number().int(),
  text: z.string(), confidence: z.number().nullable(), source: z.string(), sourceSeq: z.number(), language: z.string().nullable(),
}));
export const ActionItemSchema = named('ActionItem', z.object({
  id, meetingId: id, description: z.string(), ownerAttendeeId: id.nullable(), ownerUserId: id.nullable(), ownerName: z.string().nullable(),
  dueDate: day.nullable(), status: z.enum(ACTION_STATUSES), priority: z.enum(PRIORITIES), confidence: z.number().nullable(),
  evidenceSegmentIds: evidence, source: z.string(), createdAt: dateTime, updatedAt: dateTime,
}));
export const DecisionSchema = named('Decision', z.object({
  id, meetingId: id, text: z.string(), evidenceSegmentIds: evidence, confidence: z.number().nullable(), source: z.string(), createdAt: dateTime,
}));
export const NoteSchema = named('MeetingNote', z.object({
  id, meetingId: id, kind: z.enum(NOTE_KINDS), text: z.string(), evidenceSegmentIds: evidence, confidence: z.number().nullable(),
  resolved: z.boolean(), source: z.string(), createdAt: dateTime,
}));
export const SummarySchema = named('Summary', z.object({
  id, meetingId: id, kind: z.string(), text: z.string(), provider: z.string().nullable(), model: z.string().nullable(), version: z.number().int(), createdAt: dateTime,
}));

const page = <S extends z.ZodType>(item: S) => z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
export const MeetingPageSchema = named('MeetingPage', page(MeetingSchema));
export const ActionItemPageSchema = named('ActionItemPage', page(ActionItemSchema));
export const MeetingDetailSchema = named('MeetingDetail', z.object({
  meeting: MeetingSchema, attendees: z.array(AttendeeSchema), segmentCount: z.number().int().describe('The transcript itself is paged: GET /api/meetings/{id}/transcript'),
  actionItems: z.array(ActionItemSchema), decisions: z.array(DecisionSchema), notes: z.array(NoteSchema), summaries: z.array(SummarySchema),
}));
export const TranscriptPageSchema = named('TranscriptPage', z.object({
  items: z.array(SegmentSchema), next: z.number().int().nullable().describe('Pass as `after` for the next page; null on the last page'),
}));
export const AppendResultSchema = named('AppendResult', z.object({
  inserted: z.array(SegmentSchema), duplicates: z.number().int(), dropped: z.number().int().describe('Segments of attendees who opted out: never stored'),
}));
export const DecisionListSchema = named('DecisionList', z.object({ items: z.array(DecisionSchema) }));
export const MinutesViewSchema = named('MinutesView', z.object({
  meetingId: id, exists: z.boolean(), provenance: z.record(z.string(), z.unknown()).nullable(), writtenBy: z.string(), abstract: z.string().nullable(),
  topics: z.array(z.object({ title: z.string(), text: z.string(), evidenceSegmentIds: evidence })),
  decisions: z.array(DecisionSchema), actionItems: z.array(ActionItemSchema), questions: z.array(NoteSchema), blockers: z.array(NoteSchema),
}));
export const SearchResultSchema = named('SearchResult', z.object({
  hits: z.array(z.object({
    segment: SegmentSchema, meeting: z.object({ id, title: z.string(), startedAt: nullableDateTime, organizationId: id }), rank: z.number(),
    snippet: z.string().describe('HTML-safe excerpt, matches wrapped in <mark>'),
  })),
  total: z.number().int(), capped: z.boolean(), limit: z.number().int(), offset: z.number().int(),
}));
export const AnswerSchema = named('Answer', z.object({
  question: z.string(), answer: z.string(), mode: z.enum(['offline', 'llm']), provider: z.string().optional(), model: z.string().optional(), reason: z.string().optional(),
  citations: z.array(z.object({ segmentId: z.number().int(), meetingId: id, meetingTitle: z.string(), speaker: z.string(), startMs: z.number().int(), text: z.string() })),
}));
export const OpenApiSchema = named('OpenApiDocument', z.record(z.string(), z.unknown()));

// ---- inputs
export const MeetingParams = z.object({ id: z.string().describe('Meeting id') });
export const ActionItemParams = z.object({ id: z.string().describe('Action item id') });

export const MeetingListQuery = z.object({
  limit: limit(200, 50), offset,
  status: z.enum(MEETING_STATUSES).optional(), platform: z.enum(PLATFORMS).optional(),
  q: z.string().trim().max(200).optional().describe('Case-insensitive substring of the title'),
});
export const CreateMeetingBody = named('CreateMeeting', z.object({
  title: z.string().trim().min(1).max(300), platform: z.enum(PLATFORMS).default('web'), scheduledAt: dateTime.optional(),
}));
export const UpdateMeetingBody = named('UpdateMeeting', z.object({ title: z.string().trim().min(1).max(300) }));
export const CancelMeetingBody = named('CancelMeeting', z.object({ reason: z.string().trim().max(500).optional() }));
export const EmptyBody = named('Empty', z.object({}));

export const TranscriptQuery = z.object({
  after: z.coerce.number().int().min(0).optional().describe('Segment id the previous page ended with (its `next`)'),
  limit: limit(500, 200),
});
export const AppendSegmentsBody = named('AppendSegments', z.object({ segments: z.array(segmentInputSchema).min(1).max(5_000) }));
export const ExportQuery = z.object({ format: z.enum(EXPORT_FORMATS).default('md') });

const statusList = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(z.enum(ACTION_STATUSES)));
export const ActionItemListQuery = z.object({
  limit: limit(200, 50), offset,
  status: statusList.optional().describe(`Comma-separated: ${ACTION_STATUSES.join(', ')}`),
  owner: uuidLike.optional().describe('User id: items assigned to them or to their attendee record'),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('Due before today and still open'),
  meeting: uuidLike.optional().describe('Meeting id'),
});
const actionFields = {
  description: z.string().trim().min(1).max(2_000),
  status: z.enum(ACTION_STATUSES),
  priority: z.enum(PRIORITIES),
  ownerName: z.string().trim().min(1).max(200).nullable(),
  dueDate: day.nullable(),
};
export const CreateActionItemBody = named('CreateActionItem', z.object({
  ...actionFields, status: actionFields.status.default('pending'), priority: actionFields.priority.default('medium'),
  ownerName: actionFields.ownerName.optional(), dueDate: actionFields.dueDate.optional(), evidenceSegmentIds: z.array(z.number().int().min(1)).max(100).default([]),
}));
export const UpdateActionItemBody = named('UpdateActionItem', z.object(actionFields).partial()
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'change at least one field' }));

export const SearchQuerySchema = z.object({
  q: z.string().trim().min(1).max(500).describe('Web-search syntax: "exact phrase", or, -word'),
  meeting: uuidLike.optional(), speaker: z.string().trim().max(200).optional(),
  from: z.iso.datetime({ offset: true }).or(day).optional(), to: z.iso.datetime({ offset: true }).or(day).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1), limit: limit(100, 20),
});
export const AskBody = named('Ask', z.object({
  question: z.string().trim().min(1, 'question is empty').transform((q) => q.slice(0, 2000)),
  meetingId: z.string().min(1).nullish(),
}));

export const IngestTokenBody = named('IngestTokenRequest', z.object({
  ttlMs: z.number().int().min(60_000).max(7 * 24 * 60 * 60 * 1000).optional().describe('Lifetime in ms (default 12 h, at most 7 days)'),
}).strict());
export const IngestTokenSchema = named('IngestToken', z.object({
  token: z.string().describe('Bearer token for the media-ingest socket; shown once'),
  expiresAt: z.string().describe('ISO time'),
  url: z.string().describe('The socket to connect to (docs/media-ingest.md)'),
}));
