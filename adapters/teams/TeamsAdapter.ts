import { PUBLIC, withOverrides, Client as ApiClient } from '@microsoft/teams.api';
import { App, ExpressAdapter } from '@microsoft/teams.apps';
import { Client as GraphClient } from '@microsoft/teams.graph';
import express, { type Router } from 'express';
import { MinutesError } from '../../core/errors.ts';
import { clock } from '../../core/format.ts';
import type { Logger } from '../../core/logger.ts';
import { minutesView } from '../../core/minutes/stored.ts';
import type { ActionItemPatch } from '../../core/store/MinutesStore.ts';
import { parseTranscript } from '../../core/transcript/import/index.ts';
import type { Meeting, SegmentInput } from '../../core/types.ts';
import { CARD_CONTENT_TYPE, VERB, messageCard, minutesCard, noticeCard, type AdaptiveCard } from './cards.ts';
import { ClientCredentials } from './credentials.ts';
import { mdLink, messageText } from './escape.ts';
import { DEFAULT_RETRY, TranscriptSource, type TranscriptFile } from './transcripts.ts';
import type { TeamsAdapterOptions, TeamsCore, TranscriptRetry } from './types.ts';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const TRANSCRIPT_SOURCE = 'teams:transcript';

/** The Teams SDK's logger interface over the service's pino logger (its `error`s are mostly refused requests: warn). */
function sdkLogger(log: Logger): ConstructorParameters<typeof App>[0] extends infer O ? O extends { logger?: infer L } ? NonNullable<L> : never : never {
  const line = (m: unknown[]) => m.map((x) => (typeof x === 'string' ? x : x instanceof Error ? x.message : safeJson(x))).join(' ');
  const make = (l: Logger): ReturnType<typeof sdkLogger> => ({
    debug: (...m: unknown[]) => l.debug(line(m)), info: (...m: unknown[]) => l.debug(line(m)), warn: (...m: unknown[]) => l.warn(line(m)),
    error: (...m: unknown[]) => l.warn(line(m)), trace: () => undefined,
    log: (level: string, ...m: unknown[]) => (level === 'error' || level === 'warn' ? l.warn(line(m)) : l.debug(line(m))),
    child: (name: string) => make(l.child({ sdk: name })),
  });
  return make(log.child({ component: 'teams-sdk' }));
}

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x)?.slice(0, 500) ?? String(x);
  } catch {
    return String(x);
  }
}

/** What the handlers read of an inbound activity (the SDK's types are unions; these fields are common). */
interface ActivityLikeIn {
  id?: string;
  type: string;
  text?: string;
  serviceUrl?: string;
  replyToId?: string;
  from: { id: string; name?: string; aadObjectId?: string };
  conversation: { id: string; tenantId?: string; conversationType?: string };
  channelData?: { tenant?: { id?: string }; meeting?: { id?: string } };
  value?: unknown;
}

const tenantOf = (a: ActivityLikeIn): string | undefined => a.channelData?.tenant?.id ?? a.conversation.tenantId;

/**
 * The Teams side of the service, on the Teams SDK (`@microsoft/teams.apps`):
 *
 * - Hosting: the SDK's `ExpressAdapter` registers `POST /api/messages` on our
 *   own `express.Router()` (no server of its own); bot/ mounts the router on
 *   the dashboard's app ahead of sign-in and body parsers.
 * - Inbound: the SDK's `HttpServer` checks every request's JWT before any
 *   handler runs (RS256 signature against the keys published next to the
 *   OpenID metadata, issuer https://api.botframework.com, audience = our app
 *   id, expiry with Bot Framework's 5-minute clock skew, and the `serviceurl`
 *   claim against the activity's serviceUrl) and answers 401 otherwise. Tests
 *   point `cloud.openIdMetadataUrl` at a loopback OpenID server.
 * - Outbound: Bot Connector calls carry client-credential tokens from
 *   `ClientCredentials` (see there why not the SDK's MSAL path).
 * - Meeting events create, run and end the meeting in the core; after the end
 *   the Graph transcript is polled with backoff, imported, the minutes written
 *   and an Adaptive Card posted whose `Action.Execute` buttons update the core.
 */
