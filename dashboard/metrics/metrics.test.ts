import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import { MemoryLedger, observedLedger } from '../../core/ai/ledger.ts';
import { Orchestrator } from '../../core/ai/Orchestrator.ts';
import { ScriptedProvider } from '../../core/ai/ScriptedProvider.ts';
import type { TranscribeRequest, Transcriber } from '../../core/asr/types.ts';
import { AudioPipeline } from '../../core/audio/AudioPipeline.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import type { Meeting } from '../../core/types.ts';
import type { Insight } from '../../core/minutes/types.ts';
import { LJSPEECH_PCM16 } from '../../test/support/speech.ts';
import { createMetrics, metricsHandler, type MetricsRegistry } from './index.ts';

const ID = '0b7c4f1e-8a55-4d0c-9a43-3f1d2c5e6a7b';

/** An app shaped like the dashboard: trusts loopback proxies, times every request, serves /metrics. */
async function serve(metrics: MetricsRegistry, token?: string): Promise<{ base: string; server: Server }> {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(metrics.httpMiddleware);
  app.get('/metrics', metricsHandler(metrics, { token: token ?? null }));
  const api = express.Router();
  api.get('/meetings/:id', (req, res) => void res.json({ id: req.params.id }));
  app.use('/api', api);
  app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
  app.use((_req, res) => void res.status(404).json({ error: 'not found' }));
  const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/** The value of one sample line (`name{labels} value`), 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics (prom-client)', () => {
  let metrics: MetricsRegistry;
  let server: Server;
  let base: string;

  beforeEach(async () => {
    metrics = createMetrics();
    ({ base, server } = await serve(metrics));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('times requests by route pattern (never the raw id), with 404s as unmatched', async () => {
    expect((await fetch(`${base}/api/meetings/${ID}`)).status).to.equal(200);
    expect((await fetch(`${base}/api/meetings/another-id`)).status).to.equal(200);
    expect((await fetch(`${base}/health`)).status).to.equal(200);
    expect((await fetch(`${base}/nope/${ID}`)).status).to.equal(404);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    const text = await res.text();
    expect(text).to.include('# TYPE http_request_duration_seconds histogram');
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/api/meetings/:id",status="200"}')).to.equal(2);
    expect(text).to.match(/http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/meetings\/:id",status="200"\} 2/);
    expect(sample(text, 'http_requests_total{method="GET",route="/health",status="200"}')).to.equal(1);
    expect(sample(text, 'http_requests_total{method="GET",route="unmatched",status="404"}')).to.equal(1);
    expect(text).not.to.include(ID);
    expect(text).not.to.include('another-id');
    // prom-client's default process metrics.
    expect(text).to.include('process_cpu_seconds_total');
    expect(text).to.include('minutes_cache_hit_ratio');
  });

  it('counts segments, insights and meetings in progress from the bus', async () => {
    const bus = new InProcessEventBus();
    const off = metrics.observeBus(bus);
    const meeting = (id: string) => ({ id }) as Meeting;
    const before = await (await fetch(`${base}/metrics`)).text();
    expect(sample(before, 'minutes_segments_ingested_total')).to.equal(0);
    expect(sample(before, 'minutes_active_meetings')).to.equal(0);

    await bus.publish({ type: 'meeting.started', meeting: meeting('m1') });
    await bus.publish({ type: 'meeting.started', meeting: meeting('m2') });
    await bus.publish({ type: 'meeting.started', meeting: meeting('m2') });
    await bus.publish({ type: 'segment.added', meetingId: 'm1', segments: [{}, {}, {}] as never });
    await bus.publish({ type: 'insight.added', meetingId: 'm1', insight: { kind: 'decision' } as Insight, evidence: [] });
    await bus.publish({ type: 'insight.added', meetingId: 'm1', insight: { kind: 'decision' } as Insight, evidence: [] });
    await bus.publish({ type: 'insight.added', meetingId: 'm1', insight: { kind: 'blocker' } as Insight, evidence: [] });
    let text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'minutes_segments_ingested_total')).to.equal(3);
    expect(sample(text, 'minutes_insights_total{kind="decision"}')).to.equal(2);
    expect(sample(text, 'minutes_insights_total{kind="blocker"}')).to.equal(1);
    expect(sample(text, 'minutes_active_meetings')).to.equal(2);

    await bus.publish({ type: 'meeting.ended', meeting: meeting('m1') });
    await bus.publish({ type: 'meeting.cancelled', meeting: meeting('m2') });
    await bus.publish({ type: 'segment.added', meetingId: 'm1', segments: [{}] as never });
    text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'minutes_active_meetings')).to.equal(0);
    expect(sample(text, 'minutes_segments_ingested_total')).to.equal(4);

    off();
    await bus.publish({ type: 'segment.added', meetingId: 'm1', segments: [{}] as never });
    expect(sample(await (await fetch(`${base}/metrics`)).text(), 'minutes_segments_ingested_total')).to.equal(4);
  });

  it('reads WebSocket connections, active meetings and cache ratio from the gauge callback at scrape time', async () => {
    let live = 2;
    metrics.setGauges(() => ({ websocketConnections: { live, ingest: 1 }, activeMeetings: 7, cacheHitRatio: 0.75 }));
    let text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'minutes_websocket_connections{endpoint="live"}')).to.equal(2);
    expect(sample(text, 'minutes_websocket_connections{endpoint="ingest"}')).to.equal(1);
    expect(sample(text, 'minutes_active_meetings')).to.equal(7);
    expect(sample(text, 'minutes_cache_hit_ratio')).to.equal(0.75);
    live = 5;
    text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'minutes_websocket_connections{endpoint="live"}')).to.equal(5);
  });

  it('counts AI calls by provider, model and outcome, with tokens and cost, through the observed ledger', async () => {
    const ledger = new MemoryLedger();
    const observed = observedLedger(ledger, metrics.observeAiCall);
    const down = new ScriptedProvider({ name: 'anthropic', model: 'claude-haiku-4-5', script: [{ error: 'server' }] });
    const up = new ScriptedProvider({ name: 'openai', model: 'gpt-4o-mini', script: ['The launch moves a week.'] });
    const orchestrator = new Orchestrator({ providers: [down, up], ledger: observed });
    await orchestrator.complete('qa', { system: 'Answer.', messages: [{ role: 'user', content: 'When is the launch?' }], maxTokens: 50, meetingId: 'm-1' });
    // The wrapper is still the ledger it wraps (reads pass through), and the rows were written.
    expect(observed.entries).to.equal(ledger.entries);
    expect(ledger.entries.map((e) => e.outcome)).to.deep.equal(['error', 'ok']);

    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).to.include('# TYPE minutes_ai_calls_total counter');
    expect(sample(text, 'minutes_ai_calls_total{provider="anthropic",model="claude-haiku-4-5",outcome="error"}')).to.equal(1);
    expect(sample(text, 'minutes_ai_calls_total{provider="openai",model="gpt-4o-mini",outcome="ok"}')).to.equal(1);
    const ok = ledger.entries[1]!;
    expect(sample(text, 'minutes_ai_tokens_total{provider="openai",model="gpt-4o-mini",direction="input"}')).to.equal(ok.inputTokens).and.above(0);
    expect(sample(text, 'minutes_ai_tokens_total{provider="openai",model="gpt-4o-mini",direction="output"}')).to.equal(ok.outputTokens).and.above(0);
    expect(sample(text, 'minutes_ai_cost_usd_total{provider="openai",model="gpt-4o-mini"}')).to.be.closeTo(ok.costUsd!, 1e-12).and.above(0);
    // A failed call used no tokens and cost nothing.
    expect(text).not.to.match(/minutes_ai_tokens_total\{provider="anthropic"/);
  });

  it('counts job failures (final or retried) and times completed jobs', async () => {
    metrics.observeJob({ type: 'completed', name: 'minutes.generate', durationMs: 1200 });
    metrics.observeJob({ type: 'completed', name: 'minutes.generate', durationMs: 300 });
    metrics.observeJob({ type: 'failed', name: 'minutes.generate', durationMs: 50 });
    metrics.observeJob({ type: 'dead', name: 'minutes.generate' });
    metrics.observeJob({ type: 'failed', name: 'email.send' });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'minutes_job_failures_total{name="minutes.generate",final="false"}')).to.equal(1);
    expect(sample(text, 'minutes_job_failures_total{name="minutes.generate",final="true"}')).to.equal(1);
    expect(sample(text, 'minutes_job_failures_total{name="email.send",final="false"}')).to.equal(1);
    expect(text).to.include('# TYPE minutes_job_duration_seconds histogram');
    expect(sample(text, 'minutes_job_duration_seconds_count{name="minutes.generate"}')).to.equal(2);
    expect(sample(text, 'minutes_job_duration_seconds_sum{name="minutes.generate"}')).to.be.closeTo(1.5, 1e-9);
    expect(sample(text, 'minutes_job_duration_seconds_bucket{le="0.5",name="minutes.generate"}')).to.equal(1);
  });

  it('reads the database pool, queue depth and live audio streams at scrape time', async () => {
    let used = 3;
    metrics.setGauges(() => ({
      dbPool: { used, free: 7, pending: 1 },
      queue: { waiting: 4, active: 1, delayed: 2, failed: 5, completed: 40 },
      audioStreams: { discord: 3, ingest: 1, record: 0 },
    }));
    let text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'minutes_db_pool_connections{state="used"}')).to.equal(3);
    expect(sample(text, 'minutes_db_pool_connections{state="free"}')).to.equal(7);
    expect(sample(text, 'minutes_db_pool_connections{state="pending"}')).to.equal(1);
    for (const [state, n] of [['waiting', 4], ['active', 1], ['delayed', 2], ['failed', 5], ['completed', 40]] as const) {
      expect(sample(text, `minutes_queue_jobs{state="${state}"}`), state).to.equal(n);
    }
    expect(sample(text, 'minutes_live_audio_streams{source="discord"}')).to.equal(3);
    expect(sample(text, 'minutes_live_audio_streams{source="ingest"}')).to.equal(1);
    expect(text).to.include('minutes_live_audio_streams{source="record"} 0');
    used = 0;
    metrics.setGauges(() => ({ dbPool: { used, free: 1, pending: 0 } }));
    text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'minutes_db_pool_connections{state="free"}')).to.equal(1);
    // A reading left out shows no stale samples.
    expect(text).not.to.include('minutes_queue_jobs{');
    expect(text).not.to.include('minutes_live_audio_streams{');
  });

  it('counts transcribed audio and the utterance-to-stored delay from the audio pipeline', async () => {
    const speech = LJSPEECH_PCM16;
    const pcm = new Int16Array(4000 * 16);
    pcm.set(speech, 1000 * 16);
    const asr: Transcriber = {
      name: 'fake', quality: 'high',
      async transcribe(r: TranscribeRequest) {
        now += 700; // ASR takes 0.7 s of the meeting clock
        return { engine: 'whisper-tiny', segments: [{ text: 'the speech clip', startMs: 0, endMs: (r.pcm.length / 16000) * 1000, confidence: 0.9 }] };
      },
    };
    let now = 0;
    const pipeline = new AudioPipeline({
      transcriber: asr, append: async () => {}, now: () => now, tickMs: 0,
      onEvent: (e) => { if (e.type === 'transcribed') metrics.observeTranscription(e); },
    });
    for (let i = 0; i < pcm.length; i += 320) {
      now = (i + 320) / 16;
      pipeline.tick(now);
      pipeline.pushPcm('browser:1', pcm.slice(i, i + 320));
    }
    for (let k = 0; k < 50; k++) pipeline.tick((now += 20));
    await pipeline.drain();
    await pipeline.end();

    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'minutes_transcription_audio_seconds_total{engine="whisper-tiny"}')).to.be.closeTo(1.45, 0.2);
    expect(text).to.include('# TYPE minutes_transcription_delay_seconds histogram');
    expect(sample(text, 'minutes_transcription_delay_seconds_count{engine="whisper-tiny"}')).to.equal(1);
    // At least the ASR's 0.7 s; at most the time the meeting clock ran on past the speech.
    expect(sample(text, 'minutes_transcription_delay_seconds_sum{engine="whisper-tiny"}')).to.be.within(0.7, 3);
    expect(text).to.match(/minutes_transcription_delay_seconds_bucket\{le="\+Inf",engine="whisper-tiny"\} 1/);

    metrics.observeTranscription({ engine: 'whisper-tiny', audioMs: 500, delayMs: null });
    const after = await (await fetch(`${base}/metrics`)).text();
    expect(sample(after, 'minutes_transcription_delay_seconds_count{engine="whisper-tiny"}')).to.equal(1);
  });

  it('keeps the HTTP histogram buckets a p50/p95/p99 is computed from', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${base}/health`);
    const text = await (await fetch(`${base}/metrics`)).text();
    const buckets = text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_bucket{') && l.includes('route="/health"'));
    expect(buckets.map((l) => /le="([^"]+)"/.exec(l)![1])).to.deep.equal(['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']);
    // Cumulative counts: histogram_quantile() needs them non-decreasing up to the total.
    const counts = buckets.map((l) => Number(l.split(' ').pop()));
    expect(counts).to.deep.equal([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).to.equal(3);
  });

  it('exposes every metric the operations dashboard is built on', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const declared = new Set(text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
    for (const name of [
      'http_request_duration_seconds', 'http_requests_total', 'minutes_websocket_connections', 'minutes_active_meetings',
      'minutes_live_audio_streams', 'minutes_transcription_audio_seconds_total', 'minutes_transcription_delay_seconds',
      'minutes_ai_calls_total', 'minutes_ai_tokens_total', 'minutes_ai_cost_usd_total', 'minutes_cache_hit_ratio',
      'minutes_db_pool_connections', 'minutes_queue_jobs', 'minutes_job_failures_total', 'minutes_job_duration_seconds',
      'minutes_segments_ingested_total', 'minutes_insights_total',
    ]) expect(declared.has(name), name).to.equal(true);
  });

  it('refuses callers off loopback (behind a trusted proxy) without a token: 403', async () => {
    const res = await fetch(`${base}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    expect(res.status).to.equal(403);
    expect(await res.text()).not.to.include('http_requests_total');
  });

  it('with a token configured, a caller off loopback needs it: 401 without or wrong, 200 with', async () => {
    const guarded = await serve(createMetrics({ defaultMetrics: false }), 's3cret-token');
    try {
      const away = { 'X-Forwarded-For': '203.0.113.7' };
      const none = await fetch(`${guarded.base}/metrics`, { headers: away });
      expect(none.status).to.equal(401);
      expect(none.headers.get('www-authenticate')).to.match(/^Bearer/);
      expect((await fetch(`${guarded.base}/metrics`, { headers: { ...away, Authorization: 'Bearer wrong' } })).status).to.equal(401);
      const ok = await fetch(`${guarded.base}/metrics`, { headers: { ...away, Authorization: 'Bearer s3cret-token' } });
      expect(ok.status).to.equal(200);
      expect(await ok.text()).to.include('http_requests_total');
      // Loopback itself still needs no token.
      expect((await fetch(`${guarded.base}/metrics`)).status).to.equal(200);
    } finally {
      await new Promise<void>((resolve) => guarded.server.close(() => resolve()));
    }
  });
});
