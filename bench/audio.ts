/**
 * `npm run bench:audio`: the live audio pipeline under N simultaneous
 * synthetic speakers. Every stream sends real Opus packets (the LJSpeech
 * fixture clip encoded once, plus Opus silence frames) in a seeded
 * talk/silence pattern (3–6 s talk, 2–5 s silence), each with its own
 * sequence numbers and timestamps; ASR is a stub that returns one segment
 * after a tiny delay, and appends are counted.
 *
 *   1. cost: bare Opus decode of K streams' packets (same decoder factory, no
 *      pipeline) vs the whole pipeline on the same packets, both as fast as
 *      possible, CPU time (process.cpuUsage) per audio-second, alternating rounds
 *   2. memory per stream at steady state (after GC when --expose-gc is on)
 *   3. real time: BENCH_STREAMS (default 1,000) streams for BENCH_SECONDS
 *      (default 25) s, paced by one 20 ms timer, decode/VAD in an
 *      AudioWorkerPool (BENCH_WORKERS, default one per core); lag = timer
 *      lateness and the round trip of a sync marker queued behind all packets
 *
 * Env: BENCH_STREAMS, BENCH_SECONDS, BENCH_WORKERS, BENCH_COST_STREAMS,
 * BENCH_COST_SECONDS, BENCH_MEM_STREAMS, BENCH_SEED.
 * Ends with `name: value (goal …) met|missed` lines; a JSON copy goes to
 * bench-results/audio.json.
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defaultOpus, encodeOpus, opusDecoderFactory } from '../adapters/audio/opus.ts';
import { readWav16, upsample3 } from '../adapters/audio/wav.ts';
import type { TranscribeRequest, TranscribeResult, Transcriber } from '../core/asr/types.ts';
import { AudioPipeline, AudioWorkerPool, type OpusPacket } from '../core/audio/index.ts';
import type { SegmentInput } from '../core/types.ts';
import { envNumber as env, fmt, percentile, Report, summarize } from './lib/report.ts';
import { prng } from './lib/corpus.ts';


const CORES = availableParallelism();
const STREAMS = Math.max(1, env('BENCH_STREAMS', 1000));
const SECONDS = Math.max(2, env('BENCH_SECONDS', 25));
const WORKERS = Math.max(1, env('BENCH_WORKERS', CORES));
const COST_STREAMS = Math.max(1, env('BENCH_COST_STREAMS', Math.min(STREAMS, 50)));
const COST_SECONDS = Math.max(2, env('BENCH_COST_SECONDS', Math.min(SECONDS, 20)));
const COST_ROUNDS = 3;
const MEM_STREAMS = Math.max(1, env('BENCH_MEM_STREAMS', Math.min(STREAMS, 500)));
const MEM_SECONDS = 10;
const SEED = env('BENCH_SEED', 20261125);
const FRAME_MS = 20;
/** The pipeline's decoder: opusDecoderFactory() defaults (16 kHz mono out of the codec). */
const DECODER = { rate: 16_000, channels: 1 } as const;

const report = new Report();
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => bytes / 1024 / 1024;

// ---------- synthetic speakers ----------

const clip = readWav16(fileURLToPath(new URL('../test/fixtures/audio/ljspeech_LJ002-0020.wav', import.meta.url))).samples;
const SPEECH: Buffer[] = encodeOpus(upsample3(clip), 1);
const SILENCE: Buffer = encodeOpus(new Int16Array(960 * 4), 1)[3]!; // a settled silence frame

/** One speaker: talk 3–6 s (the clip, looped from a random point), silence 2–5 s (silence frames). */
class Speaker {
  private readonly rand: () => number;
  private seq: number;
  private ts: number;
  private talking: boolean;
  private left: number;
  private clipAt: number;
  sent = 0;
  speechPackets = 0;

  constructor(readonly id: string, seed: number) {
    this.rand = prng(seed);
    this.seq = Math.floor(this.rand() * 65536);
    this.ts = Math.floor(this.rand() * 2 ** 32);
    this.talking = this.rand() < 0.5;
    this.left = Math.floor(this.phaseFrames() * this.rand()) + 1; // start somewhere inside a phase
    this.clipAt = Math.floor(this.rand() * SPEECH.length);
  }

  private phaseFrames(): number {
    const [lo, hi] = this.talking ? [3000, 6000] : [2000, 5000];
    return Math.round((lo + this.rand() * (hi - lo)) / FRAME_MS);
  }

