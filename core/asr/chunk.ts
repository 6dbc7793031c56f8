import type { TranscribeResult, TranscribedSegment, Transcriber } from './types.ts';
import { ASR_SAMPLE_RATE, pcmDurationMs } from './pcm.ts';

/**
 * Long recordings go to an engine in windows of at most `maxMs` (30 s by
 * default, what Whisper-style models take in one pass). A window ends at the
 * quietest 30 ms frame of its last `searchMs`, so words are rarely cut; when
 * there is no pause (RMS above `silenceRms`), it ends at the limit and the next
 * window starts `overlapMs` earlier. Segment and word times are offset onto
 * the recording's clock, and overlap duplicates are dropped.
 */
export interface ChunkOptions {
  maxMs?: number;
  searchMs?: number;
  overlapMs?: number;
  /** Frame RMS (0..32768) under which a frame counts as a pause. */
  silenceRms?: number;
}

export interface Chunk {
  /** Sample offsets into the recording. */
  start: number;
  end: number;
  /** Segments starting before this sample belong to the previous chunk. */
  keepFrom: number;
}

const FRAME = (30 * ASR_SAMPLE_RATE) / 1000;
const ms = (samples: number) => Math.round((samples / ASR_SAMPLE_RATE) * 1000);
const samples = (millis: number) => Math.round((millis * ASR_SAMPLE_RATE) / 1000);

export function planChunks(pcm: Int16Array, opts: ChunkOptions = {}): Chunk[] {
  const max = samples(opts.maxMs ?? 30_000);
  const search = Math.min(samples(opts.searchMs ?? 5_000), Math.floor(max / 2));
  const overlap = Math.min(samples(opts.overlapMs ?? 1_000), Math.floor(max / 4));
  const silence = opts.silenceRms ?? 300;
  const chunks: Chunk[] = [];
  let start = 0;
  let keepFrom = 0;
  while (start < pcm.length) {
    if (pcm.length - start <= max) {
      chunks.push({ start, end: pcm.length, keepFrom });
      break;
    }
    const quiet = quietestFrame(pcm, start + max - search, start + max);
    const cutAtPause = quiet.rms <= silence;
    const end = cutAtPause ? quiet.center : start + max;
    chunks.push({ start, end, keepFrom });
    keepFrom = end;
    start = cutAtPause ? end : end - overlap;
  }
  return chunks;
}

function quietestFrame(pcm: Int16Array, from: number, to: number): { center: number; rms: number } {
  let best = { center: to, rms: Number.POSITIVE_INFINITY };
  for (let f = from; f + FRAME <= to; f += FRAME / 2) {
    let sum = 0;
    for (let i = f; i < f + FRAME; i++) sum += pcm[i]! * pcm[i]!;
    const rms = Math.sqrt(sum / FRAME);
    if (rms < best.rms) best = { center: f + FRAME / 2, rms };
  }
  return best;
}

export interface TranscribeLongOptions extends ChunkOptions {
  language?: string;
  prompt?: string;
  signal?: AbortSignal;
  /** After each window: milliseconds of audio done and in total. */
  onProgress?: (doneMs: number, totalMs: number) => void;
}

export async function transcribeLong(engine: Transcriber, pcm: Int16Array, opts: TranscribeLongOptions = {}): Promise<TranscribeResult> {
  const chunks = planChunks(pcm, opts);
  const totalMs = pcmDurationMs(pcm);
  const segments: TranscribedSegment[] = [];
  let result: TranscribeResult = { segments, engine: engine.name };
  for (const chunk of chunks) {
    opts.signal?.throwIfAborted();
    const part = await engine.transcribe({
      pcm: pcm.subarray(chunk.start, chunk.end),
      sampleRate: ASR_SAMPLE_RATE,
      ...(opts.language ? { language: opts.language } : {}),
      ...(opts.prompt ? { prompt: opts.prompt } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const offset = ms(chunk.start);
    for (const s of part.segments) {
      const shifted = shiftSegment(s, offset);
      if (shifted.startMs >= ms(chunk.keepFrom) || chunk.keepFrom === chunk.start) segments.push(shifted);
    }
    result = { segments, engine: part.engine, ...(part.language ?? result.language ? { language: part.language ?? result.language } : {}) };
    opts.onProgress?.(ms(chunk.end), totalMs);
  }
  return result;
}

function shiftSegment(s: TranscribedSegment, offset: number): TranscribedSegment {
  return {
    ...s,
    startMs: s.startMs + offset,
    endMs: s.endMs + offset,
    ...(s.words ? { words: s.words.map((w) => ({ ...w, startMs: w.startMs + offset, endMs: w.endMs + offset })) } : {}),
  };
}
