import { StreamFrontEnd, type FrontEndOptions, type FrontEndSink } from './StreamFrontEnd.ts';
import type { OpusDecoderFactory, TimedPacket } from './types.ts';

/**
 * Where the per-stream stages run. In-process (`LocalFrontEnds`) or sharded
 * over worker threads (`AudioWorkerPool`); the pipeline does not care which.
 */
export interface FrontEndHost {
  push(stream: string, packet: TimedPacket): void;
  /**
   * Already-decoded 16 kHz mono PCM (browser microphones); `arrivalMs` is the
   * meeting-clock ms of its first sample. Optional: a host without it cannot
   * take PCM streams (AudioPipeline.pushPcm then throws AUDIO_UNSUPPORTED_FORMAT).
   */
  pushPcm?(stream: string, pcm: Int16Array, arrivalMs: number): void;
  /** Lets time pass for every stream (jitter drain, closing paused utterances). */
  tick(nowMs: number): void;
  /** Frees a stream; `flush` emits its open utterance first (idle), otherwise it is discarded (consent). */
  release(stream: string, flush: boolean): void;
  /** Resolves once everything pushed so far has been processed. */
  sync(): Promise<void>;
  close(): Promise<void>;
  readonly streams: number;
}

export class LocalFrontEnds implements FrontEndHost {
  private readonly map = new Map<string, StreamFrontEnd>();

  constructor(
    private readonly createDecoder: OpusDecoderFactory,
    private readonly sink: FrontEndSink,
    private readonly options: FrontEndOptions = {},
  ) {}

  push(stream: string, packet: TimedPacket): void {
    this.frontEnd(stream).push(packet);
  }

  pushPcm(stream: string, pcm: Int16Array, arrivalMs: number): void {
    this.frontEnd(stream).pushPcm(pcm, arrivalMs);
  }

  private frontEnd(stream: string): StreamFrontEnd {
    let fe = this.map.get(stream);
    if (!fe) this.map.set(stream, (fe = new StreamFrontEnd(stream, this.createDecoder, this.sink, this.options)));
    return fe;
  }

  tick(nowMs: number): void {
    const silenceMs = this.options.silenceMs ?? 700;
    for (const fe of this.map.values()) fe.tick(nowMs, silenceMs);
  }

  release(stream: string, flush: boolean): void {
    const fe = this.map.get(stream);
    if (!fe) return;
    this.map.delete(stream);
    fe.close(flush);
  }

  async sync(): Promise<void> {}

  async close(): Promise<void> {
    for (const stream of [...this.map.keys()]) this.release(stream, true);
  }

  get streams(): number {
    return this.map.size;
  }
}
