import type { ParsedTranscript } from '../../types.ts';
import {
  SegmentCollector,
  decodeEntities,
  emptyTranscript,
  malformed,
  shareTime,
  splitLines,
  spansFromUnvoicedText,
  type Span,
} from './common.ts';

const TIME = String.raw`(\d{1,3}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})`;
// Anything after the end time (SubRip position hints like "X1:40 X2:600") is ignored.
const TIMING = new RegExp(String.raw`^${TIME}\s*-->\s*${TIME}(?:\s.*)?$`);

interface Cue {
  line: number;
  startMs: number;
  endMs: number;
  textLines: string[];
}

export function parseSrt(text: string): ParsedTranscript {
  const out = new SegmentCollector('srt');
  for (const cue of readCues(splitLines(text))) addCue(out, cue);
  if (out.segments.length === 0) throw emptyTranscript('srt');
  return { format: 'srt', segments: out.segments };
}

const isBlank = (line: string | undefined) => line === undefined || line.trim() === '';

function readCues(lines: string[]): Cue[] {
  const cues: Cue[] = [];
  let i = 0;
  for (;;) {
    while (i < lines.length && isBlank(lines[i])) i++;
    if (i >= lines.length) return cues;
    const head = (lines[i] as string).trim();
    // The cue number is optional in practice: some tools write only timings.
    if (/^\d+$/.test(head)) {
      i++;
      if (isBlank(lines[i])) throw malformed('srt', i + 1, `cue ${head} has no timing line`);
    } else if (!head.includes('-->')) {
      throw malformed('srt', i + 1, `expected a cue number or a timing line, found "${head.slice(0, 80)}"`);
    }
    const timingLine = i + 1;
    const { startMs, endMs } = parseTiming((lines[i] as string).trim(), timingLine);
    i++;
    const textLines: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && !startsNextCue(lines, i)) textLines.push((lines[i++] as string).trim());
    cues.push({ line: timingLine, startMs, endMs, textLines });
  }
}

/** Tolerates a missing blank line before the next cue. */
function startsNextCue(lines: string[], i: number): boolean {
  const line = (lines[i] as string).trim();
  if (TIMING.test(line)) return true;
  return /^\d+$/.test(line) && TIMING.test((lines[i + 1] ?? '').trim());
}

function parseTiming(line: string, lineNo: number): { startMs: number; endMs: number } {
  const m = TIMING.exec(line);
  if (!m) {
    throw malformed('srt', lineNo, `expected "HH:MM:SS,mmm --> HH:MM:SS,mmm", found "${line.slice(0, 80)}"`);
  }
  const startMs = toMs(m.slice(1, 5), lineNo);
  const endMs = toMs(m.slice(5, 9), lineNo);
  if (endMs < startMs) throw malformed('srt', lineNo, 'the cue ends before it starts');
  return { startMs, endMs };
}

function toMs(parts: Array<string | undefined>, lineNo: number): number {
  const [h, m, s, frac] = parts.map((p) => p ?? '0') as [string, string, string, string];
  if (Number(m) > 59 || Number(s) > 59) throw malformed('srt', lineNo, 'minutes and seconds must be 0-59');
  // "1,5" means half a second, so the fraction is padded on the right.
  const ms = Number(frac.padEnd(3, '0'));
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + ms;
}

function addCue(out: SegmentCollector, cue: Cue): void {
  const spans = cueSpans(cue.textLines.join('\n')).filter((s) => s.text.trim() !== '');
  const times = shareTime(cue.startMs, cue.endMs, spans.map((s) => s.text));
  spans.forEach((span, i) => {
    const [s, e] = times[i] as [number, number];
    out.add(span.speaker, s, e, span.text);
  });
}

const VOICE_TAG = /<v(?:\.[^\s>]*)*\s+([^>]*)>/g;
// Only formatting tags subtitle tools write are removed, so a literal "<3" or
// "<script>" said in a meeting survives as text.
const FORMAT_TAGS = /<\/?(?:i|b|u|c|lang|ruby|rt|font)(?:[.\s][^>]*)?>|<\/v>|<\d+:\d{2}(?::\d{2})?[.,]\d{3}>|\{\\[^}]*\}/gi;

function cueSpans(text: string): Span[] {
  const spans: Span[] = [];
  let last = 0;
  let speaker: string | null = null;
  for (const m of text.matchAll(VOICE_TAG)) {
    pushSpan(spans, speaker, text.slice(last, m.index));
    speaker = decodeEntities(m[1] ?? '').trim() || null;
    last = m.index + m[0].length;
    spans.push({ speaker, text: '' });
  }
  pushSpan(spans, speaker, text.slice(last));
  return spans;
}

function pushSpan(spans: Span[], speaker: string | null, raw: string): void {
  const text = decodeEntities(raw.replace(FORMAT_TAGS, ''));
  const open = spans[spans.length - 1];
  if (speaker !== null && open) open.text += text;
  else spans.push(...spansFromUnvoicedText(text));
}
