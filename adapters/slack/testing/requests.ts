// Signed requests exactly as Slack sends them to an app's Request URL, for
// tests of the Slack adapter's HTTP endpoints (slash commands, Events API,
// interactivity). Wire formats follow Slack's docs:
//  - signing: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:{ts}:{raw body}")>`
//    and `X-Slack-Request-Timestamp: {ts}` (seconds); receivers reject
//    timestamps more than 5 minutes away from now.
//  - slash commands: `application/x-www-form-urlencoded` form fields.
//  - Events API: JSON `event_callback` envelope (or `url_verification`).
//  - interactivity: `application/x-www-form-urlencoded` with one `payload`
//    field holding the JSON (`block_actions`, `view_submission`, ...).
//  - retries: `X-Slack-Retry-Num` (1..3) and `X-Slack-Retry-Reason`.
import { createHmac, randomBytes } from 'node:crypto';

/** Defaults shared with FakeSlack so requests and the fake agree out of the box. */
export const SLACK_DEFAULTS = {
  teamId: 'T0000TEAM1',
  teamName: 'Acme',
  teamDomain: 'acme',
  botToken: 'xoxb-0000-fake-bot-token-team1',
  botUserId: 'U0000BOT01',
  botId: 'B0000BOT01',
  apiAppId: 'A0000APP01',
  /** the deprecated verification token Slack still includes as `token` */
  verificationToken: 'fake-verification-token',
  command: '/minutes',
} as const;

export type SlackSignatureHeaders = { 'X-Slack-Signature': string; 'X-Slack-Request-Timestamp': string };

/** The two headers Slack adds to every request: v0 HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
export function signSlack(secret: string, rawBody: string, timestamp: number = Math.floor(Date.now() / 1000)): Record<string, string> {
  const ts = String(Math.floor(timestamp));
  const hex = createHmac('sha256', secret).update(`v0:${ts}:${rawBody}`).digest('hex');
  const headers: SlackSignatureHeaders = { 'X-Slack-Signature': `v0=${hex}`, 'X-Slack-Request-Timestamp': ts };
  return headers;
}

/** A trigger_id as Slack formats them: `{digits}.{digits}.{hex}`. */
export function triggerId(): string {
  const n = () => String(Math.floor(1e12 + Math.random() * 9e12));
  return `${n()}.${n()}.${randomBytes(16).toString('hex')}`;
}

/** Slack message/event timestamp string ("1700000000.000100"), unique per process. */
let tsCounter = 0;
export function slackTs(atMs: number = Date.now()): string {
  tsCounter = (tsCounter + 1) % 1_000_000;
  return `${Math.floor(atMs / 1000)}.${String(tsCounter).padStart(6, '0')}`;
}

