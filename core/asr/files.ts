import { MinutesError } from '../errors.ts';
import { toAsrPcm } from './pcm.ts';
import { isWav, readWav } from './wav.ts';

/**
 * Turns an uploaded recording into 16 kHz mono PCM. WAV is read here; the
 * containers that need a demuxer or codec (Ogg/WebM Opus via prism-media,
 * anything else via ffmpeg) are decoders the caller passes in from adapters/,
 * so core/ stays free of them. Unknown or undecodable input is a coded error
 * that lists what is supported.
 */
export type AudioContainer = 'wav' | 'ogg-opus' | 'ogg-vorbis' | 'webm' | 'mp3' | 'flac' | 'mp4' | 'unknown';

export interface AudioDecoder {
  /** e.g. `prism-media opus`, `ffmpeg`. */
  readonly name: string;
  /** Human-readable formats it adds, for the "supported formats" message. */
  readonly describes: string[];
  canDecode(container: AudioContainer): boolean;
  /** 16 kHz mono 16-bit PCM. Throws AUDIO_MALFORMED for damaged input. */
  decode(bytes: Buffer, container: AudioContainer): Promise<Int16Array>;
}

export const BUILTIN_FORMATS = ['WAV (PCM 8/16/24/32-bit or float, any rate and channels)'];

export function detectContainer(bytes: Uint8Array): AudioContainer {
  const head = (at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n));
  if (isWav(bytes)) return 'wav';
  if (head(0, 4) === 'OggS') {
    const first = head(0, Math.min(bytes.length, 200));
    if (first.includes('OpusHead')) return 'ogg-opus';
    if (first.includes('vorbis')) return 'ogg-vorbis';
    return 'unknown';
  }
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'webm';
  if (head(0, 4) === 'fLaC') return 'flac';
  if (head(4, 4) === 'ftyp') return 'mp4';
  if (head(0, 3) === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'mp3';
  return 'unknown';
}

export function supportedFormats(decoders: readonly AudioDecoder[]): string[] {
  return [...BUILTIN_FORMATS, ...decoders.flatMap((d) => d.describes)];
}

export interface DecodeAudioOptions {
  filename?: string;
  decoders?: readonly AudioDecoder[];
}

export async function decodeAudioFile(bytes: Buffer, opts: DecodeAudioOptions = {}): Promise<Int16Array> {
  const decoders = opts.decoders ?? [];
  if (bytes.length === 0) throw new MinutesError('AUDIO_MALFORMED', `${opts.filename ?? 'The audio file'} is empty`);
  const container = detectContainer(bytes);
  if (container === 'wav') {
    const wav = readWav(bytes);
    return toAsrPcm(wav.samples, wav.sampleRate, wav.channels);
  }
  const decoder = decoders.find((d) => d.canDecode(container));
  if (!decoder) throw unsupported(container, decoders, opts.filename);
  try {
    return await decoder.decode(bytes, container);
  } catch (err) {
    // A catch-all decoder (ffmpeg) failing on bytes nobody recognised: the format, not the file, is the problem.
    if (container === 'unknown') throw unsupported(container, decoders, opts.filename, err);
    throw err;
  }
}

function unsupported(container: AudioContainer, decoders: readonly AudioDecoder[], filename?: string, cause?: unknown): MinutesError {
  const supported = supportedFormats(decoders);
  const what = container === 'unknown' ? 'not in a recognised audio format' : `${container}, which cannot be decoded here`;
  const hint = decoders.some((d) => d.name === 'ffmpeg') ? '' : ' Install ffmpeg (scripts/setup-audio.sh) for other formats.';
  return new MinutesError('AUDIO_UNSUPPORTED_FORMAT', `${filename ?? 'The file'} is ${what}; supported formats: ${supported.join('; ')}.${hint}`, {
    ...(cause ? { cause } : {}),
    details: { container, supported },
  });
}
