import { createRequire } from 'node:module';
import webvtt, { type VttCue, type VttError, type VttNode } from 'webvtt-parser';
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

// The parser's built-in entity table only has semicolon-less keys and turns "&amp;"
// into "&;", so it must be given the full HTML table it ships with.
const entities = createRequire(import.meta.url)('webvtt-parser/html-entities.json') as Record<string, string>;

/**
 * Parser errors that mean cues were lost or misread. Everything else (header
 * lines such as YouTube's "Kind: captions", unknown cue settings, out-of-order
 * cues, a missing blank line) still yields the right cues, so it is tolerated.
 */
const FATAL_ERRORS = [
  /^No valid signature/,
  /^No timestamp found/,
  /^Timestamp must start/,
  /^No time unit separator/,
  /^Must be exactly two digits/,
  /^No seconds found/,
  /^No decimal separator/,
  /^Milliseconds must be/,
  /^You cannot have more than 59/,
  /^No valid timestamp separator/,
  /^Cue identifier cannot be standalone/,
  /^Cue identifier needs to be followed by timestamp/,
];

export function parseVtt(text: string): ParsedTranscript {
  // "metadata" mode skips cue-text markup errors: those carry no usable line number
  // and unknown tags are simply dropped from the text anyway.
  const result = new webvtt.WebVTTParser(entities).parse(text, 'metadata');
  const lines = splitLines(text);
  const fatal = result.errors.find((e) => isFatal(e, lines));
  if (fatal) throw vttError(fatal, lines);

  const out = new SegmentCollector('vtt');
  for (const cue of result.cues) addCue(out, cue);
  if (out.segments.length === 0) throw emptyTranscript('vtt');
  const language = headerValue(lines, 'language');
  return { format: 'vtt', segments: out.segments, ...(language ? { language } : {}) };
}

function isFatal(err: VttError, lines: string[]): boolean {
  if (err.message.startsWith('End timestamp is not greater')) {
    // The parser also rejects end == start, but a zero-length cue is harmless (our
    // own exports contain them for one-word segments); only end < start loses meaning.
    return endBeforeStart(lines[err.line - 1] ?? '');
  }
  return FATAL_ERRORS.some((re) => re.test(err.message));
}

function vttError(err: VttError, lines: string[]) {
  // For a lone cue identifier the parser points at the blank line after it.
  const line = err.message.startsWith('Cue identifier cannot be standalone') ? Math.max(1, err.line - 1) : err.line;
  const message = err.message.startsWith('End timestamp')
    ? 'the cue ends before it starts'
    : err.message.replace(/\.$/, '');
  const shown = (lines[line - 1] ?? '').trim().slice(0, 80);
  return malformed('vtt', line, shown ? `${message} ("${shown}")` : message, { parserMessage: err.message });
}

const TIMESTAMP = /(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})/g;

function endBeforeStart(line: string): boolean {
  const ms = [...line.matchAll(TIMESTAMP)].map(
    (m) => ((Number(m[1] ?? 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]),
  );
  return ms.length >= 2 && (ms[1] as number) < (ms[0] as number);
}

function addCue(out: SegmentCollector, cue: VttCue): void {
  const spans = cueSpans(cue.tree.children).filter((s) => s.text.trim() !== '');
  const startMs = Math.round(cue.startTime * 1000);
  const endMs = Math.round(cue.endTime * 1000);
  const times = shareTime(startMs, endMs, spans.map((s) => s.text));
  spans.forEach((span, i) => {
    const [s, e] = times[i] as [number, number];
    out.add(span.speaker, s, e, span.text);
  });
}

/**
 * One span per `<v>` element. Teams often leaves `<v>` unclosed on each line of a
 * cue, which the parser nests; a nested voice still starts its own span.
 */
function cueSpans(nodes: VttNode[]): Span[] {
  const spans: Span[] = [];
  let unvoiced = '';
  const flushUnvoiced = () => {
    spans.push(...spansFromUnvoicedText(unvoiced));
    unvoiced = '';
  };
  const walk = (list: VttNode[], voice: Span | null): void => {
    for (const node of list) {
      if (node.type === 'text') {
        if (voice) voice.text += String(node.value ?? '');
        else unvoiced += String(node.value ?? '');
      } else if (node.type === 'object' && node.name === 'v') {
        if (!voice) flushUnvoiced();
        const span: Span = { speaker: decodeEntities(String(node.value ?? '')).trim() || null, text: '' };
        spans.push(span);
        walk(node.children ?? [], span);
      } else if (node.type === 'object') {
        walk(node.children ?? [], voice);
      }
    }
  };
  walk(nodes, null);
  flushUnvoiced();
  return spans;
}

/** Reads `Name: value` lines between the WEBVTT signature and the first blank line. */
function headerValue(lines: string[], name: string): string | undefined {
  for (let i = 1; i < lines.length && (lines[i] ?? '').trim() !== ''; i++) {
    const m = /^([\w-]+)\s*:\s*(.+)$/.exec((lines[i] ?? '').trim());
    if (m && m[1]?.toLowerCase() === name) return m[2]?.trim();
  }
  return undefined;
}
