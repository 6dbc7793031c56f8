// Public shapes of the loopback fake Discord (see FakeDiscord.ts).
import type { APIAllowedMentions, APIMessage } from 'discord.js';

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

export interface FakeChannel {
  id: string;
  name: string;
  /** a discord.js `ChannelType` value (0 text, 2 voice, 4 category, 11 public thread, …) */
  type: number;
  parent_id?: string | null;
}

export interface FakeGuildOptions {
  id: string;
  name: string;
  channels: FakeChannel[];
  members: { user: FakeUser; roles?: string[]; nick?: string | null }[];
  /** the @everyone role has id === guild id; it is added with default permissions when missing */
  roles?: { id: string; name: string; permissions: string }[];
  voiceStates?: { userId: string; channelId: string }[];
  /**
   * The owner has every permission. Default: an id that is not one of
   * `members`, so no listed member is all-powerful by accident.
   */
  ownerId?: string;
  /** permissions of the bot's managed role (ORed with @everyone, as on Discord) */
  botPermissions?: bigint;
}

export interface FakeDiscordOptions {
  applicationId: string;
  botUser: FakeUser;
  guilds: FakeGuildOptions[];
  /** host:port sent in VOICE_SERVER_UPDATE (@discordjs/voice connects to wss://<endpoint>?v=8) */
  voiceEndpoint?: () => string;
  /** gateway HELLO heartbeat_interval; Discord sends 41250 */
  heartbeatIntervalMs?: number;
  /** Discord answers 10062 Unknown interaction to an initial callback later than 3 s */
  interactionCallbackWindowMs?: number;
}

export interface UploadedFile {
  /** the form field name, e.g. `files[0]` */
  name: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface RecordedCall {
  method: string;
  /** the path without the `/api/v10` prefix, e.g. `/channels/1/messages` */
  path: string;
  query: Record<string, string>;
  /** parsed JSON body, or the parsed `payload_json` part of a multipart body */
  body: unknown;
  files: UploadedFile[];
  headers: Record<string, string>;
  /** the status the fake answered with (0 until answered) */
  status: number;
  at: number;
}

/** A message the bot posted, as it stands after edits. */
export type FakeMessage = APIMessage & { allowed_mentions?: APIAllowedMentions };

export interface FakeThread {
  id: string;
  parentId: string;
  name: string;
  messageId?: string;
}

export interface SlashCommandInput {
  guildId: string;
  channelId: string;
  userId: string;
  name: string;
  subcommand?: string;
  options?: { name: string; type: number; value: string | number | boolean }[];
}

export interface AutocompleteInput extends SlashCommandInput {
  /** the option being typed; it is sent with `focused: true` */
  focused: string;
}

export interface ButtonInput {
  guildId: string;
  channelId: string;
  userId: string;
  customId: string;
  messageId: string;
  /** Chosen options: makes it a string select menu instead of a button. */
  values?: string[];
}

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
}

/** Live counters of one rate-limit bucket created by `FakeDiscord.rateLimit`. */
export interface RateLimitBucket {
  readonly hash: string;
  /** requests answered 2xx/4xx (not 429) within the bucket */
  readonly served: number;
  /** requests answered 429 */
  readonly limited: number;
  /** requests that arrived after the fake had answered `Remaining: 0` for the current window */
  readonly violations: number;
}
