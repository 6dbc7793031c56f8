import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { isMinutesError } from '../../core/errors.ts';
import { decodeAudioFile, detectContainer } from '../../core/asr/files.ts';
import { availableDecoders, checkOggPages, ffmpegAvailable, opusDecoder } from './decoders.ts';
import { rejection } from '../../test/support/rejection.ts';

/** The LJSpeech clip (1.54 s) encoded as a browser or Discord would: Ogg/Opus, WebM/Opus, and MP3 for ffmpeg. */
const fixture = (ext: string) => readFileSync(new URL(`../../test/fixtures/audio/ljspeech_LJ002-0020.${ext}`, import.meta.url));
const CLIP_SAMPLES = 24634;


/** Correlation of two signals over their common length, after aligning by the best lag in ±20 ms. */
function similarity(a: Int16Array, b: Int16Array): number {
  let best = 0;
  for (let lag = -320; lag <= 320; lag += 4) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = Math.max(0, -lag); i < Math.min(a.length, b.length - lag); i++) {
      ab += a[i]! * b[i + lag]!;
      aa += a[i]! * a[i]!;
      bb += b[i + lag]! * b[i + lag]!;
    }
    best = Math.max(best, ab / Math.sqrt(aa * bb || 1));
  }
  return best;
}

describe('decoding recordings: Ogg/Opus and WebM/Opus (prism-media), others (ffmpeg)', () => {
  let reference: Int16Array;
  before(async () => {
    reference = await decodeAudioFile(fixture('wav'));
  });

  for (const ext of ['ogg', 'webm'] as const) {
    it(`decodes ${ext === 'ogg' ? 'Ogg' : 'WebM'}/Opus to 16 kHz mono that matches the original`, async () => {
      const bytes = fixture(ext);
      expect(detectContainer(bytes)).to.equal(ext === 'ogg' ? 'ogg-opus' : 'webm');
      const pcm = await decodeAudioFile(bytes, { decoders: [opusDecoder] });
      expect(pcm.length).to.be.within(CLIP_SAMPLES - 400, CLIP_SAMPLES + 800);
      expect(similarity(reference, pcm)).to.be.above(0.8);
    });
  }

  it('says a truncated Ogg/Opus file is AUDIO_MALFORMED', async () => {
    const bytes = fixture('ogg');
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    const err = await rejection(decodeAudioFile(cut, { decoders: [opusDecoder] }));
    expect(isMinutesError(err, 'AUDIO_MALFORMED'), String(err)).to.equal(true);
    expect((err as Error).message).to.match(/Malformed Ogg file: truncated/);
    expect(() => checkOggPages(bytes)).not.to.throw();
  });

  it('decodes MP3 through ffmpeg when it is installed, and lists the formats when it is not', async function () {
    const err = await rejection(decodeAudioFile(fixture('mp3'), { filename: 'clip.mp3', decoders: [opusDecoder] }));
    expect(isMinutesError(err, 'AUDIO_UNSUPPORTED_FORMAT')).to.equal(true);
    expect((err as Error).message).to.contain('supported formats: WAV').and.contain('Ogg/Opus (.ogg, .opus); WebM/Opus (.webm)');
    if (!ffmpegAvailable()) {
      console.warn('      skipped the ffmpeg half: ffmpeg is not installed (scripts/setup-audio.sh installs it)');
      this.skip();
    }
    const pcm = await decodeAudioFile(fixture('mp3'), { decoders: availableDecoders() });
    expect(pcm.length).to.be.within(CLIP_SAMPLES - 400, CLIP_SAMPLES + 2000);
    expect(similarity(reference, pcm)).to.be.above(0.8);
  });

  it('reports bytes no decoder understands as AUDIO_UNSUPPORTED_FORMAT, even with ffmpeg', async () => {
    const err = await rejection(decodeAudioFile(Buffer.from('{"not": "audio"}'), { filename: 'notes.json', decoders: availableDecoders() }));
    expect(isMinutesError(err, 'AUDIO_UNSUPPORTED_FORMAT'), String(err)).to.equal(true);
    expect((err as Error).message).to.contain('notes.json is not in a recognised audio format; supported formats: WAV');
  });
});
