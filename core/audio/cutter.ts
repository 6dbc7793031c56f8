import type { EnergyVad } from './vad.ts';
import { FRAME_SAMPLES, SAMPLES_PER_MS, type Utterance } from './types.ts';

// Module-local copies: under the tsx loader an imported binding is read through an accessor, which showed in per-sample loops.
const FRAME = FRAME_SAMPLES;
const PER_MS = SAMPLES_PER_MS;

export interface CutterOptions {
  /** Silence that ends an utterance. */
  silenceMs?: number;
  /** Longest utterance; a longer monologue is cut here and continues in the next. */
  maxMs?: number;
  /** Utterances with less speech than this (coughs, clicks) are dropped. */
  minSpeechMs?: number;
  /** Audio kept before the first speech frame, so soft onsets are not clipped. */
  prerollMs?: number;
}

/**
 * Turns a speaker's 16 kHz samples into utterances, and owns that stream's
 * clock: `pos` is the meeting-clock sample index of the next sample. Gaps
 * come in as `silence` (short, audible as zeros) or `jump` (long: no samples
 * are materialised, the clock moves on).
 */

export class UtteranceCutter {
  pos = 0;
  private readonly frame = new Int16Array(FRAME);
  private fill = 0;
  private readonly preroll: Int16Array;
  private prerollCount = 0;
  private prerollAt = 0;
  private buf: Int16Array | null = null;
  private len = 0;
  private startPos = 0;
  private lastSpeechEnd = 0;
  private speech = 0;
  private readonly silence$: number;
  private readonly max: number;
  private readonly minSpeech: number;

  constructor(
    private readonly stream: string,
    private readonly vad: EnergyVad,
    private readonly emit: (u: Utterance) => void,
    options: CutterOptions = {},
  ) {
    this.silence$ = (options.silenceMs ?? 700) * PER_MS;
    this.max = (options.maxMs ?? 30_000) * PER_MS;
    this.minSpeech = (options.minSpeechMs ?? 300) * PER_MS;
    this.preroll = new Int16Array((options.prerollMs ?? 60) * PER_MS);
  }

  get inUtterance(): boolean {
    return this.len > 0;
  }

  write(samples: Int16Array): void {
    if (this.fill === 0 && samples.length === FRAME) {
      // The common case, one 20 ms packet decoded at 16 kHz: a whole frame, no slicing.
      this.frame.set(samples);
      this.fill = FRAME;
      this.onFrame();
      return;
    }
    let i = 0;
    while (i < samples.length) {
      const n = Math.min(FRAME - this.fill, samples.length - i);
      this.frame.set(samples.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === FRAME) this.onFrame();
    }
  }

  /** A short gap (lost packets, a brief pause): zeros, so timing inside the utterance stays right. */
  silence(samples: number): void {
    let left = samples;
    while (left > 0) {
      const n = Math.min(FRAME - this.fill, left);
      this.frame.fill(0, this.fill, this.fill + n);
      this.fill += n;
      left -= n;
      if (this.fill === FRAME) this.onFrame();
    }
  }

  /** A long gap: close what is open and continue at `toPos`. */
  jump(toPos: number): void {
    this.finish();
    this.fill = 0;
    this.prerollCount = 0;
    this.pos = toPos;
  }

  /** Cuts the open utterance now (stream paused, idle, or the meeting ends). */
  finish(): void {
    if (this.len > 0) this.cut();
  }

  /** Forgets everything buffered without emitting it (consent withdrawn). */
  discard(): void {
    this.len = 0;
    this.fill = 0;
    this.prerollCount = 0;
    this.buf = null;
  }

  private onFrame(): void {
    this.fill = 0;
    const framePos = this.pos;
    this.pos += FRAME;
    const speech = this.vad.frame(this.frame);
    if (this.len === 0) {
      if (speech) this.open(framePos);
      else this.remember();
      return;
    }
    this.append(this.frame);
    if (speech) {
      this.speech += FRAME;
      this.lastSpeechEnd = this.len;
    } else if (this.len - this.lastSpeechEnd >= this.silence$) {
      this.cut();
      return;
    }
    if (this.len >= this.max) this.cut();
  }

  private open(framePos: number): void {
    const pre = this.prerollCount;
    this.startPos = framePos - pre;
    for (let k = 0; k < pre; k++) {
      const idx = (this.prerollAt - pre + k + this.preroll.length) % this.preroll.length;
      this.append1(this.preroll[idx]!);
    }
    this.append(this.frame);
    this.speech = FRAME;
    this.lastSpeechEnd = this.len;
    this.prerollCount = 0;
  }

  private remember(): void {
    const ring = this.preroll;
    const size = ring.length;
    if (size === 0) return;
    // Same result as writing the frame sample by sample into the ring, in at most two copies.
    const skip = Math.max(0, FRAME - size);
    const src = skip ? this.frame.subarray(skip) : this.frame;
    const at = (this.prerollAt + skip) % size;
    const first = Math.min(src.length, size - at);
    ring.set(src.subarray(0, first), at);
    if (first < src.length) ring.set(src.subarray(first), 0);
    this.prerollAt = (at + src.length) % size;
    this.prerollCount = Math.min(size, this.prerollCount + FRAME);
  }

  private cut(): void {
    const end = this.lastSpeechEnd;
    if (this.speech >= this.minSpeech && this.buf) {
      const startMs = this.startPos / PER_MS;
      this.emit({ stream: this.stream, pcm: this.buf.slice(0, end), startMs, endMs: startMs + end / PER_MS, speechMs: this.speech / PER_MS });
    }
    this.len = 0;
    this.speech = 0;
    this.prerollCount = 0;
    // Keep a small buffer for the next utterance; a 30 s one is not kept around.
    if (this.buf && this.buf.length > 4 * 16_000) this.buf = null;
  }

  private append(frame: Int16Array): void {
    this.reserve(this.len + frame.length);
    this.buf!.set(frame, this.len);
    this.len += frame.length;
  }

  private append1(sample: number): void {
    this.reserve(this.len + 1);
    this.buf![this.len++] = sample;
  }

  private reserve(n: number): void {
    if (this.buf && this.buf.length >= n) return;
    const next = new Int16Array(Math.min(Math.max(n, (this.buf?.length ?? 16_000) * 2), this.max + FRAME));
    if (this.buf) next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