/** Event ids look like `Ev0123ABCD`. */
export function eventId(): string {
  return `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
}

function channelNameFor(channelId: string): string {
  if (channelId.startsWith('D')) return 'directmessage';
  if (channelId.startsWith('G')) return 'privategroup';
  return 'general';
}

export type SlashCommandInput = {
  teamId: string; channelId: string; userId: string; command?: '/minutes'; text: string; responseUrl: string;
  triggerId?: string; apiAppId?: string;
  /** defaults: team domain from teamId, channel name 'general' (or 'directmessage' for D…), user name from userId */
  teamDomain?: string; channelName?: string; userName?: string; enterpriseId?: string; enterpriseName?: string;
  isEnterpriseInstall?: boolean;
};

/** Form-urlencoded body of a slash command invocation (field order as Slack sends it). */
export function slashCommandBody(input: SlashCommandInput): string {
  const form = new URLSearchParams();
  form.set('token', SLACK_DEFAULTS.verificationToken);
  form.set('team_id', input.teamId);
  form.set('team_domain', input.teamDomain ?? domainFor(input.teamId));
  if (input.enterpriseId) {
    form.set('enterprise_id', input.enterpriseId);
    form.set('enterprise_name', input.enterpriseName ?? 'Enterprise');
  }
  form.set('channel_id', input.channelId);
  form.set('channel_name', input.channelName ?? channelNameFor(input.channelId));
  form.set('user_id', input.userId);
  form.set('user_name', input.userName ?? input.userId.toLowerCase());
  form.set('command', input.command ?? SLACK_DEFAULTS.command);
  form.set('text', input.text);
  form.set('api_app_id', input.apiAppId ?? SLACK_DEFAULTS.apiAppId);
  form.set('is_enterprise_install', String(input.isEnterpriseInstall ?? false));
  form.set('response_url', input.responseUrl);
  form.set('trigger_id', input.triggerId ?? triggerId());
  return form.toString();
}

export type EventInput = {
  teamId: string; event: Record<string, unknown>; eventId?: string; apiAppId?: string;
  /** the bot user the event is delivered for (authorizations[0].user_id); default SLACK_DEFAULTS.botUserId */
  botUserId?: string; eventTime?: number; enterpriseId?: string;
};

/** JSON body of an Events API `event_callback`. `event.event_ts` / `ts` are filled in if missing. */
export function eventBody(input: EventInput): string {
  const eventTime = input.eventTime ?? Math.floor(Date.now() / 1000);
  const event: Record<string, unknown> = { ...input.event };
  if (event.event_ts === undefined) event.event_ts = typeof event.ts === 'string' ? event.ts : slackTs(eventTime * 1000);
  const enterpriseId = input.enterpriseId ?? null;
  return JSON.stringify({
    token: SLACK_DEFAULTS.verificationToken,
    team_id: input.teamId,
    context_team_id: input.teamId,
    context_enterprise_id: enterpriseId,
    api_app_id: input.apiAppId ?? SLACK_DEFAULTS.apiAppId,
    event,
    type: 'event_callback',
    event_id: input.eventId ?? eventId(),
    event_time: eventTime,
    authorizations: [{
      enterprise_id: enterpriseId, team_id: input.teamId, user_id: input.botUserId ?? SLACK_DEFAULTS.botUserId,
      is_bot: true, is_enterprise_install: false,
    }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${input.teamId}:${event.type}`).toString('base64url')}`,
  });
}

/** JSON body of the `url_verification` handshake Slack sends when the Request URL is saved. */
export function urlVerificationBody(challenge = randomBytes(24).toString('base64url')): string {
  return JSON.stringify({ token: SLACK_DEFAULTS.verificationToken, challenge, type: 'url_verification' });
}

// ---- event builders (the `event` object inside eventBody) ----

/** A user's message in a channel (or thread); `files` makes it `subtype: 'file_share'`. */
export function messageEvent(input: {
  channelId: string; userId: string; text: string; ts?: string; threadTs?: string; teamId?: string;
  channelType?: 'channel' | 'group' | 'im' | 'mpim'; files?: Record<string, unknown>[];
}): Record<string, unknown> {
  const ts = input.ts ?? slackTs();
  const event: Record<string, unknown> = {
    type: 'message',
    ...(input.files ? { subtype: 'file_share' } : {}),
    text: input.text,
    ...(input.files ? { files: input.files, upload: false, display_as_bot: false } : {}),
    user: input.userId,
    ts,
    ...(input.threadTs ? { thread_ts: input.threadTs, parent_user_id: input.userId } : {}),
    ...(input.teamId ? { team: input.teamId } : {}),
    channel: input.channelId,
    event_ts: ts,
    channel_type: input.channelType ?? (input.channelId.startsWith('D') ? 'im' : input.channelId.startsWith('G') ? 'group' : 'channel'),
  };
  return event;
}

/** `file_shared` event (Slack sends only ids; the app calls files.info). */
export function fileSharedEvent(input: { fileId: string; userId: string; channelId: string; eventTs?: string }): Record<string, unknown> {
  return {
    type: 'file_shared',
    file_id: input.fileId,
    user_id: input.userId,
    file: { id: input.fileId },
    channel_id: input.channelId,
    event_ts: input.eventTs ?? slackTs(),
  };
}

/** `app_home_opened` for the Home tab. */
export function appHomeOpenedEvent(input: { userId: string; channelId?: string; tab?: 'home' | 'messages' }): Record<string, unknown> {
  return {
    type: 'app_home_opened',
    user: input.userId,
    channel: input.channelId ?? `D${input.userId.slice(1)}`,
    tab: input.tab ?? 'home',
    event_ts: slackTs(),
  };
}

/** `app_mention` in a channel. */
export function appMentionEvent(input: { channelId: string; userId: string; text: string; ts?: string; threadTs?: string; teamId?: string }): Record<string, unknown> {
  const ts = input.ts ?? slackTs();
  return {
    type: 'app_mention', user: input.userId, text: input.text, ts, ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    ...(input.teamId ? { team: input.teamId } : {}), channel: input.channelId, event_ts: ts,
  };
}

// ---- interactivity ----

export type BlockActionInput = { action_id: string; value?: string; block_id?: string; selected_option?: { value: string } };

export type BlockActionsInput = {
  teamId: string; userId: string; channelId: string; messageTs: string; actions: BlockActionInput[]; responseUrl: string;
  /** the message's blocks as posted; used to fill in block_id, button text and element type like Slack does */
  messageBlocks?: unknown[];
  messageText?: string; threadTs?: string; triggerId?: string; apiAppId?: string; userName?: string; teamDomain?: string;
  botUserId?: string; isEphemeral?: boolean;
};

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Find the element with this action_id in a message's blocks (section accessory or actions/input elements). */
function findElement(blocks: unknown[] | undefined, actionId: string): { blockId?: string; element: Rec } | undefined {
  for (const block of blocks ?? []) {
    if (!isRec(block)) continue;
    const candidates: unknown[] = [];
    if (Array.isArray(block.elements)) candidates.push(...block.elements);
    if (block.accessory !== undefined) candidates.push(block.accessory);
    if (block.element !== undefined) candidates.push(block.element);
    for (const el of candidates) {
      if (isRec(el) && el.action_id === actionId) {
        return { blockId: typeof block.block_id === 'string' ? block.block_id : undefined, element: el };
      }
    }
  }
  return undefined;
}

function optionsOf(element: Rec): Rec[] {
  const out: Rec[] = [];
  if (Array.isArray(element.options)) out.push(...element.options.filter(isRec));
  if (Array.isArray(element.option_groups)) {
    for (const g of element.option_groups) if (isRec(g) && Array.isArray(g.options)) out.push(...g.options.filter(isRec));
  }
  return out;
}

function actionPayload(a: BlockActionInput, blocks: unknown[] | undefined, actionTs: string): Rec {
  const found = findElement(blocks, a.action_id);
  const element = found?.element;
  const type = typeof element?.type === 'string' ? element.type : a.selected_option ? 'static_select' : 'button';
  const blockId = a.block_id ?? found?.blockId ?? randomBytes(3).toString('base64url');
  const out: Rec = { action_id: a.action_id, block_id: blockId };
  if (type === 'button') {
    out.text = isRec(element?.text) ? element.text : { type: 'plain_text', text: a.action_id, emoji: true };
    const value = a.value ?? (typeof element?.value === 'string' ? element.value : undefined);
    if (value !== undefined) out.value = value;
    if (typeof element?.style === 'string') out.style = element.style;
  } else if (a.selected_option) {
    const match = element ? optionsOf(element).find((o) => o.value === a.selected_option!.value) : undefined;
    out.selected_option = match ?? { text: { type: 'plain_text', text: a.selected_option.value, emoji: true }, value: a.selected_option.value };
    if (type === 'static_select' || type === 'external_select') {
      out.placeholder = isRec(element?.placeholder) ? element.placeholder : undefined;
    }
  } else if (a.value !== undefined) {
    out.value = a.value;
  }
  out.type = type;
  out.action_ts = actionTs;
  return out;
}

/** Form-urlencoded `payload=` body of a `block_actions` interaction on a message. */
export function blockActionsBody(input: BlockActionsInput): string {
  const teamDomain = input.teamDomain ?? domainFor(input.teamId);
  const userName = input.userName ?? input.userId.toLowerCase();
  const actionTs = slackTs();
  const message: Rec = {
    user: input.botUserId ?? SLACK_DEFAULTS.botUserId,
    type: 'message',
    ts: input.messageTs,
    bot_id: SLACK_DEFAULTS.botId,
    app_id: input.apiAppId ?? SLACK_DEFAULTS.apiAppId,
    text: input.messageText ?? '',
    team: input.teamId,
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    blocks: input.messageBlocks ?? [],
  };
  const payload: Rec = {
    type: 'block_actions',
    user: { id: input.userId, username: userName, name: userName, team_id: input.teamId },
    api_app_id: input.apiAppId ?? SLACK_DEFAULTS.apiAppId,
    token: SLACK_DEFAULTS.verificationToken,
    container: {
      type: 'message', message_ts: input.messageTs, channel_id: input.channelId, is_ephemeral: input.isEphemeral ?? false,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    },
    trigger_id: input.triggerId ?? triggerId(),
    team: { id: input.teamId, domain: teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: channelNameFor(input.channelId) },
    ...(input.isEphemeral ? {} : { message }),
    state: { values: {} },
    response_url: input.responseUrl,
    actions: input.actions.map((a) => actionPayload(a, input.messageBlocks, actionTs)),
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** `block_actions` from the App Home tab (container type 'view'; no channel/message/response_url). */
export function homeBlockActionsBody(input: {
  teamId: string; userId: string; viewId?: string; actions: BlockActionInput[]; viewBlocks?: unknown[]; triggerId?: string; apiAppId?: string;
}): string {
  const viewId = input.viewId ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
  const actionTs = slackTs();
  const userName = input.userId.toLowerCase();
  const payload: Rec = {
    type: 'block_actions',
    user: { id: input.userId, username: userName, name: userName, team_id: input.teamId },
    api_app_id: input.apiAppId ?? SLACK_DEFAULTS.apiAppId,
    token: SLACK_DEFAULTS.verificationToken,
    container: { type: 'view', view_id: viewId },
    trigger_id: input.triggerId ?? triggerId(),
    team: { id: input.teamId, domain: domainFor(input.teamId) },
    enterprise: null,
    is_enterprise_install: false,
    view: {
      id: viewId, team_id: input.teamId, type: 'home', blocks: input.viewBlocks ?? [], private_metadata: '', callback_id: '',
      state: { values: {} }, hash: randomBytes(8).toString('hex'), app_id: input.apiAppId ?? SLACK_DEFAULTS.apiAppId,
      bot_id: SLACK_DEFAULTS.botId,
    },
    actions: input.actions.map((a) => actionPayload(a, input.viewBlocks, actionTs)),
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** `view_submission` of a modal: `values` is state.values ({ [block_id]: { [action_id]: { type, value | selected_option ... } } }). */
export function viewSubmissionBody(input: {
  teamId: string; userId: string; callbackId: string; values: Record<string, Record<string, Record<string, unknown>>>;
  privateMetadata?: string; viewId?: string; blocks?: unknown[]; apiAppId?: string; triggerId?: string;
}): string {
  const viewId = input.viewId ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
  const userName = input.userId.toLowerCase();
  const payload: Rec = {
    type: 'view_submission',
    team: { id: input.teamId, domain: domainFor(input.teamId) },
    user: { id: input.userId, username: userName, name: userName, team_id: input.teamId },
    api_app_id: input.apiAppId ?? SLACK_DEFAULTS.apiAppId,
    token: SLACK_DEFAULTS.verificationToken,
    trigger_id: input.triggerId ?? triggerId(),
    view: {
      id: viewId, team_id: input.teamId, type: 'modal', blocks: input.blocks ?? [], private_metadata: input.privateMetadata ?? '',
      callback_id: input.callbackId, state: { values: input.values }, hash: randomBytes(8).toString('hex'),
      title: { type: 'plain_text', text: 'Minutes', emoji: true }, app_id: input.apiAppId ?? SLACK_DEFAULTS.apiAppId,
      bot_id: SLACK_DEFAULTS.botId,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function domainFor(teamId: string): string {
  return teamId === SLACK_DEFAULTS.teamId ? SLACK_DEFAULTS.teamDomain : teamId.toLowerCase();
}

export type PostSignedOptions = {
  secret: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
  /** seconds; default now. An old timestamp (> 5 min) must be rejected by the receiver. */
  timestamp?: number;
  /** adds `X-Slack-Retry-Num` and `X-Slack-Retry-Reason` as Slack does on redelivery */
  retryNum?: number;
  retryReason?: 'http_timeout' | 'http_error' | 'too_many_connections' | 'ssl_error' | 'connection_failed' | 'unknown_error';
  /** sign with a different secret (the signature is well-formed but wrong) */
  forgeSignature?: boolean;
  /** extra headers, e.g. to override or drop the signature (set to '') */
  headers?: Record<string, string>;
};

/** POST a body to the app the way Slack does: signed, with Slack's User-Agent and, for retries, the retry headers. */
export async function postSigned(url: string, body: string, options: PostSignedOptions): Promise<Response> {
  const signed = signSlack(options.forgeSignature ? `forged-${options.secret}` : options.secret, body, options.timestamp);
  const headers: Record<string, string> = {
    'Content-Type': options.contentType,
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    Accept: '*/*',
    ...signed,
  };
  if (options.retryNum !== undefined) {
    headers['X-Slack-Retry-Num'] = String(options.retryNum);
    headers['X-Slack-Retry-Reason'] = options.retryReason ?? 'http_timeout';
  }
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    if (v === '') delete headers[k];
    else headers[k] = v;
  }
  return fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
}

/**
 * What a Socket Mode envelope carries for a body built above: the same data Slack would POST over HTTP, as JSON —
 * slash command fields as an object, an interaction's `payload` parsed, an Events API body as is.
 */
export function envelopePayload(body: string): Record<string, unknown> {
  if (body.trimStart().startsWith('{')) return JSON.parse(body) as Record<string, unknown>;
  const form = new URLSearchParams(body);
  const payload = form.get('payload');
  return payload !== null && [...form.keys()].length === 1 ? JSON.parse(payload) as Record<string, unknown> : Object.fromEntries(form);
}
