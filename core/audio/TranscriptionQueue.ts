import type { Utterance } from './types.ts';

export interface QueueOptions {
  /** Utterances transcribed at once by this engine. */
  concurrency?: number;
  /** Utterances waiting for this engine, all streams together. */
  maxQueued?: number;
  /** Utterances waiting per stream. */
  maxPerStream?: number;
  /** A stream with this many utterances waiting is "transcription delayed". */
  delayedDepth?: number;
}

export interface QueueHooks {
  run(u: Utterance): Promise<void>;
  dropped(u: Utterance, reason: 'stream_full' | 'engine_full'): void;
  delayed(stream: string, delayed: boolean): void;
}

/**
 * The bounded queue in front of one ASR engine. When the engine is slower
 * than speech, waiting utterances pile up to a fixed bound; past it the
 * OLDEST waiting utterance is dropped (counted and reported). Dropping rather
 * than merging: a merged utterance would only be slower to transcribe and
 * older when it lands, while dropping the oldest keeps the live transcript
 * current and memory flat (each utterance is ≤ 30 s ≈ 1 MB).
 */
export class TranscriptionQueue {
  private readonly waiting: Utterance[] = [];
  private readonly perStream = new Map<string, number>();
  private readonly delayedStreams = new Set<string>();
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  droppedOldest = 0;
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly maxPerStream: number;
  private readonly delayedDepth: number;

  constructor(private readonly hooks: QueueHooks, options: QueueOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    this.maxQueued = options.maxQueued ?? 64;
    this.maxPerStream = options.maxPerStream ?? 8;
    this.delayedDepth = options.delayedDepth ?? 2;
  }

  enqueue(u: Utterance): void {
    if ((this.perStream.get(u.stream) ?? 0) >= this.maxPerStream) {
      this.drop(this.waiting.findIndex((w) => w.stream === u.stream), 'stream_full');
    } else if (this.waiting.length >= this.maxQueued) {
      this.drop(0, 'engine_full');
    }
    this.waiting.push(u);
    this.count(u.stream, +1);
    this.pump();
  }

  /** Forgets a stream's waiting utterances without transcribing them (consent withdrawn). */
  purge(stream: string): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i]!.stream === stream) this.waiting.splice(i, 1);
    this.perStream.delete(stream);
    this.markDelayed(stream, false);
  }

  idle(): Promise<void> {
    if (this.waiting.length === 0 && this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get depth(): number {
    return this.waiting.length;
  }

  get inFlight(): number {
    return this.inflight;
  }

  get delayed(): string[] {
    return [...this.delayedStreams];
  }

  private drop(index: number, reason: 'stream_full' | 'engine_full'): void {
    const [old] = this.waiting.splice(index, 1);
    if (!old) return;
    this.count(old.stream, -1);
    this.droppedOldest++;
    this.hooks.dropped(old, reason);
  }

  private pump(): void {
    while (this.inflight < this.concurrency && this.waiting.length) {
      const u = this.waiting.shift()!;
      this.count(u.stream, -1);
      this.inflight++;
      void this.hooks.run(u).catch(() => undefined).finally(() => {
        this.inflight--;
        this.pump();
        if (this.waiting.length === 0 && this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private count(stream: string, delta: number): void {
    const n = (this.perStream.get(stream) ?? 0) + delta;
    if (n > 0) this.perStream.set(stream, n);
    else this.perStream.delete(stream);
    this.markDelayed(stream, n >= this.delayedDepth);
  }

  private markDelayed(stream: string, delayed: boolean): void {
    if (delayed === this.delayedStreams.has(stream)) return;
    if (delayed) this.delayedStreams.add(stream);
    else this.delayedStreams.delete(stream);
    this.hooks.delayed(stream, delayed);
  }
}
