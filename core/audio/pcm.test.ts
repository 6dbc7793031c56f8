import { expect } from 'chai';
import type { TranscribeRequest, Transcriber } from '../asr/types.ts';
import { MinutesError } from '../errors.ts';
import type { SegmentInput } from '../types.ts';
import { AudioPipeline, type AudioPipelineOptions, type PipelineEvent } from './AudioPipeline.ts';
import { LJSPEECH_PCM16 } from '../../test/support/speech.ts';
import type { FrontEndHost } from './frontends.ts';

// LJSpeech LJ002-0020: 1.54 s of 16 kHz mono, speech from 0 to ~1.45 s; placed at 1.0 s of a 4 s stream.
const clip = LJSPEECH_PCM16;
const PLACE_MS = 1000;
const TOTAL_MS = 4000;
const stream16 = new Int16Array(TOTAL_MS * 16);
stream16.set(clip, PLACE_MS * 16);

class FakeTranscriber implements Transcriber {
  readonly name = 'fake';
  readonly quality = 'high' as const;
  calls: number[] = [];
  async transcribe(r: TranscribeRequest) {
    this.calls.push(r.pcm.length);
    return { engine: 'fake', segments: [{ text: 'the speech clip', startMs: 0, endMs: (r.pcm.length / 16000) * 1000, confidence: 0.9 }] };
  }
}

function rig(extra: Partial<AudioPipelineOptions> = {}) {
  const asr = new FakeTranscriber();
  const segments: SegmentInput[] = [];
  const events: PipelineEvent[] = [];
  let now = 0;
  const pipeline = new AudioPipeline({ transcriber: asr, append: async (s) => void segments.push(...s), now: () => now, tickMs: 0, onEvent: (e) => events.push(e), ...extra });
  /** 20 ms chunks in real-time order, each arriving as it ends (the default arrival). */
  async function play(speaker: string, pcm: Int16Array, offsetMs = 0) {
    const results: boolean[] = [];
    for (let i = 0; i < pcm.length; i += 320) {
      now = offsetMs + (i + 320) / 16;
      pipeline.tick(now);
      results.push(pipeline.pushPcm(speaker, pcm.slice(i, i + 320)));
    }
    for (let k = 0; k < 50; k++) pipeline.tick((now += 20)); // 1 s of nothing after
    await pipeline.drain();
    return results;
  }
  return { asr, segments, events, pipeline, play };
}

describe('audio pipeline: PCM input (browser microphones)', () => {
  it('cuts 20 ms PCM chunks of real speech into one utterance at the right time, without a decoder', async () => {
    const r = rig({ displayName: () => 'Ada' });
    const accepted = await r.play('browser:1', stream16);
    expect(accepted.every(Boolean)).to.equal(true);
    expect(r.asr.calls).to.have.length(1);
    expect(r.segments).to.have.length(1);
    const [seg] = r.segments;
    expect(seg!.speaker).to.equal('Ada');
    expect(seg!.text).to.equal('the speech clip');
    expect(seg!.source).to.equal('asr:fake');
    expect(seg!.startMs).to.be.closeTo(PLACE_MS, 100);
    expect(seg!.endMs).to.be.closeTo(PLACE_MS + 1450, 120);
    const u = r.events.find((e) => e.type === 'utterance');
    expect(u && u.type === 'utterance' && u.startMs).to.be.closeTo(PLACE_MS, 100);
    expect(r.pipeline.stats()).to.include({ packets: TOTAL_MS / 20, utterances: 1, segments: 1, consentDropped: 0 });
    await r.pipeline.end();
  });

  it('places PCM on the meeting clock when the stream starts late, and keeps time across odd chunk sizes', async () => {
    const r = rig();
    const now = { ms: 0 };
    const p = new AudioPipeline({ transcriber: r.asr, append: async (s) => void r.segments.push(...s), now: () => now.ms, tickMs: 0 });
    // 3 s into the meeting, 37 ms chunks (a browser that does not send 20 ms frames).
    const chunk = 37 * 16;
    for (let i = 0; i < stream16.length; i += chunk) {
      now.ms = 3000 + (i + chunk) / 16;
      p.tick(now.ms);
      p.pushPcm('b', stream16.slice(i, i + chunk));
    }
    for (let k = 0; k < 50; k++) p.tick((now.ms += 20));
    await p.drain();
    expect(r.segments).to.have.length(1);
    expect(r.segments[0]!.startMs).to.be.closeTo(3000 + PLACE_MS, 100);
    await p.end();
  });

  it("drops an opted-out speaker's PCM before any buffering or transcription", async () => {
    const r = rig({ displayName: (s) => (s === 'browser:2' ? 'Grace' : 'Ada'), consent: { isOptedOut: (name) => name === 'Grace' } });
    const accepted = await r.play('browser:2', stream16);
    expect(accepted.some(Boolean)).to.equal(false);
    expect(r.asr.calls).to.have.length(0);
    expect(r.segments).to.have.length(0);
    expect(r.pipeline.stats()).to.include({ consentDropped: TOTAL_MS / 20, packets: 0, utterances: 0, liveFrontEnds: 0 });
    await r.pipeline.end();
  });

  it('discards what was buffered when the speaker opts out mid-utterance', async () => {
    let out = false;
    const r = rig({ consent: { isOptedOut: () => out } });
    const half = stream16.subarray(0, (PLACE_MS + 700) * 16);
    for (let i = 0; i < half.length; i += 320) r.pipeline.pushPcm('b', half.slice(i, i + 320), i / 16);
    out = true;
    expect(r.pipeline.pushPcm('b', stream16.slice(half.length, half.length + 320), half.length / 16)).to.equal(false);
    await r.pipeline.end();
    expect(r.asr.calls).to.have.length(0);
    expect(r.segments).to.have.length(0);
  });

  it('refuses Opus packets on a PCM-only pipeline, and PCM on a host without a PCM path', async () => {
    const r = rig();
    expect(() => r.pipeline.push('b', { seq: 1, data: new Uint8Array(3) })).to.throw(TypeError, /pushPcm only/);
    await r.pipeline.end();
    const host: FrontEndHost = { push() {}, tick() {}, release() {}, async sync() {}, async close() {}, streams: 0 };
    const p = new AudioPipeline({ transcriber: r.asr, append: async () => {}, now: () => 0, tickMs: 0, host: () => host });
    expect(() => p.pushPcm('b', new Int16Array(320))).to.throw(MinutesError).with.property('code', 'AUDIO_UNSUPPORTED_FORMAT');
    await p.end();
  });
});
