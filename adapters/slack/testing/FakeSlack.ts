// A loopback fake of Slack's Web API (and the other Slack-hosted URLs an app
// touches: response_url endpoints and url_private file downloads), so the
// Slack adapter is tested through the real @slack/web-api / @slack/bolt code.
// Listens on 127.0.0.1 only. Point clients at it with
//   new WebClient(token, { slackApiUrl: fake.apiUrl })
//   new App({ ..., clientOptions: { slackApiUrl: fake.apiUrl } })
//   new InstallProvider({ ..., clientOptions: { slackApiUrl: fake.apiUrl } })
//
// Like Slack, every method answers HTTP 200 with JSON `{ ok: true, ... }` or
// `{ ok: false, error }`; the only non-200 is 429 + `Retry-After` for
// `ratelimited`. Request bodies are accepted as form-urlencoded (what the
// WebClient sends), JSON (token in the Authorization header) or multipart.
//
// Socket Mode: `apps.connections.open` (app-level `xapp-` token only) answers
// a single-use `ws://127.0.0.1:PORT/socket?ticket=…` URL; a connection there
// gets `hello`, then whatever envelopes a test sends with `sendEnvelope`
// (resolving with the app's ack `{ envelope_id, payload? }`), and
// `disconnectSocket` sends Slack's `disconnect` message.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes, randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { SLACK_DEFAULTS, slackTs } from './requests.ts';
import { validateBlocks, validateView } from './blockLimits.ts';

export type FakeTeam = { id: string; name: string; botToken: string; botUserId: string; domain?: string; botId?: string };
export type FakeUser = { id: string; teamId: string; name: string; realName?: string; tz?: string; email?: string; isAdmin?: boolean };
export type FakeChannel = { id: string; teamId: string; name: string; isPrivate?: boolean; isMember?: boolean };

export type FakeSlackOptions = {
  teams?: FakeTeam[];
  users?: FakeUser[];
  channels?: FakeChannel[];
  /** app id returned by oauth.v2.access and used in messages; default SLACK_DEFAULTS.apiAppId */
  appId?: string;
  /** when set, oauth.v2.access also requires these client credentials */
  clientId?: string;
  clientSecret?: string;
  /** bot scopes granted by oauth.v2.access */
  scopes?: string[];
  /**
   * Reject blocks/views that break Slack's Block Kit limits with `invalid_blocks` (messages) / `invalid_arguments`
   * (views), listing the violations in response_metadata.messages, as Slack does. Default true.
   */
  validateBlocks?: boolean;
  /** when set, apps.connections.open accepts only this app-level token (otherwise any `xapp-…`) */
  appToken?: string;
};

export type SocketEnvelopeType = 'events_api' | 'slash_commands' | 'interactive';
/** What the app sent back for an envelope: `{ envelope_id, payload? }` (payload: the ack's response body, if any). */
export type SocketAck = { envelope_id: string; payload?: Record<string, unknown> };

export type RecordedCall = {
  method: string;
  token: string | null;
  /** parsed form or JSON; `blocks`, `attachments`, `view`, `metadata` parsed from JSON strings */
  body: Record<string, unknown>;
  at: number;
  /** what the fake answered (after the call was applied) */
  response: Record<string, unknown>;
};

export type FakeMessage = {
  ts: string; thread_ts?: string; text: string; blocks?: unknown[]; user?: string;
  attachments?: unknown[]; bot_id?: string; edited?: { user: string; ts: string }; reply_broadcast?: boolean;
  metadata?: unknown; deleted?: boolean;
  /** files shared with the message (files.uploadV2 → files.completeUploadExternal) */
  files?: { id: string; name: string; title: string }[];
};

export type FakeEphemeral = { channel: string; user: string; message_ts: string; text: string; blocks?: unknown[]; thread_ts?: string };

export type FakeView = { id: string; type: 'home' | 'modal'; user: string; teamId: string; view: Record<string, unknown>; hash: string };

type FakeFile = {
  id: string; name: string; title: string; mimetype: string; filetype: string; content: Buffer; teamId: string;
  channels: string[]; user: string; created: number;
  /** The message that shared the file in each channel (files.info's `shares`), for files people shared. */
  shares?: Record<string, string>;
  /** set for files the app uploaded itself (files.uploadV2) */
  uploaded?: { threadTs?: string; initialComment?: string };
};

type PendingUpload = { id: string; teamId: string; user: string; filename: string; length: number; content?: Buffer };

type Rec = Record<string, unknown>;
type Answer = Rec & { ok: boolean };
type Ctx = { team: FakeTeam; token: string; isBot: boolean; userId: string };
/** `ctx` is undefined only for the methods in NO_TOKEN_METHODS. */
type Handler = (body: Rec, ctx: Ctx) => Answer;
const NO_TOKEN_METHODS = new Set(['api.test', 'oauth.v2.access']);

function blockErrors(messages: string[]): Rec {
  return { response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) } };
}

