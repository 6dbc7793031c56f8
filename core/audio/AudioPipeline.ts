import type { Transcriber } from '../asr/types.ts';
import { MinutesError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SegmentInput } from '../types.ts';
import type { ConsentGate } from './consent.ts';
import { LocalFrontEnds, type FrontEndHost } from './frontends.ts';
import type { FrontEndOptions, FrontEndSink } from './StreamFrontEnd.ts';
import { TranscriptionQueue, type QueueOptions } from './TranscriptionQueue.ts';
import { SAMPLES_PER_MS, type AudioIssue, type OpusDecoderFactory, type OpusPacket, type PacketSink, type RecorderFactory, type Utterance } from './types.ts';

const noDecoder: OpusDecoderFactory = () => {
  throw new TypeError('no Opus decoder: this pipeline takes PCM only');
};

export type PipelineEvent =
  | { type: 'audio.issue'; issue: AudioIssue }
  | { type: 'transcription.delayed'; stream: string; delayed: boolean }
  | { type: 'utterance'; stream: string; startMs: number; endMs: number; bytes: number }
  | { type: 'stream.idle'; stream: string }
  /**
   * One utterance went through ASR. `delayMs`: meeting-clock ms from the end
   * of the utterance to its segments being stored; null when none were (silence,
   * or the append failed). For the transcription minutes and delay metrics.
   */
  | { type: 'transcribed'; stream: string; engine: string; audioMs: number; delayMs: number | null; segments: number };

export interface AudioPipelineOptions {
  transcriber: Transcriber;
  /** Where segments go, e.g. `(s) => meetings.appendSegments(meetingId, s)` or an IngestBatcher. */
  append: (segments: SegmentInput[]) => Promise<unknown>;
  /**
   * Decoder per stream (adapters/audio/opus.ts). Needed for Opus packets
   * unless `host` runs the stages elsewhere; a pipeline fed only through
   * `pushPcm` (browser microphones) needs neither.
   */
  decoder?: OpusDecoderFactory;
  /** Runs the per-stream stages somewhere else, e.g. `(sink) => new AudioWorkerPool({ sink, ... })`. */
  host?: (sink: FrontEndSink) => FrontEndHost;
  consent?: ConsentGate;
  /**
   * Raw audio recording, off unless given (organization setting `recording.keepAudio`,
   * see recordingPolicy.ts). Gets only packets that passed the consent check; when a
   * speaker opts out, their recording of this meeting is discarded (deleted).
   */
  recorder?: RecorderFactory;
  /** Stream id → attendee display name (the `speaker` of segments and the consent key). */
  displayName?: (stream: string) => string;
  /** The meeting clock: ms since the meeting started. */
  now: () => number;
  /** A stream with no packets for this long is idle: decoder and buffers released. */
  idleMs?: number;
  /** Period of the housekeeping timer; 0 = the caller calls tick(). */
  tickMs?: number;
  /**
   * Ordinal of the first stream (sequence numbers are built from it). A
   * pipeline that resumes a meeting after a restart starts past the streams
   * of the earlier run, so its segments are never taken for re-sends of them.
   */
  firstOrdinal?: number;
  language?: string;
  prompt?: string;
  queue?: QueueOptions;
  frontEnd?: FrontEndOptions;
  logger?: Logger;
  onEvent?: (event: PipelineEvent) => void;
}

interface StreamState {
  name: string;
  ordinal: number;
  utterances: number;
  lastArrivalMs: number;
  active: boolean;
  /** undefined: not asked yet; null: not recorded. */
  recording: PacketSink | null | undefined;
}

export interface PipelineStats {
  streams: number;
  activeStreams: number;
  idleStreams: number;
  queueDepth: number;
  inFlight: number;
  delayedStreams: string[];
  droppedOldest: number;
  /** Streams holding a decoder and buffers right now (idle ones hold none). */
  liveFrontEnds: number;
  packets: number;
  consentDropped: number;
  corruptPackets: number;
  latePackets: number;
  utterances: number;
  segments: number;
  transcribeErrors: number;
  appendErrors: number;
}

/**
 * One meeting's live audio: per-speaker Opus packets in, transcript segments
 * out. Consent is checked before anything is buffered; the per-stream stages
 * run in a FrontEndHost; utterances wait in one bounded queue per engine.
 * An adapter calls `push(speakerId, packet)` for each packet and `end()` when
 * the meeting ends.
 */
export class AudioPipeline {
  private readonly host: FrontEndHost;
  private readonly queue: TranscriptionQueue;
  private readonly state = new Map<string, StreamState>();
  private readonly timer: NodeJS.Timeout | null;
  /** False for a PCM-only pipeline (no decoder, no host): `push` is refused. */
  private readonly opus: boolean;
  private readonly counters = { packets: 0, consentDropped: 0, corruptPackets: 0, latePackets: 0, utterances: 0, segments: 0, transcribeErrors: 0, appendErrors: 0 };

