import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { MinutesInput } from '../../core/minutes/types.ts';

/**
 * Reads meetings in the shared corpus JSON format (../shared/data/README.md)
 * and turns each into the analyzer's input.
 */

export interface GoldItem {
  text: string;
  evidence: number[];
}

export interface CorpusMeeting {
  id: string;
  source: string;
  segments: { i: number; speaker: string; start?: number | null; end?: number | null; text: string }[];
  gold: {
    abstract?: string;
    general_summary?: string;
    actions?: GoldItem[];
    decisions?: GoldItem[];
    problems?: GoldItem[];
  };
}

/** A fixed Monday, so relative due dates are reproducible across runs. */
export const EVAL_MEETING_START = new Date('2024-01-08T09:00:00Z');

export function listMeetingFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`no such directory: ${dir}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

export function readMeeting(path: string): CorpusMeeting {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as CorpusMeeting;
  return { ...raw, id: raw.id ?? basename(path, '.json') };
}

export function loadMeetings(dir: string, limit = Infinity): CorpusMeeting[] {
  return listMeetingFiles(dir).slice(0, limit).map(readMeeting);
}

/** Segment id = corpus index `i`; one attendee per speaker label; times from seconds, else from position. */
export function toMinutesInput(m: CorpusMeeting): MinutesInput {
  const speakers = [...new Set(m.segments.map((s) => s.speaker))].sort();
  let lastMs = 0;
  const segments = m.segments.map((s) => {
    const startMs = s.start != null ? Math.round(s.start * 1000) : lastMs;
    const endMs = s.end != null ? Math.round(s.end * 1000) : startMs;
    lastMs = Math.max(lastMs, endMs);
    return { id: s.i, speaker: s.speaker, startMs, endMs, text: s.text };
  });
  return {
    meeting: { id: m.id, title: m.id, startedAt: EVAL_MEETING_START },
    attendees: speakers.map((name) => ({ id: `${m.id}:${name}`, displayName: name })),
    segments,
  };
}

/** Meeting series: the four meetings ES2002a–d of one team share "ES2002". */
export function seriesOf(id: string): string {
  return id.replace(/[a-d]$/, '');
}

export function referenceSummary(m: CorpusMeeting): string | null {
  return m.gold.abstract ?? m.gold.general_summary ?? null;
}
