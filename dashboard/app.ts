import express, { type NextFunction, type Request, type Response } from 'express';
import { httpStatusFor, isMinutesError, MinutesError } from '../core/errors.ts';
import type { Orchestrator } from '../core/ai/Orchestrator.ts';
import type { Logger } from '../core/logger.ts';
import type { MeetingService } from '../core/meetings/MeetingService.ts';
import type { MinutesService } from '../core/meetings/MinutesService.ts';
import { minutesView } from '../core/minutes/stored.ts';
import type { Stores } from '../core/store/index.ts';
import { EXPORT_FORMATS, MEETING_STATUSES, type ExportFormat, type MeetingStatus } from '../core/types.ts';
import { exportMeeting } from '../core/transcript/export/index.ts';
import { minutesApi } from './minutesApi.ts';
import { meetingPage, meetingsPage, searchPage } from './pages.ts';

export interface DashboardDeps {
  meetings: MeetingService;
  minutes: MinutesService;
  /** Null when no LLM provider is configured: questions are answered with passages. */
  orchestrator: Orchestrator | null;
  stores: Stores;
  organizationId: string;
  logger: Logger;
  /** Readiness checks by name (database, redis, adapters...); each throws when not ready. */
  readiness?: Record<string, () => Promise<void>>;
}

/**
 * The first cut of the dashboard: health endpoints, a small JSON API and
 * server-rendered pages for meetings, a transcript and search. Every bot
 * message links to a meeting page here.
 */
export function createDashboard(deps: DashboardDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const { meetings, stores, organizationId } = deps;
  const wrap = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };

  app.get('/health', (_req, res) => void res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }));
  app.get('/ready', wrap(async (_req, res) => {
    const checks: Record<string, string> = {};
    let ready = true;
    for (const [name, check] of Object.entries(deps.readiness ?? {})) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (err) {
        ready = false;
        checks[name] = (err as Error).message;
      }
    }
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  }));

  app.get('/api/meetings', wrap(async (req, res) => {
    res.json(await meetings.listMeetings({ organizationId, ...listFilter(req) }));
  }));
  app.get('/api/meetings/:id', wrap(async (req, res) => {
    res.json(await meetings.getBundle(String(req.params.id)));
  }));
  app.get('/api/meetings/:id/export', wrap(async (req, res) => {
    const format = parseFormat(req.query.format);
    const out = exportMeeting(await meetings.getBundle(String(req.params.id)), format);
    res.type(out.contentType).attachment(`meeting-${req.params.id}.${out.extension}`).send(out.body);
  }));
  app.use(minutesApi(deps));
  app.get('/api/search', wrap(async (req, res) => {
    res.json(await stores.search.search({ ...searchQuery(req), organizationId }));
  }));

  app.get('/', wrap(async (req, res) => {
    res.type('html').send(meetingsPage(await meetings.listMeetings({ organizationId, ...listFilter(req) })));
  }));
  app.get('/meetings/:id', wrap(async (req, res) => {
    const bundle = await meetings.getBundle(String(req.params.id));
    res.type('html').send(meetingPage(bundle, minutesView(bundle)));
  }));
  app.get('/search', wrap(async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const result = q.trim() ? await stores.search.search({ ...searchQuery(req), organizationId }) : null;
    res.type('html').send(searchPage(q, result));
  }));

  app.use((req, res) => void res.status(404).json({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.path}` } }));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isMinutesError(err)) {
      res.status(httpStatusFor[err.code]).json({ error: err.toJSON() });
      return;
    }
    if (isBodyError(err)) {
      res.status(err.status).json({ error: { code: 'REQUEST_INVALID', message: `The request body could not be read: ${err.message}`, details: {} } });
      return;
    }
    deps.logger.error({ err }, 'request failed');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal error' } });
  });
  return app;
}

function listFilter(req: Request): { status?: MeetingStatus; title?: string; limit: number; offset: number } {
  const page = Math.max(Number(req.query.page) || 1, 1);
  const status = MEETING_STATUSES.find((s) => s === req.query.status);
  const title = typeof req.query.q === 'string' && req.query.q.trim() ? req.query.q.trim() : undefined;
  return { ...(status ? { status } : {}), ...(title ? { title } : {}), limit: 50, offset: (page - 1) * 50 };
}

function searchQuery(req: Request) {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const date = (v: unknown) => {
    const s = str(v);
    if (!s) return undefined;
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) throw new MinutesError('SEARCH_INVALID', `Not a date: ${s}`);
    return d;
  };
  const page = Math.max(Number(req.query.page) || 1, 1);
  return {
    q: str(req.query.q) ?? '',
    meetingId: str(req.query.meeting),
    speaker: str(req.query.speaker),
    from: date(req.query.from),
    to: date(req.query.to),
    limit: 20,
    offset: (page - 1) * 20,
  };
}

/** express.json's errors (bad JSON, too large) carry an HTTP status of their own. */
function isBodyError(err: unknown): err is Error & { status: number } {
  const status = (err as { status?: unknown; type?: unknown } | null)?.status;
  return err instanceof Error && typeof status === 'number' && status >= 400 && status < 500 && typeof (err as { type?: unknown }).type === 'string';
}

function parseFormat(v: unknown): ExportFormat {
  const format = EXPORT_FORMATS.find((f) => f === (v ?? 'md'));
  if (!format) throw new MinutesError('EXPORT_UNSUPPORTED_FORMAT', `Unknown export format ${String(v)}; use one of ${EXPORT_FORMATS.join(', ')}`);
  return format;
}
