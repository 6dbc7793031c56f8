import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { AudioPipeline, AudioWorkerPool, BusConsent, type AudioPipelineOptions, type PipelineEvent } from '../../core/audio/index.ts';
import type { OpusPacket } from '../../core/audio/index.ts';
import type { TranscribeRequest, Transcriber } from '../../core/asr/types.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import type { Attendee, SegmentInput } from '../../core/types.ts';
import { encodeOpus, opusDecoderFactory } from './opus.ts';
import { readWav16, upsample3 } from './wav.ts';

// Real speech (LJSpeech LJ002-0020, 1.54 s, speech from 0 to ~1.45 s) placed at 1.0 s and 4.0 s of an 8 s stream.
const clip = readWav16(fileURLToPath(new URL('../../test/fixtures/audio/ljspeech_LJ002-0020.wav', import.meta.url))).samples;
const PLACES = [1000, 4000];
const TOTAL_MS = 8000;
const pcm16 = new Int16Array(TOTAL_MS * 16);
for (const at of PLACES) pcm16.set(clip, at * 16);
const PACKETS = encodeOpus(upsample3(pcm16), 1);
const silentFrame = (i: number) => pcm16.subarray(i * 320, i * 320 + 320).every((v) => v === 0);

interface Sent { packet: OpusPacket; arrivalMs: number }
function schedule(opts: { offsetMs?: number; onlySpeech?: boolean; noTimestamps?: boolean; epoch?: number } = {}): Sent[] {
  const off = opts.offsetMs ?? 0;
  const out: Sent[] = [];
  const epoch = opts.epoch ?? 0;
  let seq = 65_530 + epoch * PACKETS.length; // crosses the 16-bit wrap
  PACKETS.forEach((data, i) => {
    if (opts.onlySpeech && silentFrame(i)) return; // Discord-style: nothing is sent while silent
    const packet: OpusPacket = { seq: seq++ & 0xffff, data, ...(opts.noTimestamps ? {} : { timestamp: (123_456 + (epoch * PACKETS.length + i) * 960) >>> 0 }) };
    out.push({ packet, arrivalMs: off + i * 20 + 5 });
  });
  return out;
}

class StubTranscriber implements Transcriber {
  readonly name = 'stub';
  readonly quality = 'high' as const;
  received: { samples: number }[] = [];
  bytes = 0;
  gate: Promise<void> | null = null;
  async transcribe(r: TranscribeRequest) {
    this.received.push({ samples: r.pcm.length });
    this.bytes += r.pcm.byteLength;
    if (this.gate) await this.gate;
    const ms = (r.pcm.length / 16000) * 1000;
    return { engine: 'stub', segments: [{ text: `utterance ${this.received.length}`, startMs: 0, endMs: ms, confidence: 0.9 }] };
  }
}

function rig(extra: Partial<AudioPipelineOptions> = {}) {
  const asr = new StubTranscriber();
  const segments: SegmentInput[] = [];
  const events: PipelineEvent[] = [];
  let now = 0;
  const pipeline = new AudioPipeline({
    transcriber: asr, append: async (s) => void segments.push(...s), decoder: opusDecoderFactory(),
    now: () => now, tickMs: 0, onEvent: (e) => events.push(e), ...extra,
  });
  async function play(speaker: string, sent: Sent[]) {
    for (const { packet, arrivalMs } of sent) {
      while (now + 20 <= arrivalMs) pipeline.tick((now += 20));
      now = Math.max(now, arrivalMs);
      pipeline.push(speaker, packet, arrivalMs);
    }
  }
  async function finish(untilMs: number, drain = true) {
    while (now < untilMs) pipeline.tick((now += 20));
    if (drain) await pipeline.drain();
  }
  return { asr, segments, events, pipeline, play, finish, at: () => now };
}

function expectTimes(segments: SegmentInput[], places = PLACES, offset = 0) {
  expect(segments.map((s) => s.text).length).to.equal(places.length);
  segments.forEach((s, i) => {
    expect(s.startMs).to.be.closeTo(offset + places[i]!, 100);
    expect(s.endMs).to.be.closeTo(offset + places[i]! + 1450, 100);
  });
}

