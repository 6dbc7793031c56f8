import type { EventBus } from '../../core/bus/EventBus.ts';
import type { Logger } from '../../core/logger.ts';
import type { Answer } from '../../core/meetings/ask.ts';
import type { AnswerQuery } from '../../core/meetings/answer.ts';
import type { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { MinutesService } from '../../core/meetings/MinutesService.ts';
import type { Stores } from '../../core/store/index.ts';

/** Dashboard addresses cards link to (bot/ builds them from PUBLIC_URL; same shape as the Discord and Slack adapters'). */
export interface Links {
  home: () => string;
  meeting: (meetingId: string, segmentId?: number) => string;
}

/** What the Teams adapter uses of the core; bot/ builds it. */
export interface TeamsCore {
  meetings: MeetingService;
  minutes: MinutesService;
  stores: Stores;
  bus: EventBus;
  ask(query: AnswerQuery): Promise<Answer>;
  /** The organization a Teams tenant's meetings belong to (first sight creates the mapping in platform_workspaces). */
  organizationFor(tenant: { id: string; name: string }): Promise<string>;
  links: Links;
  /** A personal sign-in link for the dashboard (issue #7); the plain dashboard URL otherwise. */
  signInLink?(input: { organizationId: string; platform: 'teams'; externalUserId: string; externalTeamId: string; displayName: string }): Promise<string>;
}

/** Delays of the transcript poll after a meeting ends: Graph publishes the transcript some minutes later. */
export interface TranscriptRetry {
  /** First wait before asking again (default 30 s). */
  initialDelayMs: number;
  /** Each wait is the previous one times this (default 2). */
  factor: number;
  /** No single wait is longer (default 5 min). */
  maxDelayMs: number;
  /** Give up after this many attempts (default 10: about half an hour with the defaults). */
  attempts: number;
}

export interface TeamsAdapterOptions {
  /** The bot's Entra app (client) id: the audience of inbound tokens and the client of outbound ones. */
  appId: string;
  /** The app's client secret. */
  appPassword: string;
  /** Single-tenant apps: the tenant the app is registered in (tokens are requested there). Multi-tenant: unset. */
  tenantId?: string;
  core: TeamsCore;
  logger: Logger;
  /**
   * Endpoints for tests (loopback fakes) and sovereign clouds. `openIdMetadataUrl` must end with
   * `/openidconfiguration`: the SDK takes the signing keys from the sibling `/keys` (as Bot Framework
   * publishes them); `tokenIssuer` is the `iss` inbound tokens must carry (default https://api.botframework.com).
   * `tokenUrl` is the client-credentials endpoint (`{tenant}` is replaced); `graphUrl` the Graph root.
   */
  overrides?: { openIdMetadataUrl?: string; tokenIssuer?: string; tokenUrl?: string; graphUrl?: string };
  /**
   * Hands the after-meeting work (transcript → minutes → card) to a durable job
   * queue, whose worker calls `afterMeeting(meetingId)`; unset: it runs in this
   * process in the background (lost if the process dies while polling).
   */
  queueAfterMeeting?: (meetingId: string) => Promise<unknown>;
  /** Transcript polling after a meeting ends (tests shorten it). */
  transcriptRetry?: Partial<TranscriptRetry>;
  /** The bot endpoint's path on the router (default /api/messages). */
  endpoint?: `/${string}`;
}
