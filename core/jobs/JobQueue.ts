import type { Logger } from '../logger.ts';
import type { ExportFormat, Platform } from '../types.ts';

/**
 * Background work that must survive a crash: summaries, file transcription,
 * Teams transcript fetches, exports, notifications. Two implementations share
 * this interface and one contract suite (jobQueue.contract.ts): BullMQ on
 * Redis (adapters/redis/BullJobQueue.ts, durable) and InProcessJobQueue
 * (memory only, for a single process without Redis).
 *
 * Delivery is at least once: a job whose worker died is run again, so
 * handlers must be idempotent (check "already done" before acting, write with
 * upserts or a unique key). That, plus jobId de-duplication on enqueue, is how
 * a job is "never done twice in effect".
 */

export interface JobOptions {
  /** De-duplication key, unique per job name: while a job with this id is queued, active, completed (kept ~24 h) or dead, enqueue adds nothing. */
  jobId?: string;
  /** Total runs before the job is dead (default 5). */
  attempts?: number;
  /** First retry delay; doubles each time (default 1000 ms: 1 s, 2 s, 4 s...). */
  backoffMs?: number;
  /** Run no sooner than this many ms from now. */
  delayMs?: number;
}

export interface JobContext {
  id: string;
  name: string;
  /** 1-based: 1 on the first run, 2 on the first retry... */
  attempt: number;
  /** Aborted when the queue is closed before the handler finished (the job will run again elsewhere). */
  signal: AbortSignal;
  log: Logger;
}

export type JobHandler<T = unknown> = (data: T, ctx: JobContext) => Promise<unknown>;

export interface JobCounts {
  waiting: number;
  active: number;
  delayed: number;
  /** Dead letters currently kept. */
  failed: number;
  /** Completed jobs currently kept for de-duplication. */
  completed: number;
}

/** A job that used up its attempts (or threw UnrecoverableJobError). */
export interface DeadJob {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  error: string;
  failedAt: Date;
}

export type JobEvent = {
  type: 'failed' | 'dead' | 'completed';
  name: string;
  id: string;
  attempt: number;
  error?: string;
  durationMs?: number;
};

export interface JobQueue {
  readonly kind: 'in-process' | 'bullmq';
  /** Adds a job; with a jobId already queued/active/completed-and-kept, nothing is added and duplicate is true. */
  enqueue<T>(name: string, data: T, options?: JobOptions): Promise<{ id: string; duplicate: boolean }>;
  /** Registers the handler of a job name; processing starts with start(). Only worker processes call this. */
  handle<T>(name: string, handler: JobHandler<T>, options?: { concurrency?: number }): void;
  start(): Promise<void>;
  counts(): Promise<JobCounts>;
  /** Newest first. */
  deadLetters(limit?: number): Promise<DeadJob[]>;
  /** Moves a dead job back to waiting with its attempts reset; false if unknown. */
  retryDead(id: string): Promise<boolean>;
  /** Resolves once nothing is waiting/active/delayed (tests, graceful shutdown of a worker); false on timeout. */
  drained(timeoutMs?: number): Promise<boolean>;
  /** For /ready: rejects when the backend is unreachable. */
  ping(): Promise<void>;
  /** Stops taking jobs, waits up to timeoutMs for active ones, closes connections. */
  close(timeoutMs?: number): Promise<void>;
  /** Observers for metrics: called on each failed attempt, on each dead job (after its last 'failed') and on completion. */
  onEvent(listener: (e: JobEvent) => void): () => void;
}

export const DEFAULT_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_MS = 1_000;

/** Thrown by a handler when another try cannot help (the meeting is gone, the input is invalid): the job goes straight to dead letters. */
export class UnrecoverableJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnrecoverableJobError';
  }
}

/** By name as well as class: an error may cross a module copy or a process boundary. */
export function isUnrecoverable(err: unknown): boolean {
  return err instanceof UnrecoverableJobError || (err instanceof Error && (err.name === 'UnrecoverableJobError' || err.name === 'UnrecoverableError'));
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/** Delay before retry number `retry` (1 = the first retry): backoffMs, 2×, 4×... */
export function backoffDelay(backoffMs: number, retry: number): number {
  return backoffMs * 2 ** Math.max(0, retry - 1);
}

export const JOB_NAMES = {
  minutesGenerate: 'minutes.generate',
  transcribeFile: 'transcribe.file',
  teamsTranscript: 'teams.transcript',
  exportMeeting: 'export.meeting',
  notifySend: 'notify.send',
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];
export const ALL_JOB_NAMES: readonly JobName[] = Object.values(JOB_NAMES);

/** Payloads carry ids, not content: a job re-reads the current state when it runs (and a retry sees fresh data). */
export interface MinutesGenerateJob {
  meetingId: string;
  organizationId?: string;
}

/** A file shared with a bot (a recording or a transcript): fetched from the platform again when the job runs. */
export interface TranscribeFileJob {
  source: 'slack';
  teamId: string;
  fileId: string;
  channelId: string;
  userId: string;
  organizationId?: string;
}

export interface TeamsTranscriptJob {
  meetingId: string;
  organizationId?: string;
  organizerId: string;
  onlineMeetingId: string;
}

export interface ExportMeetingJob {
  meetingId: string;
  organizationId?: string;
  format: ExportFormat;
  /** Where the export goes: a channel post, or a file path. */
  destination?: { platform: Platform; target: string } | { path: string };
}

/** A message to deliver to a platform: today, a meeting's minutes to the Slack channels that follow its organization. */
export interface NotifySendJob {
  kind: 'slack.minutes';
  meetingId: string;
  organizationId?: string;
}

export interface JobPayloads {
  'minutes.generate': MinutesGenerateJob;
  'transcribe.file': TranscribeFileJob;
  'teams.transcript': TeamsTranscriptJob;
  'export.meeting': ExportMeetingJob;
  'notify.send': NotifySendJob;
}

/** Tells every listener; one that throws is logged and never stops the others or the queue. */
export function emitJobEvent(listeners: Iterable<(e: JobEvent) => void>, event: JobEvent, log: Logger): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (err) {
      log.warn({ err }, 'jobs: an event listener threw');
    }
  }
}
