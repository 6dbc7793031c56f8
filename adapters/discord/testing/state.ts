// The fake's world: guilds, channels, members, voice states, messages,
// interactions and commands, plus the permission arithmetic Discord does.
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import type {
  APIApplicationCommand, APIGuild, APIOverwrite, GatewayGuildCreateDispatchData, GuildSystemChannelFlags,
} from 'discord.js';
import {
  ALL_PERMISSIONS, DEFAULT_PERMISSIONS, botOverwrite, voiceSessionId, channelPayload, memberPayload, rolePayload, snowflake,
  type MemberRecord, type ThreadRecord,
} from './payloads.ts';
import { DirectMessages } from './dms.ts';
import type { FakeChannel, FakeDiscordOptions, FakeGuildOptions, FakeMessage, FakeThread, FakeUser } from './types.ts';

export interface GuildState {
  id: string;
  name: string;
  ownerId: string;
  botRoleId: string;
  roles: { id: string; name: string; permissions: string }[];
  members: Map<string, MemberRecord>;
  voiceStates: Map<string, { channelId: string; sessionId: string }>;
  botOverrides: Map<string, bigint>;
}

export interface ChannelRecord {
  guildId: string;
  channel: FakeChannel;
  position: number;
  thread?: ThreadRecord;
}

export interface InteractionRecord {
  id: string;
  token: string;
  guildId: string;
  channelId: string;
  userId: string;
  /** InteractionType: 2 command, 3 component, 4 autocomplete */
  type: number;
  createdAt: number;
  /** the message a component was clicked on */
  messageId?: string;
  callbackType?: number;
  /** the message created or updated by the initial response (`@original`) */
  originalId?: string;
}

export class FakeState {
  readonly guilds = new Map<string, GuildState>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messagesByChannel = new Map<string, FakeMessage[]>();
  readonly threads: FakeThread[] = [];
  readonly interactions = new Map<string, InteractionRecord>();
  /** key '' holds global commands, otherwise a guild id */
  readonly commands = new Map<string, APIApplicationCommand[]>();
  readonly bot: FakeUser;
  /** DM channels the bot opened (POST /users/@me/channels), and who refuses DMs */
  readonly dms = new DirectMessages();

  constructor(readonly options: FakeDiscordOptions) {
    this.bot = { ...options.botUser, bot: true };
    for (const guild of options.guilds) this.addGuild(guild);
  }

  private addGuild(options: FakeGuildOptions): void {
    const joinedAt = new Date().toISOString();
    const roles = [...(options.roles ?? [])];
    if (!roles.some((r) => r.id === options.id)) roles.unshift({ id: options.id, name: '@everyone', permissions: DEFAULT_PERMISSIONS.toString() });
    const botRoleId = snowflake();
    roles.push({ id: botRoleId, name: this.bot.username, permissions: (options.botPermissions ?? DEFAULT_PERMISSIONS).toString() });
    const members = new Map<string, MemberRecord>();
    for (const m of options.members) members.set(m.user.id, { user: m.user, roles: m.roles ?? [], nick: m.nick ?? null, joinedAt });
    members.set(this.bot.id, { user: this.bot, roles: [botRoleId], nick: null, joinedAt });
    const ownerId = options.ownerId ?? snowflake();
    const guild: GuildState = {
      id: options.id, name: options.name, ownerId, botRoleId, roles, members,
      voiceStates: new Map((options.voiceStates ?? []).map((v) => [v.userId, { channelId: v.channelId, sessionId: voiceSessionId() }])),
      botOverrides: new Map(),
    };
    this.guilds.set(guild.id, guild);
    options.channels.forEach((channel, position) => this.channels.set(channel.id, { guildId: guild.id, channel, position }));
  }

  guild(id: string): GuildState | undefined {
    return this.guilds.get(id);
  }

  channel(id: string): ChannelRecord | undefined {
    return this.channels.get(id);
  }

  member(guildId: string, userId: string): MemberRecord {
    const member = this.guilds.get(guildId)?.members.get(userId);
    if (!member) throw new Error(`FakeDiscord: user ${userId} is not a member of guild ${guildId}`);
    return member;
  }

  guildPermissions(guildId: string, userId: string): bigint {
    const guild = this.guilds.get(guildId);
    const member = guild?.members.get(userId);
    if (!guild || !member) return 0n;
    if (guild.ownerId === userId) return ALL_PERMISSIONS;
    let perms = 0n;
    for (const role of guild.roles) if (role.id === guild.id || member.roles.includes(role.id)) perms |= BigInt(role.permissions);
    return perms & PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : perms;
  }

  /** Guild permissions, then the bot's channel overwrite (threads use their parent's). */
  channelPermissions(channelId: string, userId: string): bigint {
    const record = this.channels.get(channelId);
    if (!record) return 0n;
    const perms = this.guildPermissions(record.guildId, userId);
    if (perms & PermissionFlagsBits.Administrator || userId !== this.bot.id) return perms;
    const overrideFrom = record.thread ? (record.channel.parent_id ?? channelId) : channelId;
    return this.guilds.get(record.guildId)?.botOverrides.get(overrideFrom) ?? perms;
  }

