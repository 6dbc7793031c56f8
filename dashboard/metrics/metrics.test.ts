import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import type { Meeting } from '../../core/types.ts';
import type { Insight } from '../../core/minutes/types.ts';
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
