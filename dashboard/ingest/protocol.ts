/**
 * Wire format of the media-ingest socket (docs/media-ingest.md).
 *
 * Binary frame: [kind u8][speaker id length u8][speaker id utf8][seq u32 BE][timestamp u32 BE][payload]
 * kind 1 = PCM16 16 kHz mono little-endian (timestamp: ms since the stream's start),
 * kind 2 = one Opus packet (timestamp: RTP, 48 kHz units).
 */
export const KIND_PCM16 = 1;
export const KIND_OPUS = 2;
export const SAMPLE_RATE = 16_000;
/** Largest binary frame by default: 64 KB ≈ 2 s of PCM (20 ms is 640 bytes). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
/** Largest text message (a `segments` batch). */
export const MAX_TEXT_BYTES = 1024 * 1024;
export const MAX_SPEAKERS = 64;
export const MAX_SEGMENTS_PER_MESSAGE = 500;
export const MAX_SPEAKER_ID_BYTES = 64;
export const MAX_SPEAKER_NAME = 200;
export const CLIENT_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Error codes of `{type:'error'}` messages. */
export type IngestErrorCode =
  | 'HELLO_REQUIRED' | 'MESSAGE_INVALID' | 'FRAME_MALFORMED' | 'FRAME_UNKNOWN_KIND' | 'FRAME_TOO_LARGE'
  | 'PCM_ODD_LENGTH' | 'SPEAKER_UNDECLARED' | 'SPEAKER_CONFLICT' | 'TOO_MANY_SPEAKERS' | 'AUDIO_UNSUPPORTED_FORMAT'
  | 'AUDIO_TOO_FAST' | 'SEGMENT_INVALID' | 'MEETING_NOT_ACCEPTING_SEGMENTS' | 'INTERNAL';

export interface AudioFrame {
  kind: typeof KIND_PCM16 | typeof KIND_OPUS;
  speaker: string;
  seq: number;
  timestamp: number;
  payload: Buffer;
}

export class FrameError extends Error {
  constructor(readonly code: IngestErrorCode, message: string, readonly frame: { speaker?: string; seq?: number } = {}) {
    super(message);
  }
}

/** Parses one binary frame; throws FrameError with what could be read of the header. */
export function parseFrame(buf: Buffer, maxFrameBytes: number): AudioFrame {
  if (buf.length > maxFrameBytes) throw new FrameError('FRAME_TOO_LARGE', `frame of ${buf.length} bytes; at most ${maxFrameBytes}`);
  if (buf.length < 2) throw new FrameError('FRAME_MALFORMED', 'frame shorter than its header');
  const kind = buf[0]!;
  const idLen = buf[1]!;
  if (idLen === 0 || idLen > MAX_SPEAKER_ID_BYTES) throw new FrameError('FRAME_MALFORMED', `speaker id length ${idLen}; 1..${MAX_SPEAKER_ID_BYTES} bytes`);
  const headerLen = 2 + idLen + 8;
  if (buf.length < headerLen) throw new FrameError('FRAME_MALFORMED', `frame of ${buf.length} bytes is shorter than its ${headerLen}-byte header`);
  const speaker = buf.toString('utf8', 2, 2 + idLen);
  const seq = buf.readUInt32BE(2 + idLen);
  const timestamp = buf.readUInt32BE(6 + idLen);
  const at = { speaker, seq };
  if (kind !== KIND_PCM16 && kind !== KIND_OPUS) throw new FrameError('FRAME_UNKNOWN_KIND', `unknown frame kind ${kind}; 1 = PCM16, 2 = Opus`, at);
  const payload = buf.subarray(headerLen);
  if (payload.length === 0) throw new FrameError('FRAME_MALFORMED', 'frame without payload', at);
  if (kind === KIND_PCM16 && payload.length % 2 !== 0) throw new FrameError('PCM_ODD_LENGTH', `PCM payload of ${payload.length} bytes: 16-bit samples need an even count`, at);
  return { kind, speaker, seq, timestamp, payload };
}

/** Builds a binary frame (clients, tests). */
export function encodeFrame(kind: number, speaker: string, seq: number, timestamp: number, payload: Uint8Array): Buffer {
  const id = Buffer.from(speaker, 'utf8');
  const header = Buffer.alloc(2 + id.length + 8);
  header[0] = kind;
  header[1] = id.length;
  id.copy(header, 2);
  header.writeUInt32BE(seq >>> 0, 2 + id.length);
  header.writeUInt32BE(timestamp >>> 0, 6 + id.length);
  return Buffer.concat([header, payload]);
}

/** Little-endian bytes → samples, copied (a Buffer may sit at an odd offset in its pool). */
export function toPcm(buf: Buffer): Int16Array {
  const pcm = new Int16Array(buf.length >> 1);
  for (let i = 0; i < pcm.length; i++) pcm[i] = buf.readInt16LE(i * 2);
  return pcm;
}