class SlackError extends Error {
  constructor(readonly code: string, readonly extra: Rec = {}) { super(code); }
}

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function required(body: Rec, name: string): string {
  const v = str(body[name]);
  if (v === undefined || v === '') throw new SlackError('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${name}`] } });
  return v;
}

function domainOf(team: FakeTeam): string {
  return team.domain ?? team.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}

export class FakeSlack {
  readonly apiUrl: string;
  readonly calls: RecordedCall[] = [];
  private readonly baseUrl: string;
  private readonly teams: FakeTeam[];
  private readonly users = new Map<string, FakeUser & { isBot?: boolean }>();
  private readonly channels = new Map<string, FakeChannel>();
  private readonly history = new Map<string, FakeMessage[]>();
  private readonly ephemeral: FakeEphemeral[] = [];
  private readonly files = new Map<string, FakeFile>();
  private readonly responseUrls = new Map<string, Rec[]>();
  private readonly views = new Map<string, FakeView>();
  private readonly homeByUser = new Map<string, string>();
  private readonly userTokens = new Map<string, { teamId: string; userId: string }>();
  private readonly failures = new Map<string, string[]>();
  private readonly installCodes = new Map<string, string>();
  private readonly pendingUploads = new Map<string, PendingUpload>();
  private readonly responseBindings = new Map<string, { channel: string; messageTs?: string; userId?: string; teamId: string }>();
  private readonly waiters = new Set<() => void>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets: WebSocket[] = [];
  private readonly pendingAcks = new Map<string, (ack: SocketAck) => void>();
  /** Socket Mode connections that got `hello`, in order (including closed ones). */
  socketConnections = 0;
  /** Every ack received over Socket Mode, in order. */
  readonly acks: SocketAck[] = [];
  private readonly handlers: Record<string, Handler>;
  private readonly options: FakeSlackOptions;

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new FakeSlack(server, options);
  }

  private constructor(private readonly server: Server, options: FakeSlackOptions) {
    this.options = options;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
    this.teams = options.teams?.length ? options.teams.map((t) => ({ ...t })) : [{
      id: SLACK_DEFAULTS.teamId, name: SLACK_DEFAULTS.teamName, domain: SLACK_DEFAULTS.teamDomain,
      botToken: SLACK_DEFAULTS.botToken, botUserId: SLACK_DEFAULTS.botUserId, botId: SLACK_DEFAULTS.botId,
    }];
    this.teams.forEach((t, i) => {
      t.botId ??= i === 0 && t.botUserId === SLACK_DEFAULTS.botUserId ? SLACK_DEFAULTS.botId : `B${t.botUserId.slice(1)}`;
      this.users.set(t.botUserId, { id: t.botUserId, teamId: t.id, name: 'minutes', realName: 'Minutes', isBot: true });
    });
    for (const u of options.users ?? []) this.users.set(u.id, { ...u });
    for (const c of options.channels ?? []) this.channels.set(c.id, { isMember: true, ...c });
    this.handlers = this.buildHandlers();
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      });
    });
  }

  // ---------------------------------------------------------------- public API

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call to `method` (already recorded or future) matching `predicate`. */
  waitFor(method: string, predicate: (c: RecordedCall) => boolean = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    const find = () => this.calls.find((c) => c.method === method && predicate(c));
    const now = find();
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (!hit) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = this.calls.map((c) => c.method).join(', ') || 'none';
        reject(new Error(`FakeSlack: no matching ${method} call within ${timeoutMs} ms (calls so far: ${seen})`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Messages in a channel (or DM, by D… id or user id), in posting order, as last posted/updated; deleted ones omitted. */
  messages(channel: string): FakeMessage[] {
    return (this.history.get(this.resolveChannelId(channel)) ?? []).filter((m) => !m.deleted).map((m) => ({ ...m }));
  }

  /** Replies in a thread (messages whose thread_ts is `threadTs`, excluding the parent). */
  thread(channel: string, threadTs: string): FakeMessage[] {
    return this.messages(channel).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
  }

  /** Ephemeral messages posted with chat.postEphemeral (optionally in one channel). */
  ephemerals(channel?: string): FakeEphemeral[] {
    const id = channel === undefined ? undefined : this.resolveChannelId(channel);
    return this.ephemeral.filter((e) => id === undefined || e.channel === id).map((e) => ({ ...e }));
  }

  /** The App Home view last published for a user (views.publish), if any. */
  homeView(userId: string): Record<string, unknown> | undefined {
    const id = this.homeByUser.get(userId);
    return id ? this.views.get(id)?.view : undefined;
  }

  /** Modals opened with views.open / views.push, in order. */
  modals(): FakeView[] {
    return [...this.views.values()].filter((v) => v.type === 'modal');
  }

  /** A file Slack would host: files.info returns it; its url_private (served by this fake, requires `Authorization: Bearer <bot token>`) returns `content`. */
  addFile(file: {
    id: string; name: string; mimetype: string; filetype: string; content: Buffer; teamId: string; channels?: string[];
    userId?: string; title?: string;
  }): { id: string; url_private: string } {
    this.teamById(file.teamId);
    const f: FakeFile = {
      id: file.id, name: file.name, title: file.title ?? file.name, mimetype: file.mimetype, filetype: file.filetype,
      content: file.content, teamId: file.teamId, channels: file.channels ?? [],
      user: file.userId ?? [...this.users.values()].find((u) => u.teamId === file.teamId && !u.isBot)?.id ?? 'U0000USER1',
      created: Math.floor(Date.now() / 1000),
    };
    // Sharing a file posts a message carrying it in each channel, as Slack does; files.info lists it under `shares`.
    f.shares = Object.fromEntries(f.channels.map((ch) => [ch, this.addMessage(ch, { user: f.user, text: '' }).ts]));
    this.files.set(f.id, f);
    return { id: f.id, url_private: this.filePayload(f).url_private as string };
  }

  /** Files the app uploaded (files.uploadV2), in order, with their bytes and where they were shared. */
  uploads(): { id: string; name: string; title: string; content: Buffer; channels: string[]; threadTs?: string; initialComment?: string }[] {
    return [...this.files.values()].filter((f) => f.uploaded).map((f) => ({
      id: f.id, name: f.name, title: f.title, content: f.content, channels: [...f.channels],
      ...(f.uploaded!.threadTs ? { threadTs: f.uploaded!.threadTs } : {}),
      ...(f.uploaded!.initialComment ? { initialComment: f.uploaded!.initialComment } : {}),
    }));
  }

  /** The `files` entry Slack puts in a `message` event with subtype file_share (same shape as files.info's `file`). */
  fileObject(id: string): Record<string, unknown> {
    const f = this.files.get(id);
    if (!f) throw new Error(`FakeSlack: no file ${id}`);
    return this.filePayload(f);
  }

  /**
   * A fresh response_url (hooks.slack.com/commands/... lookalike served by this fake). Every POST is recorded for
   * `responses(url)`. Bound to a channel (and optionally the message a button was on and the user who clicked), it also
   * acts like Slack: `replace_original` / `delete_original` change that message, `response_type: 'in_channel'` posts
   * to the channel, and the default (ephemeral) shows up in `ephemerals()`.
   */
  responseUrl(bind?: { channel: string; messageTs?: string; userId?: string }): string {
    const channel = bind ? this.channels.get(this.resolveChannelId(bind.channel)) : undefined;
    const team = channel ? this.teamById(channel.teamId) : this.teams[0]!;
    const url = `${this.baseUrl}/commands/${team.id}/${Math.floor(1e12 + Math.random() * 9e12)}/${randomBytes(12).toString('hex')}`;
    this.responseUrls.set(url, []);
    if (bind) this.responseBindings.set(url, { ...bind, channel: this.resolveChannelId(bind.channel), teamId: team.id });
    return url;
  }

  /** JSON bodies POSTed to a response_url, in order. */
  responses(url: string): Record<string, unknown>[] {
    return [...(this.responseUrls.get(url) ?? [])];
  }

  /** The next call to `method` fails with `error` ('ratelimited' → HTTP 429 with Retry-After: 1). Queue several by calling again. */
  failNext(method: string, error: string): void {
    const q = this.failures.get(method) ?? [];
    q.push(error);
    this.failures.set(method, q);
  }

  /** A one-time OAuth code for oauth.v2.access that installs `teamId` (besides the always-valid 'good-code' for the first team). */
  installCode(teamId: string): string {
    this.teamById(teamId);
    const code = `code-${randomBytes(8).toString('hex')}`;
    this.installCodes.set(code, teamId);
    return code;
  }

  /** Post a message as a user directly into the fake's history (e.g. a parent message the app will reply to). */
  addMessage(channel: string, message: { user: string; text: string; ts?: string; thread_ts?: string; blocks?: unknown[] }): FakeMessage {
    const id = this.resolveChannelId(channel);
    const m: FakeMessage = { ts: message.ts ?? slackTs(), text: message.text, user: message.user };
    if (message.thread_ts) m.thread_ts = message.thread_ts;
    if (message.blocks) m.blocks = message.blocks;
    this.pushMessage(id, m);
    return { ...m };
  }

  // ------------------------------------------------------------ Socket Mode

  /** Resolves once `count` Socket Mode connections have been opened in total (and got `hello`). */
  waitForSocket(count = 1, timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.socketConnections >= count, `socket connection #${count}`, timeoutMs);
  }

  /** Open Socket Mode connections. */
  get openSockets(): number {
    return this.sockets.filter((s) => s.readyState === s.OPEN).length;
  }

  /**
   * Sends an envelope over the newest open connection, as Slack does, and resolves with the app's ack.
   * `payload` is what Slack would POST over HTTP (slash command fields, interaction payload, event_callback body).
   */
  sendEnvelope(type: SocketEnvelopeType, payload: Record<string, unknown>, options: { retryAttempt?: number; timeoutMs?: number } = {}): Promise<SocketAck> {
    const socket = [...this.sockets].reverse().find((s) => s.readyState === s.OPEN);
    if (!socket) return Promise.reject(new Error('FakeSlack: no open Socket Mode connection'));
    const envelopeId = randomUUID();
    // Slack lets the ack carry a response for slash commands and for modal submissions / option requests.
    const acceptsResponse = type === 'slash_commands' || (type === 'interactive' && ['view_submission', 'block_suggestion'].includes(String(payload.type)));
    const envelope: Rec = {
      envelope_id: envelopeId, payload, type, accepts_response_payload: acceptsResponse,
      ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryAttempt ? 'timeout' : '' } : {}),
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(envelopeId);
        reject(new Error(`FakeSlack: no ack for ${type} envelope ${envelopeId} within ${options.timeoutMs ?? 3000} ms`));
      }, options.timeoutMs ?? 3000);
      this.pendingAcks.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      socket.send(JSON.stringify(envelope));
    });
  }

  /** Slack's `disconnect` message (it asks the app to reconnect with a fresh URL) on every open connection. */
  disconnectSocket(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested'): void {
    for (const s of this.sockets) if (s.readyState === s.OPEN) s.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const ticket = url.searchParams.get('ticket') ?? '';
    // URLs from apps.connections.open are single-use tickets.
    if (url.pathname !== '/socket' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.push(ws);
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        let msg: unknown;
        try {
          msg = JSON.parse(String(data));
        } catch {
          return;
        }
        if (!isRec(msg) || typeof msg.envelope_id !== 'string') return;
        const ack: SocketAck = { envelope_id: msg.envelope_id, ...(isRec(msg.payload) ? { payload: msg.payload } : {}) };
        this.acks.push(ack);
        this.pendingAcks.get(ack.envelope_id)?.(ack);
        this.pendingAcks.delete(ack.envelope_id);
        this.notify();
      });
      ws.on('close', () => this.notify());
      this.socketConnections += 1;
      ws.send(JSON.stringify({
        type: 'hello', num_connections: this.openSockets,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId() },
      }));
      this.notify();
    });
  }

  private until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!check()) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`FakeSlack: timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ HTTP

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      return this.onApi(method, req, url, raw, res);
    }
    if (url.pathname.startsWith('/commands/') && req.method === 'POST') {
      const key = `${this.baseUrl}${url.pathname}`;
      const list = this.responseUrls.get(key);
      if (!list) return send(res, 404, 'text/html', '<html><body>Not found</body></html>');
      let parsed: Rec;
      try {
        parsed = JSON.parse(raw.toString('utf8')) as Rec;
      } catch {
        return send(res, 400, 'text/plain', 'invalid_payload');
      }
      for (const k of JSON_FIELDS) if (typeof parsed[k] === 'string') parsed[k] = tryJson(parsed[k] as string);
      list.push(parsed);
      this.applyResponse(key, parsed);
      this.notify();
      return send(res, 200, 'application/json', JSON.stringify({ ok: true }));
    }
    if (url.pathname.startsWith('/upload/v1/') && req.method === 'POST') {
      // files.getUploadURLExternal's upload_url: the WebClient POSTs the bytes as a `body` form field (multipart for
      // Buffers, urlencoded for strings); raw bodies are accepted too.
      const pending = this.pendingUploads.get(url.pathname.slice('/upload/v1/'.length));
      if (!pending) return send(res, 404, 'text/plain', 'not found');
      const ct = String(req.headers['content-type'] ?? '');
      let content = raw;
      if (ct.startsWith('multipart/form-data') || ct.startsWith('application/x-www-form-urlencoded')) {
        const form = await parseBody(ct, raw);
        const body = form.body ?? form.file ?? form.filename;
        content = Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? ''), 'utf8');
      }
      pending.content = content;
      return send(res, 200, 'text/plain', `OK - ${content.length}`);
    }
    if (url.pathname.startsWith('/files-pri/') && (req.method === 'GET' || req.method === 'HEAD')) {
      return this.onFileDownload(req, url, res);
    }
    if (url.pathname === '/signin') {
      return send(res, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><head><title>Sign in | Slack</title></head><body>Sign in to Slack</body></html>');
    }
    send(res, 404, 'text/plain', 'not found');
  }

  private applyResponse(url: string, body: Rec): void {
    const bind = this.responseBindings.get(url);
    if (!bind) return;
    const team = this.teamById(bind.teamId);
    const text = str(body.text) ?? '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    const original = bind.messageTs ? this.findMessage(bind.channel, bind.messageTs) : undefined;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (original) original.deleted = true;
      return;
    }
    if (body.replace_original === true || body.replace_original === 'true') {
      if (original) {
        original.text = text;
        if (blocks) original.blocks = blocks;
        else delete original.blocks;
        original.edited = { user: team.botUserId, ts: slackTs() };
      }
      return;
    }
    if (body.response_type === 'in_channel') {
      const m: FakeMessage = { ts: slackTs(), text, user: team.botUserId, bot_id: team.botId };
      if (blocks) m.blocks = blocks;
      const threadTs = str(body.thread_ts);
      if (threadTs) m.thread_ts = threadTs;
      this.pushMessage(bind.channel, m);
      return;
    }
    if (bind.userId) {
      const e: FakeEphemeral = { channel: bind.channel, user: bind.userId, message_ts: slackTs(), text };
      if (blocks) e.blocks = blocks;
      this.ephemeral.push(e);
    }
  }

  private onFileDownload(req: IncomingMessage, url: URL, res: ServerResponse): void {
    // /files-pri/{team}-{file}/{name} or /files-pri/{team}-{file}/download/{name}
    const m = /^\/files-pri\/([A-Z0-9]+)-([A-Z0-9]+)\/(?:download\/)?[^/]+$/.exec(url.pathname);
    const file = m ? this.files.get(m[2]!) : undefined;
    const token = bearer(req.headers.authorization);
    const ctx = token ? this.authenticate(token) : undefined;
    if (!file || !ctx || ctx.team.id !== file.teamId) {
      // Slack answers an unauthenticated url_private fetch with a redirect to its sign-in page (HTML, not an error).
      res.writeHead(302, { Location: `${this.baseUrl}/signin?redir=${encodeURIComponent(url.pathname)}` });
      res.end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': file.mimetype, 'Content-Length': String(file.content.length),
      'Content-Disposition': `attachment; filename="${file.name}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : file.content);
  }

  private async onApi(method: string, req: IncomingMessage, url: URL, raw: Buffer, res: ServerResponse): Promise<void> {
    let body: Rec;
    try {
      body = await parseBody(req.headers['content-type'], raw);
    } catch {
      body = {};
    }
    for (const [k, v] of url.searchParams) if (body[k] === undefined) body[k] = v;
    for (const k of JSON_FIELDS) if (typeof body[k] === 'string') body[k] = tryJson(body[k] as string);
    const token = bearer(req.headers.authorization) ?? str(body.token) ?? null;
    const basic = basicAuth(req.headers.authorization);
    if (basic) {
      body.client_id ??= basic.id;
      body.client_secret ??= basic.secret;
    }
    const at = Date.now();
    let status = 200;
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
    let answer: Answer;
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      answer = { ok: false, error: failure };
      if (failure === 'ratelimited') {
        status = 429;
        headers['Retry-After'] = '1';
      }
    } else {
      answer = this.dispatch(method, body, token);
    }
    if (answer.ok) {
      headers['X-OAuth-Scopes'] = method === 'apps.connections.open' ? 'connections:write' : this.scopes().join(',');
    }
    this.calls.push({ method, token, body, at, response: answer });
    this.notify();
    send(res, status, headers['Content-Type']!, JSON.stringify(answer), headers);
  }

  private dispatch(method: string, body: Rec, token: string | null): Answer {
    if (method === 'apps.connections.open') return this.connectionsOpen(token);
    const handler = this.handlers[method];
    if (!handler) return { ok: false, error: 'unknown_method', req_method: method };
    let ctx: Ctx | undefined;
    if (!NO_TOKEN_METHODS.has(method)) {
      // (real Slack says `not_authed` for a missing token; either way the caller sees an auth failure)
      ctx = token ? this.authenticate(token) : undefined;
      if (!ctx) return { ok: false, error: 'invalid_auth' };
    }
    try {
      return handler(body, ctx as Ctx);
    } catch (err) {
      return errorAnswer(err);
    }
  }

  /** Socket Mode's URL, for an app-level token only (a bot or user token: not_allowed_token_type, as Slack answers). */
  private connectionsOpen(token: string | null): Answer {
    if (!token) return { ok: false, error: 'not_authed' };
    if (!token.startsWith('xapp-')) return { ok: false, error: this.authenticate(token) ? 'not_allowed_token_type' : 'invalid_auth' };
    if (this.options.appToken !== undefined && token !== this.options.appToken) return { ok: false, error: 'invalid_auth' };
    const ticket = randomBytes(16).toString('hex');
    this.tickets.add(ticket);
    return { ok: true, url: `${this.baseUrl.replace(/^http/, 'ws')}/socket?ticket=${ticket}&app_id=${this.appId()}` };
  }

  private authenticate(token: string): Ctx | undefined {
    const team = this.teams.find((t) => t.botToken === token);
    if (team) return { team, token, isBot: true, userId: team.botUserId };
    const user = this.userTokens.get(token);
    if (user) return { team: this.teamById(user.teamId), token, isBot: false, userId: user.userId };
    return undefined;
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  // ------------------------------------------------------------- state helpers

  private teamById(id: string): FakeTeam {
    const t = this.teams.find((x) => x.id === id);
    if (!t) throw new Error(`FakeSlack: unknown team ${id}`);
    return t;
  }

  private scopes(): string[] {
    return this.options.scopes ?? [
      'app_mentions:read', 'channels:history', 'channels:join', 'channels:read', 'chat:write', 'chat:write.public', 'commands',
      'files:read', 'files:write', 'groups:history', 'im:history', 'im:read', 'im:write', 'team:read', 'users:read',
    ];
  }

  /** Map a user id (U…/W…) to its DM channel id; other ids unchanged. */
  private resolveChannelId(channel: string): string {
    if (/^[UW]/.test(channel) && this.users.has(channel)) return `D${channel.slice(1)}`;
    return channel;
  }

  /** The channel a token may post to, or channel_not_found. DMs (D… or a user id) are opened on demand. */
  private channelFor(ctx: Ctx, channel: string): FakeChannel {
    const id = this.resolveChannelId(channel);
    const known = this.channels.get(id);
    if (known) {
      if (known.teamId !== ctx.team.id) throw new SlackError('channel_not_found');
      return known;
    }
    if (id.startsWith('D')) {
      const user = this.users.get(`U${id.slice(1)}`) ?? this.users.get(`W${id.slice(1)}`);
      if (user && user.teamId === ctx.team.id) {
        const dm: FakeChannel = { id, teamId: ctx.team.id, name: user.id, isPrivate: true, isMember: true };
        this.channels.set(id, dm);
        return dm;
      }
    }
    throw new SlackError('channel_not_found');
  }

  /** Slack rejects a message whose blocks break Block Kit limits with `invalid_blocks`. */
  private checkBlocks(blocks: unknown): void {
    if (!Array.isArray(blocks)) return;
    if (this.options.validateBlocks === false) {
      if (blocks.length > 50) throw new SlackError('invalid_blocks', blockErrors(['no more than 50 items allowed [json-pointer:/blocks]']));
      return;
    }
    const errors = validateBlocks(blocks, 'message');
    if (errors.length) throw new SlackError('invalid_blocks', blockErrors(errors));
  }

  private pushMessage(channel: string, m: FakeMessage): void {
    const list = this.history.get(channel) ?? [];
    list.push(m);
    this.history.set(channel, list);
  }

  private findMessage(channel: string, ts: string): FakeMessage | undefined {
    return this.history.get(channel)?.find((m) => m.ts === ts && !m.deleted);
  }

  private messagePayload(m: FakeMessage, team: FakeTeam): Rec {
    const isBot = m.user === team.botUserId;
    return {
      ...(isBot ? { bot_id: team.botId, app_id: this.appId() } : {}),
      type: 'message',
      text: m.text,
      user: m.user,
      ts: m.ts,
      team: team.id,
      ...(isBot ? { bot_profile: { id: team.botId, app_id: this.appId(), name: 'Minutes', deleted: false, team_id: team.id } } : {}),
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.attachments ? { attachments: m.attachments } : {}),
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(m.edited ? { edited: m.edited } : {}),
      ...(m.metadata ? { metadata: m.metadata } : {}),
      ...(m.files ? { files: m.files.map((f) => { const full = this.files.get(f.id); return full ? this.filePayload(full) : f; }), upload: true } : {}),
    };
  }

  private appId(): string {
    return this.options.appId ?? SLACK_DEFAULTS.apiAppId;
  }

  private userPayload(u: FakeUser & { isBot?: boolean }): Rec {
    const tz = u.tz ?? 'America/Los_Angeles';
    const realName = u.realName ?? u.name;
    return {
      id: u.id, team_id: u.teamId, name: u.name, deleted: false, color: '9f69e7', real_name: realName,
      tz, tz_label: tz, tz_offset: tzOffsetSeconds(tz),
      profile: {
        title: '', phone: '', skype: '', real_name: realName, real_name_normalized: realName, display_name: u.name,
        display_name_normalized: u.name, ...(u.email ? { email: u.email } : {}), first_name: realName.split(' ')[0] ?? realName,
        last_name: realName.split(' ').slice(1).join(' '), team: u.teamId, image_72: `https://avatars.slack-edge.com/${u.id}_72.png`,
        ...(u.isBot ? { bot_id: this.teams.find((t) => t.botUserId === u.id)?.botId, api_app_id: this.appId(), always_active: true } : {}),
      },
      is_admin: u.isAdmin ?? false, is_owner: false, is_primary_owner: false, is_restricted: false, is_ultra_restricted: false,
      is_bot: u.isBot ?? false, is_app_user: false, updated: 1700000000, is_email_confirmed: true, who_can_share_contact_card: 'EVERYONE',
    };
  }

  private channelPayload(c: FakeChannel, ctx: Ctx): Rec {
    const now = Math.floor(Date.now() / 1000);
    if (c.id.startsWith('D')) {
      return { id: c.id, created: now, is_im: true, is_org_shared: false, context_team_id: c.teamId, user: c.name, is_user_deleted: false, priority: 0 };
    }
    return {
      id: c.id, name: c.name, is_channel: !c.isPrivate, is_group: false, is_im: false, is_mpim: false, is_private: c.isPrivate ?? false,
      created: 1700000000, is_archived: false, is_general: c.name === 'general', unlinked: 0, name_normalized: c.name,
      is_shared: false, is_org_shared: false, is_pending_ext_shared: false, pending_shared: [], context_team_id: c.teamId,
      updated: now * 1000, parent_conversation: null, creator: ctx.team.botUserId, is_ext_shared: false, shared_team_ids: [c.teamId],
      pending_connected_team_ids: [], is_member: c.isMember ?? true, topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 }, previous_names: [],
    };
  }

  private filePayload(f: FakeFile): Rec {
    const team = this.teamById(f.teamId);
    const path = `/files-pri/${f.teamId}-${f.id}`;
    const name = encodeURIComponent(f.name);
    return {
      id: f.id, created: f.created, timestamp: f.created, name: f.name, title: f.title, mimetype: f.mimetype, filetype: f.filetype,
      pretty_type: f.filetype.toUpperCase(), user: f.user, user_team: f.teamId, editable: false, size: f.content.length,
      mode: 'hosted', is_external: false, external_type: '', is_public: f.channels.some((c) => c.startsWith('C')),
      public_url_shared: false, display_as_bot: false, username: '',
      url_private: `${this.baseUrl}${path}/${name}`, url_private_download: `${this.baseUrl}${path}/download/${name}`,
      media_display_type: f.mimetype.startsWith('audio/') ? 'audio' : f.mimetype.startsWith('video/') ? 'video' : 'unknown',
      permalink: `https://${domainOf(team)}.slack.com/files/${f.user}/${f.id}/${name}`,
      permalink_public: `https://slack-files.com/${f.teamId}-${f.id}-${randomBytes(5).toString('hex')}`,
      channels: f.channels.filter((c) => c.startsWith('C')), groups: f.channels.filter((c) => c.startsWith('G')),
      ims: f.channels.filter((c) => c.startsWith('D')), comments_count: 0, has_rich_preview: false, file_access: 'visible',
      ...(f.shares && Object.keys(f.shares).length ? { shares: sharesOf(f.shares) } : {}),
    };
  }

  private newView(type: 'home' | 'modal', ctx: Ctx, user: string, view: unknown, existingId?: string): FakeView {
    if (typeof view !== 'object' || view === null || Array.isArray(view)) throw new SlackError('invalid_arguments');
    const v = view as Rec;
    if (v.type !== type) throw new SlackError('invalid_arguments', { response_metadata: { messages: [`[ERROR] view.type must be ${type}`] } });
    if (!Array.isArray(v.blocks)) throw new SlackError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: blocks'] } });
    if (this.options.validateBlocks !== false) {
      const errors = validateView(v);
      if (errors.length) throw new SlackError('invalid_arguments', blockErrors(errors));
    } else if (v.blocks.length > 100) {
      throw new SlackError('invalid_arguments', blockErrors(['no more than 100 items allowed [json-pointer:/view/blocks]']));
    }
    const id = existingId ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
    const hash = `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
    const full: Rec = {
      id, team_id: ctx.team.id, type, blocks: v.blocks, private_metadata: str(v.private_metadata) ?? '', callback_id: str(v.callback_id) ?? '',
      state: { values: {} }, hash, title: v.title ?? { type: 'plain_text', text: 'Minutes', emoji: true }, clear_on_close: false,
      notify_on_close: false, close: v.close ?? null, submit: v.submit ?? null, previous_view_id: null, root_view_id: id,
      app_id: this.appId(), external_id: str(v.external_id) ?? '', app_installed_team_id: ctx.team.id, bot_id: ctx.team.botId,
    };
    const fv: FakeView = { id, type, user, teamId: ctx.team.id, view: full, hash };
    this.views.set(id, fv);
    return fv;
  }

  private installPayload(team: FakeTeam): Answer {
    const installer = [...this.users.values()].find((u) => u.teamId === team.id && !u.isBot);
    return {
      ok: true,
      app_id: this.appId(),
      authed_user: { id: installer?.id ?? 'U0000USER1' },
      scope: this.scopes().join(','),
      token_type: 'bot',
      access_token: team.botToken,
      bot_user_id: team.botUserId,
      team: { id: team.id, name: team.name },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  // --------------------------------------------------------------- methods

  private buildHandlers(): Record<string, Handler> {
    const ok = (rest: Rec = {}): Answer => ({ ok: true, ...rest });
    return {
      'api.test': (body) => ok({ args: body }),

      'auth.test': (_b, ctx) => ok({
        url: `https://${domainOf(ctx.team)}.slack.com/`, team: ctx.team.name,
        user: this.users.get(ctx.userId)?.name ?? ctx.userId, team_id: ctx.team.id, user_id: ctx.userId,
        ...(ctx.isBot ? { bot_id: ctx.team.botId } : {}), is_enterprise_install: false,
      }),

      'team.info': (body, ctx) => {
        const wanted = str(body.team);
        const team = wanted ? this.teams.find((t) => t.id === wanted) : ctx.team;
        if (!team || team.id !== ctx.team.id) throw new SlackError('team_not_found');
        return ok({
          team: {
            id: team.id, name: team.name, url: `https://${domainOf(team)}.slack.com/`, domain: domainOf(team), email_domain: '',
            icon: { image_default: true, image_34: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-34.png' },
            avatar_base_url: 'https://ca.slack-edge.com/', is_verified: false,
          },
        });
      },

      'users.info': (body, ctx) => {
        const u = this.users.get(required(body, 'user'));
        if (!u || u.teamId !== ctx.team.id) throw new SlackError('user_not_found');
        return ok({ user: this.userPayload(u) });
      },

      'conversations.info': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        return ok({ channel: this.channelPayload(c, ctx) });
      },

      'conversations.join': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        if (c.id.startsWith('D') || c.id.startsWith('G')) throw new SlackError('method_not_supported_for_channel_type');
        const already = c.isMember === true;
        c.isMember = true;
        return ok({
          channel: this.channelPayload(c, ctx),
          ...(already ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : {}),
        });
      },

      'conversations.open': (body, ctx) => {
        const users = str(body.users)?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
        if (users.length !== 1) throw new SlackError(users.length ? 'not_implemented' : 'users_list_not_supplied');
        const c = this.channelFor(ctx, users[0]!);
        return ok({ no_op: true, already_open: true, channel: { id: c.id } });
      },

      'conversations.history': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        const msgs = (this.history.get(c.id) ?? []).filter((m) => !m.deleted && (!m.thread_ts || m.thread_ts === m.ts || m.reply_broadcast));
        return ok({ messages: msgs.reverse().map((m) => this.messagePayload(m, ctx.team)), has_more: false, pin_count: 0, response_metadata: { next_cursor: '' } });
      },

      'conversations.replies': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        const ts = required(body, 'ts');
        const parent = this.findMessage(c.id, ts);
        if (!parent) throw new SlackError('thread_not_found');
        const msgs = (this.history.get(c.id) ?? []).filter((m) => !m.deleted && (m.ts === ts || m.thread_ts === ts));
        return ok({ messages: msgs.map((m) => this.messagePayload(m, ctx.team)), has_more: false, response_metadata: { next_cursor: '' } });
      },

      'chat.postMessage': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        const text = str(body.text) ?? '';
        const blocks = body.blocks;
        const attachments = body.attachments;
        if (!text && !Array.isArray(blocks) && !Array.isArray(attachments)) throw new SlackError('no_text');
        if (blocks !== undefined && !Array.isArray(blocks)) throw new SlackError('invalid_blocks_format');
        this.checkBlocks(blocks);
        if (text.length > 40000) throw new SlackError('msg_too_long');
        const threadTs = str(body.thread_ts);
        if (threadTs && !this.findMessage(c.id, threadTs)) throw new SlackError('thread_not_found');
        const m: FakeMessage = { ts: slackTs(), text, user: ctx.userId, bot_id: ctx.isBot ? ctx.team.botId : undefined };
        if (!ctx.isBot) delete m.bot_id;
        if (Array.isArray(blocks)) m.blocks = blocks;
        if (Array.isArray(attachments)) m.attachments = attachments;
        if (threadTs) {
          const parent = this.findMessage(c.id, threadTs)!;
          const root = parent.thread_ts ?? parent.ts;
          parent.thread_ts ??= parent.ts;
          m.thread_ts = root;
          if (body.reply_broadcast === 'true' || body.reply_broadcast === true) m.reply_broadcast = true;
        }
        if (body.metadata !== undefined) m.metadata = body.metadata;
        this.pushMessage(c.id, m);
        return ok({ channel: c.id, ts: m.ts, message: this.messagePayload(m, ctx.team) });
      },

      'chat.update': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        const ts = required(body, 'ts');
        const m = this.findMessage(c.id, ts);
        if (!m) throw new SlackError('message_not_found');
        if (m.user !== ctx.userId) throw new SlackError('cant_update_message');
        const blocks = body.blocks;
        if (blocks !== undefined && !Array.isArray(blocks)) throw new SlackError('invalid_blocks_format');
        this.checkBlocks(blocks);
        if (body.text !== undefined) m.text = str(body.text) ?? '';
        if (Array.isArray(blocks)) m.blocks = blocks;
        if (Array.isArray(body.attachments)) m.attachments = body.attachments;
        if (body.metadata !== undefined) m.metadata = body.metadata;
        m.edited = { user: ctx.userId, ts: slackTs() };
        return ok({ channel: c.id, ts: m.ts, text: m.text, message: this.messagePayload(m, ctx.team) });
      },

      'chat.delete': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        const ts = required(body, 'ts');
        const m = this.findMessage(c.id, ts);
        if (!m) throw new SlackError('message_not_found');
        if (m.user !== ctx.userId) throw new SlackError('cant_delete_message');
        m.deleted = true;
        return ok({ channel: c.id, ts });
      },

      'chat.postEphemeral': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        const user = required(body, 'user');
        const u = this.users.get(user);
        if (!u || u.teamId !== ctx.team.id) throw new SlackError('user_not_found');
        const text = str(body.text) ?? '';
        if (!text && !Array.isArray(body.blocks) && !Array.isArray(body.attachments)) throw new SlackError('no_text');
        if (body.blocks !== undefined && !Array.isArray(body.blocks)) throw new SlackError('invalid_blocks_format');
        this.checkBlocks(body.blocks);
        const e: FakeEphemeral = { channel: c.id, user, message_ts: slackTs(), text };
        if (Array.isArray(body.blocks)) e.blocks = body.blocks;
        const threadTs = str(body.thread_ts);
        if (threadTs) e.thread_ts = threadTs;
        this.ephemeral.push(e);
        return ok({ message_ts: e.message_ts });
      },

      'chat.getPermalink': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        const ts = required(body, 'message_ts');
        const m = this.findMessage(c.id, ts);
        if (!m) throw new SlackError('message_not_found');
        const base = `https://${domainOf(ctx.team)}.slack.com/archives/${c.id}/p${ts.replace('.', '')}`;
        const permalink = m.thread_ts && m.thread_ts !== m.ts ? `${base}?thread_ts=${m.thread_ts}&cid=${c.id}` : base;
        return ok({ channel: c.id, permalink });
      },

      'reactions.add': (body, ctx) => {
        const c = this.channelFor(ctx, required(body, 'channel'));
        required(body, 'name');
        if (!this.findMessage(c.id, required(body, 'timestamp'))) throw new SlackError('message_not_found');
        return ok();
      },

      'views.publish': (body, ctx) => {
        const user = required(body, 'user_id');
        const u = this.users.get(user);
        if (!u || u.teamId !== ctx.team.id) throw new SlackError('user_not_found');
        const existing = this.homeByUser.get(user);
        const hash = str(body.hash);
        if (hash && existing && this.views.get(existing)?.hash !== hash) throw new SlackError('hash_conflict');
        const v = this.newView('home', ctx, user, body.view, existing);
        this.homeByUser.set(user, v.id);
        return ok({ view: v.view });
      },

      'views.open': (body, ctx) => {
        const trigger = str(body.trigger_id);
        const interactivity = body.interactivity_pointer;
        if (!trigger && !interactivity) throw new SlackError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
        if (trigger && !/^\d+\.\d+\.[0-9a-f]+$/.test(trigger)) throw new SlackError('invalid_trigger_id');
        const v = this.newView('modal', ctx, '', body.view);
        return ok({ view: v.view });
      },

      'views.update': (body, ctx) => {
        const id = str(body.view_id);
        const existing = id ? this.views.get(id) : [...this.views.values()].find((v) => v.view.external_id === str(body.external_id));
        if (!existing || existing.teamId !== ctx.team.id) throw new SlackError('not_found');
        const hash = str(body.hash);
        if (hash && existing.hash !== hash) throw new SlackError('hash_conflict');
        const v = this.newView(existing.type, ctx, existing.user, body.view, existing.id);
        return ok({ view: v.view });
      },

      'files.info': (body, ctx) => {
        const f = this.files.get(required(body, 'file'));
        if (!f || f.teamId !== ctx.team.id) throw new SlackError('file_not_found');
        return ok({ file: this.filePayload(f), comments: [], response_metadata: { next_cursor: '' } });
      },

      'files.getUploadURLExternal': (body, ctx) => {
        const filename = required(body, 'filename');
        const length = Number(required(body, 'length'));
        if (!Number.isInteger(length) || length < 0) throw new SlackError('invalid_arguments');
        const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
        this.pendingUploads.set(id, { id, teamId: ctx.team.id, user: ctx.userId, filename, length });
        return ok({ upload_url: `${this.baseUrl}/upload/v1/${id}`, file_id: id });
      },

      'files.completeUploadExternal': (body, ctx) => {
        const list = typeof body.files === 'string' ? tryJson(body.files) : body.files;
        if (!Array.isArray(list) || list.length === 0) throw new SlackError('invalid_arguments');
        const channelId = str(body.channel_id) ?? str(body.channels)?.split(',')[0];
        const channel = channelId ? this.channelFor(ctx, channelId) : undefined;
        const threadTs = str(body.thread_ts);
        if (channel && threadTs && !this.findMessage(channel.id, threadTs)) throw new SlackError('invalid_thread_ts');
        const initialComment = str(body.initial_comment);
        const done: FakeFile[] = [];
        for (const item of list) {
          const id = isRec(item) ? str(item.id) : undefined;
          const pending = id ? this.pendingUploads.get(id) : undefined;
          if (!pending || pending.teamId !== ctx.team.id) throw new SlackError('file_not_found');
          if (!pending.content) throw new SlackError('file_upload_not_complete');
          const f: FakeFile = {
            id: pending.id, name: pending.filename, title: (isRec(item) ? str(item.title) : undefined) ?? pending.filename,
            mimetype: mimeFor(pending.filename), filetype: pending.filename.split('.').pop()?.toLowerCase() ?? 'binary',
            content: pending.content, teamId: ctx.team.id, channels: channel ? [channel.id] : [], user: pending.user,
            created: Math.floor(Date.now() / 1000), uploaded: { ...(threadTs ? { threadTs } : {}), ...(initialComment ? { initialComment } : {}) },
          };
          this.pendingUploads.delete(pending.id);
          this.files.set(f.id, f);
          done.push(f);
        }
        if (channel) {
          const m: FakeMessage = { ts: slackTs(), text: initialComment ?? '', user: ctx.userId, files: done.map((f) => ({ id: f.id, name: f.name, title: f.title })) };
          if (threadTs) {
            const parent = this.findMessage(channel.id, threadTs)!;
            parent.thread_ts ??= parent.ts;
            m.thread_ts = parent.thread_ts;
          }
          this.pushMessage(channel.id, m);
        }
        return ok({ files: done.map((f) => ({ id: f.id, title: f.title })) });
      },

      'oauth.v2.access': (body) => {
        const clientId = str(body.client_id);
        const clientSecret = str(body.client_secret);
        if (!clientId) throw new SlackError('invalid_client_id');
        if (this.options.clientId !== undefined && clientId !== this.options.clientId) throw new SlackError('invalid_client_id');
        if (!clientSecret || (this.options.clientSecret !== undefined && clientSecret !== this.options.clientSecret)) {
          throw new SlackError('bad_client_secret');
        }
        const code = str(body.code);
        if (code === 'good-code') return this.installPayload(this.teams[0]!);
        const teamId = code ? this.installCodes.get(code) : undefined;
        if (!teamId) throw new SlackError('invalid_code');
        this.installCodes.delete(code!);
        return this.installPayload(this.teamById(teamId));
      },
    };
  }
}

