/**
 * Shapes shared by the per-speaker audio pipeline. Codecs are vendor code, so
 * core/ only sees the small `OpusDecoder` interface; adapters/audio/opus.ts
 * implements it with @discordjs/opus or opusscript and callers inject it.
 */

/** One Opus packet as a platform hands it over (Discord: one per 20 ms per speaker). */
export interface OpusPacket {
  /** RTP-like sequence number (16-bit, wraps). */
  seq: number;
  /** RTP-like timestamp in 48 kHz samples (32-bit, wraps). Without it, time comes from seq × frame. */
  timestamp?: number;
  data: Uint8Array;
}

/** A packet with its arrival on the meeting clock (ms since the meeting started). */
export interface TimedPacket extends OpusPacket {
  arrivalMs: number;
}

export interface OpusDecoder {
  /** Decodes one packet to interleaved PCM at `sampleRate` with `channels` channels; throws on a corrupt packet. */
  decode(packet: Uint8Array): Int16Array;
  readonly channels: 1 | 2;
  /**
   * Output rate; default 48 kHz. An Opus decoder can output 16 kHz mono
   * itself (it downmixes and synthesises at the lower rate), which is what the
   * pipeline needs: the front end then skips its own downmix and resampler.
   */
  readonly sampleRate?: 48_000 | 16_000;
  /** Frees native/wasm state; the decoder is not used afterwards. */
  release(): void;
}

export type OpusDecoderFactory = () => OpusDecoder;

/**
 * Where a speaker's recording goes (adapters/audio/recordings.ts writes an
 * Ogg/Opus file). It only ever receives packets that passed the consent check.
 */
export interface PacketSink {
  /** Called synchronously per packet; must not block (buffer, write asynchronously). */
  write(packet: OpusPacket): void;
  /** The meeting ended: finish the recording. */
  close(): Promise<void> | void;
  /** Consent withdrawn: stop and delete what was recorded of this speaker. */
  discard(): Promise<void> | void;
}

/** Called once per speaker stream (again after a discard); null = do not record this one. */
export type RecorderFactory = (stream: string, displayName: string) => PacketSink | null;

/** A stretch of one speaker's speech, cut for the transcriber. */
export interface Utterance {
  stream: string;
  /** 16 kHz mono PCM. */
  pcm: Int16Array;
  /** Meeting clock, ms, of the first and one-past-last sample. */
  startMs: number;
  endMs: number;
  /** How much of it the VAD called speech. */
  speechMs: number;
}

/**
 * Problems a stream survives. They are reported (event + counter), never
 * thrown to the adapter: one bad packet must not end a speaker or a meeting.
 */
export type AudioIssueCode =
  | 'AUDIO_PACKET_CORRUPT'
  | 'AUDIO_PACKET_LATE'
  | 'UTTERANCE_DROPPED'
  | 'TRANSCRIBE_FAILED'
  | 'APPEND_FAILED'
  | 'WORKER_FAILED'
  | 'RECORDING_FAILED';

export interface AudioIssue {
  code: AudioIssueCode;
  stream: string;
  message: string;
}

export const SAMPLE_RATE = 16_000;
export const SAMPLES_PER_MS = SAMPLE_RATE / 1000;
/** The VAD and cutter work in 20 ms frames of 16 kHz audio. */
export const FRAME_SAMPLES = 320;
export const FRAME_MS = 20;
