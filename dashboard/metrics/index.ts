import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventBus } from '../../core/bus/EventBus.ts';
import { cacheStats } from '../cache/index.ts';
import { operationsMetrics, type OperationsObservers, type OperationsReadings } from './operations.ts';

export type { JobObservation, OperationsReadings, QueueCounts, TranscriptionObservation } from './operations.ts';

/** What the collect callbacks read at scrape time; a field left out keeps its default source. */
export interface GaugeReadings extends OperationsReadings {
  /** Open WebSocket connections by endpoint (live, record, ingest...): the sockets' `connections` getters. */
  websocketConnections?: Record<string, number>;
  /** Meetings in progress (e.g. counted in the store, which survives restarts); default: followed on the bus. */
  activeMeetings?: number;
  /** Dashboard cache hit ratio (0..1); default: `cacheStats().hitRate` of this process. */
  cacheHitRatio?: number;
}

export interface MetricsRegistry extends OperationsObservers {
  registry: Registry;
  /** Times every request: mount first so refusals (sign-in, limits, 404) are counted too. */
  httpMiddleware: RequestHandler;
  /** Follows meeting, segment and insight events; returns the unsubscribe. */
  observeBus(bus: EventBus): () => void;
  /** Sets the callback the scrape-time gauges read (the latest call wins). */
  setGauges(fn: () => GaugeReadings | Promise<GaugeReadings>): void;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route a request matched, as its Express pattern (`/api/meetings/:id`),
 * never the raw URL (ids would make one series per meeting); 'unmatched' when
 * no route answered (404s, static files, refusals before routing).
 */
export function routeLabel(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (path === undefined) return 'unmatched';
  return `${req.baseUrl ?? ''}${typeof path === 'string' ? path : String(path)}` || '/';
}

/** Prometheus metrics of the service in one registry of its own (so tests and several apps never collide). */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): MetricsRegistry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: 'http_request_duration_seconds', help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'http_requests_total', help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  });
  const segments = new Counter({ name: 'minutes_segments_ingested_total', help: 'Transcript segments added (segment.added events)', registers: [registry] });
  const insights = new Counter({ name: 'minutes_insights_total', help: 'Live copilot insights by kind', labelNames: ['kind'] as const, registers: [registry] });

  /** Meetings seen starting and not yet ended or cancelled (a set, so a repeated event never double counts). */
  const running = new Set<string>();
  let readings: () => GaugeReadings | Promise<GaugeReadings> = () => ({});
  // One read per scrape shared by every gauge below (each collect() asks for it).
  let pending: Promise<GaugeReadings> | null = null;
  const read = (): Promise<GaugeReadings> => {
    pending ??= Promise.resolve().then(readings).catch(() => ({})).finally(() => setImmediate(() => { pending = null; }));
    return pending;
  };

  const observers = operationsMetrics(registry, read);
  new Gauge({
    name: 'minutes_active_meetings', help: 'Meetings in progress', registers: [registry],
    async collect() {
      const { activeMeetings } = await read();
      this.set(activeMeetings ?? running.size);
    },
  });
  new Gauge({
    name: 'minutes_websocket_connections', help: 'Open WebSocket connections by endpoint', labelNames: ['endpoint'] as const, registers: [registry],
    async collect() {
      const { websocketConnections } = await read();
      this.reset();
      for (const [endpoint, n] of Object.entries(websocketConnections ?? {})) this.set({ endpoint }, n);
    },
  });
  new Gauge({
    name: 'minutes_cache_hit_ratio', help: 'Dashboard cache hits / lookups since the process started', registers: [registry],
    async collect() {
      const { cacheHitRatio } = await read();
      this.set(cacheHitRatio ?? cacheStats().hitRate);
    },
  });

  const httpMiddleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      const labels = { method: METHODS.has(req.method) ? req.method : 'OTHER', route: routeLabel(req), status: String(res.statusCode) };
      end(labels);
      requests.inc(labels);
    });
    next();
  };

  return {
    ...observers,
    registry,
    httpMiddleware,
    observeBus(bus) {
      const offs = [
        bus.subscribe('meeting.started', (e) => void running.add(e.meeting.id)),
        bus.subscribe('meeting.ended', (e) => void running.delete(e.meeting.id)),
        bus.subscribe('meeting.cancelled', (e) => void running.delete(e.meeting.id)),
        bus.subscribe('segment.added', (e) => void segments.inc(e.segments.length)),
        bus.subscribe('insight.added', (e) => void insights.inc({ kind: e.insight.kind })),
      ];
      return () => offs.forEach((off) => off());
    },
    setGauges(fn) {
      readings = fn;
    },
  };
}

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * GET /metrics in the Prometheus text format, for loopback callers (req.ip,
 * so it follows the app's `trust proxy`) or a bearer of `token`. Anyone else:
 * 401 when a token is configured (they may present it), else 403.
 */
export function metricsHandler(metrics: MetricsRegistry, options: { token?: string | null } = {}): RequestHandler {
  const token = options.token || null;
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const allowed = LOOPBACK.test(req.ip ?? '') || (token !== null && bearer !== undefined && sameSecret(bearer, token));
    if (!allowed) {
      if (token) res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      res.status(token ? 401 : 403).json({ error: { code: token ? 'AUTH_REQUIRED' : 'FORBIDDEN', message: 'Metrics are served to loopback or with the metrics token' } });
      return;
    }
    metrics.registry.metrics().then((body) => {
      res.set('Content-Type', metrics.registry.contentType).set('Cache-Control', 'no-store').send(body);
    }, next);
  };
}
