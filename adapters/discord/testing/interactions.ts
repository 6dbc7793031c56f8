// INTERACTION_CREATE payloads as Discord sends them for guild interactions:
// member with computed permissions, app_permissions, channel, context, …
import { ApplicationCommandOptionType, ApplicationCommandType, ComponentType, InteractionType } from 'discord.js';
import type {
  APIApplicationCommandAutocompleteGuildInteraction, APIApplicationCommandInteractionDataOption,
  APIChatInputApplicationCommandGuildInteraction, APIInteractionDataResolved, APIMessage,
  APIMessageComponentGuildInteraction, Locale,
} from 'discord.js';
import { memberPayload, opaqueToken, rolePayload, snowflake, userPayload } from './payloads.ts';
import type { FakeState, InteractionRecord } from './state.ts';
import type { AutocompleteInput, ButtonInput, SlashCommandInput } from './types.ts';

type Option = NonNullable<SlashCommandInput['options']>[number];

/** The fields every guild interaction carries; also registers the token. */
function base(state: FakeState, type: InteractionType, input: { guildId: string; channelId: string; userId: string }, messageId?: string) {
  const guild = state.guild(input.guildId);
  const record = state.channel(input.channelId);
  if (!guild || record?.guildId !== input.guildId) throw new Error(`FakeDiscord: channel ${input.channelId} is not in guild ${input.guildId}`);
  const member = state.member(input.guildId, input.userId);
  const userPerms = state.channelPermissions(input.channelId, input.userId).toString();
  const interaction: InteractionRecord = {
    id: snowflake(), token: `aW50ZXJhY3Rpb246${opaqueToken()}`, guildId: input.guildId, channelId: input.channelId,
    userId: input.userId, type, createdAt: Date.now(), ...(messageId ? { messageId } : {}),
  };
  state.interactions.set(interaction.token, interaction);
  const payload = {
    id: interaction.id, application_id: state.options.applicationId, token: interaction.token, version: 1 as const,
    guild: { id: guild.id, features: [], locale: 'en-US' as Locale }, guild_id: guild.id, guild_locale: 'en-US' as Locale,
    channel: { ...state.channelJson(input.channelId), permissions: userPerms } as unknown as APIChatInputApplicationCommandGuildInteraction['channel'],
    channel_id: input.channelId,
    member: { ...memberPayload(member), permissions: userPerms },
    app_permissions: state.channelPermissions(input.channelId, state.bot.id).toString(),
    locale: 'en-US' as Locale, entitlements: [], authorizing_integration_owners: { '0': guild.id },
    context: 0, attachment_size_limit: 10_485_760,
  };
  return { interaction, payload };
}

function commandId(state: FakeState, guildId: string, name: string): { id: string; guild_id?: string } {
  const guildCommand = state.commands.get(guildId)?.find((c) => c.name === name);
  if (guildCommand) return { id: guildCommand.id, guild_id: guildId };
  return { id: state.commands.get('')?.find((c) => c.name === name)?.id ?? snowflake() };
}

function commandOptions(input: SlashCommandInput, focused?: string): APIApplicationCommandInteractionDataOption[] {
  const leaf = (input.options ?? []).map((o) => ({ ...o, ...(o.name === focused ? { focused: true } : {}) }));
  const options = input.subcommand
    ? [{ name: input.subcommand, type: ApplicationCommandOptionType.Subcommand, options: leaf }]
    : leaf;
  return options as unknown as APIApplicationCommandInteractionDataOption[];
}

/** User, channel and role options come with their objects in `resolved`, as on Discord. */
function resolvedFor(state: FakeState, guildId: string, options: Option[]): APIInteractionDataResolved | undefined {
  const resolved: APIInteractionDataResolved = {};
  for (const o of options) {
    const id = String(o.value);
    const isMentionable = o.type === ApplicationCommandOptionType.Mentionable;
    const member = state.guild(guildId)?.members.get(id);
    if ((o.type === ApplicationCommandOptionType.User || isMentionable) && member) {
      const { user, ...rest } = memberPayload(member);
      (resolved.users ??= {})[id] = user;
      (resolved.members ??= {})[id] = { ...rest, permissions: state.guildPermissions(guildId, id).toString() };
    }
    const role = state.guild(guildId)?.roles.find((r) => r.id === id);
    if ((o.type === ApplicationCommandOptionType.Role || isMentionable) && role) {
      (resolved.roles ??= {})[id] = rolePayload(role, 0);
    }
    if (o.type === ApplicationCommandOptionType.Channel && state.channel(id)) {
      const channel = { ...state.channelJson(id), permissions: state.channelPermissions(id, state.bot.id).toString() };
      (resolved.channels ??= {})[id] = channel as unknown as NonNullable<APIInteractionDataResolved['channels']>[string];
    }
  }
  return Object.keys(resolved).length > 0 ? resolved : undefined;
}

export function slashCommandPayload(state: FakeState, input: SlashCommandInput) {
  const { interaction, payload } = base(state, InteractionType.ApplicationCommand, input);
  const resolved = resolvedFor(state, input.guildId, input.options ?? []);
  const data: APIChatInputApplicationCommandGuildInteraction = {
    ...payload, type: InteractionType.ApplicationCommand,
    data: {
      ...commandId(state, input.guildId, input.name), name: input.name, type: ApplicationCommandType.ChatInput,
      options: commandOptions(input), ...(resolved ? { resolved } : {}),
    },
  };
  return { interaction, data };
}

export function autocompletePayload(state: FakeState, input: AutocompleteInput) {
  const { interaction, payload } = base(state, InteractionType.ApplicationCommandAutocomplete, input);
  const data: APIApplicationCommandAutocompleteGuildInteraction = {
    ...payload, type: InteractionType.ApplicationCommandAutocomplete,
    data: {
      ...commandId(state, input.guildId, input.name), name: input.name, type: ApplicationCommandType.ChatInput,
      options: commandOptions(input, input.focused) as never,
    },
  };
  return { interaction, data };
}

export function buttonPayload(state: FakeState, input: ButtonInput) {
  const { interaction, payload } = base(state, InteractionType.MessageComponent, input, input.messageId);
  const message: APIMessage = state.findMessage(input.messageId) ?? {
    // A button on a message the fake never saw (e.g. posted before it started).
    id: input.messageId, channel_id: input.channelId, author: userPayload(state.bot), content: '',
    timestamp: new Date().toISOString(), edited_timestamp: null, tts: false, mention_everyone: false, mentions: [],
    mention_roles: [], attachments: [], embeds: [], pinned: false, type: 0,
  };
  const data: APIMessageComponentGuildInteraction = {
    ...payload, type: InteractionType.MessageComponent, message,
    data: input.values
      ? { custom_id: input.customId, component_type: ComponentType.StringSelect, values: input.values }
      : { custom_id: input.customId, component_type: ComponentType.Button },
  };
  return { interaction, data };
}
