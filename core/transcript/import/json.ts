import { z } from 'zod';
import type { ParsedTranscript, SegmentInput } from '../../types.ts';
import { SegmentCollector, emptyTranscript, estimateDurationMs, lineAt, malformed } from './common.ts';
import { jsonSyntaxErrorOffset, jsonValueOffset } from './json-locate.ts';

const ProjectSegment = z
  .object({
    speaker: z.string(),
    startMs: z.number().nonnegative(),
    endMs: z.number().nonnegative(),
    text: z.string(),
    confidence: z.number().nullish(),
    language: z.string().nullish(),
  })
  .refine((s) => s.endMs >= s.startMs, { message: 'endMs is before startMs', path: ['endMs'] });

/** What the JSON exporter writes; only the parts an import can use are checked. */
const ProjectDocument = z.object({
  version: z.literal(1).optional(),
  meeting: z
    .object({
      title: z.string().nullish(),
      startedAt: z.iso.datetime({ offset: true }).nullish(),
      language: z.string().nullish(),
    })
    .nullish(),
  segments: z.array(ProjectSegment),
});

/** The evaluation corpora (AMI, QMSum): times in seconds, absent or null when unknown. */
const CorpusSegment = z
  .object({
    speaker: z.union([z.string(), z.number()]).transform(String),
    start: z.number().nonnegative().nullish(),
    end: z.number().nonnegative().nullish(),
    text: z.string(),
  })
  .refine((s) => s.start == null || s.end == null || s.end >= s.start, {
    message: 'end is before start',
    path: ['end'],
  });
const CorpusDocument = z.object({ id: z.union([z.string(), z.number()]).optional(), segments: z.array(CorpusSegment) });

type CorpusSeg = z.infer<typeof CorpusSegment>;
type PathKey = string | number;

export function parseJsonTranscript(text: string): ParsedTranscript {
  const value = parseSyntax(text);
  const corpus = isCorpusShaped(value);
  const doc = Array.isArray(value) ? { segments: value } : value;
  const schema = corpus ? CorpusDocument : ProjectDocument;
  const result = schema.safeParse(doc);
  if (!result.success) throw schemaError(text, result.error.issues[0], Array.isArray(value));
  const parsed = corpus
    ? fromCorpus(result.data as z.infer<typeof CorpusDocument>)
    : fromProject(result.data as z.infer<typeof ProjectDocument>);
  if (parsed.segments.length === 0) throw emptyTranscript('json');
  return parsed;
}

function parseSyntax(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const fromMessage = /at position (\d+)/.exec(message);
    const offset = fromMessage ? Number(fromMessage[1]) : (jsonSyntaxErrorOffset(text) ?? 0);
    throw malformed('json', lineAt(text, offset), `invalid JSON (${message})`, { offset }, cause);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Corpus segments have `start`/`end`/`i`; project segments have `startMs`/`endMs`. */
function isCorpusShaped(value: unknown): boolean {
  if (isObject(value) && ('version' in value || 'meeting' in value)) return false;
  const list = Array.isArray(value) ? value : isObject(value) ? value.segments : undefined;
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  if (isObject(first)) return !('startMs' in first) && ('start' in first || 'end' in first || 'i' in first);
  return isObject(value) && 'id' in value;
}

function schemaError(text: string, issue: z.ZodError["issues"][number] | undefined, bare: boolean) {
  const rawPath = (issue?.path ?? []).filter((k): k is PathKey => typeof k !== 'symbol');
  // A bare array was wrapped as { segments: [...] } for validation; map the path back.
  const path = bare ? rawPath.slice(1) : rawPath;
  const segmentIndex = bare ? path[0] : path[0] === 'segments' ? path[1] : undefined;
  let offset: number | undefined;
  for (let n = path.length; n >= 0 && offset === undefined; n--) offset = jsonValueOffset(text, path.slice(0, n));
  const line = offset === undefined ? 1 : lineAt(text, offset);
  const where = describePath(path, typeof segmentIndex === 'number' ? segmentIndex : undefined, bare ? 1 : 2);
  const hint = path.length === 0 ? ' (expected an object with a "segments" array, or an array of segments)' : '';
  return malformed('json', line, `${where}: ${issue?.message ?? 'invalid'}${hint}`, {
    path: path.join('.'),
    ...(typeof segmentIndex === 'number' ? { segment: segmentIndex } : {}),
  });
}

function describePath(path: PathKey[], segmentIndex: number | undefined, fieldStart: number): string {
  if (segmentIndex === undefined) return path.length > 0 ? `"${path.join('.')}"` : 'the document';
  const field = path.slice(fieldStart).join('.');
  return field ? `segment ${segmentIndex} field "${field}"` : `segment ${segmentIndex}`;
}

function fromProject(doc: z.infer<typeof ProjectDocument>): ParsedTranscript {
  const out = new SegmentCollector('json');
  for (const s of doc.segments) {
    const extra: Partial<SegmentInput> = {};
    if (s.confidence !== undefined) extra.confidence = s.confidence;
    if (s.language !== undefined) extra.language = s.language;
    out.add(s.speaker, s.startMs, s.endMs, s.text, extra);
  }
  const m = doc.meeting;
  return {
    format: 'json',
    segments: out.segments,
    ...(m?.title ? { title: m.title } : {}),
    ...(m?.startedAt ? { startedAt: new Date(m.startedAt) } : {}),
    ...(m?.language ? { language: m.language } : {}),
  };
}

function fromCorpus(doc: z.infer<typeof CorpusDocument>): ParsedTranscript {
  const times = doc.segments.some((s) => s.start != null || s.end != null)
    ? timesFromNeighbours(doc.segments)
    : syntheticTimes(doc.segments);
  const out = new SegmentCollector('json');
  doc.segments.forEach((s, i) => {
    const [startMs, endMs] = times[i] as [number, number];
    out.add(s.speaker, startMs, endMs, s.text);
  });
  return { format: 'json', segments: out.segments, ...(doc.id !== undefined ? { title: String(doc.id) } : {}) };
}

/** QMSum has no times: lay turns end to end at ~150 words/min so order and rough length survive. */
function syntheticTimes(segs: CorpusSeg[]): Array<[number, number]> {
  let cursor = 0;
  return segs.map((s) => {
    const start = cursor;
    cursor += estimateDurationMs(s.text);
    return [start, cursor];
  });
}

/** A missing start follows the previous segment's end; a missing end runs to the next known start. */
function timesFromNeighbours(segs: CorpusSeg[]): Array<[number, number]> {
  const toMs = (sec: number | null | undefined) => (sec == null ? undefined : Math.round(sec * 1000));
  const nextStart: Array<number | undefined> = new Array(segs.length);
  let upcoming: number | undefined;
  for (let i = segs.length - 1; i >= 0; i--) {
    nextStart[i] = upcoming;
    upcoming = toMs(segs[i]?.start) ?? upcoming;
  }
  let prevEnd: number | undefined;
  return segs.map((s, i) => {
    const start = toMs(s.start) ?? Math.min(prevEnd ?? 0, nextStart[i] ?? Infinity);
    const end = Math.max(start, toMs(s.end) ?? nextStart[i] ?? start);
    prevEnd = end;
    return [start, end];
  });
}
