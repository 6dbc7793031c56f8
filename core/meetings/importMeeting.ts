import { MinutesError } from '../errors.ts';
import type { Stores } from '../store/index.ts';
import type { ExternalIds, Meeting, ParsedTranscript, Platform } from '../types.ts';
import { validateSegments } from './segments.ts';

export interface ImportOptions {
  organizationId: string;
  transcript: ParsedTranscript;
  title?: string;
  platform?: Platform;
  externalIds?: ExternalIds;
  /** When the meeting began; defaults to the transcript's own date, else now minus its length. */
  startedAt?: Date;
  /** Called after each stored batch, for progress bars. */
  onProgress?: (stored: number, total: number) => void;
  batchSize?: number;
}

export interface ImportResult {
  meeting: Meeting;
  segmentCount: number;
}

/**
 * Runs inside the caller's transaction: a failure at any batch rolls back the
 * meeting row too, so a bad file never leaves a half-imported meeting.
 */
export async function importIntoStores(stores: Stores, options: ImportOptions, now: Date): Promise<ImportResult> {
  const { transcript } = options;
  if (transcript.segments.length === 0) throw new MinutesError('IMPORT_EMPTY', 'The transcript has no segments');
  const segments = validateSegments(transcript.segments, `import:${transcript.format}`);
  const durationMs = segments.reduce((max, s) => Math.max(max, s.endMs), 0);
  const startedAt = options.startedAt ?? transcript.startedAt ?? new Date(now.getTime() - durationMs);
  const title = (options.title ?? transcript.title ?? `Imported transcript ${startedAt.toISOString().slice(0, 16).replace('T', ' ')}`).trim();
  const meeting = await stores.meetings.insert({
    organizationId: options.organizationId,
    platform: options.platform ?? 'import',
    title,
    externalIds: options.externalIds ?? {},
    status: 'completed',
    startedAt,
    endedAt: new Date(startedAt.getTime() + durationMs),
    settings: transcript.language ? { language: transcript.language } : {},
  });
  const attendees = await stores.attendees.ensure(meeting.id, segments.map((s) => s.speaker));
  const attendeeIds = new Map(attendees.map((a) => [a.displayName, a.id]));
  const batchSize = options.batchSize ?? 1000;
  let stored = 0;
  for (let i = 0; i < segments.length; i += batchSize) {
    const batch = segments.slice(i, i + batchSize).map((s) => ({ ...s, attendeeId: attendeeIds.get(s.speaker) ?? null }));
    stored += (await stores.transcripts.append(meeting.id, batch)).length;
    options.onProgress?.(Math.min(i + batchSize, segments.length), segments.length);
  }
  return { meeting, segmentCount: stored };
}
