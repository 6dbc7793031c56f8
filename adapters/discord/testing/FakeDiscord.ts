// A loopback fake of Discord (REST API v10 + gateway v10) that a real
// discord.js Client connects to, so the Discord adapter is tested through
// the same library code it runs in production. Everything listens on
// 127.0.0.1 only. Point the client at it with
//   new Client({ intents, rest: { api: fake.restApi } })
// and `client.login('any-token')`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayDispatchEvents, GatewayIntentBits, GatewayOpcodes } from 'discord.js';
import type { APIAttachment, ApplicationFlags, GatewayReadyDispatchData } from 'discord.js';
import { GATEWAY_PATH, Gateway, type GatewaySession } from './gateway.ts';
import { autocompletePayload, buttonPayload, slashCommandPayload } from './interactions.ts';
import { interactionRoutes } from './interactionRoutes.ts';
import { memberPayload, opaqueToken, userPayload, voiceSessionId, voiceStatePayload } from './payloads.ts';
import { RestServer } from './rest.ts';
import { botRoutes, type RouteDeps } from './routes.ts';
import { FakeState } from './state.ts';
import type {
  AutocompleteInput, ButtonInput, FakeDiscordOptions, FakeMessage, FakeThread, RateLimitBucket, RateLimitOptions,
  RecordedCall, SlashCommandInput,
} from './types.ts';

export type * from './types.ts';

export class FakeDiscord {
  /** resolves when a client has IDENTIFYed and received READY and every GUILD_CREATE */
  readonly identified: Promise<void>;
  private readonly state: FakeState;
  private readonly rest: RestServer;
  private readonly gateway: Gateway;
  private readonly attachments = new Map<string, { data: Buffer; contentType: string }>();
  private markIdentified!: () => void;

