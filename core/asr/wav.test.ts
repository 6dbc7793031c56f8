import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { isMinutesError } from '../errors.ts';
import { decodeAudioFile, detectContainer, type AudioDecoder } from './files.ts';
import { resample, toAsrPcm } from './pcm.ts';
import { encodeWav, readWav } from './wav.ts';
import { rejection } from '../../test/support/rejection.ts';

const fixture = new URL('../../test/fixtures/audio/ljspeech_LJ002-0020.wav', import.meta.url);

/** A WAV file with any header fields, written by hand (the reader must not rely on our own writer). */
function wav(opts: { format: number; bits: number; rate: number; channels: number; data: Buffer; extensible?: boolean }): Buffer {
  const fmtSize = opts.extensible ? 40 : 16;
  const head = Buffer.alloc(12 + 8 + fmtSize + 8);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(head.length - 8 + opts.data.length, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(fmtSize, 16);
  head.writeUInt16LE(opts.extensible ? 0xfffe : opts.format, 20);
  head.writeUInt16LE(opts.channels, 22);
  head.writeUInt32LE(opts.rate, 24);
  head.writeUInt32LE((opts.rate * opts.channels * opts.bits) / 8, 28);
  head.writeUInt16LE((opts.channels * opts.bits) / 8, 32);
  head.writeUInt16LE(opts.bits, 34);
  if (opts.extensible) {
    head.writeUInt16LE(22, 36);
    head.writeUInt16LE(opts.format, 44);
  }
  head.write('data', 20 + fmtSize, 'ascii');
  head.writeUInt32LE(opts.data.length, 24 + fmtSize);
  return Buffer.concat([head, opts.data]);
}

const halfScale = (bits: number, float: boolean) => {
  const b = Buffer.alloc(bits / 8);
  if (float) bits === 32 ? b.writeFloatLE(0.5) : b.writeDoubleLE(0.5);
  else if (bits === 8) b.writeUInt8(192);
  else if (bits === 16) b.writeInt16LE(16384);
  else if (bits === 24) b.writeIntLE(4194304, 0, 3);
  else b.writeInt32LE(1073741824);
  return b;
};


describe('WAV reading and conversion to 16 kHz mono', () => {
  for (const [format, bits, extensible] of [[1, 8, false], [1, 16, false], [1, 24, false], [1, 32, false], [3, 32, false], [3, 64, false], [1, 24, true]] as const) {
    it(`reads ${bits}-bit ${format === 1 ? 'PCM' : 'float'}${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''}`, () => {
      const data = Buffer.concat(Array.from({ length: 4 }, () => halfScale(bits, format === 3)));
      const decoded = readWav(wav({ format, bits, rate: 16000, channels: 1, data, extensible }));
      expect(decoded.sampleRate).to.equal(16000);
      expect([...decoded.samples].map((s) => Number(s.toFixed(3)))).to.deep.equal([0.5, 0.5, 0.5, 0.5]);
    });
  }

  it('downmixes stereo and resamples 48 kHz to 16 kHz keeping a 440 Hz tone', () => {
    const frames = 48000;
    const data = Buffer.alloc(frames * 4);
    for (let i = 0; i < frames; i++) {
      const v = Math.round(Math.sin((2 * Math.PI * 440 * i) / 48000) * 16000);
      data.writeInt16LE(v, i * 4);
      data.writeInt16LE(v, i * 4 + 2);
    }
    const decoded = readWav(wav({ format: 1, bits: 16, rate: 48000, channels: 2, data }));
    const pcm = toAsrPcm(decoded.samples, decoded.sampleRate, decoded.channels);
    expect(pcm.length).to.equal(16000);
    // Zero crossings of 440 Hz over one second: ~880.
    let crossings = 0;
    for (let i = 1; i < pcm.length; i++) if ((pcm[i - 1]! < 0) !== (pcm[i]! < 0)) crossings++;
    expect(crossings).to.be.within(870, 890);
    const peak = Math.max(...pcm.subarray(1000, 15000));
    expect(peak).to.be.within(15000, 16500);
  });

  it('removes content above the new Nyquist frequency when downsampling', () => {
    const tone = Float32Array.from({ length: 48000 }, (_, i) => Math.sin((2 * Math.PI * 12000 * i) / 48000));
    const out = resample(tone, 48000, 16000);
    const rms = Math.sqrt(out.subarray(500, 15500).reduce((a, s) => a + s * s, 0) / 15000);
    expect(rms).to.be.below(0.05);
  });

  it('round-trips the fixture clip through the writer', async () => {
    const bytes = readFileSync(fixture);
    const pcm = await decodeAudioFile(bytes);
    expect(pcm.length).to.equal((bytes.length - 44) / 2);
    expect(Buffer.compare(encodeWav(pcm, 16000), bytes)).to.equal(0);
  });

  it('says a truncated WAV is AUDIO_MALFORMED and how much is missing', async () => {
    const bytes = readFileSync(fixture);
    const err = await rejection(decodeAudioFile(bytes.subarray(0, 20000), { filename: 'cut.wav' }));
    expect(isMinutesError(err, 'AUDIO_MALFORMED'), String(err)).to.equal(true);
    expect((err as Error).message).to.match(/truncated: the data chunk declares 49268 bytes but only 19956 are present/);
    const header = await rejection(decodeAudioFile(bytes.subarray(0, 30)));
    expect(isMinutesError(header, 'AUDIO_MALFORMED')).to.equal(true);
  });

  it('rejects compressed WAV encodings and unknown formats with the list of supported formats', async () => {
    const alaw = await rejection(decodeAudioFile(wav({ format: 6, bits: 8, rate: 8000, channels: 1, data: Buffer.alloc(8) })));
    expect(isMinutesError(alaw, 'AUDIO_UNSUPPORTED_FORMAT')).to.equal(true);
    const opusOnly: AudioDecoder = { name: 'opus', describes: ['Ogg/Opus (.ogg, .opus)'], canDecode: (c) => c === 'ogg-opus', decode: () => Promise.resolve(new Int16Array()) };
    const err = await rejection(decodeAudioFile(Buffer.from('ID3\x03\x00 not really mp3'), { filename: 'talk.mp3', decoders: [opusOnly] }));
    expect(isMinutesError(err, 'AUDIO_UNSUPPORTED_FORMAT')).to.equal(true);
    expect((err as Error).message).to.contain('talk.mp3 is mp3').and.contain('WAV (PCM 8/16/24/32-bit or float').and.contain('Ogg/Opus').and.contain('Install ffmpeg');
    expect(detectContainer(Buffer.from('hello world'))).to.equal('unknown');
    expect(isMinutesError(await rejection(decodeAudioFile(Buffer.alloc(0))), 'AUDIO_MALFORMED')).to.equal(true);
  });
});
