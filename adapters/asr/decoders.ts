import { spawn, spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import prism from 'prism-media';
import { MinutesError } from '../../core/errors.ts';
import type { AudioContainer, AudioDecoder } from '../../core/asr/files.ts';
import { int16ToFloat, toAsrPcm } from '../../core/asr/pcm.ts';

/**
 * Decoders for recordings that are not WAV. Ogg/Opus (Discord, Firefox) and
 * WebM/Opus (Chrome's MediaRecorder) are demuxed with prism-media and decoded
 * by its Opus decoder (@discordjs/opus, or opusscript where the native build
 * is missing); everything else goes through ffmpeg when it is installed.
 */
const OPUS_RATE = 48000;

export const opusDecoder: AudioDecoder = {
  name: 'prism-media opus',
  describes: ['Ogg/Opus (.ogg, .opus)', 'WebM/Opus (.webm)'],
  canDecode: (c) => c === 'ogg-opus' || c === 'webm',
  async decode(bytes, container) {
    if (container === 'ogg-opus') checkOggPages(bytes);
    const demuxer = container === 'webm' ? new prism.opus.WebmDemuxer() : new prism.opus.OggDemuxer();
    const decoder = new prism.opus.Decoder({ rate: OPUS_RATE, channels: 1, frameSize: 960 });
    const chunks: Buffer[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (cause: Error) => reject(malformed(container, cause.message, cause));
        demuxer.on('error', fail);
        decoder.on('error', fail);
        decoder.on('data', (b: Buffer) => chunks.push(b));
        decoder.on('end', resolve);
        Readable.from([bytes]).pipe(demuxer).pipe(decoder);
      });
    } finally {
      demuxer.destroy();
      decoder.destroy();
    }
    const all = Buffer.concat(chunks);
    if (all.length === 0) throw malformed(container, 'no Opus audio packets found (truncated or not Opus?)');
    const pcm48 = new Int16Array(all.buffer.slice(all.byteOffset, all.byteOffset + (all.length - (all.length % 2))));
    return toAsrPcm(int16ToFloat(pcm48), OPUS_RATE, 1);
  },
};

function malformed(container: AudioContainer, message: string, cause?: unknown): MinutesError {
  return new MinutesError('AUDIO_MALFORMED', `Malformed ${container === 'webm' ? 'WebM' : 'Ogg'} file: ${message}`, {
    ...(cause ? { cause } : {}),
    details: { container },
  });
}

/** Walks the Ogg pages: a page that runs past the end of the file means the file was cut short. */
export function checkOggPages(bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.toString('latin1', offset, offset + 4) !== 'OggS') throw malformed('ogg-opus', `no Ogg page at byte ${offset}`);
    if (offset + 27 > bytes.length) throw malformed('ogg-opus', `truncated: page header at byte ${offset} is cut short`);
    const segments = bytes[offset + 26]!;
    if (offset + 27 + segments > bytes.length) throw malformed('ogg-opus', `truncated: page at byte ${offset} is cut short`);
    let body = 0;
    for (let i = 0; i < segments; i++) body += bytes[offset + 27 + i]!;
    const end = offset + 27 + segments + body;
    if (end > bytes.length) throw malformed('ogg-opus', `truncated: the page at byte ${offset} needs ${end - bytes.length} more bytes`);
    offset = end;
  }
}

export function ffmpegAvailable(): boolean {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' });
  return r.status === 0;
}

/** `ffmpeg -i pipe:0 -f s16le -ac 1 -ar 16000 pipe:1`: any format ffmpeg reads. */
export const ffmpegDecoder: AudioDecoder = {
  name: 'ffmpeg',
  describes: ['anything ffmpeg reads (MP3, M4A/AAC, FLAC, Ogg/Vorbis, …)'],
  canDecode: () => true,
  decode(bytes) {
    return new Promise((resolve, reject) => {
      const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '16000', 'pipe:1'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => undefined); // ffmpeg may stop reading a file it cannot parse
      child.on('error', (cause) => reject(new MinutesError('AUDIO_UNSUPPORTED_FORMAT', `ffmpeg could not run: ${cause.message}`, { cause })));
      child.on('close', (code) => {
        const all = Buffer.concat(out);
        if (code !== 0 || all.length === 0) {
          const why = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-2).join(' ') || 'no audio decoded';
          reject(new MinutesError('AUDIO_MALFORMED', `ffmpeg could not decode the file: ${why}`, { details: { exitCode: code } }));
          return;
        }
        resolve(new Int16Array(all.buffer.slice(all.byteOffset, all.byteOffset + (all.length - (all.length % 2)))));
      });
      child.stdin.end(bytes);
    });
  },
};

/** The decoders available on this machine, Opus first (no subprocess), ffmpeg as the catch-all. */
export function availableDecoders(opts: { ffmpeg?: boolean } = {}): AudioDecoder[] {
  return [opusDecoder, ...((opts.ffmpeg ?? ffmpegAvailable()) ? [ffmpegDecoder] : [])];
}
