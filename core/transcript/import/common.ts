import { ErrorCodes, MinutesError } from '../../errors.ts';
import type { SegmentInput, TranscriptFormat } from '../../types.ts';

export const UNKNOWN_SPEAKER = 'Unknown';

/** Roughly 150 spoken words per minute, used wherever a file carries no times. */
export const MS_PER_WORD = 400;

const FORMAT_LABELS: Record<TranscriptFormat, string> = {
  vtt: 'WebVTT',
  srt: 'SRT',
  json: 'JSON',
  text: 'text',
};

export function malformed(
  format: TranscriptFormat,
  line: number,
  message: string,
  extra: Record<string, unknown> = {},
  cause?: unknown,
): MinutesError {
  return new MinutesError(
    ErrorCodes.IMPORT_MALFORMED,
    `Malformed ${FORMAT_LABELS[format]} transcript at line ${line}: ${message}`,
    { details: { format, line, ...extra }, ...(cause === undefined ? {} : { cause }) },
  );
}

export function emptyTranscript(format: TranscriptFormat, why = 'it contains no speech segments'): MinutesError {
  return new MinutesError(ErrorCodes.IMPORT_EMPTY, `The ${FORMAT_LABELS[format]} transcript is empty: ${why}.`, {
    details: { format },
  });
}

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** 1-based line number of a UTF-16 offset into `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    // CRLF counts once: only the LF (or a lone CR) ends a line.
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  }
  return line;
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function wordCount(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

export function estimateDurationMs(text: string): number {
  return Math.max(1, wordCount(text)) * MS_PER_WORD;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes the handful of entities caption writers actually emit; unknown ones stay literal. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

// A name starts with a letter, has at most six words and no colon; the colon must be
// followed by whitespace so clock times ("10:30") and URLs ("https://") never match.
const SPEAKER_PREFIX = /^(\p{L}[\p{L}\p{M}\p{N}.'’_@()-]*(?: [\p{L}\p{M}\p{N}.'’_@()-]+){0,5}):(?:\s+(.*))?$/u;

/** Splits `Name: text` into its parts; `text` may be empty ("Alice:" on a line of its own). */
export function splitSpeakerPrefix(line: string): { speaker: string; text: string } | undefined {
  const m = SPEAKER_PREFIX.exec(line.trim());
  if (!m || !m[1]) return undefined;
  return { speaker: m[1], text: m[2] ?? '' };
}

/** True when `name` would be read back as a speaker by `splitSpeakerPrefix`. */
export function isPrefixableSpeaker(name: string): boolean {
  return splitSpeakerPrefix(`${name}: x`)?.speaker === name;
}

export interface Span {
  /** `null` when no voice tag or prefix named anyone. */
  speaker: string | null;
  text: string;
}

/**
 * Text that no voice tag claims: each `Name:` line starts a new span, other lines
 * continue the current one (Zoom puts one "Name: text" per cue, but dialogue
 * cues with two prefixed lines exist).
 */
export function spansFromUnvoicedText(text: string): Span[] {
  const spans: Span[] = [];
  for (const line of splitLines(text)) {
    const prefix = splitSpeakerPrefix(line);
    const last = spans[spans.length - 1];
    if (prefix) spans.push({ speaker: prefix.speaker, text: prefix.text });
    else if (last) last.text += `\n${line}`;
    else spans.push({ speaker: null, text: line });
  }
  return spans;
}

/**
 * Shares one cue's time between its spans in proportion to their word counts, so
 * talk time is not counted twice when a cue holds two speakers.
 */
export function shareTime(startMs: number, endMs: number, texts: string[]): Array<[number, number]> {
  const weights = texts.map((t) => Math.max(1, wordCount(t)));
  const total = weights.reduce((a, b) => a + b, 0);
  const out: Array<[number, number]> = [];
  let used = 0;
  let cursor = startMs;
  for (const w of weights) {
    used += w;
    const end = startMs + Math.round(((endMs - startMs) * used) / total);
    out.push([cursor, end]);
    cursor = end;
  }
  return out;
}

/** Builds the final segment list: trims, drops empty text, numbers segments in file order. */
export class SegmentCollector {
  readonly segments: SegmentInput[] = [];
  constructor(private readonly format: TranscriptFormat) {}

  add(speaker: string | null, startMs: number, endMs: number, text: string, extra: Partial<SegmentInput> = {}): void {
    const clean = collapseWhitespace(text);
    if (clean === '') return;
    this.segments.push({
      ...extra,
      speaker: speaker?.trim() || UNKNOWN_SPEAKER,
      startMs: Math.round(startMs),
      endMs: Math.round(endMs),
      text: clean,
      source: `import:${this.format}`,
      sourceSeq: this.segments.length,
    });
  }
}
