import type { Router } from 'express';
import { createSlackAdapter, type SlackAdapter, type SlackAdapterOptions, type SlackCore } from '../adapters/slack/index.ts';
import { answer } from '../core/meetings/answer.ts';
import type { Container } from './container.ts';
import { dashboardLinks, organizationResolver } from './discord.ts';
import { attachSlackExtras, slackOAuth } from './slackExtras.ts';
import { SlackInstallationStore } from '../adapters/slack/installationStore.ts';
import type { LiveFollower } from '../adapters/slack/live.ts';
import { JOB_NAMES } from '../core/jobs/JobQueue.ts';

/** The core as the Slack adapter sees it: services, links, workspace → organization. */
export function slackCore(c: Container): SlackCore {
  return {
    // Several web instances each run the adapter: one of them follows a given meeting.
    meetings: c.meetings, minutes: c.minutes, stores: c.stores, bus: c.followerBus('slack'),
    ask: (q) => answer({ stores: c.stores, orchestrator: c.orchestrator, logger: c.logger }, q),
    organizationFor: organizationResolver(c, 'slack', 'Slack'),
    slackTeamsOf: async (organizationId) =>
      (await c.db.knex('platform_workspaces').where({ platform: 'slack', organization_id: organizationId }).pluck('external_id')) as string[],
    links: dashboardLinks(c.config.publicUrl),
    signInLink: async (input) => `${c.config.publicUrl}${(await c.auth.issueSignInLink(input)).path}`,
  };
}

const running = new WeakMap<Container, SlackAdapter>();
const followers = new WeakMap<Container, LiveFollower>();

/**
 * Builds and starts the Slack adapter when SLACK_SIGNING_SECRET (or, for
 * Socket Mode, SLACK_APP_TOKEN) and a token source are set; null otherwise.
 * `overrides` are for tests (the loopback fake Slack's API URL) and for
 * multi-workspace installs (`installationStore`, `oauth` from
 * adapters/slack/install.ts).
 */
export function startSlack(c: Container, overrides: Partial<Omit<SlackAdapterOptions, 'core' | 'logger'>> = {}): SlackAdapter | null {
  const existing = running.get(c);
  if (existing) return existing;
  const signingSecret = overrides.signingSecret ?? c.config.SLACK_SIGNING_SECRET;
  const socketMode = overrides.socketMode ?? (c.config.SLACK_APP_TOKEN ? { appToken: c.config.SLACK_APP_TOKEN } : undefined);
  const multi = overrides.oauth ? null : slackOAuth(c);
  const botToken = overrides.botToken ?? (multi ? undefined : c.config.SLACK_BOT_TOKEN);
  // Socket Mode serves no HTTP: installed workspaces keep their tokens, but /slack/install is not offered.
  const installs = multi ? (socketMode ? { installationStore: multi.installations } : { oauth: multi.oauth, installationStore: multi.installations }) : {};
  const options = { ...installs, ...overrides, ...(socketMode ? { socketMode } : {}) };
  if (!(signingSecret || socketMode) || !(botToken || options.authorize || options.installationStore || options.oauth)) return null;
  if (socketMode && multi) c.logger.warn({ adapter: 'slack' }, 'Socket Mode: the "Add to Slack" install (/slack/install) is not served');
  const claim = c.claim;
  const adapter = createSlackAdapter({
    // New minutes reach subscribed channels through a job: retried until posted, even across a restart.
    queueMinutesPost: (meetingId: string, organizationId: string) => c.jobs.enqueue(JOB_NAMES.notifySend, { kind: 'slack.minutes', meetingId, organizationId }),
    ...(claim ? { claimEvent: (eventId: string, ttlMs: number) => claim(`slack-event:${eventId}`, ttlMs) } : {}),
    ...options, ...(signingSecret ? { signingSecret } : {}), ...(botToken ? { botToken } : {}), core: slackCore(c), logger: c.logger });
  // start() subscribes to the bus synchronously; its promise reports readiness (in Socket Mode: the WebSocket connected).
  adapter.start().catch((err: unknown) => c.logger.error({ err, adapter: 'slack' }, 'slack socket mode could not connect (check SLACK_APP_TOKEN)'));
  const installations = (options.installationStore instanceof SlackInstallationStore ? options.installationStore : multi?.installations) ?? null;
  const live = attachSlackExtras(c, adapter, installations, options.clientOptions?.slackApiUrl);
  running.set(c, adapter);
  followers.set(c, live);
  return adapter;
}

/**
 * The router to mount on the dashboard's Express app (`POST /slack/events`,
 * plus `/slack/install` and `/slack/oauth_redirect` when OAuth is configured):
 * mount it BEFORE any body parser, CSRF check, sign-in gate or rate limiter,
 * since the signature is computed over the raw body and Slack has no cookies.
 * Null when Slack is not configured, and in Socket Mode (the adapter runs, but
 * serves nothing over HTTP). The adapter follows the bus from here on;
 * `stopSlack(c)` ends that on shutdown.
 */
export function slackRouter(c: Container, overrides: Partial<Omit<SlackAdapterOptions, 'core' | 'logger'>> = {}): Router | null {
  const adapter = startSlack(c, overrides);
  return adapter && !adapter.options.socketMode ? adapter.router : null;
}

/** The adapter a worker's `notify.send` job posts with: this process's, started on first use (no HTTP is served from it). */
export function slackForJobs(c: Container): SlackAdapter | null {
  return running.get(c) ?? startSlack(c);
}

export async function stopSlack(c: Container): Promise<void> {
  const adapter = running.get(c);
  running.delete(c);
  followers.get(c)?.stop();
  followers.delete(c);
  await adapter?.stop();
}
