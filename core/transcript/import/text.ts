import type { ParsedTranscript } from '../../types.ts';
import {
  SegmentCollector,
  UNKNOWN_SPEAKER,
  emptyTranscript,
  estimateDurationMs,
  malformed,
  splitLines,
  splitSpeakerPrefix,
} from './common.ts';

interface Draft {
  line: number;
  speaker: string;
  startMs: number | undefined;
  parts: string[];
}

const TS = String.raw`(\d{1,3}(?::\d{2}){1,2}(?:[.,]\d{1,3})?)`;
const BRACKETED = new RegExp(String.raw`^(?:\[${TS}\]|\(${TS}\))\s*(?:[-–|]\s*)?(.*)$`);
const BARE = new RegExp(String.raw`^${TS}\s+(?:[-–|]\s*)?(.*)$`);

export function parsePlainText(text: string): ParsedTranscript {
  const drafts = readDrafts(splitLines(text)).filter((d) => d.parts.join(' ').trim() !== '');
  checkMonotonic(drafts);
  const out = new SegmentCollector('text');
  assignTimes(drafts, (d, startMs, endMs) => out.add(d.speaker, startMs, endMs, d.parts.join(' ')));
  if (out.segments.length === 0) throw emptyTranscript('text');
  return { format: 'text', segments: out.segments };
}

function readDrafts(lines: string[]): Draft[] {
  const drafts: Draft[] = [];
  lines.forEach((raw, idx) => {
    const line = raw.trim();
    if (line === '') return;
    const { startMs, rest } = splitTimestamp(line);
    const prefix = splitSpeakerPrefix(rest);
    const current = drafts[drafts.length - 1];
    if (prefix || startMs !== undefined || !current) {
      drafts.push({
        line: idx + 1,
        speaker: prefix?.speaker ?? current?.speaker ?? UNKNOWN_SPEAKER,
        startMs,
        parts: [prefix ? prefix.text : rest],
      });
    } else {
      current.parts.push(rest);
    }
  });
  return drafts;
}

/**
 * A bare leading time ("12:03 Alice: hi") only counts when a speaker follows it,
 * so a continuation line such as "10:30 works for me" stays text.
 */
function splitTimestamp(line: string): { startMs: number | undefined; rest: string } {
  const b = BRACKETED.exec(line);
  if (b) return { startMs: clockToMs((b[1] ?? b[2]) as string), rest: b[3] ?? '' };
  const m = BARE.exec(line);
  if (m && splitSpeakerPrefix(m[2] ?? '')) return { startMs: clockToMs(m[1] as string), rest: m[2] ?? '' };
  return { startMs: undefined, rest: line };
}

/** "1:02" is minutes:seconds, "1:02:03" hours:minutes:seconds. */
function clockToMs(clock: string): number {
  const [whole, frac = ''] = clock.split(/[.,]/) as [string, string?];
  const seconds = whole.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return seconds * 1000 + Number(frac.padEnd(3, '0'));
}

function checkMonotonic(drafts: Draft[]): void {
  let previous = -1;
  for (const d of drafts) {
    if (d.startMs === undefined) continue;
    if (d.startMs < previous) throw malformed('text', d.line, 'this timestamp is earlier than the one before it');
    previous = d.startMs;
  }
}

/**
 * Lines with a timestamp keep it; the others follow on from the previous segment at
 * ~150 words/min, but never run past the next stated timestamp, so times stay monotonic.
 */
function assignTimes(drafts: Draft[], emit: (d: Draft, startMs: number, endMs: number) => void): void {
  const nextStated: Array<number | undefined> = new Array(drafts.length);
  let upcoming: number | undefined;
  for (let i = drafts.length - 1; i >= 0; i--) {
    nextStated[i] = upcoming;
    upcoming = drafts[i]?.startMs ?? upcoming;
  }
  let cursor = 0;
  drafts.forEach((d, i) => {
    const limit = nextStated[i] ?? Infinity;
    const startMs = d.startMs ?? Math.min(cursor, limit);
    const endMs = Math.max(startMs, Math.min(startMs + estimateDurationMs(d.parts.join(' ')), limit));
    emit(d, startMs, endMs);
    cursor = endMs;
  });
}
