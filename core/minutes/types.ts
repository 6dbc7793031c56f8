import type { Attendee, Meeting, Priority, Segment } from '../types.ts';

/**
 * The minutes of one meeting, whoever wrote them (the offline analyzer or an
 * LLM). Every item cites the transcript segments it comes from; an owner is
 * always one of the meeting's attendees.
 */
export interface MinutesInput {
  meeting: Pick<Meeting, 'id' | 'title' | 'startedAt'> & Partial<Meeting>;
  attendees: Pick<Attendee, 'id' | 'displayName'>[];
  /** In time order. `id` is what evidence cites. */
  segments: Pick<Segment, 'id' | 'speaker' | 'startMs' | 'endMs' | 'text'>[];
}

export interface SummarySection {
  title: string;
  text: string;
  evidenceSegmentIds: number[];
}

export interface ExtractedActionItem {
  text: string;
  /** An attendee of this meeting, or null when nobody was named or inferred. */
  ownerAttendeeId: string | null;
  ownerName: string | null;
  /** Calendar day `YYYY-MM-DD`, resolved relative to the meeting date. */
  dueDate: string | null;
  priority: Priority;
  confidence: number;
  evidenceSegmentIds: number[];
}

export interface ExtractedDecision {
  text: string;
  confidence: number;
  evidenceSegmentIds: number[];
}

export interface ExtractedNote {
  text: string;
  confidence: number;
  evidenceSegmentIds: number[];
}

export interface MinutesProvenance {
  /** `offline`, or `llm` when a provider wrote them. */
  analyzer: 'offline' | 'llm';
  provider?: string;
  model?: string;
  /** Set when the LLM path failed and the offline analyzer's minutes were used instead. */
  fallbackReason?: string;
  /** Parts of a long meeting that could not be analysed, and why. */
  failedParts?: { part: string; reason: string }[];
  durationMs?: number;
}

export interface Minutes {
  summary: { abstract: string; sections: SummarySection[] };
  actionItems: ExtractedActionItem[];
  decisions: ExtractedDecision[];
  questions: ExtractedNote[];
  blockers: ExtractedNote[];
  provenance: MinutesProvenance;
}

export interface AnalyzeOptions {
  signal?: AbortSignal;
}

/** transcript → minutes. Implementations: offline (no network), LLM orchestrator. */
export interface Analyzer {
  readonly name: string;
  analyze(input: MinutesInput, options?: AnalyzeOptions): Promise<Minutes>;
}

export type InsightKind = 'action_item' | 'decision' | 'question' | 'blocker';

/** One thing the live copilot noticed, emitted at most once per meeting. */
export interface Insight {
  kind: InsightKind;
  /** Stable dedup key: the same insight seen again in a later window has the same key. */
  key: string;
  text: string;
  ownerAttendeeId?: string | null;
  ownerName?: string | null;
  dueDate?: string | null;
  confidence: number;
  evidenceSegmentIds: number[];
}

/**
 * Fed segments as they arrive; returns only insights not emitted before for
 * this meeting. One instance per meeting.
 */
export interface LiveAnalyzer {
  push(segments: MinutesInput['segments']): Promise<Insight[]>;
}