describe('audio pipeline (real speech through Opus)', () => {
  it('cuts two utterances at the right meeting-clock times and appends them as segments', async () => {
    const r = rig({ displayName: () => 'Alice' });
    await r.play('u1', schedule({ offsetMs: 2000 }));
    await r.finish(12_000);
    expectTimes(r.segments, PLACES, 2000);
    expect(r.segments.map((s) => [s.speaker, s.source, s.confidence])).to.deep.equal([['Alice', 'asr:stub', 0.9], ['Alice', 'asr:stub', 0.9]]);
    expect(r.segments[1]!.sourceSeq!).to.be.greaterThan(r.segments[0]!.sourceSeq!);
    expect(r.asr.received.every((u) => u.samples / 16 > 1300 && u.samples / 16 < 1700)).to.equal(true);
  });

  it('gives the same times with a 48 kHz stereo decoder (resampled in the front end) and with opusscript', async () => {
    for (const decoder of [opusDecoderFactory({ rate: 48_000, channels: 2 }), opusDecoderFactory({ impl: 'opusscript' })]) {
      const r = rig({ decoder });
      await r.play('u1', schedule());
      await r.finish(10_000);
      expectTimes(r.segments);
    }
  });

  it('keeps timestamps right under packet loss and reordering', async () => {
    const sent = schedule().filter((_, i) => i % 17 !== 5 && !(i >= 260 && i < 263)); // scattered + a 60 ms burst
    for (let i = 0; i + 1 < sent.length; i += 7) [sent[i], sent[i + 1]] = [sent[i + 1]!, sent[i]!]; // swapped pairs
    const r = rig();
    await r.play('u1', sent);
    await r.finish(10_000);
    expectTimes(r.segments);
    expect(r.pipeline.stats().latePackets).to.equal(0);
  });

  it('advances the clock by arrival time when a sender stops during silence (no timestamps)', async () => {
    const r = rig();
    await r.play('u1', schedule({ onlySpeech: true, noTimestamps: true }));
    await r.finish(10_000);
    expectTimes(r.segments);
  });

  it('reports a corrupted packet with a code and keeps the stream and its timing', async () => {
    const sent = schedule();
    sent[60] = { packet: { ...sent[60]!.packet, data: Buffer.from([0xff, 0xff, 0xff]) }, arrivalMs: sent[60]!.arrivalMs };
    const r = rig();
    await r.play('u1', sent);
    await r.finish(10_000);
    const issues = r.events.flatMap((e) => (e.type === 'audio.issue' ? [e.issue] : []));
    expect(issues.map((i) => i.code)).to.deep.equal(['AUDIO_PACKET_CORRUPT']);
    expect(issues[0]!.stream).to.equal('u1');
    expectTimes(r.segments);
  });

  it('never hands an opted-out speaker\'s audio to the engine, including an opt-out mid-meeting', async () => {
    const bus = new InProcessEventBus();
    const attendee = (displayName: string, consent: Attendee['consent']): Attendee => ({ id: displayName, meetingId: 'm1', userId: null, displayName, consent, talkTimeMs: 0 });
    const consent = new BusConsent(bus, 'm1', [attendee('Bob', 'opted_out')]);
    const perSpeaker = new Map<string, number>();
    const append = async (s: SegmentInput[]) => void s.forEach((g) => perSpeaker.set(g.speaker, (perSpeaker.get(g.speaker) ?? 0) + 1));
    const r = rig({ consent, append, displayName: (id) => (id === 'b' ? 'Bob' : 'Carol') });
    const bob = schedule();
    const carol = schedule();
    // Interleave both speakers; Carol opts out at 3.8 s, between her two utterances.
    for (let i = 0; i < bob.length; i++) {
      if (i === 190) await bus.publish({ type: 'attendee.updated', meetingId: 'm1', attendee: attendee('Carol', 'opted_out') });
      await r.play('b', [bob[i]!]);
      await r.play('c', [carol[i]!]);
    }
    await r.finish(12_000);
    expect(perSpeaker.get('Bob')).to.equal(undefined);
    expect(perSpeaker.get('Carol')).to.equal(1); // the utterance before the opt-out only
    expect(r.asr.received).to.have.length(1);
    expect(r.pipeline.stats().consentDropped).to.be.greaterThan(bob.length);
    consent.close();
  });

  it('bounds the queue when ASR is slower than speech: delayed state, oldest dropped and counted', async () => {
    let release!: () => void;
    const r = rig({ queue: { concurrency: 1, maxPerStream: 2, delayedDepth: 2 } });
    r.asr.gate = new Promise((res) => (release = res));
    for (let k = 0; k < 5; k++) await r.play('u1', schedule({ offsetMs: k * 8000, epoch: k }));
    await r.finish(41_000, false);
    const stats = r.pipeline.stats();
    expect(stats.utterances).to.equal(10);
    expect(stats.inFlight).to.equal(1);
    expect(stats.queueDepth).to.equal(2);
    expect(stats.droppedOldest).to.equal(7);
    expect(stats.delayedStreams).to.deep.equal(['u1']);
    expect(r.pipeline.isDelayed('u1')).to.equal(true);
    expect(r.events.filter((e) => e.type === 'audio.issue' && e.issue.code === 'UTTERANCE_DROPPED')).to.have.length(7);
    release();
    await r.pipeline.drain();
    expect(r.pipeline.isDelayed('u1')).to.equal(false);
    expect(r.segments).to.have.length(3);
    expect(r.events.some((e) => e.type === 'transcription.delayed' && !e.delayed)).to.equal(true);
  });

  it('releases an idle stream\'s decoder and buffers, and revives it with the right clock', async () => {
    const r = rig();
    await r.play('u1', schedule());
    await r.finish(40_000);
    expect(r.pipeline.stats()).to.include({ activeStreams: 0, idleStreams: 1, liveFrontEnds: 0 });
    expect(r.events.some((e) => e.type === 'stream.idle')).to.equal(true);
    await r.play('u1', schedule({ offsetMs: 60_000 }));
    await r.finish(70_000);
    expectTimes(r.segments.slice(2), PLACES, 60_000);
  });

  it('runs the same stages in a worker pool with the same result', async function () {
    this.timeout(30_000);
    const r = rig({
      host: (sink) => new AudioWorkerPool({ sink, workers: 2, decoderModule: new URL('./opus.ts', import.meta.url).href, decoderExport: 'opusDecoderFactory' }),
    });
    await r.play('u1', schedule());
    await r.play('u2', schedule({ offsetMs: 100 }));
    await r.finish(10_000);
    await r.pipeline.end();
    const byStream = (sp: string) => r.segments.filter((s) => s.speaker === sp);
    expectTimes(byStream('u1'));
    expectTimes(byStream('u2'), PLACES, 100);
  });
});
