// REST routes for the bot-token side of the API: gateway info, users,
// applications and commands, channels, messages, threads and guilds.
import { ChannelType, GatewayIntentBits, MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { APIApplicationCommand, APIAttachment, RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';
import { dmRoutes, postDirectMessage } from './dms.ts';
import { createMessage, editMessage, validateMessage, type MessageBody, type MessageContext } from './messages.ts';
import { errors, memberPayload, snowflake, userPayload } from './payloads.ts';
import { route, type Reply, type Route, type RouteContext } from './rest.ts';
import type { FakeState } from './state.ts';

export interface RouteDeps {
  state: FakeState;
  /** http://127.0.0.1:PORT */
  baseUrl: () => string;
  gatewayUrl: () => string;
  dispatch: (t: string, d: unknown, intent?: number) => void;
  storeAttachment: (attachment: APIAttachment, data: Buffer) => void;
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const fail = (status: number, body: unknown): Reply => ({ status, body });

export function messageContext(deps: RouteDeps, channelId: string): MessageContext {
  return { baseUrl: deps.baseUrl(), channelId, author: userPayload(deps.state.bot), store: deps.storeAttachment };
}

export function botRoutes(deps: RouteDeps): Route[] {
  const { state } = deps;
  return [
    route('GET', '/gateway', () => ok({ url: deps.gatewayUrl() })),
    route('GET', '/gateway/bot', () => ok({
      url: deps.gatewayUrl(), shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
    })),
    route('GET', '/users/@me', () => ok({ ...userPayload(state.bot), bot: true, verified: true, mfa_enabled: false, flags: 0 })),
    route('GET', '/applications/@me', () => ok(application(deps))),
    ...commandRoutes(deps),
    ...channelRoutes(deps),
    ...dmRoutes(deps),
    route('GET', '/guilds/:guild', ({ params, call }) => withGuild(deps, params.guild!, () => ok({
      ...state.restGuild(params.guild!),
      ...(call.query.with_counts === 'true' ? { approximate_member_count: state.guild(params.guild!)!.members.size, approximate_presence_count: 0 } : {}),
    }))),
    route('GET', '/guilds/:guild/channels', ({ params }) => withGuild(deps, params.guild!, () => ok(state.guildChannels(params.guild!, false)))),
    route('GET', '/guilds/:guild/members/:user', ({ params }) => withGuild(deps, params.guild!, () => {
      const member = state.guild(params.guild!)!.members.get(params.user!);
      return member ? ok(memberPayload(member)) : fail(404, errors.unknownMember);
    })),
  ];
}

function application(deps: RouteDeps) {
  const bot = userPayload(deps.state.bot);
  return {
    id: deps.state.options.applicationId, name: bot.username, icon: null, description: '', summary: '', type: null,
    bot_public: true, bot_require_code_grant: false, verify_key: '0'.repeat(64), flags: 0, flags_new: '0', bot, team: null,
    owner: { ...bot, bot: false }, rpc_origins: [], approximate_guild_count: deps.state.guilds.size,
    integration_types_config: { 0: {} }, install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
  };
}

function withGuild(deps: RouteDeps, guildId: string, then: () => Reply): Reply {
  return deps.state.guild(guildId) ? then() : fail(404, errors.unknownGuild);
}

// ---- application commands -------------------------------------------------

function commandRoutes(deps: RouteDeps): Route[] {
  const list = (ctx: RouteContext) => deps.state.commands.get(ctx.params.guild ?? '') ?? [];
  const put = (ctx: RouteContext): Reply => {
    if (ctx.params.app !== deps.state.options.applicationId) return fail(404, { message: 'Unknown Application', code: 10002 });
    if (!Array.isArray(ctx.call.body)) return fail(400, errors.invalidForm('Expected an array of commands'));
    const key = ctx.params.guild ?? '';
    const previous = deps.state.commands.get(key) ?? [];
    const next = (ctx.call.body as RESTPutAPIApplicationCommandsJSONBody).map((c) => commandPayload(deps, key, c, previous));
    deps.state.commands.set(key, next);
    return ok(next);
  };
  const post = (ctx: RouteContext): Reply => {
    const key = ctx.params.guild ?? '';
    const previous = deps.state.commands.get(key) ?? [];
    const command = commandPayload(deps, key, ctx.call.body as RESTPutAPIApplicationCommandsJSONBody[number], previous);
    const existed = previous.some((c) => c.id === command.id);
    deps.state.commands.set(key, [...previous.filter((c) => c.id !== command.id), command]);
    return ok(command, existed ? 200 : 201);
  };
  return [
    route('GET', '/applications/:app/commands', (ctx) => ok(list(ctx))),
    route('PUT', '/applications/:app/commands', put),
    route('POST', '/applications/:app/commands', post),
    route('GET', '/applications/:app/guilds/:guild/commands', (ctx) => ok(list(ctx))),
    route('PUT', '/applications/:app/guilds/:guild/commands', put),
    route('POST', '/applications/:app/guilds/:guild/commands', post),
  ];
}

/** Overwriting keeps the id of a command with the same name and type, as Discord does. */
function commandPayload(
  deps: RouteDeps, guildId: string, body: RESTPutAPIApplicationCommandsJSONBody[number], previous: APIApplicationCommand[],
): APIApplicationCommand {
  const type = body.type ?? 1;
  const same = previous.find((c) => c.name === body.name && c.type === type);
  return {
    id: same?.id ?? snowflake(), application_id: deps.state.options.applicationId, version: snowflake(), type,
    name: body.name, name_localizations: body.name_localizations ?? null,
    description: 'description' in body ? (body.description ?? '') : '',
    description_localizations: 'description_localizations' in body ? (body.description_localizations ?? null) : null,
    options: 'options' in body ? (body.options as APIApplicationCommand['options']) ?? [] : [],
    default_member_permissions: body.default_member_permissions ?? null, nsfw: body.nsfw ?? false,
    integration_types: body.integration_types ?? [0], contexts: body.contexts ?? null,
    ...(guildId ? { guild_id: guildId } : {}),
  } as APIApplicationCommand;
}

// ---- channels, messages, threads --------------------------------------------

function channelRoutes(deps: RouteDeps): Route[] {
  const { state } = deps;
  return [
    route('GET', '/channels/:channel', ({ params }) => visible(deps, params.channel!, () => ok(state.channelJson(params.channel!)))),
    route('POST', '/channels/:channel/typing', ({ params }) => visible(deps, params.channel!, () => ({ status: 204 }))),
    route('POST', '/channels/:channel/messages', (ctx) => postMessage(deps, ctx)),
    route('GET', '/channels/:channel/messages/:message', ({ params }) => visible(deps, params.channel!, () => {
      const message = state.messages(params.channel!).find((m) => m.id === params.message);
      return message ? ok(message) : fail(404, errors.unknownMessage);
    })),
    route('PATCH', '/channels/:channel/messages/:message', (ctx) => patchMessage(deps, ctx)),
    route('DELETE', '/channels/:channel/messages/:message', ({ params }) => visible(deps, params.channel!, () =>
      state.messages(params.channel!).some((m) => m.id === params.message) && state.deleteMessage(params.message!)
        ? { status: 204 } : fail(404, errors.unknownMessage))),
    route('POST', '/channels/:channel/threads', (ctx) => startThread(deps, ctx)),
    route('POST', '/channels/:channel/messages/:message/threads', (ctx) => startThread(deps, ctx)),
  ];
}

/** 404 for an unknown channel, 403 Missing Access without View Channel. */
function visible(deps: RouteDeps, channelId: string, then: () => Reply): Reply {
  if (!deps.state.channel(channelId)) return fail(404, errors.unknownChannel);
  const perms = deps.state.channelPermissions(channelId, deps.state.bot.id);
  return perms & PermissionFlagsBits.ViewChannel ? then() : fail(403, errors.missingAccess);
}

function postMessage(deps: RouteDeps, { call, params }: RouteContext): Reply {
  const channelId = params.channel!;
  const recipient = deps.state.dms.recipientOf(channelId);
  if (recipient) return postDirectMessage(deps, { call, params }, recipient);
  return visible(deps, channelId, () => {
    const { state } = deps;
    if (!state.isTextLike(channelId)) return fail(400, { message: 'Cannot send messages in a non-text channel', code: 50008 });
    const perms = state.channelPermissions(channelId, state.bot.id);
    const send = state.channel(channelId)!.thread ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
    if (!(perms & send) || (call.files.length > 0 && !(perms & PermissionFlagsBits.AttachFiles))) return fail(403, errors.missingPermissions);
    const body = (call.body ?? {}) as MessageBody;
    const invalid = validateMessage(body, call.files, true);
    if (invalid) return fail(400, invalid);
    const referenced = body.message_reference?.message_id ? state.findMessage(body.message_reference.message_id) : undefined;
    const message = createMessage(messageContext(deps, channelId), body, call.files, referenced ? { referenced_message: referenced } : {});
    state.messages(channelId).push(message);
    return ok(message);
  });
}

function patchMessage(deps: RouteDeps, { call, params }: RouteContext): Reply {
  return visible(deps, params.channel!, () => {
    const message = deps.state.messages(params.channel!).find((m) => m.id === params.message);
    if (!message) return fail(404, errors.unknownMessage);
    if (message.author.id !== deps.state.bot.id) return fail(403, errors.cannotEditOthers);
    const body = (call.body ?? {}) as MessageBody;
    const invalid = validateMessage(body, call.files, false);
    if (invalid) return fail(400, invalid);
    editMessage(messageContext(deps, params.channel!), message, body, call.files);
    return ok(message);
  });
}

/** Creates a thread channel (from a message it takes the message's id) and dispatches THREAD_CREATE. */
function startThread(deps: RouteDeps, { call, params }: RouteContext): Reply {
  const parentId = params.channel!;
  return visible(deps, parentId, () => {
    const { state } = deps;
    const body = (call.body ?? {}) as { name?: string; type?: number; auto_archive_duration?: number };
    const message = params.message ? state.messages(parentId).find((m) => m.id === params.message) : undefined;
    if (params.message && !message) return fail(404, errors.unknownMessage);
    if (params.message && state.channel(params.message)) return fail(400, errors.threadExists);
    if (!body.name) return fail(400, errors.invalidForm('name: This field is required'));
    const type = params.message ? ChannelType.PublicThread : (body.type ?? ChannelType.PrivateThread);
    const needed = type === ChannelType.PrivateThread ? PermissionFlagsBits.CreatePrivateThreads : PermissionFlagsBits.CreatePublicThreads;
    if (!(state.channelPermissions(parentId, state.bot.id) & needed)) return fail(403, errors.missingPermissions);
    const record = state.addThread(state.channel(parentId)!.guildId, parentId, body.name, type, params.message);
    if (body.auto_archive_duration) record.thread!.autoArchiveDuration = body.auto_archive_duration as 60;
    const thread = state.channelJson(record.channel.id);
    if (message) {
      message.thread = thread as never;
      message.flags = ((message.flags ?? 0) | MessageFlags.HasThread) as MessageFlags;
    }
    deps.dispatch('THREAD_CREATE', { ...thread, newly_created: true }, GatewayIntentBits.Guilds);
    return ok(thread, 201);
  });
}
