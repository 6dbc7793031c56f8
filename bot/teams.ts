import type { Router } from 'express';
import { createTeamsAdapter, type TeamsAdapter, type TeamsAdapterOptions, type TeamsCore } from '../adapters/teams/index.ts';
import { answer } from '../core/meetings/answer.ts';
import type { Container } from './container.ts';
import { JOB_NAMES } from '../core/jobs/JobQueue.ts';
import { dashboardLinks, organizationResolver } from './discord.ts';

/** The core as the Teams adapter sees it: services, links, tenant → organization. */
export function teamsCore(c: Container): TeamsCore {
  return {
    meetings: c.meetings, minutes: c.minutes, stores: c.stores, bus: c.bus,
    ask: (q) => answer({ stores: c.stores, orchestrator: c.orchestrator, logger: c.logger }, q),
    organizationFor: organizationResolver(c, 'teams', 'Teams'),
    links: dashboardLinks(c.config.publicUrl),
    signInLink: async (input) => `${c.config.publicUrl}${(await c.auth.issueSignInLink(input)).path}`,
  };
}

const running = new WeakMap<Container, TeamsAdapter>();

/** The adapter a worker's `teams.transcript` job runs on: this process's, started on first use. */
export async function teamsForJobs(c: Container): Promise<TeamsAdapter | null> {
  return running.get(c) ?? startTeams(c);
}

/**
 * Builds and starts the Teams adapter when TEAMS_APP_ID and TEAMS_APP_PASSWORD
 * are set; null otherwise. `overrides` are for tests (loopback OpenID, token,
 * Bot Connector and Graph fakes; shorter transcript polling).
 */
export async function startTeams(c: Container, overrides: Partial<Omit<TeamsAdapterOptions, 'core' | 'logger'>> = {}): Promise<TeamsAdapter | null> {
  const existing = running.get(c);
  if (existing) return existing;
  const appId = overrides.appId ?? c.config.TEAMS_APP_ID;
  const appPassword = overrides.appPassword ?? c.config.TEAMS_APP_PASSWORD;
  if (!appId || !appPassword) return null;
  const tenantId = overrides.tenantId ?? c.config.TEAMS_TENANT_ID;
  const adapter = createTeamsAdapter({
    // Transcript → minutes → card survives a restart as a job (run by a worker: bot/worker.ts).
    queueAfterMeeting: async (meetingId) => {
      const { organizationId } = await c.meetings.getMeeting(meetingId);
      return c.jobs.enqueue(JOB_NAMES.teamsTranscript, { meetingId, organizationId }, { jobId: `teams-transcript-${meetingId}` });
    },
    ...overrides, appId, appPassword, ...(tenantId ? { tenantId } : {}), core: teamsCore(c), logger: c.logger });
  running.set(c, adapter);
  await adapter.start();
  return adapter;
}

/**
 * The router to mount on the dashboard's Express app (`POST /api/messages`):
 * mount it BEFORE the sign-in gate, CSRF check and body parsers (the channel has
 * no cookies; the SDK parses the body and validates the bearer token itself).
 * Null when Teams is not configured. `stopTeams(c)` ends background work on shutdown.
 */
export async function teamsRouter(c: Container, overrides: Partial<Omit<TeamsAdapterOptions, 'core' | 'logger'>> = {}): Promise<Router | null> {
  return (await startTeams(c, overrides))?.router ?? null;
}

export async function stopTeams(c: Container): Promise<void> {
  const adapter = running.get(c);
  running.delete(c);
  await adapter?.stop();
}