  next(): OpusPacket {
    if (this.left-- <= 0) {
      this.talking = !this.talking;
      this.left = this.phaseFrames() - 1;
    }
    let data = SILENCE;
    if (this.talking) {
      data = SPEECH[this.clipAt]!;
      this.clipAt = (this.clipAt + 1) % SPEECH.length;
      this.speechPackets++;
    }
    const p: OpusPacket = { seq: this.seq, timestamp: this.ts, data };
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + 960) >>> 0;
    this.sent++;
    return p;
  }
}

const speakers = (n: number, seedOffset: number) => Array.from({ length: n }, (_, i) => new Speaker(`s${i}`, SEED + seedOffset + i * 7919));

class StubTranscriber implements Transcriber {
  readonly name = 'stub';
  readonly quality = 'high' as const;
  calls = 0;
  async transcribe(r: TranscribeRequest): Promise<TranscribeResult> {
    this.calls++;
    await new Promise((res) => setTimeout(res, 1));
    return { engine: 'stub', segments: [{ text: 'stub words', startMs: 0, endMs: (r.pcm.length / 16000) * 1000, confidence: 0.9 }] };
  }
}

function stubbedPipeline(opts: { now: () => number; tickMs: number; host?: ConstructorParameters<typeof AudioPipeline>[0]['host'] }) {
  const asr = new StubTranscriber();
  const counts = { appends: 0, segments: 0 };
  const append = async (s: SegmentInput[]) => {
    counts.appends++;
    counts.segments += s.length;
  };
  const pipeline = new AudioPipeline({
    transcriber: asr, append, now: opts.now, tickMs: opts.tickMs,
    // A stub engine answers in ~1 ms; a real deployment sizes this to its ASR server.
    queue: { concurrency: 16, maxQueued: 4096 },
    ...(opts.host ? { host: opts.host } : { decoder: opusDecoderFactory(DECODER) }),
  });
  return { pipeline, asr, counts };
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};
const tickAsync = () => new Promise<void>((res) => setImmediate(res));

// ---------- 1. cost: bare decode vs pipeline on the same packets ----------

function buildPackets(n: number, frames: number): OpusPacket[][] {
  // packets[t][s]: what stream s sends in frame t. Built once, replayed by both sides.
  const sp = speakers(n, 0);
  return Array.from({ length: frames }, () => sp.map((s) => s.next()));
}

function runBare(packets: OpusPacket[][], streams: number, options: Parameters<typeof opusDecoderFactory>[0] = DECODER): number {
  const make = opusDecoderFactory(options);
  const decoders = Array.from({ length: streams }, () => make());
  const t0 = process.cpuUsage();
  let samples = 0;
  for (const frame of packets) for (let s = 0; s < streams; s++) samples += decoders[s]!.decode(frame[s]!.data).length;
  const cpu = cpuSeconds(t0);
  for (const d of decoders) d.release();
  if (samples === 0) throw new Error('nothing decoded');
  return cpu;
}

async function runPipeline(packets: OpusPacket[][], streams: number): Promise<{ cpu: number; utterances: number; segments: number }> {
  let now = 0;
  const { pipeline, counts } = stubbedPipeline({ now: () => now, tickMs: 0 });
  const ids = Array.from({ length: streams }, (_, i) => `s${i}`);
  const t0 = process.cpuUsage();
  for (let t = 0; t < packets.length; t++) {
    now = t * FRAME_MS + 5;
    const frame = packets[t]!;
    for (let s = 0; s < streams; s++) pipeline.push(ids[s]!, frame[s]!, now);
    if (t % 5 === 4) {
      pipeline.tick(now); // the pipeline's own timer runs every 100 ms
      await tickAsync(); // let stub ASR and appends run as they would
    }
  }
  await pipeline.end();
  const cpu = cpuSeconds(t0);
  return { cpu, utterances: pipeline.stats().utterances, segments: counts.segments };
}