  static async start(options: FakeDiscordOptions): Promise<FakeDiscord> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new FakeDiscord(server, options);
  }

  private constructor(private readonly server: Server, options: FakeDiscordOptions) {
    this.identified = new Promise((resolve) => (this.markIdentified = resolve));
    this.state = new FakeState(options);
    const deps: RouteDeps = {
      state: this.state, baseUrl: () => this.baseUrl, gatewayUrl: () => this.gatewayUrl,
      dispatch: (t, d, intent) => this.gateway.dispatch(t, d, intent),
      storeAttachment: (a, data) => this.storeAttachment(a, data),
    };
    this.rest = new RestServer([...botRoutes(deps), ...interactionRoutes(deps, options.interactionCallbackWindowMs ?? 3000)]);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res));
    this.gateway = new Gateway(server, {
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      onIdentify: (session) => this.readyEvents(session),
      onIdentified: () => this.markIdentified(),
      onOp: (session, op, d) => this.onOp(session, op, d),
    });
  }

  /** http://127.0.0.1:PORT */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The value for discord.js `rest: { api }`; requests then go to `${restApi}/v10/...`. */
  get restApi(): string {
    return `${this.baseUrl}/api`;
  }

  get gatewayUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}${GATEWAY_PATH}`;
  }

  /** every REST request, in arrival order */
  get calls(): RecordedCall[] {
    return this.rest.calls;
  }

  /** the calls answered 429 */
  get rateLimited(): RecordedCall[] {
    return this.rest.rateLimited;
  }

  /** requests that arrived after a bucket had answered `Remaining: 0` for its window */
  get violations(): RecordedCall[] {
    return this.rest.violations;
  }

  /** everything clients sent over the gateway, in order */
  get gatewayOps(): { op: number; d: unknown }[] {
    return this.gateway.ops;
  }

  /** how many IDENTIFY and successful RESUME the gateway has seen */
  get gatewayStats(): { identifies: number; resumes: number } {
    return { identifies: this.gateway.identifies, resumes: this.gateway.resumes };
  }

  get threads(): FakeThread[] {
    return this.state.threads;
  }

  callsTo(method: string, pathPattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method.toUpperCase() && pathPattern.test(c.path));
  }

  /** Resolves with the first answered call that matches (including ones already made). */
  waitForCall(method: string, pathPattern: RegExp, predicate?: (c: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall> {
    return this.rest.waitForCall(method, pathPattern, predicate, timeoutMs);
  }

  /** Messages the bot posted in a channel (incl. interaction responses), as they stand after edits. */
  messages(channelId: string): FakeMessage[] {
    return [...this.state.messages(channelId)];
  }

  /** The DM channel the bot opened with a user (POST /users/@me/channels), if any. */
  dmChannelOf(userId: string): string | undefined {
    return this.state.dms.channelOf(userId);
  }

  /** Messages the bot sent a user by DM. */
  directMessages(userId: string): FakeMessage[] {
    const channelId = this.state.dms.channelOf(userId);
    return channelId ? this.messages(channelId) : [];
  }

  /** The user's privacy settings refuse DMs from the bot: posting to their DM channel answers 403 50007. */
  refuseDirectMessages(userId: string, refuse = true): void {
    this.state.dms.refuse(userId, refuse);
  }

  slashCommand(input: SlashCommandInput): { id: string; token: string } {
    return this.sendInteraction(slashCommandPayload(this.state, input));
  }

  autocomplete(input: AutocompleteInput): { id: string; token: string } {
    return this.sendInteraction(autocompletePayload(this.state, input));
  }

  button(input: ButtonInput): { id: string; token: string } {
    return this.sendInteraction(buttonPayload(this.state, input));
  }

  /** A human joins (channelId) or leaves (null) voice: VOICE_STATE_UPDATE, needs the GuildVoiceStates intent. */
  setVoiceState(guildId: string, userId: string, channelId: string | null): void {
    const guild = this.requireGuild(guildId);
    const sessionId = guild.voiceStates.get(userId)?.sessionId ?? voiceSessionId();
    this.updateVoiceState(guildId, userId, channelId, sessionId);
  }

  /**
   * Pins the bot's permissions in a channel (and its threads) to exactly `perms`,
   * through a member overwrite sent with CHANNEL_UPDATE, so discord.js's
   * `permissionsIn`, `app_permissions` and the REST checks all agree.
   */
  setBotPermissions(guildId: string, channelId: string, perms: bigint): void {
    this.requireGuild(guildId).botOverrides.set(channelId, perms);
    this.gateway.dispatch(GatewayDispatchEvents.ChannelUpdate, this.state.channelJson(channelId), GatewayIntentBits.Guilds);
  }

  /** A bucket over every path matching `route` (any method); `violations` counts requests a careful client would not send. */
  rateLimit(route: RegExp, options: RateLimitOptions): RateLimitBucket {
    return this.rest.rateLimit(route, options);
  }

  /** The next request matching method and path gets `status` and `body` (default: Discord's error for that status). */
  failNext(method: string, route: RegExp, status: number, body?: unknown): void {
    this.rest.failNext(method, route, status, body);
  }

  /**
   * Closes the client's socket. 4000 (default) and most 4xxx codes make
   * @discordjs/ws RESUME (op 6 → replay of missed dispatches → RESUMED).
   * 1000, or `invalidateSession`, makes it IDENTIFY again (the latter via
   * op 9 in answer to its RESUME) — after discord.js's identify throttle,
   * up to ~6.5 s after the previous IDENTIFY.
   */
  disconnectGateway(code = 4000, options: { invalidateSession?: boolean } = {}): void {
    this.gateway.disconnect(code, options.invalidateSession ?? false);
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sendInteraction({ interaction, data }: { interaction: { id: string; token: string }; data: unknown }) {
    if (this.gateway.sessions.size === 0) throw new Error('FakeDiscord: no gateway session yet; await fake.identified first');
    this.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, data);
    return { id: interaction.id, token: interaction.token };
  }

  private requireGuild(guildId: string) {
    const guild = this.state.guild(guildId);
    if (!guild) throw new Error(`FakeDiscord: unknown guild ${guildId}`);
    return guild;
  }

  private updateVoiceState(guildId: string, userId: string, channelId: string | null, sessionId: string): void {
    const guild = this.requireGuild(guildId);
    if (channelId) guild.voiceStates.set(userId, { channelId, sessionId });
    else guild.voiceStates.delete(userId);
    const payload = voiceStatePayload(guildId, this.state.member(guildId, userId), channelId, sessionId);
    this.gateway.dispatch(GatewayDispatchEvents.VoiceStateUpdate, payload, GatewayIntentBits.GuildVoiceStates);
  }

  private readyEvents(session: GatewaySession): { t: string; d: unknown }[] {
    const ready: GatewayReadyDispatchData = {
      v: 10, user: { ...userPayload(this.state.bot), verified: true, mfa_enabled: false },
      guilds: [...this.state.guilds.keys()].map((id) => ({ id, unavailable: true })),
      session_id: session.id, resume_gateway_url: this.gatewayUrl, shard: [0, 1],
      application: { id: this.state.options.applicationId, flags: 0 as ApplicationFlags, flags_new: '0' },
    };
    // Only the privileged presence intent gets every member in GUILD_CREATE.
    const allMembers = (session.intents & GatewayIntentBits.GuildPresences) !== 0;
    const guilds = [...this.state.guilds.keys()].map((id) => ({ t: GatewayDispatchEvents.GuildCreate, d: this.state.guildCreate(id, allMembers) }));
    return [{ t: GatewayDispatchEvents.Ready, d: ready }, ...guilds];
  }

  private onOp(session: GatewaySession, op: number, d: unknown): void {
    if (op === GatewayOpcodes.VoiceStateUpdate) this.onBotVoiceState(session, d as { guild_id: string; channel_id: string | null });
    if (op === GatewayOpcodes.RequestGuildMembers) this.onRequestMembers(d as { guild_id: string; user_ids?: string | string[]; query?: string; limit?: number; nonce?: string });
  }

  /** Op 4 from the bot: its VOICE_STATE_UPDATE (session id = gateway session), then VOICE_SERVER_UPDATE when joining. */
  private onBotVoiceState(session: GatewaySession, d: { guild_id: string; channel_id: string | null }): void {
    if (!this.state.guild(d.guild_id)) return;
    this.updateVoiceState(d.guild_id, this.state.bot.id, d.channel_id, session.id);
    if (!d.channel_id) return;
    const endpoint = this.state.options.voiceEndpoint?.() ?? `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.gateway.dispatch(GatewayDispatchEvents.VoiceServerUpdate, { token: opaqueToken(8).slice(0, 16), guild_id: d.guild_id, endpoint });
  }

  /** Op 8 (guild.members.fetch): one GUILD_MEMBERS_CHUNK with the matching members. */
  private onRequestMembers(d: { guild_id: string; user_ids?: string | string[]; query?: string; limit?: number; nonce?: string }): void {
    const guild = this.state.guild(d.guild_id);
    if (!guild) return;
    const ids = d.user_ids === undefined ? null : [d.user_ids].flat();
    let members = [...guild.members.values()].filter((m) => (ids ? ids.includes(m.user.id) : m.user.username.toLowerCase().startsWith((d.query ?? '').toLowerCase())));
    if (d.limit) members = members.slice(0, d.limit);
    const notFound = ids ? ids.filter((id) => !guild.members.has(id)) : [];
    this.gateway.dispatch(GatewayDispatchEvents.GuildMembersChunk, {
      guild_id: d.guild_id, members: members.map(memberPayload), chunk_index: 0, chunk_count: 1, not_found: notFound,
      ...(d.nonce ? { nonce: d.nonce } : {}),
    });
  }

  private storeAttachment(attachment: APIAttachment, data: Buffer): void {
    this.attachments.set(attachment.id, { data, contentType: attachment.content_type ?? 'application/octet-stream' });
  }

  /** Attachment URLs are served from here; everything else is the REST API. */
  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const attachment = /^\/attachments\/\d+\/(\d+)\//.exec(req.url ?? '');
    if (req.method === 'GET' && attachment) {
      const file = this.attachments.get(attachment[1]!);
      if (file) res.writeHead(200, { 'content-type': file.contentType }).end(file.data);
      else res.writeHead(404).end();
      return;
    }
    await this.rest.handle(req, res);
  }
}
