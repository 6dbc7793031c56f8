import { App, ExpressReceiver, LogLevel, SocketModeReceiver, type Authorize, type AuthorizeResult, type Logger as BoltLogger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import express, { type Router } from 'express';
import type { Logger } from '../../core/logger.ts';
import type { ActionItem, MeetingBundle } from '../../core/types.ts';
import { handleItemAction } from './actions.ts';
import { ACTION } from './blocks.ts';
import { answerMessage, helpMessage, runCommand, type Reply } from './commands.ts';
import { NO_PARSE, safe, userMention } from './escape.ts';
import { publishHome } from './home.ts';
import { minutesView } from '../../core/minutes/stored.ts';
import type { Meeting } from '../../core/types.ts';
import { minutesMessages, type MinutesMessages } from './blocks.ts';
import type { SlackAdapterOptions, SlackCore } from './types.ts';

/** Bolt's logger interface over the service's pino logger. */
function boltLogger(log: Logger): BoltLogger {
  const line = (m: unknown[]) => m.map((x) => (typeof x === 'string' ? x : x instanceof Error ? x.message : JSON.stringify(x))).join(' ');
  return {
    debug: (...m) => log.debug(line(m)), info: (...m) => log.info(line(m)), warn: (...m) => log.warn(line(m)), error: (...m) => log.error(line(m)),
    setLevel: () => undefined, getLevel: () => LogLevel.INFO, setName: () => undefined,
  };
}

/**
 * The Slack side of the service: a Bolt app behind an ExpressReceiver whose
 * router (one URL, `/slack/events`, for commands, events and interactivity)
 * is mounted on the project's Express app. The receiver verifies every
 * request's signature with Slack's 5-minute window before anything runs.
 * With `socketMode` (local use: no public URL) a SocketModeReceiver takes
 * the same payloads over a WebSocket the app opens itself, and `router` is
 * empty; listeners are the same either way.
 */
export class SlackAdapter {
  readonly app: App;
  readonly receiver: ExpressReceiver | SocketModeReceiver;
  readonly router: Router;
  readonly core: SlackCore;
  readonly log: Logger;
  readonly poster: MinutesPoster;
  private readonly authorizeTeam: (teamId: string) => Promise<AuthorizeResult>;
  /** Event ids seen recently (in-process: with several instances, a retry reaching another one is handled again). */
  private readonly seenEvents = new Map<string, number>();
  private unsubscribers: (() => void)[] = [];

  constructor(readonly options: SlackAdapterOptions) {
    this.core = options.core;
    this.log = options.logger.child({ adapter: 'slack' });
    const logger = boltLogger(this.log);
    const { oauth, installationStore, socketMode } = options;
    const slackApiUrl = options.clientOptions?.slackApiUrl;
    if (socketMode) {
      // The OAuth install needs HTTP routes (SocketModeReceiver would open its own server on port 3000): not in this mode.
      if (oauth) throw new Error('Socket Mode does not serve the OAuth install; use the HTTP receiver for multi-workspace installs');
      this.receiver = new SocketModeReceiver({
        appToken: socketMode.appToken, logger,
        ...(socketMode.clientPingTimeout ? { clientPingTimeout: socketMode.clientPingTimeout } : {}),
        // The receiver's own WebClient (apps.connections.open) takes its options from here.
        ...(slackApiUrl ? { installerOptions: { clientOptions: { slackApiUrl } } } : {}),
      });
      this.router = express.Router();
    } else {
      if (!options.signingSecret) throw new Error('The Slack adapter needs the signing secret (or Socket Mode with an app-level token)');
      const receiver = new ExpressReceiver({
        signingSecret: options.signingSecret, endpoints: options.endpoint ?? '/slack/events', logger, processBeforeResponse: false,
        unhandledRequestHandler: ({ request }) => this.log.warn({ url: request.url }, 'a slack request was not acknowledged within 3 s'),
        ...(oauth ? { ...oauth, installationStore: oauth.installationStore ?? installationStore, installerOptions: oauth.installerOptions ?? {} } : {}),
      });
      this.receiver = receiver;
      this.router = receiver.router as Router;
    }
    const fromStore: Authorize<boolean> | undefined = !oauth && installationStore
      ? async (source) => {
        const inst = await installationStore.fetchInstallation({ teamId: source.teamId, enterpriseId: source.enterpriseId, isEnterpriseInstall: source.isEnterpriseInstall });
        return { botToken: inst.bot?.token, botId: inst.bot?.id, botUserId: inst.bot?.userId, teamId: source.teamId, enterpriseId: source.enterpriseId };
      }
      : undefined;
    let identity: Promise<AuthorizeResult> | null = null;
    const fromToken: Authorize<boolean> | undefined = options.botToken
      ? () => (identity ??= this.app.client.auth.test({ token: options.botToken! })
        .then((r) => ({ botToken: options.botToken, botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id }))
        .catch((err: unknown) => {
          identity = null;
          this.log.warn({ err }, 'slack auth.test failed; continuing with the token alone');
          return { botToken: options.botToken };
        }))
      : undefined;
    const authorize = options.authorize ?? fromStore ?? fromToken;
    if (!authorize && !this.receiver.installer) throw new Error('The Slack adapter needs a bot token, an authorize function, an installation store or OAuth settings');
    this.app = new App({
      receiver: this.receiver, logger, ...(this.receiver.installer ? {} : { authorize: authorize! }),
      ...(slackApiUrl ? { clientOptions: { slackApiUrl } } : {}),
    });
    const installer = this.receiver.installer;
    this.authorizeTeam = (teamId) => {
      const source = { teamId, enterpriseId: undefined, isEnterpriseInstall: false };
      if (installer && !options.authorize) return installer.authorize(source);
      return authorize!(source as never);
    };
    this.poster = new MinutesPoster(this);
    this.register();
  }

  /**
   * Follows the bus: minutes of subscribed organizations, action items changed anywhere (subscribed synchronously).
   * The HTTP side is the router; in Socket Mode this also opens the WebSocket and resolves once Slack said hello
   * (the client reconnects by itself after a `disconnect` or a dropped connection).
   */
  async start(): Promise<void> {
    const { bus } = this.core;
    this.unsubscribers.push(
      bus.subscribe('minutes.ready', (e) => {
        const queue = this.options.queueMinutesPost;
        if (!queue) return void this.poster.onMinutesReady(e.meeting);
        void queue(e.meeting.id, e.meeting.organizationId).catch((err: unknown) => {
          // The queue is unreachable: post from here rather than not at all.
          this.log.warn({ err, meetingId: e.meeting.id }, 'could not queue the minutes post; posting now');
          void this.poster.onMinutesReady(e.meeting);
        });
      }),
      bus.subscribe('action_item.updated', (e) => this.poster.onActionItemUpdated(e.meetingId)),
    );
    if (this.receiver instanceof SocketModeReceiver) {
      await this.receiver.start();
      this.log.info('slack adapter ready (socket mode)');
      return;
    }
    this.log.info('slack adapter ready');
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
    if (this.receiver instanceof SocketModeReceiver) {
      // Resolves once the socket is closed; bounded, should Slack never finish the close handshake.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.receiver.client.disconnect(), new Promise<void>((r) => { timer = setTimeout(r, 3000); })]);
      clearTimeout(timer);
    }
    await this.poster.idle();
  }

  /** The bot token for a workspace (single token, or from the installation store). */
  async tokenFor(teamId: string): Promise<string> {
    const result = await this.authorizeTeam(teamId);
    if (!result.botToken) throw new Error(`No Slack bot token for team ${teamId}`);
    return result.botToken;
  }

  /** Owners as safe mrkdwn: a mention of the Slack user when `mentionOwners` and they are linked, their name otherwise. */
  async ownerLabeler(bundle: MeetingBundle, teamId: string): Promise<(item: ActionItem) => string> {
    const attendees = new Map(bundle.attendees.map((a) => [a.id, a]));
    const userIds = [...new Set([...bundle.attendees.map((a) => a.userId), ...bundle.actionItems.map((a) => a.ownerUserId)].filter((u): u is string => Boolean(u)))];
    const slackIds = this.options.mentionOwners && userIds.length ? await this.core.stores.organizations.externalIdsOf('slack', userIds, teamId) : new Map<string, string>();
    return (item) => {
      const attendee = item.ownerAttendeeId ? attendees.get(item.ownerAttendeeId) : undefined;
      const userId = item.ownerUserId ?? attendee?.userId ?? null;
      const slackId = userId ? slackIds.get(userId) : undefined;
      return (slackId && userMention(slackId)) || safe(item.ownerName ?? attendee?.displayName ?? 'unassigned', 200);
    };
  }

  /** True when this event id was seen within the TTL (Slack retried it); remembers it otherwise. */
  isDuplicateEvent(eventId: string): boolean {
    const now = Date.now();
    const ttl = this.options.dedupeTtlMs ?? 10 * 60_000;
    if ((this.seenEvents.get(eventId) ?? 0) > now) return true;
    if (this.seenEvents.size > 10_000) for (const [id, until] of this.seenEvents) if (until <= now) this.seenEvents.delete(id);
    this.seenEvents.set(eventId, now + ttl);
    return false;
  }

  /** Another instance's retry of the same event loses the claim; unsure (Redis down) means handle it. */
  private async claimEvent(eventId: string): Promise<boolean> {
    if (!this.options.claimEvent) return true;
    return this.options.claimEvent(eventId, this.options.dedupeTtlMs ?? 10 * 60_000).catch((err: unknown) => {
      this.log.warn({ err, eventId }, 'claiming a slack event failed; handling it here');
      return true;
    });
  }

  private register(): void {
    const { app, core } = this;
    // Events API retries (X-Slack-Retry-Num) of an event already handled stop here: events are acked by Bolt before middleware.
    app.use(async ({ body, next, context }) => {
      const eventId = (body as { event_id?: string }).event_id;
      if (eventId && (this.isDuplicateEvent(eventId) || !(await this.claimEvent(eventId)))) {
        this.log.info({ eventId, retryNum: context.retryNum, retryReason: context.retryReason }, 'dropping a retried slack event');
        return;
      }
      await next();
    });
    app.command('/minutes', async ({ ack, command, respond, client }) => {
      await ack();
      const reply: Reply = (m) => respond({ response_type: m.inChannel ? 'in_channel' : 'ephemeral', text: m.text, ...(m.blocks ? { blocks: m.blocks as never } : {}), ...NO_PARSE });
      await runCommand(this, {
        teamId: command.team_id, teamName: command.team_domain, channelId: command.channel_id, userId: command.user_id, userName: command.user_name, text: command.text,
      }, reply, client);
    });
    app.action({ type: 'block_actions', action_id: new RegExp(`^(${Object.values(ACTION).join('|')})$`) }, async ({ ack, body, action, client, respond, context }) => {
      await ack();
      await handleItemAction(this, { body, action, client, respond, ...(context.botToken ? { token: context.botToken } : {}) });
    });
    app.event('app_home_opened', async ({ event, body, client, context }) => {
      if (event.tab !== 'home') return;
      const teamId = context.teamId ?? body.team_id;
      await publishHome(core, client, { teamId, teamName: teamId, userId: event.user, ...(context.botToken ? { token: context.botToken } : {}) })
        .catch((err: unknown) => this.log.warn({ err, userId: event.user }, 'publishing the app home failed'));
    });
    if (this.options.answerMentions ?? true) {
      app.event('app_mention', async ({ event, body, client }) => {
        const question = (event.text ?? '').replace(/<@[A-Z0-9]+>/g, ' ').trim();
        const teamId = body.team_id;
        try {
          const organizationId = await core.organizationFor({ id: teamId, name: teamId });
          const message = question ? answerMessage(await core.ask({ question, organizationId }), core.links) : helpMessage();
          await client.chat.postMessage({ channel: event.channel, thread_ts: event.thread_ts ?? event.ts, text: message.text, blocks: message.blocks as never, ...NO_PARSE });
        } catch (err) {
          this.log.warn({ err, channel: event.channel }, 'answering a mention failed');
        }
      });
    }
    app.error(async (err) => void this.log.warn({ err }, 'slack listener error'));
  }

  /** The Web API client (tokens are passed per call). */
  get client(): WebClient {
    return this.app.client;
  }
}

export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  return new SlackAdapter(options);
}