async function costSection(): Promise<{ ratio: number; cpuPerStreamSecond: number }> {
  const frames = (COST_SECONDS * 1000) / FRAME_MS;
  const packets = buildPackets(COST_STREAMS, frames);
  const audioSeconds = COST_STREAMS * COST_SECONDS;
  const speech = packets.flat().filter((p) => p.data !== SILENCE).length / (frames * COST_STREAMS);
  report.line(`[${elapsed()}] cost: ${COST_STREAMS} streams x ${COST_SECONDS} s = ${audioSeconds} stream-seconds (${frames * COST_STREAMS} packets, ${fmt(speech * 100)}% speech), as fast as possible, ${COST_ROUNDS} alternating rounds`);
  runBare(packets.slice(0, 50), COST_STREAMS); // warm-up
  await runPipeline(packets.slice(0, 250), COST_STREAMS);
  const bare: number[] = [];
  const pipe: number[] = [];
  let last = { utterances: 0, segments: 0 };
  for (let r = 0; r < COST_ROUNDS; r++) {
    bare.push(runBare(packets, COST_STREAMS));
    const p = await runPipeline(packets, COST_STREAMS);
    pipe.push(p.cpu);
    last = p;
  }
  const bare48 = runBare(packets, COST_STREAMS, { rate: 48_000, channels: 2 });
  const bareCpu = percentile(bare, 50);
  const pipeCpu = percentile(pipe, 50);
  const ratio = pipeCpu / bareCpu;
  const perSec = pipeCpu / audioSeconds;
  report.line(`  bare decode (${defaultOpus}, ${DECODER.rate / 1000} kHz ${DECODER.channels} ch):  ${bare.map((c) => fmt(c)).join(' / ')} s CPU -> median ${fmt((bareCpu / audioSeconds) * 1000)} ms CPU per stream-second (${fmt((bareCpu / (frames * COST_STREAMS)) * 1e6)} µs/packet)`);
  report.line(`  pipeline (decode+VAD+cut+ASR stub): ${pipe.map((c) => fmt(c)).join(' / ')} s CPU -> median ${fmt(perSec * 1000)} ms CPU per stream-second (${fmt((pipeCpu / (frames * COST_STREAMS)) * 1e6)} µs/packet); ${last.utterances} utterances, ${last.segments} segments per round`);
  report.line(`  (info) the same packets decoded at 48 kHz stereo, as Discord sends and the pipeline decoded before: ${fmt(bare48)} s CPU, ${fmt((bare48 / audioSeconds) * 1000)} ms per stream-second (${fmt(bare48 / bareCpu)}x the 16 kHz mono decode)`);
  report.line(`  ratio pipeline/bare ${fmt(ratio)}; streams per core in real time: ${fmt(1 / perSec)} (pipeline), ${fmt(audioSeconds / bareCpu)} (bare decode)`);
  report.set('cost', { streams: COST_STREAMS, seconds: COST_SECONDS, speechShare: speech, bareCpuSeconds: bare, pipelineCpuSeconds: pipe, ratio, pipelineCpuMsPerStreamSecond: perSec * 1000, bareCpuMsPerStreamSecond: (bareCpu / audioSeconds) * 1000, bare48kStereoCpuSeconds: bare48, utterancesPerRound: last.utterances });
  return { ratio, cpuPerStreamSecond: perSec };
}

// ---------- 2. memory per stream ----------

function memNow() {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
}

async function memorySection(): Promise<number> {
  const sp = speakers(MEM_STREAMS, 1_000_000);
  let now = 0;
  const { pipeline } = stubbedPipeline({ now: () => now, tickMs: 0 });
  // Warm the code paths and allocator with one stream first, so the baseline is not the first-use cost.
  const warm = new Speaker('warm', 1);
  for (let t = 0; t < 500; t++) pipeline.push('warm', warm.next(), (now = t * FRAME_MS));
  await pipeline.drain();
  const before = memNow();
  const frames = (MEM_SECONDS * 1000) / FRAME_MS;
  for (let t = 0; t < frames; t++) {
    now = 10_000 + t * FRAME_MS;
    for (const s of sp) pipeline.push(s.id, s.next(), now);
    if (t % 5 === 4) {
      pipeline.tick(now);
      await tickAsync();
    }
  }
  await pipeline.drain();
  const after = memNow();
  const stats = pipeline.stats();
  const perRss = mb(after.rss - before.rss) / MEM_STREAMS;
  const perHeap = mb(after.heap - before.heap) / MEM_STREAMS;
  report.line(`[${elapsed()}] memory: ${MEM_STREAMS} live streams after ${MEM_SECONDS} s of audio each (${stats.liveFrontEnds} front ends, ${stats.utterances} utterances cut)${gc ? ', after GC' : ' (no --expose-gc: no GC before measuring)'}`);
  report.line(`  RSS ${fmt(mb(before.rss))} -> ${fmt(mb(after.rss))} MB: ${fmt(perRss * 1024)} KB per stream; JS heap+external+ArrayBuffers ${fmt(mb(before.heap))} -> ${fmt(mb(after.heap))} MB: ${fmt(perHeap * 1024)} KB per stream`);
  report.set('memory', { streams: MEM_STREAMS, seconds: MEM_SECONDS, gc: Boolean(gc), rssBeforeMb: mb(before.rss), rssAfterMb: mb(after.rss), heapBeforeMb: mb(before.heap), heapAfterMb: mb(after.heap), rssPerStreamMb: perRss, heapPerStreamMb: perHeap });
  await pipeline.end();
  return Math.max(perRss, perHeap);
}

