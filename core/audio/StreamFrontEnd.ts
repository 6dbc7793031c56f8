import { UtteranceCutter, type CutterOptions } from './cutter.ts';
import { JitterBuffer, seqDelta } from './jitter.ts';
import { Downsampler } from './resample.ts';
import { EnergyVad, type VadOptions } from './vad.ts';
import { SAMPLE_RATE, SAMPLES_PER_MS, type AudioIssue, type OpusDecoder, type OpusDecoderFactory, type TimedPacket, type Utterance } from './types.ts';

export interface FrontEndOptions extends CutterOptions, VadOptions {
  /** Packets held for reordering. */
  jitterDepth?: number;
  /** Packet time (from its timestamp) and its arrival may disagree by this much before arrival wins. */
  reanchorMs?: number;
  /** Gaps up to this are played as zeros; longer ones move the clock without samples. */
  maxFillMs?: number;
}

export interface FrontEndSink {
  utterance(u: Utterance): void;
  issue(i: AudioIssue): void;
}

const SAMPLES_48K_PER_MS = 48;
const FRAME_48K = 960;

/**
 * One speaker's stages, in order: reorder → place on the meeting clock →
 * decode (to 16 kHz mono in the codec, or 48 kHz then downmix/resample
 * here) → VAD → cut. Time comes from the packets'
 * timestamps (or sequence numbers), anchored to the arrival of the first
 * packet; when arrival and packet time disagree by more than `reanchorMs`
 * (a client that stopped sending during silence without advancing its
 * timestamps), arrival wins and the stream re-anchors.
 */
export class StreamFrontEnd {
  private readonly jitter: JitterBuffer;
  private decoder: OpusDecoder | null = null;
  private readonly down = new Downsampler();
  private readonly cutter: UtteranceCutter;
  private anchorMs: number | null = null;
  private anchor48 = 0;
  private pos48 = 0;
  private last: TimedPacket | null = null;
  /** PCM input: meeting-clock ms of the first sample since the last anchor, and samples since then. */
  private pcmAnchorMs: number | null = null;
  private pcmSamples = 0;
  lastArrivalMs = 0;
  private readonly reanchorMs: number;
  private readonly maxFill: number;

  constructor(
    readonly stream: string,
    private readonly createDecoder: OpusDecoderFactory,
    private readonly sink: FrontEndSink,
    options: FrontEndOptions = {},
  ) {
    this.jitter = new JitterBuffer(options.jitterDepth ?? 3);
    this.cutter = new UtteranceCutter(stream, new EnergyVad(options), (u) => sink.utterance(u), options);
    this.reanchorMs = options.reanchorMs ?? 500;
    this.maxFill = (options.maxFillMs ?? 1000) * SAMPLES_PER_MS;
  }

  push(packet: TimedPacket): void {
    this.lastArrivalMs = Math.max(this.lastArrivalMs, packet.arrivalMs);
    const due = this.jitter.push(packet);
    if (due === 'duplicate') return;
    if (due === 'late') {
      this.sink.issue({ code: 'AUDIO_PACKET_LATE', stream: this.stream, message: `packet ${packet.seq} arrived after its slot was played; dropped` });
      return;
    }
    for (const p of due) this.play(p);
  }

  /**
   * Already-decoded 16 kHz mono samples (a browser microphone): no jitter
   * buffer or decoder, the same VAD and cutter. Time is the sample count
   * since an anchor taken from `arrivalMs` (ms of the chunk's first sample);
   * when arrival and sample time disagree by more than `reanchorMs` (the
   * sender paused, or its clock drifted), arrival wins, never running back.
   */
  pushPcm(pcm: Int16Array, arrivalMs: number): void {
    this.lastArrivalMs = Math.max(this.lastArrivalMs, arrivalMs);
    if (pcm.length === 0) return;
    let at = this.pcmAnchorMs === null ? Number.NaN : this.pcmAnchorMs + this.pcmSamples / SAMPLES_PER_MS;
    if (!(Math.abs(arrivalMs - at) <= this.reanchorMs)) {
      if (this.pcmAnchorMs === null) this.cutter.pos = Math.round(arrivalMs * SAMPLES_PER_MS);
      this.pcmAnchorMs = at = Math.max(arrivalMs, this.cutter.pos / SAMPLES_PER_MS);
      this.pcmSamples = 0;
    }
    this.pcmSamples += pcm.length;
    const start = Math.round(at * SAMPLES_PER_MS);
    const gap = start - this.cutter.pos;
    if (gap >= SAMPLES_PER_MS * 10) {
      if (gap <= this.maxFill) this.cutter.silence(gap);
      else this.cutter.jump(start);
    }
    this.cutter.write(pcm);
  }

  /** Time passes without packets: play what the jitter buffer holds, and close a paused utterance. */
  tick(nowMs: number, silenceMs: number): void {
    if (this.jitter.size && nowMs - this.lastArrivalMs >= 60) for (const p of this.jitter.drain()) this.play(p);
    if (this.cutter.inUtterance && nowMs - this.lastArrivalMs >= silenceMs) this.cutter.finish();
  }

  /** Idle or gone: optionally emit what is buffered, then free the decoder. */
  close(flush: boolean): void {
    if (flush) {
      for (const p of this.jitter.drain()) this.play(p);
      this.cutter.finish();
    } else {
      this.jitter.drain();
      this.cutter.discard();
    }
    this.decoder?.release();
    this.decoder = null;
  }

  private play(p: TimedPacket): void {
    const startMs = this.place(p);
    const start = Math.round(startMs * SAMPLES_PER_MS);
    const gap = start - this.cutter.pos;
    if (gap >= SAMPLES_PER_MS * 10) {
      this.down.reset();
      if (gap <= this.maxFill) this.cutter.silence(gap);
      else this.cutter.jump(start);
    }
    // A packet timed slightly before the cursor (jitter in timestamps) plays at the cursor: time never runs back.
    let pcm: Int16Array;
    try {
      this.decoder ??= this.createDecoder();
      pcm = this.decoder.decode(p.data);
    } catch (err) {
      this.sink.issue({ code: 'AUDIO_PACKET_CORRUPT', stream: this.stream, message: `packet ${p.seq} could not be decoded (${(err as Error).message}); played as 20 ms of silence` });
      this.down.reset();
      this.cutter.silence(20 * SAMPLES_PER_MS);
      return;
    }
    const d = this.decoder;
    // A 16 kHz mono decoder already gives what the VAD and ASR want; otherwise downmix and resample.
    this.cutter.write(d.sampleRate === SAMPLE_RATE && d.channels === 1 ? pcm : this.down.process(pcm, d.channels));
  }

  /** Meeting-clock ms of the packet's first sample. */
  private place(p: TimedPacket): number {
    if (this.last) {
      this.pos48 += p.timestamp !== undefined && this.last.timestamp !== undefined
        ? ((p.timestamp - this.last.timestamp) | 0)
        : seqDelta(this.last.seq, p.seq) * FRAME_48K;
    }
    this.last = p;
    let at = this.anchorMs === null ? Number.NaN : this.anchorMs + (this.pos48 - this.anchor48) / SAMPLES_48K_PER_MS;
    if (!(Math.abs(p.arrivalMs - at) <= this.reanchorMs)) {
      if (this.anchorMs === null) this.cutter.pos = Math.round(p.arrivalMs * SAMPLES_PER_MS);
      this.anchorMs = at = Math.max(p.arrivalMs, this.cutter.pos / SAMPLES_PER_MS);
      this.anchor48 = this.pos48;
    }
    return at;
  }
}