/**
 * Posts minutes into Slack: for `/minutes summary`, and on `minutes.ready`
 * of any platform's meeting into every channel subscribed in the workspaces
 * of its organization. The channel gets the main message, its thread the
 * rest; where it posted is kept in the meeting's external ids
 * (`slack:<team>:<channel>` → ts), so regenerated minutes and action items
 * changed elsewhere (dashboard, another message) update that message instead
 * of posting again.
 */
export class MinutesPoster {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly refreshTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly adapter: SlackAdapter) {}

  onMinutesReady(meeting: Meeting): Promise<unknown> {
    return this.track(meeting.id, () => this.deliver(meeting));
  }

  /**
   * A job's run: posts (or updates) the meeting's minutes in every subscribed
   * channel and rejects if any channel failed, so the job is retried; channels
   * that have them already get an edit, not a second post.
   */
  async deliverNow(meetingId: string): Promise<{ channels: number }> {
    const meeting = await this.adapter.core.meetings.getMeeting(meetingId);
    const result = (await this.track(meetingId, () => this.deliver(meeting), true)) as { channels: number; failed: number };
    if (result.failed) throw new Error(`posting minutes failed in ${result.failed} of ${result.channels} subscribed channel(s)`);
    return { channels: result.channels };
  }

  /** Debounced: several changes in a row edit each posted message once. */
  onActionItemUpdated(meetingId: string): void {
    clearTimeout(this.refreshTimers.get(meetingId));
    const timer = setTimeout(() => {
      this.refreshTimers.delete(meetingId);
      void this.track(meetingId, () => this.refresh(meetingId));
    }, 750);
    timer.unref();
    this.refreshTimers.set(meetingId, timer);
  }

  async render(meetingId: string, teamId: string): Promise<MinutesMessages> {
    const { core } = this.adapter;
    const bundle = await core.minutes.bundle(meetingId);
    return minutesMessages({ bundle, view: minutesView(bundle), links: core.links, ownerLabel: await this.adapter.ownerLabeler(bundle, teamId) });
  }

  /**
   * Posts the minutes in a channel (details in its thread), or updates the
   * message already posted there by this meeting's earlier minutes. `fresh`
   * (a person asked) posts anew unless the last post is under a minute old.
   */
  post(input: { teamId: string; channel: string; meetingId: string; fresh?: boolean; client?: WebClient }): Promise<void> {
    return this.track(input.meetingId, () => this.postNow(input), true) as Promise<void>;
  }

  async idle(): Promise<void> {
    for (const t of this.refreshTimers.values()) clearTimeout(t);
    this.refreshTimers.clear();
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track(meetingId: string, work: () => Promise<unknown>, rethrow = false): Promise<unknown> {
    const run = (this.chains.get(meetingId) ?? Promise.resolve()).catch(() => undefined).then(work);
    const settled = run.catch((err: unknown) => this.adapter.log.warn({ err, meetingId }, 'posting minutes to slack failed'));
    this.chains.set(meetingId, settled);
    this.pending.add(settled);
    void settled.finally(() => {
      this.pending.delete(settled);
      if (this.chains.get(meetingId) === settled) this.chains.delete(meetingId);
    });
    return rethrow ? run : settled;
  }

  private async deliver(meeting: Meeting): Promise<{ channels: number; failed: number }> {
    const { core } = this.adapter;
    let channels = 0;
    let failed = 0;
    for (const teamId of await core.slackTeamsOf(meeting.organizationId)) {
      const ws = await core.stores.workspaces.find('slack', teamId);
      for (const channel of ((ws?.settings.slack ?? {}) as { subscriptions?: string[] }).subscriptions ?? []) {
        channels += 1;
        await this.postNow({ teamId, channel, meetingId: meeting.id }).catch((err: unknown) => {
          failed += 1;
          this.adapter.log.warn({ err, teamId, channel, meetingId: meeting.id }, 'posting minutes to a subscribed channel failed');
        });
      }
    }
    return { channels, failed };
  }

  private async postNow(input: { teamId: string; channel: string; meetingId: string; fresh?: boolean; client?: WebClient }): Promise<void> {
    const { core } = this.adapter;
    const client = input.client ?? this.adapter.client;
    const token = await this.adapter.tokenFor(input.teamId);
    const key = `slack:${input.teamId}:${input.channel}`;
    const meeting = await core.meetings.getMeeting(input.meetingId);
    const { main, thread } = await this.render(input.meetingId, input.teamId);
    const existing = meeting.externalIds[key];
    const recent = existing !== undefined && Date.now() / 1000 - Number(existing) < 60;
    if (existing && (!input.fresh || recent)) {
      await client.chat.update({ token, channel: input.channel, ts: existing, text: main.text, blocks: main.blocks as never, link_names: false });
      return;
    }
    const posted = await client.chat.postMessage({ token, channel: input.channel, text: main.text, blocks: main.blocks as never, ...NO_PARSE });
    if (!posted.ts) return;
    await core.meetings.setExternalIds(input.meetingId, { [key]: posted.ts });
    for (const reply of thread) {
      await client.chat.postMessage({ token, channel: posted.channel ?? input.channel, thread_ts: posted.ts, text: reply.text, blocks: reply.blocks as never, ...NO_PARSE });
    }
  }

  private async refresh(meetingId: string): Promise<void> {
    const meeting = await this.adapter.core.meetings.getMeeting(meetingId);
    for (const [key, ts] of Object.entries(meeting.externalIds)) {
      const [prefix, teamId, channel] = key.split(':');
      if (prefix !== 'slack' || !teamId || !channel) continue;
      const token = await this.adapter.tokenFor(teamId);
      const { main } = await this.render(meetingId, teamId);
      await this.adapter.client.chat.update({ token, channel, ts, text: main.text, blocks: main.blocks as never, link_names: false })
        .catch((err: unknown) => this.adapter.log.info({ err, channel, meetingId }, 'refreshing posted minutes failed'));
    }
  }
}