  overwrites(channelId: string): APIOverwrite[] {
    const record = this.channels.get(channelId);
    const perms = record && this.guilds.get(record.guildId)?.botOverrides.get(channelId);
    return perms === undefined ? [] : [botOverwrite(this.bot.id, perms)];
  }

  channelJson(channelId: string): Record<string, unknown> {
    const record = this.channels.get(channelId);
    if (!record) throw new Error(`FakeDiscord: unknown channel ${channelId}`);
    return channelPayload(record.guildId, record.channel, record.position, this.overwrites(channelId), record.thread);
  }

  guildChannels(guildId: string, threads: boolean): Record<string, unknown>[] {
    return [...this.channels.values()]
      .filter((c) => c.guildId === guildId && Boolean(c.thread) === threads)
      .map((c) => this.channelJson(c.channel.id));
  }

  /** GET /guilds/:id — the REST guild object. */
  restGuild(guildId: string): APIGuild {
    const guild = this.guilds.get(guildId)!;
    return {
      id: guild.id, name: guild.name, icon: null, splash: null, discovery_splash: null, banner: null,
      owner_id: guild.ownerId, afk_channel_id: null, afk_timeout: 300, verification_level: 0,
      default_message_notifications: 0, explicit_content_filter: 0, features: [], mfa_level: 0,
      application_id: null, system_channel_id: null, system_channel_flags: 0 as GuildSystemChannelFlags, rules_channel_id: null,
      vanity_url_code: null, description: null, premium_tier: 0, premium_subscription_count: 0,
      preferred_locale: 'en-US' as APIGuild['preferred_locale'], public_updates_channel_id: null, nsfw_level: 0,
      premium_progress_bar_enabled: false, hub_type: null, safety_alerts_channel_id: null, incidents_data: null,
      emojis: [], stickers: [], max_members: 500_000, max_video_channel_users: 25,
      roles: guild.roles.map((r, i) => rolePayload(r, i, r.id === guild.botRoleId ? this.bot.id : undefined)),
    };
  }

  /**
   * GUILD_CREATE. Without the GuildPresences intent Discord only lists the bot
   * and members in voice channels; `allMembers` mirrors having it.
   */
  guildCreate(guildId: string, allMembers: boolean): GatewayGuildCreateDispatchData {
    const guild = this.guilds.get(guildId)!;
    const listed = [...guild.members.values()].filter((m) => allMembers || m.user.id === this.bot.id || guild.voiceStates.has(m.user.id));
    return {
      ...this.restGuild(guildId),
      joined_at: guild.members.get(this.bot.id)!.joinedAt, large: false, unavailable: false,
      member_count: guild.members.size, members: listed.map(memberPayload),
      voice_states: [...guild.voiceStates].map(([userId, v]) => ({
        channel_id: v.channelId, user_id: userId, session_id: v.sessionId, deaf: false, mute: false,
        self_deaf: false, self_mute: false, self_video: false, suppress: false, request_to_speak_timestamp: null,
      })),
      channels: this.guildChannels(guildId, false) as unknown as GatewayGuildCreateDispatchData['channels'],
      threads: this.guildChannels(guildId, true) as unknown as GatewayGuildCreateDispatchData['threads'],
      presences: [], stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
    };
  }

  addThread(guildId: string, parentId: string, name: string, type: number, messageId?: string): ChannelRecord {
    const id = messageId ?? snowflake(); // a thread started from a message shares its id
    const record: ChannelRecord = {
      guildId, channel: { id, name, type, parent_id: parentId }, position: 0,
      thread: { ownerId: this.bot.id, autoArchiveDuration: 1440, createdAt: new Date().toISOString() },
    };
    this.channels.set(id, record);
    this.threads.push({ id, parentId, name, ...(messageId ? { messageId } : {}) });
    return record;
  }

  messages(channelId: string): FakeMessage[] {
    let list = this.messagesByChannel.get(channelId);
    if (!list) this.messagesByChannel.set(channelId, (list = []));
    return list;
  }

  findMessage(messageId: string): FakeMessage | undefined {
    for (const list of this.messagesByChannel.values()) {
      const found = list.find((m) => m.id === messageId);
      if (found) return found;
    }
    return undefined;
  }

  deleteMessage(messageId: string): boolean {
    for (const list of this.messagesByChannel.values()) {
      const index = list.findIndex((m) => m.id === messageId);
      if (index !== -1) return list.splice(index, 1).length === 1;
    }
    return false;
  }

  isTextLike(channelId: string): boolean {
    const type = this.channels.get(channelId)?.channel.type;
    return type !== undefined && type !== ChannelType.GuildCategory;
  }
}