// ---------- 3. real time ----------

interface RealtimeResult {
  keepsUp: boolean;
  reason: string;
}

async function realtimeSection(): Promise<RealtimeResult> {
  const sp = speakers(STREAMS, 2_000_000);
  const t0 = performance.now();
  let pool: AudioWorkerPool | null = null;
  const { pipeline, asr, counts } = stubbedPipeline({
    now: () => performance.now() - t0,
    tickMs: 100,
    host: (sink) => (pool = new AudioWorkerPool({ sink, workers: WORKERS, decoderModule: new URL('../adapters/audio/opus.ts', import.meta.url).href, decoderExport: 'opusDecoderFactory', decoderOptions: DECODER })),
  });
  const host = pool as unknown as AudioWorkerPool;
  // Workers load tsx and the codec; wait for them before the clock starts.
  await host.sync();
  const rssBefore = process.memoryUsage().rss;
  report.line(`[${elapsed()}] real time: ${STREAMS} streams for ${SECONDS} s, one 20 ms timer, AudioWorkerPool with ${WORKERS} worker(s) on ${CORES} core(s), decoder ${defaultOpus}`);

  const start = performance.now();
  const end = start + SECONDS * 1000;
  const lateness: number[] = [];
  const syncLag: { at: number; ms: number }[] = [];
  let pushed = 0;
  let sentFrames = 0;
  let maxBehindFrames = 0;
  const cpu0 = process.cpuUsage();

  // Sync markers: queued behind every packet pushed so far, answered when the workers reach them.
  let syncing = true;
  const syncLoop = (async () => {
    while (syncing) {
      const s = performance.now();
      await host.sync();
      syncLag.push({ at: (s - start) / 1000, ms: performance.now() - s });
      await new Promise((res) => setTimeout(res, 250));
    }
  })();

  await new Promise<void>((resolve) => {
    let tick = 0;
    const step = () => {
      const scheduled = start + tick * FRAME_MS;
      const nowWall = performance.now();
      lateness.push(nowWall - scheduled);
      if (nowWall >= end) return resolve();
      // Every stream sends every packet due by now (one per 20 ms); a late tick sends several.
      const due = Math.floor((nowWall - start) / FRAME_MS) + 1;
      maxBehindFrames = Math.max(maxBehindFrames, due - sentFrames);
      const arrival = nowWall - t0;
      for (; sentFrames < due; sentFrames++) for (const s of sp) (pipeline.push(s.id, s.next(), arrival), pushed++);
      tick = Math.max(tick + 1, Math.floor((performance.now() - start) / FRAME_MS) + 1);
      setTimeout(step, Math.max(0, start + tick * FRAME_MS - performance.now()));
    };
    step();
  });
  const wall = (performance.now() - start) / 1000;
  const cpu = cpuSeconds(cpu0);
  const load = loadavg()[0]!;
  syncing = false;
  await syncLoop;
  const rssDuring = process.memoryUsage().rss;
  const drain0 = performance.now();
  await host.sync();
  const finalLag = performance.now() - drain0;
  await pipeline.end();
  const stats = pipeline.stats();

  const late = summarize(lateness);
  const lags = syncLag.map((s) => s.ms);
  const lag = summarize(lags);
  const q = Math.max(1, Math.floor(syncLag.length / 4));
  const firstQ = summarize(lags.slice(0, q)).mean;
  const lastQ = summarize(lags.slice(-q)).mean;
  const growing = lastQ > Math.max(2 * firstQ, firstQ + 50);
  const audioSeconds = pushed * FRAME_MS / 1000;
  report.line(`  pushed ${pushed} packets (${fmt(pushed / wall)}/s, ${fmt(audioSeconds)} stream-seconds in ${fmt(wall)} s wall); ${stats.utterances} utterances -> ${asr.calls} ASR calls -> ${counts.segments} segments appended; ${stats.droppedOldest} dropped, ${stats.latePackets} late, ${stats.corruptPackets} corrupt`);
  report.line(`  timer lateness: p50 ${fmt(late.p50)} ms, p95 ${fmt(late.p95)} ms, max ${fmt(late.max)} ms; most frames owed in one tick ${maxBehindFrames}`);
  report.line(`  processing lag (sync marker round trip through the workers, ${lag.n} samples): p50 ${fmt(lag.p50)} ms, p95 ${fmt(lag.p95)} ms, max ${fmt(lag.max)} ms; first quarter mean ${fmt(firstQ)} ms, last quarter ${fmt(lastQ)} ms (${growing ? 'GROWING' : 'not growing'}); after the last packet ${fmt(finalLag)} ms`);
  report.line(`  machine load average (1 min) ${fmt(load)} on ${CORES} cores at the end (other processes compete for the same cores when it is above ~${CORES})`);
  report.line(`  CPU ${fmt(cpu)} s over ${fmt(wall)} s = ${fmt((cpu / wall / CORES) * 100)}% of ${CORES} cores (${fmt((cpu / audioSeconds) * 1000)} ms CPU per stream-second incl. thread hand-off); RSS +${fmt(mb(rssDuring - rssBefore))} MB while running (${fmt((mb(rssDuring - rssBefore) / STREAMS) * 1024)} KB per stream, no GC)`);

  const problems: string[] = [];
  if (late.p95 > 2 * FRAME_MS) problems.push(`timer p95 lateness ${fmt(late.p95)} ms > ${2 * FRAME_MS} ms`);
  if (lag.p95 > 250) problems.push(`processing lag p95 ${fmt(lag.p95)} ms > 250 ms`);
  if (lag.max > 1000) problems.push(`processing lag max ${fmt(lag.max)} ms > 1 s`);
  if (growing) problems.push('processing lag grows over the run');
  if (stats.droppedOldest > 0) problems.push(`${stats.droppedOldest} utterances dropped`);
  if (stats.utterances === 0) problems.push('no utterances cut');
  const keepsUp = problems.length === 0;
  const reason = keepsUp ? `timer p95 ${fmt(late.p95)} ms, processing lag p95 ${fmt(lag.p95)} ms, max ${fmt(lag.max)} ms, not growing` : problems.join('; ');
  report.line(`  keeps up: ${keepsUp ? 'yes' : 'no'} (${reason})`);
  report.set('realtime', {
    streams: STREAMS, seconds: SECONDS, workers: WORKERS, cores: CORES, wallSeconds: wall, packets: pushed, cpuSeconds: cpu,
    loadAverage1m: load, timerLatenessMs: late, processingLagMs: lag, processingLagFirstQuarterMs: firstQ, processingLagLastQuarterMs: lastQ, processingLagSeries: syncLag.map((s) => [Number(s.at.toFixed(2)), Number(s.ms.toFixed(1))]), finalLagMs: finalLag,
    maxFramesOwed: maxBehindFrames, stats: { ...stats, delayedStreams: stats.delayedStreams.length }, segments: counts.segments, keepsUp, reason,
  });
  return { keepsUp, reason };
}

