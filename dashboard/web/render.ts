import { fileURLToPath } from 'node:url';
import type { JobQueue } from '../../core/jobs/JobQueue.ts';
import type { NextFunction, Request, Response } from 'express';
import { Eta } from 'eta';
import { httpStatusFor, isMinutesError } from '../../core/errors.ts';
import { clock } from '../../core/format.ts';
import type { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { MinutesService } from '../../core/meetings/MinutesService.ts';
import type { Stores } from '../../core/store/index.ts';
import type { Meeting, UserRole } from '../../core/types.ts';
import { readCookie } from '../auth/cookies.ts';

/** The signed-in person, as the auth layer reports them. */
export interface WebUser {
  id: string;
  displayName: string;
  role: UserRole;
}

/** One platform adapter's state, for the empty-state "how to connect" list. */
export interface PlatformStatus {
  name: string;
  enabled: boolean;
  /** Environment variables still unset that would turn it on. */
  missing: string[];
}

export interface WebDeps {
  meetings: MeetingService;
  minutes: MinutesService;
  stores: Stores;
  /** Organization of the signed-in user: every query is scoped by it. */
  orgOf: (req: Request) => string;
  userOf?: (req: Request) => WebUser | null;
  /** `readme`: URL of the README (sections are linked as `#discord`, `#configuration`...). */
  links?: { readme?: string };
  /** test/fixtures/transcripts/ami-ES2006c-excerpt.json (CC BY 4.0, ATTRIBUTION.md beside it). */
  sampleTranscriptPath: string;
  platforms: PlatformStatus[];
  /** Names (never keys) of the LLM providers configured in the environment, for the settings page. */
  llmProviders?: string[];
  /** The background job queue: the settings page shows its counts and dead letters to admins. */
  jobs?: Pick<JobQueue, 'kind' | 'counts' | 'deadLetters' | 'retryDead'>;
}

export type Nav = 'meetings' | 'actions' | 'search' | 'record' | 'settings' | '';

const views = fileURLToPath(new URL('./views', import.meta.url));

/** `<%= %>` escapes; `<%~ %>` is used only for rendered partials/bodies and SearchStore's `<mark>` snippets. */
export const eta = new Eta({ views, cache: true, autoEscape: true, defaultExtension: '.eta' });

/** Same helpers in every template. */
const helpers = {
  clock,
  when: (m: Meeting) => (m.startedAt ?? m.scheduledAt ?? m.createdAt).toISOString().slice(0, 16).replace('T', ' '),
  label: (s: string) => s.replace(/_/g, ' '),
};

export function render(req: Request, res: Response, deps: WebDeps, view: string, data: Record<string, unknown>, status = 200): void {
  const user = deps.userOf?.(req) ?? null;
  const html = eta.render(view, {
    nav: '', scripts: [], ...data, user, csrf: csrfOf(req), h: helpers,
  });
  res.status(status).type('html').set('Cache-Control', 'private, no-cache').send(html);
}

/** The double-submit token the security middleware checks (cookie echoed in `_csrf` or X-CSRF-Token). */
export const csrfOf = (req: Request): string => readCookie(req, 'minutes_csrf') ?? '';

/**
 * An async page handler; a coded core error (meeting not found, invalid search...)
 * becomes an HTML error page with the code's status, anything else goes on to
 * the app's error handler.
 */
export function page(deps: WebDeps, fn: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch((err: unknown) => {
      if (!isMinutesError(err)) return next(err);
      const status = httpStatusFor[err.code] ?? 500;
      render(req, res, deps, 'error', { title: status === 404 ? 'Not found' : 'Error', code: err.code, message: err.message }, status);
    });
  };
}

/** A query-string value, trimmed, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export const pageNumber = (v: unknown): number => Math.min(Math.max(Math.trunc(Number(v)) || 1, 1), 10_000);

/** Pager model: links keep the other query parameters. */
export function pager(path: string, query: Record<string, string | undefined>, current: number, total: number, perPage: number) {
  const pages = Math.max(Math.ceil(total / perPage), 1);
  const href = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    if (p > 1) params.set('page', String(p));
    const qs = params.toString();
    return qs ? `${path}?${qs}` : path;
  };
  return { current, pages, total, prev: current > 1 ? href(current - 1) : null, next: current < pages ? href(current + 1) : null };
}