  constructor(private readonly options: AudioPipelineOptions) {
    const sink: FrontEndSink = { utterance: (u) => this.onUtterance(u), issue: (i) => this.onIssue(i) };
    if (options.host) this.host = options.host(sink);
    else this.host = new LocalFrontEnds(options.decoder ?? noDecoder, sink, options.frontEnd);
    this.opus = Boolean(options.host || options.decoder);
    this.queue = new TranscriptionQueue({
      run: (u) => this.transcribe(u),
      dropped: (u, reason) => {
        this.options.logger?.warn({ stream: u.stream, startMs: u.startMs, endMs: u.endMs, reason }, 'ASR behind: oldest waiting utterance dropped');
        this.emit({ type: 'audio.issue', issue: { code: 'UTTERANCE_DROPPED', stream: u.stream, message: `ASR queue full (${reason}); utterance ${Math.round(u.startMs)}–${Math.round(u.endMs)} ms dropped` } });
      },
      delayed: (stream, delayed) => this.emit({ type: 'transcription.delayed', stream, delayed }),
    }, options.queue);
    const tickMs = options.tickMs ?? 100;
    this.timer = tickMs > 0 ? setInterval(() => this.tick(), tickMs).unref() : null;
  }

  /** Feeds one packet of one speaker. Returns false when it was dropped unread (consent). */
  push(stream: string, packet: OpusPacket, arrivalMs = this.options.now()): boolean {
    if (!this.opus) throw new TypeError('AudioPipeline needs a decoder factory or a host for Opus packets (this one takes pushPcm only)');
    const s = this.admit(stream);
    if (!s) return false;
    if (this.options.recorder) this.record(stream, s, packet);
    s.lastArrivalMs = arrivalMs;
    // One fixed-shape object per packet (a spread here costs more than the VAD).
    this.host.push(stream, { seq: packet.seq, timestamp: packet.timestamp, data: packet.data, arrivalMs });
    return true;
  }

  /**
   * Feeds already-decoded audio of one speaker: 16 kHz mono samples, any
   * length (a browser sends 20 ms). Same consent check, VAD, cutter, queue and
   * transcription as `push`, without decoding; not recorded (the recorder
   * keeps Opus packets). `arrivalMs` is the meeting-clock ms of the first
   * sample; by default the chunk is taken to have just ended. Returns false
   * when it was dropped unread (consent).
   */
  pushPcm(stream: string, pcm: Int16Array, arrivalMs = this.options.now() - pcm.length / SAMPLES_PER_MS): boolean {
    if (!this.host.pushPcm) throw new MinutesError('AUDIO_UNSUPPORTED_FORMAT', 'this audio front-end host takes Opus packets only; PCM needs the in-process front ends', { details: { input: 'pcm' } });
    const s = this.admit(stream);
    if (!s) return false;
    s.lastArrivalMs = Math.max(s.lastArrivalMs, arrivalMs);
    this.host.pushPcm(stream, pcm, arrivalMs);
    return true;
  }

  /** The consent check every input passes first; null = dropped (and what was held of the speaker forgotten). */
  private admit(stream: string): StreamState | null {
    const s = this.stream(stream);
    if (this.options.consent?.isOptedOut(s.name)) {
      this.counters.consentDropped++;
      if (s.active) this.forget(stream, s);
      if (s.recording) this.discardRecording(stream, s);
      return null;
    }
    this.counters.packets++;
    s.active = true;
    return s;
  }

  /** Housekeeping: closes paused utterances and releases streams idle for `idleMs`. */
  tick(nowMs = this.options.now()): void {
    this.host.tick(nowMs);
    const idleMs = this.options.idleMs ?? 30_000;
    for (const [stream, s] of this.state) {
      if (s.active && nowMs - s.lastArrivalMs >= idleMs) {
        s.active = false;
        this.host.release(stream, true);
        this.emit({ type: 'stream.idle', stream });
      }
    }
  }

  /** Waits until every packet pushed so far is processed and every utterance transcribed and appended. */
  async drain(): Promise<void> {
    await this.host.sync();
    await this.queue.idle();
    await Promise.allSettled([...this.recordingOps]);
  }

