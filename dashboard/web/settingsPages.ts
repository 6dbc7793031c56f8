import express, { type Request, type Router } from 'express';
import { DEFAULT_RECORDING_POLICY, recordingPolicy } from '../../core/audio/recordingPolicy.ts';
import { LLM_PROVIDER_NAMES } from '../../core/config.ts';
import { PLATFORMS } from '../../core/types.ts';
import { page, render, type WebDeps } from './render.ts';
import type { DeadJob, JobCounts } from '../../core/jobs/JobQueue.ts';
import { fromQueue, visibleTo } from '../api/jobs.ts';

export const CONSENT_POLICIES = [
  { id: 'announce', label: 'Announce recording; record everyone who does not opt out' },
  { id: 'opt_in', label: 'Record only people who granted consent' },
] as const;

/**
 * What the settings page reads and writes in `organizations.settings`. Only
 * these keys are ever written, and provider settings hold names only, so an
 * API key can never be typed in or shown here.
 */
export interface OrgSettingsForm {
  llm: { providers: string[] };
  consent: { policy: string };
  /** Days transcripts and minutes are kept; null keeps them. */
  retentionDays: number | null;
  recording: { keepAudio: boolean; retentionDays: number };
  channels: { platform: string; channel: string }[];
}

export function readSettings(settings: Record<string, unknown>): OrgSettingsForm {
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const providers = obj(settings.llm).providers;
  const policy = obj(settings.consent).policy;
  const days = settings.retentionDays;
  const channels = Array.isArray(settings.channels) ? settings.channels : [];
  return {
    llm: { providers: Array.isArray(providers) ? providers.filter((p): p is string => LLM_PROVIDER_NAMES.includes(p as never)) : [] },
    consent: { policy: CONSENT_POLICIES.some((c) => c.id === policy) ? String(policy) : 'announce' },
    retentionDays: typeof days === 'number' && Number.isInteger(days) && days > 0 ? days : null,
    recording: recordingPolicy(settings),
    channels: channels.map(obj).filter((c) => typeof c.platform === 'string' && typeof c.channel === 'string').map((c) => ({ platform: String(c.platform), channel: String(c.channel) })),
  };
}

/** The form's fields → settings, or the problems found (nothing is saved then). */
export function parseSettingsForm(body: Record<string, unknown>): { settings: OrgSettingsForm; errors: string[] } {
  const errors: string[] = [];
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
  const providers = list(body.providers);
  const unknown = providers.filter((p) => !LLM_PROVIDER_NAMES.includes(p as never));
  if (unknown.length) errors.push(`Unknown LLM provider(s): ${unknown.join(', ')}`);
  const policy = String(body.consentPolicy ?? 'announce');
  if (!CONSENT_POLICIES.some((c) => c.id === policy)) errors.push('Choose a consent policy from the list');
  const days = (v: unknown, field: string, optional: boolean): number | null => {
    const s = String(v ?? '').trim();
    if (!s && optional) return null;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 3650) errors.push(`${field} must be a whole number of days from 1 to 3650`);
    return Number.isInteger(n) ? n : null;
  };
  const retentionDays = days(body.retentionDays, 'Retention', true);
  const audioDays = days(body.audioRetentionDays ?? DEFAULT_RECORDING_POLICY.retentionDays, 'Audio retention', false) ?? DEFAULT_RECORDING_POLICY.retentionDays;
  const channels: OrgSettingsForm['channels'] = [];
  for (const line of String(body.channels ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const colon = line.indexOf(':');
    const platform = line.slice(0, colon).trim().toLowerCase();
    const channel = line.slice(colon + 1).trim();
    if (colon < 1 || !channel || !PLATFORMS.includes(platform as never)) errors.push(`Channel "${line}" is not platform:channel (platforms: discord, slack, teams)`);
    else channels.push({ platform, channel });
  }
  return {
    errors,
    settings: {
      llm: { providers: providers.filter((p) => LLM_PROVIDER_NAMES.includes(p as never)) },
      consent: { policy },
      retentionDays,
      recording: { keepAudio: body.keepAudio === 'on' || body.keepAudio === 'true', retentionDays: audioDays },
      channels,
    },
  };
}

/** Counts and this organization's dead letters; a queue that does not answer in 3 s shows as unavailable, never a hung page. */
async function jobsView(deps: WebDeps, org: string): Promise<{ kind: string; counts: JobCounts; dead: DeadJob[] } | { kind: string; unavailable: true } | null> {
  const jobs = deps.jobs;
  if (!jobs) return null;
  try {
    const [counts, dead] = await fromQueue(() => Promise.all([jobs.counts(), jobs.deadLetters(50)]), 3000);
    return { kind: jobs.kind, counts, dead: dead.filter(visibleTo(org)) };
  } catch {
    return { kind: jobs.kind, unavailable: true };
  }
}

/** Organization settings (admins only) and the record page shell. */
export function settingsPages(router: Router, deps: WebDeps): void {
  const isAdmin = (req: Request) => deps.userOf?.(req)?.role === 'admin';
  const forbidden = (req: Request, res: express.Response) =>
    render(req, res, deps, 'error', { title: 'Forbidden', code: 'FORBIDDEN', message: 'Only organization admins can see and change settings.' }, 403);
  const show = async (req: Request, res: express.Response, form: OrgSettingsForm | null, errors: string[], saved: boolean) => {
    const org = await deps.stores.organizations.get(deps.orgOf(req));
    render(req, res, deps, 'settings', {
      title: 'Settings', nav: 'settings', org: { name: org.name }, form: form ?? readSettings(org.settings), errors, saved,
      providerNames: LLM_PROVIDER_NAMES, configured: deps.llmProviders ?? [], policies: CONSENT_POLICIES,
      jobs: await jobsView(deps, org.id), retried: typeof req.query.retried === 'string' ? req.query.retried : null,
    }, errors.length ? 400 : 200);
  };

  router.get('/settings', page(deps, async (req, res) => {
    if (!isAdmin(req)) return forbidden(req, res);
    await show(req, res, null, [], req.query.saved === '1');
  }));

  router.post('/settings', express.urlencoded({ extended: false, limit: '32kb' }), page(deps, async (req, res) => {
    if (!isAdmin(req)) return forbidden(req, res);
    const { settings, errors } = parseSettingsForm((req.body ?? {}) as Record<string, unknown>);
    if (errors.length) return show(req, res, settings, errors, false);
    await deps.stores.organizations.updateSettings(deps.orgOf(req), { ...settings });
    res.redirect(303, '/settings?saved=1');
  }));

  router.post('/settings/jobs/retry', express.urlencoded({ extended: false, limit: '4kb' }), page(deps, async (req, res) => {
    if (!isAdmin(req) || !deps.jobs) return forbidden(req, res);
    const id = String((req.body as Record<string, unknown> | undefined)?.id ?? '');
    const dead = (await deps.jobs.deadLetters(1000)).filter(visibleTo(deps.orgOf(req)));
    // Only a job this organization may see; anything else reads as "no such job".
    const ok = dead.some((j) => j.id === id) && (await deps.jobs.retryDead(id));
    res.redirect(303, `/settings?retried=${ok ? 'yes' : 'no'}#jobs`);
  }));

  router.get('/record', page(deps, async (req, res) => {
    const meetingId = typeof req.query.meeting === 'string' ? req.query.meeting : '';
    render(req, res, deps, 'record', { title: 'Record', nav: 'record', meetingId, scripts: ['/static/app.js', '/static/record.js'] });
  }));
}
