// Builders of Discord API v10 payloads, typed with the discord-api-types v10
// types (imported through discord.js, which re-exports them and is a direct
// dependency) so the shapes stay what a real discord.js Client expects.
import { randomBytes } from 'node:crypto';
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import type {
  APIAttachment, APIGuildMember, APIOverwrite, APIRole, APIThreadChannel, APIUser, APIVoiceState,
  ChannelFlags, GuildMemberFlags, RoleFlags, UserFlags,
} from 'discord.js';
import type { FakeChannel, FakeUser } from './types.ts';

const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A real-looking snowflake: milliseconds since the Discord epoch in the top bits. */
export function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

/** Interaction and voice tokens are opaque base64url strings on Discord. */
export function opaqueToken(bytes = 48): string {
  return randomBytes(bytes).toString('base64url');
}

/** Voice session ids are 32 hex characters on Discord. */
export function voiceSessionId(): string {
  return randomBytes(16).toString('hex');
}

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** Roughly what a new server's @everyone role and a freshly invited bot get. */
export const DEFAULT_PERMISSIONS =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads | PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.AddReactions | PermissionFlagsBits.ReadMessageHistory | PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak | PermissionFlagsBits.UseVAD | PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.ChangeNickname | PermissionFlagsBits.CreateInstantInvite;

export function userPayload(user: FakeUser): APIUser {
  return {
    id: user.id, username: user.username, discriminator: '0', global_name: user.bot ? null : user.username,
    avatar: null, bot: user.bot ?? false, public_flags: 0 as UserFlags,
  };
}

export function rolePayload(role: { id: string; name: string; permissions: string }, position: number, botId?: string): APIRole {
  return {
    id: role.id, name: role.name, color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false, icon: null, unicode_emoji: null, position, permissions: role.permissions,
    managed: botId !== undefined, mentionable: false, flags: 0 as RoleFlags, ...(botId ? { tags: { bot_id: botId } } : {}),
  };
}

export interface MemberRecord {
  user: FakeUser;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export function memberPayload(member: MemberRecord): APIGuildMember {
  return {
    user: userPayload(member.user), nick: member.nick, avatar: null, banner: null, roles: member.roles,
    joined_at: member.joinedAt, premium_since: null, deaf: false, mute: false, flags: 0 as GuildMemberFlags, pending: false,
    communication_disabled_until: null,
  };
}

/** Channel overwrites the fake uses: one member overwrite pinning the bot's permissions exactly. */
export function botOverwrite(botId: string, perms: bigint): APIOverwrite {
  return { id: botId, type: 1, allow: perms.toString(), deny: (ALL_PERMISSIONS & ~perms).toString() };
}

export interface ThreadRecord {
  ownerId: string;
  autoArchiveDuration: 60 | 1440 | 4320 | 10080;
  createdAt: string;
}

/** A guild channel (or thread) as Discord returns it from GET /channels/:id and in GUILD_CREATE. */
export function channelPayload(
  guildId: string, channel: FakeChannel, position: number, overwrites: APIOverwrite[], thread?: ThreadRecord,
): Record<string, unknown> {
  const base = { id: channel.id, guild_id: guildId, name: channel.name, type: channel.type, flags: 0, parent_id: channel.parent_id ?? null };
  if (thread) return { ...threadPayload(guildId, channel, thread) };
  const guildBase = { ...base, position, permission_overwrites: overwrites, nsfw: false };
  switch (channel.type) {
    case ChannelType.GuildCategory:
      return guildBase;
    case ChannelType.GuildVoice:
    case ChannelType.GuildStageVoice:
      return { ...guildBase, bitrate: 64_000, user_limit: 0, rtc_region: null, video_quality_mode: 1, rate_limit_per_user: 0, last_message_id: null };
    default:
      return { ...guildBase, topic: null, last_message_id: null, rate_limit_per_user: 0, default_auto_archive_duration: 1440 };
  }
}

export function threadPayload(guildId: string, channel: FakeChannel, thread: ThreadRecord): APIThreadChannel {
  return {
    id: channel.id, guild_id: guildId, name: channel.name, type: channel.type as ChannelType.PublicThread,
    parent_id: channel.parent_id ?? '', owner_id: thread.ownerId, flags: 0 as ChannelFlags, last_message_id: null,
    rate_limit_per_user: 0, message_count: 0, member_count: 1, total_message_sent: 0, applied_tags: [],
    thread_metadata: {
      archived: false, auto_archive_duration: thread.autoArchiveDuration, archive_timestamp: thread.createdAt,
      locked: false, create_timestamp: thread.createdAt,
    },
  };
}

export function voiceStatePayload(
  guildId: string, member: MemberRecord, channelId: string | null, sessionId: string,
): APIVoiceState {
  return {
    guild_id: guildId, channel_id: channelId, user_id: member.user.id, member: memberPayload(member), session_id: sessionId,
    deaf: false, mute: false, self_deaf: false, self_mute: false, self_video: false, suppress: false,
    request_to_speak_timestamp: null,
  };
}

export function attachmentPayload(
  baseUrl: string, channelId: string, file: { filename: string; contentType: string; data: Buffer }, description?: string,
): APIAttachment {
  const id = snowflake();
  const url = `${baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
  return {
    id, filename: file.filename, size: file.data.length, url, proxy_url: url, content_type: file.contentType,
    ...(description ? { description } : {}),
  };
}

/** Discord error bodies: `{ code, message }` with the codes discord.js maps to DiscordAPIError. */
export const errors = {
  notFound: { message: '404: Not Found', code: 0 },
  unknownChannel: { message: 'Unknown Channel', code: 10003 },
  unknownGuild: { message: 'Unknown Guild', code: 10004 },
  unknownMember: { message: 'Unknown Member', code: 10007 },
  unknownMessage: { message: 'Unknown Message', code: 10008 },
  unknownWebhook: { message: 'Unknown Webhook', code: 10015 },
  unknownInteraction: { message: 'Unknown interaction', code: 10062 },
  missingAccess: { message: 'Missing Access', code: 50001 },
  missingPermissions: { message: 'Missing Permissions', code: 50013 },
  cannotEditOthers: { message: 'Cannot edit a message authored by another user', code: 50005 },
  alreadyAcknowledged: { message: 'Interaction has already been acknowledged.', code: 40060 },
  threadExists: { message: 'A thread has already been created for this message', code: 160004 },
  invalidForm: (detail: string) => ({ message: 'Invalid Form Body', code: 50035, errors: { _errors: [{ code: 'BASE_TYPE_INVALID', message: detail }] } }),
} as const;