  /** The meeting ended: emit open utterances, transcribe what waits, stop. */
  async end(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const [stream, s] of this.state) if (s.active) this.host.release(stream, true);
    await this.host.sync();
    await this.host.close();
    await this.queue.idle();
    for (const [stream, s] of this.state) {
      if (!s.recording) continue;
      // An opt-out that came after this speaker's last packet still removes the recording.
      if (this.options.consent?.isOptedOut(s.name)) this.discardRecording(stream, s);
      else {
        const rec = s.recording;
        s.recording = null;
        this.track(stream, 'close', () => rec.close());
      }
    }
    await Promise.allSettled([...this.recordingOps]);
  }

  isDelayed(stream: string): boolean {
    return this.queue.delayed.includes(stream);
  }

  stats(): PipelineStats {
    let active = 0;
    for (const s of this.state.values()) if (s.active) active++;
    return {
      streams: this.state.size, activeStreams: active, idleStreams: this.state.size - active,
      queueDepth: this.queue.depth, inFlight: this.queue.inFlight, delayedStreams: this.queue.delayed,
      droppedOldest: this.queue.droppedOldest, liveFrontEnds: this.host.streams, ...this.counters,
    };
  }

  private record(stream: string, s: StreamState, packet: OpusPacket): void {
    try {
      if (s.recording === undefined) s.recording = this.options.recorder!(stream, s.name);
      s.recording?.write(packet);
    } catch (err) {
      const rec = s.recording;
      s.recording = null; // stop recording this stream; transcription goes on
      this.onIssue({ code: 'RECORDING_FAILED', stream, message: `recording stopped: ${(err as Error).message}` });
      if (rec) this.track(stream, 'close', () => rec.close());
    }
  }

  private discardRecording(stream: string, s: StreamState): void {
    const rec = s.recording;
    s.recording = undefined; // opting back in starts a new recording
    if (rec) this.track(stream, 'discard', () => rec.discard());
  }

  private readonly recordingOps = new Set<Promise<void>>();

  private track(stream: string, what: 'close' | 'discard', op: () => Promise<void> | void): void {
    const p = (async () => op())().catch((err: unknown) => {
      this.onIssue({ code: 'RECORDING_FAILED', stream, message: `recording ${what} failed: ${(err as Error).message}` });
    });
    this.recordingOps.add(p);
    void p.finally(() => this.recordingOps.delete(p));
  }

  private stream(stream: string): StreamState {
    let s = this.state.get(stream);
    if (!s) {
      s = { name: this.options.displayName?.(stream) ?? stream, ordinal: (this.options.firstOrdinal ?? 1) + this.state.size, utterances: 0, lastArrivalMs: 0, active: false, recording: undefined };
      this.state.set(stream, s);
    }
    return s;
  }

  /** Consent withdrawn: everything buffered or waiting for that speaker is discarded, not transcribed. */
  private forget(stream: string, s: StreamState): void {
    s.active = false;
    this.host.release(stream, false);
    this.queue.purge(stream);
  }

  private onUtterance(u: Utterance): void {
    const s = this.stream(u.stream);
    if (this.options.consent?.isOptedOut(s.name)) return;
    this.counters.utterances++;
    this.emit({ type: 'utterance', stream: u.stream, startMs: u.startMs, endMs: u.endMs, bytes: u.pcm.byteLength });
    this.queue.enqueue(u);
  }

  private onIssue(issue: AudioIssue): void {
    if (issue.code === 'AUDIO_PACKET_CORRUPT') this.counters.corruptPackets++;
    if (issue.code === 'AUDIO_PACKET_LATE') this.counters.latePackets++;
    this.options.logger?.warn({ stream: issue.stream, code: issue.code }, issue.message);
    this.emit({ type: 'audio.issue', issue });
  }

  private async transcribe(u: Utterance): Promise<void> {
    const s = this.stream(u.stream);
    // Sequence = stream ordinal, utterance number, segment index: monotonic per stream and
    // unique per meeting, so a re-sent append of the same utterance is stored once.
    const base = s.ordinal * 2 ** 32 + ++s.utterances * 256;
    const { transcriber, language, prompt } = this.options;
    let segments: SegmentInput[];
    let engine = transcriber.name;
    try {
      const result = await transcriber.transcribe({ pcm: u.pcm, sampleRate: 16000, ...(language ? { language } : {}), ...(prompt ? { prompt } : {}) });
      engine = result.engine || transcriber.name;
      const source = `asr:${engine}`;
      const durMs = u.endMs - u.startMs;
      segments = result.segments.filter((g) => g.text.trim()).slice(0, 256).map((g, i) => {
        const startMs = Math.round(u.startMs + Math.min(Math.max(g.startMs, 0), durMs));
        return {
          speaker: s.name, startMs, endMs: Math.max(startMs, Math.round(u.startMs + Math.min(g.endMs, durMs))),
          text: g.text.trim(), confidence: g.confidence, source, sourceSeq: base + i,
          ...(result.language ? { language: result.language } : {}),
        };
      });
    } catch (err) {
      this.counters.transcribeErrors++;
      this.onIssue({ code: 'TRANSCRIBE_FAILED', stream: u.stream, message: `${transcriber.name} failed on ${Math.round(u.startMs)}–${Math.round(u.endMs)} ms: ${(err as Error).message}` });
      return;
    }
    const done = { type: 'transcribed', stream: u.stream, engine, audioMs: u.endMs - u.startMs, delayMs: null, segments: 0 } as const;
    if (segments.length === 0) return this.emit(done);
    try {
      await this.options.append(segments);
      this.counters.segments += segments.length;
      this.emit({ ...done, delayMs: Math.max(0, this.options.now() - u.endMs), segments: segments.length });
    } catch (err) {
      this.counters.appendErrors++;
      this.onIssue({ code: 'APPEND_FAILED', stream: u.stream, message: `segments not stored: ${(err as Error).message}` });
      this.emit(done);
    }
  }

  private emit(event: PipelineEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (err) {
      this.options.logger?.error({ err }, 'audio pipeline event listener failed');
    }
  }
}
