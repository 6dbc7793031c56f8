import { MinutesError } from '../errors.ts';

/**
 * A small RIFF/WAVE reader and writer. Reads PCM 8/16/24/32-bit integer and
 * 32/64-bit float (plain or WAVE_FORMAT_EXTENSIBLE) at any rate and channel
 * count; the samples come back as interleaved floats in [-1, 1].
 */
export interface DecodedPcm {
  sampleRate: number;
  channels: number;
  /** Interleaved, channels × frames, in [-1, 1]. */
  samples: Float32Array;
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

interface Fmt { format: number; channels: number; sampleRate: number; bits: number }

const malformed = (message: string, details: Record<string, unknown> = {}) =>
  new MinutesError('AUDIO_MALFORMED', `Malformed WAV file: ${message}`, { details: { format: 'wav', ...details } });

export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE';
}

export function readWav(bytes: Uint8Array): DecodedPcm {
  if (bytes.length < 12) throw malformed(`only ${bytes.length} bytes, shorter than a RIFF header (truncated?)`);
  if (!isWav(bytes)) throw malformed('no RIFF/WAVE header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Fmt | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') fmt = readFmt(view, body, size);
    else if (id === 'data') {
      if (!fmt) throw malformed('data chunk before the fmt chunk');
      return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples: readSamples(view, fmt, body, dataLength(bytes.length, body, size)) };
    }
    offset = body + size + (size % 2);
  }
  throw malformed(fmt ? 'no data chunk (truncated?)' : 'no fmt chunk (truncated?)');
}

/** Streaming writers leave the size 0 or 0xFFFFFFFF; a larger declared size than the file holds means truncation. */
function dataLength(fileLength: number, body: number, declared: number): number {
  const available = fileLength - body;
  if (declared === 0 || declared === 0xffffffff) return available;
  if (declared > available) throw malformed(`truncated: the data chunk declares ${declared} bytes but only ${available} are present`, { declared, available });
  return declared;
}

function readFmt(view: DataView, at: number, size: number): Fmt {
  if (size < 16 || at + 16 > view.byteLength) throw malformed('fmt chunk too short (truncated?)');
  let format = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bits = view.getUint16(at + 14, true);
  if (format === EXTENSIBLE) {
    if (size < 40 || at + 26 > view.byteLength) throw malformed('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    format = view.getUint16(at + 24, true);
  }
  if (format !== PCM && format !== FLOAT) {
    throw new MinutesError('AUDIO_UNSUPPORTED_FORMAT', `WAV encoding ${format} is not supported; WAV must be PCM (8/16/24/32-bit) or IEEE float`, {
      details: { format: 'wav', encoding: format },
    });
  }
  const okBits = format === PCM ? [8, 16, 24, 32].includes(bits) : [32, 64].includes(bits);
  if (!okBits) throw new MinutesError('AUDIO_UNSUPPORTED_FORMAT', `${bits}-bit ${format === PCM ? 'PCM' : 'float'} WAV is not supported`, { details: { format: 'wav', bits } });
  if (channels < 1 || sampleRate < 1000 || sampleRate > 768_000) throw malformed(`implausible header: ${channels} channel(s) at ${sampleRate} Hz`);
  return { format, channels, sampleRate, bits };
}

function readSamples(view: DataView, fmt: Fmt, at: number, length: number): Float32Array {
  const width = fmt.bits / 8;
  const count = Math.floor(length / (width * fmt.channels)) * fmt.channels;
  const out = new Float32Array(count);
  const read = sampleReader(view, fmt);
  for (let i = 0, p = at; i < count; i++, p += width) out[i] = read(p);
  return out;
}

function sampleReader(view: DataView, fmt: Fmt): (p: number) => number {
  if (fmt.format === FLOAT) return fmt.bits === 32 ? (p) => view.getFloat32(p, true) : (p) => view.getFloat64(p, true);
  switch (fmt.bits) {
    case 8: return (p) => (view.getUint8(p) - 128) / 128;
    case 16: return (p) => view.getInt16(p, true) / 32768;
    case 24: return (p) => ((view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16)) / 8388608);
    default: return (p) => view.getInt32(p, true) / 2147483648;
  }
}

/** A 16-bit PCM WAV file around the samples (what engines that take files are sent). */
export function encodeWav(pcm: Int16Array, sampleRate: number, channels = 1): Buffer {
  const data = pcm.length * 2;
  const out = Buffer.alloc(44 + data);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(PCM, 20);
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * channels * 2, 28);
  out.writeUInt16LE(channels * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(data, 40);
  Buffer.from(pcm.buffer, pcm.byteOffset, data).copy(out, 44);
  return out;
}

function ascii(bytes: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + n));
}