export class TeamsAdapter {
  readonly app: App;
  readonly router: Router;
  readonly core: TeamsCore;
  readonly log: Logger;
  readonly credentials: ClientCredentials;
  private readonly retry: TranscriptRetry;
  private readonly graphUrl: string;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();
  private started: Promise<void> | null = null;

  constructor(readonly options: TeamsAdapterOptions) {
    this.core = options.core;
    this.log = options.logger.child({ adapter: 'teams' });
    const o = options.overrides ?? {};
    this.retry = { ...DEFAULT_RETRY, ...options.transcriptRetry };
    this.credentials = new ClientCredentials({
      clientId: options.appId, clientSecret: options.appPassword, logger: this.log,
      ...(options.tenantId ? { tenantId: options.tenantId } : {}), ...(o.tokenUrl ? { tokenUrl: o.tokenUrl } : {}),
    });
    const cloud = withOverrides(PUBLIC, {
      ...(o.openIdMetadataUrl ? { openIdMetadataUrl: o.openIdMetadataUrl } : {}),
      ...(o.tokenIssuer ? { tokenIssuer: o.tokenIssuer } : {}),
    });
    this.graphUrl = (o.graphUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
    this.router = express.Router();
    this.app = new App({
      clientId: options.appId,
      // '' (not undefined) so the SDK never falls back to CLIENT_SECRET from the environment and MSAL: tokens come from `token`.
      clientSecret: '',
      ...(options.tenantId ? { tenantId: options.tenantId } : {}),
      token: (scope, tenantId) => this.credentials.token(scope, tenantId),
      cloud,
      // Explicit, so DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS in the environment can never switch validation off.
      dangerouslyAllowUnauthenticatedRequests: false,
      logger: sdkLogger(this.log),
      httpServerAdapter: new ExpressAdapter(this.router as unknown as express.Express, { logger: sdkLogger(this.log) }),
      messagingEndpoint: options.endpoint ?? '/api/messages',
      activity: { mentions: { stripText: true } },
    });
    this.register();
  }

  /** Registers the bot endpoint on the router (the SDK does it at initialize). Idempotent. */
  start(): Promise<void> {
    this.started ??= this.app.initialize().then(() => this.log.info('teams adapter ready'));
    return this.started;
  }

  /** Cancels transcript polls still waiting and waits for running work. */
  async stop(): Promise<void> {
    this.controller.abort();
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Resolves once the background work (transcript → minutes → card) started so far is done. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track(work: Promise<unknown>): void {
    const settled = work.catch((err: unknown) => this.log.warn({ err }, 'teams background work failed'));
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }

  /** A Bot Connector client for a conversation's serviceUrl, with our client-credential token. */
  connector(serviceUrl: string): ApiClient {
    return new ApiClient(serviceUrl.replace(/\/+$/, ''), this.app.client.clone({ token: () => this.credentials.token(PUBLIC.botScope) }));
  }

  /** Graph for one tenant, app-only. */
  transcripts(tenantId: string | undefined): TranscriptSource {
    const http = this.app.client.clone({ token: () => this.credentials.token(GRAPH_SCOPE, tenantId, 'common') });
    return new TranscriptSource(new GraphClient(http, { baseUrlRoot: this.graphUrl }), this.log);
  }

  private register(): void {
    const { app } = this;
    app.on('meetingStart', async (ctx) => {
      await this.onMeetingStart(ctx.activity as unknown as ActivityLikeIn & { value: { Id?: string; Title?: string; JoinUrl?: string } }, (card) => ctx.send({ type: 'message', attachments: [{ contentType: CARD_CONTENT_TYPE, content: card }] } as never));
    });
    app.on('meetingEnd', async (ctx) => {
      await this.onMeetingEnd(ctx.activity as unknown as ActivityLikeIn);
    });
    app.on('meetingParticipantJoin', async (ctx) => {
      await this.onParticipants(ctx.activity as unknown as ActivityLikeIn, true);
    });
    app.on('meetingParticipantLeave', async (ctx) => {
      await this.onParticipants(ctx.activity as unknown as ActivityLikeIn, false);
    });
    app.on('card.action', async (ctx) => {
      const activity = ctx.activity as unknown as ActivityLikeIn & { value: { action?: { verb?: string; data?: Record<string, unknown> } } };
      const card = await this.onCardAction(activity, async (activityId, refreshed) => {
        await ctx.api.conversations.activities(activity.conversation.id).update(activityId, { type: 'message', attachments: [{ contentType: CARD_CONTENT_TYPE, content: refreshed }] } as never);
      });
      return { statusCode: 200, type: CARD_CONTENT_TYPE, value: card } as never;
    });
    app.on('message', async (ctx) => {
      const activity = ctx.activity as unknown as ActivityLikeIn;
      const reply = await this.onMessage(activity).catch((err: unknown) => {
        this.log.warn({ err }, 'a teams command failed');
        return err instanceof MinutesError ? `That did not work: ${messageText(err.message, 300)}` : 'Something went wrong answering that; try again in a moment.';
      });
      if (typeof reply === 'string') await ctx.send({ type: 'message', text: reply, textFormat: 'markdown' } as never);
      else await ctx.send({ type: 'message', attachments: [{ contentType: CARD_CONTENT_TYPE, content: reply }] } as never);
    });
    app.event('error', ({ error }) => this.log.warn({ err: error }, 'teams handler error'));
  }

  /** The organization of the activity's tenant (first sight files it, see TeamsCore.organizationFor). */
  private async organizationOf(activity: ActivityLikeIn): Promise<string> {
    const tenantId = tenantOf(activity);
    if (!tenantId) throw new MinutesError('SEGMENT_INVALID', 'The activity has no tenant');
    return this.core.organizationFor({ id: tenantId, name: tenantId });
  }

  /** The running core meeting of a Teams meeting id, if any. */
  private async runningMeeting(organizationId: string, teamsMeetingId: string): Promise<Meeting | null> {
    const page = await this.core.meetings.listMeetings({ organizationId, platform: 'teams', status: 'in_progress', externalIds: { meetingId: teamsMeetingId }, limit: 1 });
    return page.items[0] ?? null;
  }

  async onMeetingStart(activity: ActivityLikeIn & { value: { Id?: string; Title?: string; JoinUrl?: string } }, postCard: (card: AdaptiveCard) => Promise<{ id?: string }>): Promise<Meeting | null> {
    const tenantId = tenantOf(activity);
    const teamsMeetingId = activity.channelData?.meeting?.id ?? activity.value.Id;
    if (!tenantId || !teamsMeetingId || !activity.serviceUrl) {
      this.log.warn({ conversationId: activity.conversation.id }, 'meetingStart without tenant, meeting id or serviceUrl; ignored');
      return null;
    }
    const organizationId = await this.organizationOf(activity);
    const existing = await this.runningMeeting(organizationId, teamsMeetingId);
    if (existing) return existing; // the channel redelivered the event
    const info = await this.connector(activity.serviceUrl).meetings.getById(teamsMeetingId).catch((err: unknown) => {
      this.log.warn({ err, teamsMeetingId }, 'reading the teams meeting details failed; the transcript will need them at the end');
      return null;
    });
    const externalIds: Record<string, string> = {
      tenantId, conversationId: activity.conversation.id, meetingId: teamsMeetingId, serviceUrl: activity.serviceUrl,
    };
    const joinUrl = activity.value.JoinUrl ?? info?.details?.joinUrl;
    if (joinUrl) externalIds.joinUrl = joinUrl;
    if (info?.organizer?.aadObjectId) externalIds.organizerId = info.organizer.aadObjectId;
    if (info?.details?.msGraphResourceId) externalIds.graphMeetingId = info.details.msGraphResourceId;
    const title = (activity.value.Title || info?.details?.title || 'Teams meeting').trim() || 'Teams meeting';
    const created = await this.core.meetings.createMeeting({ organizationId, platform: 'teams', title, externalIds });
    const meeting = await this.core.meetings.startMeeting(created.id);
    try {
      const sent = await postCard(noticeCard(meeting, this.core.links));
      if (sent.id) await this.core.meetings.setExternalIds(meeting.id, { noticeActivityId: sent.id });
    } catch (err) {
      this.core.meetings.log(meeting).warn({ err }, 'posting the notes notice in the teams meeting chat failed');
    }
    return meeting;
  }

  async onParticipants(activity: ActivityLikeIn, joined: boolean): Promise<void> {
    const teamsMeetingId = activity.channelData?.meeting?.id;
    if (!teamsMeetingId) return;
    const meeting = await this.runningMeeting(await this.organizationOf(activity), teamsMeetingId);
    if (!meeting) return;
    const members = ((activity.value as { members?: { user?: { name?: string } }[] } | undefined)?.members ?? []);
    for (const m of members) {
      const name = m.user?.name?.trim();
      if (!name) continue;
      // Attendance is kept: someone who left still attended. Their name is the transcript's speaker label.
      if (joined) await this.core.meetings.addAttendee(meeting.id, name.slice(0, 200));
      this.core.meetings.log(meeting).debug({ joined }, 'teams participant event');
    }
  }

  async onMeetingEnd(activity: ActivityLikeIn): Promise<Meeting | null> {
    const teamsMeetingId = activity.channelData?.meeting?.id ?? (activity.value as { Id?: string } | undefined)?.Id;
    if (!teamsMeetingId) return null;
    const meeting = await this.runningMeeting(await this.organizationOf(activity), teamsMeetingId);
    if (!meeting) return null; // already ended (redelivery) or started before the app was added
    const ended = await this.core.meetings.endMeeting(meeting.id);
    // The transcript appears minutes later: poll in the background, the channel wants its 200 now.
    if (this.options.queueAfterMeeting) await this.options.queueAfterMeeting(ended.id);
    else this.track(this.afterMeeting(ended.id));
    return ended;
  }

  /** Transcript (with retries) → segments → minutes → minutes card in the meeting chat. */
  async afterMeeting(meetingId: string): Promise<void> {
    let meeting = await this.core.meetings.getMeeting(meetingId);
    const log = this.core.meetings.log(meeting);
    const ids = meeting.externalIds;
    let imported = 0;
    try {
      const files = await this.fetchTranscript(meeting);
      if (files) imported = await this.importTranscript(meeting, files);
      else log.warn('no teams transcript became available; minutes are written from what the meeting has');
    } catch (err) {
      log.warn({ err }, 'fetching the teams transcript failed (is transcription on, and does the app have OnlineMeetingTranscript.Read.Chat or an application access policy?)');
    }
    if (this.controller.signal.aborted) return;
    const { view, bundle } = await this.core.minutes.ensure(meetingId, { regenerate: imported > 0, signal: this.controller.signal });
    meeting = bundle.meeting;
    if (!ids.serviceUrl || !ids.conversationId) return;
    // Run again after a crash (a retried job): the card is already in the chat.
    if (meeting.externalIds.minutesActivityId) return void log.info('teams minutes card already posted');
    const sent = await this.connector(ids.serviceUrl).conversations.activities(ids.conversationId)
      .create({ type: 'message', attachments: [{ contentType: CARD_CONTENT_TYPE, content: minutesCard(bundle, view, this.core.links) }] } as never);
    if (sent?.id) await this.core.meetings.setExternalIds(meetingId, { minutesActivityId: sent.id });
    log.info({ segments: imported, actionItems: view.actionItems.length }, 'teams minutes posted');
  }

  private async fetchTranscript(meeting: Meeting): Promise<TranscriptFile[] | null> {
    const ids = { ...meeting.externalIds };
    const log = this.core.meetings.log(meeting);
    if ((!ids.organizerId || !ids.graphMeetingId) && ids.serviceUrl && ids.meetingId) {
      const info = await this.connector(ids.serviceUrl).meetings.getById(ids.meetingId).catch(() => null);
      if (info?.organizer?.aadObjectId) ids.organizerId = info.organizer.aadObjectId;
      if (info?.details?.msGraphResourceId) ids.graphMeetingId = info.details.msGraphResourceId;
    }
    const source = this.transcripts(ids.tenantId);
    if (!ids.graphMeetingId && ids.organizerId && ids.joinUrl) {
      const found = await source.meetingIdByJoinUrl(ids.organizerId, ids.joinUrl).catch(() => null);
      if (found) ids.graphMeetingId = found;
    }
    if (!ids.organizerId || !ids.graphMeetingId) {
      log.warn('the teams meeting has no organizer or Graph meeting id; no transcript can be fetched');
      return null;
    }
    return source.fetchWhenReady(ids.organizerId, ids.graphMeetingId, this.retry, this.controller.signal,
      (attempt, err) => log.debug({ attempt, reason: (err as Error).message }, 'teams transcript attempt'));
  }

  /**
   * Attaches the transcript's segments to the (ended) meeting with source `teams:transcript`,
   * through MeetingService.attachTranscript: validated as a batch, idempotent per segment,
   * opted-out speakers dropped.
   */
  async importTranscript(meeting: Meeting, files: TranscriptFile[]): Promise<number> {
    const first = files[0]?.createdDateTime ? Date.parse(files[0].createdDateTime) : NaN;
    const inputs: SegmentInput[] = [];
    for (const file of files) {
      const parsed = parseTranscript(file.vtt, { format: 'vtt' });
      // A meeting whose transcription was restarted has several files; each is timed from its own start.
      const created = file.createdDateTime ? Date.parse(file.createdDateTime) : NaN;
      const offset = Number.isFinite(first) && Number.isFinite(created) ? Math.max(0, created - first) : 0;
      for (const s of parsed.segments) inputs.push({ ...s, startMs: s.startMs + offset, endMs: s.endMs + offset, source: TRANSCRIPT_SOURCE });
    }
    const result = await this.core.meetings.attachTranscript(meeting.id, inputs);
    this.core.meetings.log(meeting).info({ segments: result.inserted.length, dropped: result.dropped, files: files.length }, 'teams transcript imported');
    return result.inserted.length;
  }

  /** `Action.Execute` on the minutes card: updates the item (scoped to the tenant's organization) and returns the refreshed card. */
  async onCardAction(
    activity: ActivityLikeIn & { value: { action?: { verb?: string; data?: Record<string, unknown> } } },
    updatePosted: (activityId: string, card: AdaptiveCard) => Promise<void>,
  ): Promise<AdaptiveCard> {
    const { verb, data = {} } = activity.value.action ?? {};
    const actionItemId = typeof data.actionItemId === 'string' ? data.actionItemId : '';
    const tenantId = tenantOf(activity);
    const workspace = tenantId ? await this.core.stores.workspaces.find('teams', tenantId) : null;
    if (!workspace || !actionItemId) return messageCard('This card is not connected to any minutes this app knows.');
    const organizationId = workspace.organizationId;
    let patch: ActionItemPatch;
    let meetingId: string;
    try {
      const item = await this.core.stores.minutes.getActionItem(actionItemId);
      meetingId = item.meetingId;
      if (verb === VERB.done) patch = { status: 'completed' };
      else if (verb === VERB.reopen) patch = { status: 'pending' };
      else if (verb === VERB.reassign) {
        const owner = typeof data.ownerAttendeeId === 'string' ? data.ownerAttendeeId : '';
        const attendee = (await this.core.stores.attendees.list(item.meetingId)).find((a) => a.id === owner);
        if (!attendee) return messageCard('Pick the new owner among the meeting attendees.');
        patch = { ownerAttendeeId: attendee.id, ownerUserId: attendee.userId, ownerName: attendee.displayName };
      } else return messageCard('This button is not supported any more.');
      await this.core.minutes.updateActionItem(actionItemId, patch, { organizationId });
    } catch (err) {
      if (err instanceof MinutesError && err.code === 'ACTION_ITEM_NOT_FOUND') return messageCard('That action item no longer exists.');
      throw err;
    }
    const bundle = await this.core.minutes.bundle(meetingId);
    const card = minutesCard(bundle, minutesView(bundle), this.core.links);
    // The invoke response refreshes the card for the person who pressed; the update refreshes it for everyone.
    const posted = activity.replyToId ?? bundle.meeting.externalIds.minutesActivityId;
    if (posted) await updatePosted(posted, card).catch((err: unknown) => this.log.warn({ err, meetingId }, 'updating the posted teams minutes card failed'));
    return card;
  }

  /** Chat commands when the bot is @mentioned (the mention is already stripped from the text). */
  async onMessage(activity: ActivityLikeIn): Promise<string | AdaptiveCard> {
    const text = (activity.text ?? '').replace(/\s+/g, ' ').trim();
    const [word = '', ...restWords] = text.split(' ');
    const command = word.toLowerCase();
    const rest = restWords.join(' ').trim();
    const organizationId = await this.organizationOf(activity);
    const { core } = this;
    const latest = async () => (await core.meetings.listMeetings({ organizationId, platform: 'teams', externalIds: { conversationId: activity.conversation.id }, limit: 1 })).items[0] ?? null;
    switch (command) {
      case 'summary': {
        const meeting = await latest();
        if (!meeting) return 'No meeting of this chat has been recorded yet.';
        const bundle = await core.minutes.bundle(meeting.id);
        return minutesCard(bundle, minutesView(bundle), core.links);
      }
      case 'actions': {
        const meeting = await latest();
        if (!meeting) return 'No meeting of this chat has been recorded yet.';
        const bundle = await core.minutes.bundle(meeting.id);
        const open = bundle.actionItems.filter((a) => a.status !== 'completed' && a.status !== 'cancelled');
        if (!open.length) return `No open action items from ${mdLink(core.links.meeting(meeting.id), meeting.title, true)}.`;
        return [`**Open action items** from ${mdLink(core.links.meeting(meeting.id), meeting.title, true)}:`, '',
          ...open.slice(0, 20).map((a) => `- ${messageText(a.description, 300)} — ${messageText(a.ownerName ?? 'unassigned', 100)}${a.dueDate ? `, due ${a.dueDate}` : ''}`)].join('\n');
      }
      case 'ask': {
        if (!rest) return 'Usage: **ask** _question_ (answered from every transcript of your organization).';
        const answer = await core.ask({ question: rest, organizationId });
        const cites = answer.citations.slice(0, 5).map((c) => `- ${mdLink(core.links.meeting(c.meetingId, c.segmentId), `${c.meetingTitle} ${clock(c.startMs)}`, true)} **${messageText(c.speaker, 80)}**: ${messageText(c.text, 300)}`);
        return [messageText(answer.answer, 3000), ...(cites.length ? ['', ...cites] : [])].join('\n');
      }
      case 'search': {
        if (!rest) return 'Usage: **search** _words_ ("exact phrase", or, -word work).';
        const result = await core.stores.search.search({ q: rest, organizationId, limit: 8 });
        if (!result.hits.length) return `Nothing found for ${messageText(rest, 200)}.`;
        return [`**${result.total}** match${result.total === 1 ? '' : 'es'} for ${messageText(rest, 200)}:`, '',
          ...result.hits.map((h) => `- ${mdLink(core.links.meeting(h.meeting.id, h.segment.id), `${h.meeting.title} ${clock(h.segment.startMs)}`, true)} **${messageText(h.segment.speaker, 80)}**: ${messageText(h.segment.text, 300)}`)].join('\n');
      }
      case 'link': {
        const tenantId = tenantOf(activity) ?? '';
        const url = core.signInLink
          ? await core.signInLink({ organizationId, platform: 'teams', externalUserId: activity.from.aadObjectId ?? activity.from.id, externalTeamId: tenantId, displayName: activity.from.name ?? 'Teams user' })
          : core.links.home();
        return `Your dashboard: ${mdLink(url, core.signInLink ? 'sign in' : url, true)}${core.signInLink ? ' (a personal sign-in link: do not share it)' : ''}`;
      }
      case 'optout':
      case 'optin': {
        const meetingId = activity.channelData?.meeting?.id;
        const meeting = meetingId ? await this.runningMeeting(organizationId, meetingId) : null;
        const name = activity.from.name?.trim();
        if (!meeting || !name) return 'There is no meeting being recorded in this chat right now.';
        await core.meetings.setConsent(meeting.id, name, command === 'optout' ? 'opted_out' : 'granted');
        return command === 'optout' ? 'Done: your words are left out of this meeting\'s transcript and minutes.' : 'Done: your words are part of this meeting\'s notes again.';
      }
      default:
        return ['I take notes of this chat\'s meetings. Mention me with:', '',
          '- **summary** — the minutes of the latest meeting here', '- **actions** — its open action items',
          '- **ask** _question_ — an answer from the transcripts', '- **search** _words_ — matching transcript passages',
          '- **link** — your link to the dashboard', '- **optout** / **optin** — leave your words out of the running meeting'].join('\n');
    }
  }
}

export function createTeamsAdapter(options: TeamsAdapterOptions): TeamsAdapter {
  return new TeamsAdapter(options);
}
