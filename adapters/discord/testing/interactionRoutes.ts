// REST routes that use an interaction token instead of the bot token: the
// initial response callback and the webhook for @original and followups.
import { InteractionResponseType, InteractionType, MessageFlags } from 'discord.js';
import type { APIMessage } from 'discord.js';
import { createMessage, editMessage, validateMessage, type MessageBody } from './messages.ts';
import { errors, userPayload } from './payloads.ts';
import { route, type Reply, type Route, type RouteContext } from './rest.ts';
import { messageContext, type RouteDeps } from './routes.ts';
import type { InteractionRecord } from './state.ts';
import type { FakeMessage } from './types.ts';

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const fail = (status: number, body: unknown): Reply => ({ status, body });

export function interactionRoutes(deps: RouteDeps, callbackWindowMs: number): Route[] {
  return [
    route('POST', '/interactions/:id/:token/callback', (ctx) => callback(deps, ctx, callbackWindowMs)),
    route('POST', '/webhooks/:app/:token', (ctx) => withWebhook(deps, ctx, (rec) => followup(deps, ctx, rec))),
    route('GET', '/webhooks/:app/:token/messages/:message', (ctx) => withTarget(deps, ctx, (_rec, m) => ok(m))),
    route('PATCH', '/webhooks/:app/:token/messages/:message', (ctx) => withTarget(deps, ctx, (rec, m) => {
      const body = (ctx.call.body ?? {}) as MessageBody;
      const invalid = validateMessage(body, ctx.call.files, false);
      if (invalid) return fail(400, invalid);
      editMessage(messageContext(deps, rec.channelId), m, body, ctx.call.files);
      return ok(m);
    })),
    route('DELETE', '/webhooks/:app/:token/messages/:message', (ctx) => withTarget(deps, ctx, (_rec, m) => {
      deps.state.deleteMessage(m.id);
      return { status: 204 };
    })),
  ];
}

/** Fields Discord sets on messages created through an interaction. */
function interactionExtras(deps: RouteDeps, rec: InteractionRecord, followup: boolean): Partial<APIMessage> {
  const appId = deps.state.options.applicationId;
  const user = userPayload(deps.state.member(rec.guildId, rec.userId).user);
  const metadata = {
    id: rec.id, type: rec.type, user, authorizing_integration_owners: { '0': rec.guildId },
    ...(followup && rec.originalId ? { original_response_message_id: rec.originalId } : {}),
    ...(rec.messageId ? { interacted_message_id: rec.messageId } : {}),
  };
  return {
    webhook_id: appId, application_id: appId, type: rec.type === InteractionType.ApplicationCommand ? 20 : 0,
    interaction_metadata: metadata as APIMessage['interaction_metadata'],
  };
}

function callback(deps: RouteDeps, { call, params }: RouteContext, windowMs: number): Reply {
  const rec = deps.state.interactions.get(params.token!);
  if (!rec || rec.id !== params.id) return fail(404, errors.unknownInteraction);
  if (rec.callbackType !== undefined) return fail(400, errors.alreadyAcknowledged);
  // The initial response must come within 3 s on Discord; later the token is unknown.
  if (Date.now() - rec.createdAt > windowMs) return fail(404, errors.unknownInteraction);
  const body = (call.body ?? {}) as { type?: number; data?: MessageBody };
  const result = respond(deps, rec, body.type, body.data ?? {}, call.files);
  if ('error' in result) return result.error;
  rec.callbackType = body.type;
  if (call.query.with_response !== 'true') return { status: 204 };
  const message = result.message;
  return ok({
    interaction: {
      id: rec.id, type: rec.type,
      ...(message ? {
        response_message_id: message.id, response_message_loading: Boolean((message.flags ?? 0) & MessageFlags.Loading),
        response_message_ephemeral: Boolean((message.flags ?? 0) & MessageFlags.Ephemeral),
      } : {}),
    },
    resource: { type: body.type, ...(message ? { message } : {}) },
  });
}

type Outcome = { message?: FakeMessage } | { error: Reply };

/** Applies one InteractionResponseType to the fake's messages. */
function respond(deps: RouteDeps, rec: InteractionRecord, type: number | undefined, data: MessageBody, files: RouteContext['call']['files']): Outcome {
  const ctx = messageContext(deps, rec.channelId);
  const messages = deps.state.messages(rec.channelId);
  const target = rec.messageId ? deps.state.findMessage(rec.messageId) : undefined;
  switch (type) {
    case InteractionResponseType.Pong:
    case InteractionResponseType.ApplicationCommandAutocompleteResult:
    case InteractionResponseType.Modal:
      return {};
    case InteractionResponseType.ChannelMessageWithSource: {
      const invalid = validateMessage(data, files, true);
      if (invalid) return { error: fail(400, invalid) };
      return { message: original(rec, messages, createMessage(ctx, data, files, interactionExtras(deps, rec, false))) };
    }
    case InteractionResponseType.DeferredChannelMessageWithSource: {
      const flags = ((data.flags ?? 0) | MessageFlags.Loading) as MessageFlags;
      return { message: original(rec, messages, createMessage(ctx, { flags }, [], interactionExtras(deps, rec, false))) };
    }
    case InteractionResponseType.DeferredMessageUpdate:
    case InteractionResponseType.UpdateMessage: {
      if (!rec.messageId) return { error: fail(400, errors.invalidForm('type: Interaction has no message to update')) };
      rec.originalId = rec.messageId;
      if (type === InteractionResponseType.UpdateMessage && target) editMessage(ctx, target, data, files);
      return target ? { message: target } : {};
    }
    default:
      return { error: fail(400, errors.invalidForm(`type: Value must be one of ${Object.values(InteractionResponseType).filter((v) => typeof v === 'number').join(', ')}.`)) };
  }
}

function original(rec: InteractionRecord, messages: FakeMessage[], message: FakeMessage): FakeMessage {
  messages.push(message);
  rec.originalId = message.id;
  return message;
}

/** The webhook of an interaction exists once the interaction was acknowledged. */
function withWebhook(deps: RouteDeps, { params }: RouteContext, then: (rec: InteractionRecord) => Reply): Reply {
  const rec = deps.state.interactions.get(params.token!);
  if (!rec || params.app !== deps.state.options.applicationId || rec.callbackType === undefined) return fail(404, errors.unknownWebhook);
  return then(rec);
}

function withTarget(deps: RouteDeps, ctx: RouteContext, then: (rec: InteractionRecord, m: FakeMessage) => Reply): Reply {
  return withWebhook(deps, ctx, (rec) => {
    const id = ctx.params.message === '@original' ? rec.originalId : ctx.params.message;
    const message = id ? deps.state.findMessage(id) : undefined;
    return message ? then(rec, message) : fail(404, errors.unknownMessage);
  });
}

function followup(deps: RouteDeps, { call }: RouteContext, rec: InteractionRecord): Reply {
  const body = (call.body ?? {}) as MessageBody;
  const invalid = validateMessage(body, call.files, true);
  if (invalid) return fail(400, invalid);
  const message = createMessage(messageContext(deps, rec.channelId), body, call.files, interactionExtras(deps, rec, true));
  deps.state.messages(rec.channelId).push(message);
  // Without ?wait=true Discord answers 204 (discord.js always asks to wait).
  return call.query.wait === 'true' ? ok(message) : { status: 204 };
}