async function main(): Promise<void> {
  report.line(`bench:audio — decoder ${defaultOpus === 'native' ? 'native @discordjs/opus' : 'opusscript (WebAssembly)'} at ${DECODER.rate / 1000} kHz ${DECODER.channels} ch (the pipeline's default); clip ${SPEECH.length} speech packets + silence frames; seed ${SEED}; ${CORES} cores; GC ${gc ? 'exposed' : 'not exposed'}`);
  const mem = await memorySection();
  const cost = await costSection();
  const rt = await realtimeSection();
  report.goal({ name: 'audio_pipeline_vs_decode_ratio', value: cost.ratio, op: '<=', target: 1.3, note: `CPU of the whole pipeline / bare ${defaultOpus} decode of the same packets, ${COST_STREAMS} streams x ${COST_SECONDS} s` });
  report.goal({ name: 'audio_memory_per_stream_mb', value: mem, op: '<=', target: 2, note: `max of RSS and heap growth per stream, ${MEM_STREAMS} streams` });
  report.goal({ name: `audio_${STREAMS}_streams_realtime`, value: rt.keepsUp ? 1 : 0, op: '>=', target: 1, format: 'yesno', note: rt.reason });
  report.writeJson('bench-results/audio.json', {
    at: new Date().toISOString(),
    decoder: defaultOpus,
    settings: { streams: STREAMS, seconds: SECONDS, workers: WORKERS, costStreams: COST_STREAMS, costSeconds: COST_SECONDS, memStreams: MEM_STREAMS, seed: SEED, cores: CORES },
    streamsPerCore: 1 / cost.cpuPerStreamSecond,
    totalSeconds: (performance.now() - started) / 1000,
  });
  report.printGoals();
  console.log(`audio_streams_per_core: ${fmt(1 / cost.cpuPerStreamSecond)} (informational)`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
