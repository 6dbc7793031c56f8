import type { Authorize, ExpressReceiverOptions, InstallationStore } from '@slack/bolt';
import type { EventBus } from '../../core/bus/EventBus.ts';
import type { Logger } from '../../core/logger.ts';
import type { Answer } from '../../core/meetings/ask.ts';
import type { AnswerQuery } from '../../core/meetings/answer.ts';
import type { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { MinutesService } from '../../core/meetings/MinutesService.ts';
import type { Stores } from '../../core/store/index.ts';

/** Dashboard addresses every message links to (bot/ builds them from PUBLIC_URL; same shape as the Discord adapter's). */
export interface Links {
  home: () => string;
  meeting: (meetingId: string, segmentId?: number) => string;
}

/** A Slack workspace's subscriptions, as stored in its settings (`settings.slack.subscriptions`). */
export interface SlackWorkspaceSettings {
  subscriptions?: string[];
}

/** What the Slack adapter uses of the core; bot/ builds it. */
export interface SlackCore {
  meetings: MeetingService;
  minutes: MinutesService;
  stores: Stores;
  bus: EventBus;
  ask(query: AnswerQuery): Promise<Answer>;
  /** The organization a Slack workspace's meetings belong to (first sight creates the mapping). */
  organizationFor(team: { id: string; name: string }): Promise<string>;
  /**
   * The Slack workspaces (team ids) filed under an organization: where `minutes.ready`
   * of that organization's meetings may be posted. bot/ answers it from platform_workspaces.
   */
  slackTeamsOf(organizationId: string): Promise<string[]>;
  links: Links;
  /** A personal sign-in link for the dashboard (issue #7); the plain dashboard URL otherwise. */
  signInLink?(input: { organizationId: string; platform: 'slack'; externalUserId: string; externalTeamId: string; displayName: string }): Promise<string>;
}

export interface SlackAdapterOptions {
  /** Verifies HTTP requests; required unless `socketMode` (payloads then come over the app's own WebSocket). */
  signingSecret?: string;
  /**
   * Socket Mode (local use, no public URL): the app-level token (xapp-…, scope connections:write) opens the
   * WebSocket; `router` is then empty. Single token, `authorize` or `installationStore`; not with `oauth`.
   * `clientPingTimeout` (ms, default 5000) is also the client's reconnect delay; tests shorten it.
   */
  socketMode?: { appToken: string; clientPingTimeout?: number };
  /** Single-workspace installs: the bot token (xoxb-…). */
  botToken?: string;
  /** Multi-workspace installs: tokens per team (built from `installationStore` when only that is given). */
  authorize?: Authorize<boolean>;
  installationStore?: InstallationStore;
  /** OAuth install routes on the same router (`/slack/install`, `/slack/oauth_redirect`), when the install helper provides them. */
  oauth?: {
    clientId: string; clientSecret: string; stateSecret?: string; scopes?: string[]; redirectUri?: string;
    installationStore?: InstallationStore; installerOptions?: ExpressReceiverOptions['installerOptions'];
  };
  core: SlackCore;
  logger: Logger;
  /** Web API base (tests point it at a loopback fake Slack). */
  clientOptions?: { slackApiUrl?: string };
  /** Path of the one endpoint for commands, events and interactivity. */
  endpoint?: string;
  /** How long an event id is remembered to drop Slack's retries (default 10 minutes). */
  dedupeTtlMs?: number;
  /**
   * Deployment-wide "first to ask holds it" (Redis) so a retry that lands on
   * another instance is dropped too; false = another instance has the event.
   */
  claimEvent?: (eventId: string, ttlMs: number) => Promise<boolean>;
  /**
   * Hands the post of new minutes to subscribed channels to a durable job
   * queue, whose worker calls `poster.deliverNow(meetingId)` (retried until
   * every channel has them); unset: posted from this process right away.
   */
  queueMinutesPost?: (meetingId: string, organizationId: string) => Promise<unknown>;
  /** Mention owners of action items in channel messages (they get a notification); names otherwise. */
  mentionOwners?: boolean;
  /** Answer `@app question` mentions (a `/minutes` subcommand, or a question) in a thread. */
  answerMentions?: boolean;
}