// ------------------------------------------------------------------ helpers

function errorAnswer(err: unknown): Answer {
  if (err instanceof SlackError) return { ok: false, error: err.code, ...err.extra };
  return { ok: false, error: 'internal_error', detail: String(err) };
}

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

function mimeFor(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  const types: Record<string, string> = {
    txt: 'text/plain', md: 'text/markdown', vtt: 'text/vtt', srt: 'application/x-subrip', json: 'application/json', pdf: 'application/pdf',
    wav: 'audio/wav', mp3: 'audio/mpeg', m4a: 'audio/mp4', ogg: 'audio/ogg', webm: 'audio/webm', mp4: 'video/mp4', png: 'image/png',
  };
  return types[ext] ?? 'application/octet-stream';
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function bearer(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m?.[1];
}

function basicAuth(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { id: decoded.slice(0, i), secret: decoded.slice(i + 1) };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(contentType: string | undefined, raw: Buffer): Promise<Rec> {
  if (raw.length === 0) return {};
  const ct = (contentType ?? '').toLowerCase();
  if (ct.startsWith('application/json')) {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Rec) : {};
  }
  if (ct.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType! } }).formData();
    const out: Rec = {};
    for (const [k, v] of form) out[k] = typeof v === 'string' ? v : Buffer.from(await v.arrayBuffer());
    return out;
  }
  return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function tzOffsetSeconds(tz: string): number {
  try {
    const now = new Date();
    const local = new Date(now.toLocaleString('en-US', { timeZone: tz }));
    const utc = new Date(now.toLocaleString('en-US', { timeZone: 'UTC' }));
    return Math.round((local.getTime() - utc.getTime()) / 1000);
  } catch {
    return 0;
  }
}

/** files.info's `shares`: public channels (C…) and private ones (G…, D…), each with the sharing message's ts. */
function sharesOf(shares: Record<string, string>): Rec {
  const out: Record<'public' | 'private', Record<string, Rec[]>> = { public: {}, private: {} };
  for (const [channel, ts] of Object.entries(shares)) out[channel.startsWith('C') ? 'public' : 'private'][channel] = [{ ts, reply_count: 0, reply_users: [] }];
  return Object.fromEntries(Object.entries(out).filter(([, v]) => Object.keys(v).length));
}
