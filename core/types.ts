/** Domain types shared by the core, the adapters and the dashboard. */

export const PLATFORMS = ['discord', 'slack', 'teams', 'import', 'web', 'ingest'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const MEETING_STATUSES = ['scheduled', 'in_progress', 'completed', 'cancelled'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const CONSENT_STATES = ['unknown', 'granted', 'opted_out'] as const;
export type Consent = (typeof CONSENT_STATES)[number];

export const USER_ROLES = ['admin', 'member', 'guest'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const ACTION_STATUSES = ['pending', 'in_progress', 'completed', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface Organization {
  id: string;
  name: string;
  settings: Record<string, unknown>;
  createdAt: Date;
}

export interface User {
  id: string;
  organizationId: string;
  displayName: string;
  email: string | null;
  role: UserRole;
}

/** Platform-specific ids of a meeting (guild/channel/thread, Teams meeting id, ...). */
export type ExternalIds = Record<string, string>;

export interface Meeting {
  id: string;
  organizationId: string;
  platform: Platform;
  externalIds: ExternalIds;
  title: string;
  status: MeetingStatus;
  scheduledAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  /** When the retention purge removed its transcript, minutes and audio (the row stays so links explain it). */
  purgedAt: Date | null;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface Attendee {
  id: string;
  meetingId: string;
  userId: string | null;
  /** The label segments use for this person (platform display name or "Speaker 1"). */
  displayName: string;
  consent: Consent;
  talkTimeMs: number;
}

/** A segment as an adapter or importer hands it to the core. */
export interface SegmentInput {
  speaker: string;
  startMs: number;
  endMs: number;
  text: string;
  confidence?: number | null;
  /** Where the words came from: `import:vtt`, `discord`, `asr:whisper-1`, ... */
  source?: string;
  /**
   * The producer's own sequence number for this segment; a segment re-sent with
   * the same (source, sourceSeq) is not stored twice.
   */
  sourceSeq?: number | null;
  language?: string | null;
}

export interface Segment {
  id: number;
  meetingId: string;
  attendeeId: string | null;
  speaker: string;
  startMs: number;
  endMs: number;
  text: string;
  confidence: number | null;
  source: string;
  sourceSeq: number;
  language: string | null;
}

export interface ActionItem {
  id: string;
  meetingId: string;
  description: string;
  ownerAttendeeId: string | null;
  ownerUserId: string | null;
  ownerName: string | null;
  dueDate: string | null;
  status: ActionStatus;
  priority: Priority;
  confidence: number | null;
  evidenceSegmentIds: number[];
  source: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface Decision {
  id: string;
  meetingId: string;
  text: string;
  evidenceSegmentIds: number[];
  confidence: number | null;
  source: string;
  createdAt: Date;
}

export const NOTE_KINDS = ['question', 'blocker'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

/** Open questions and blockers/risks share one shape. */
export interface MeetingNote {
  id: string;
  meetingId: string;
  kind: NoteKind;
  text: string;
  evidenceSegmentIds: number[];
  confidence: number | null;
  resolved: boolean;
  source: string;
  createdAt: Date;
}

export interface Summary {
  id: string;
  meetingId: string;
  kind: string;
  text: string;
  provider: string | null;
  model: string | null;
  version: number;
  createdAt: Date;
}

/** Everything known about one meeting: what exporters and the dashboard render. */
export interface MeetingBundle {
  meeting: Meeting;
  attendees: Attendee[];
  segments: Segment[];
  actionItems: ActionItem[];
  decisions: Decision[];
  notes: MeetingNote[];
  summaries: Summary[];
}

/** A parsed transcript file, before it becomes a meeting. */
export interface ParsedTranscript {
  format: TranscriptFormat;
  title?: string;
  language?: string;
  startedAt?: Date;
  segments: SegmentInput[];
}

export const TRANSCRIPT_FORMATS = ['vtt', 'srt', 'json', 'text'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

export const EXPORT_FORMATS = ['md', 'json', 'vtt', 'srt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
