// Turning message bodies (channel messages, interaction responses, webhook
// followups) into stored v10 message objects, with the validation Discord
// applies that a bot most often trips over.
import { MessageFlags } from 'discord.js';
import type {
  APIAttachment, APIEmbed, APIMessage, APIUser, RESTAPIAttachment, RESTPostAPIChannelMessageJSONBody,
} from 'discord.js';
import { attachmentPayload, errors, snowflake } from './payloads.ts';
import type { FakeMessage, UploadedFile } from './types.ts';

export type MessageBody = RESTPostAPIChannelMessageJSONBody;

export interface MessageContext {
  baseUrl: string;
  channelId: string;
  author: APIUser;
  /** where uploaded bytes are kept so attachment URLs can be served */
  store: (attachment: APIAttachment, data: Buffer) => void;
}

/** Returns the Discord error body for an invalid message, or null. */
export function validateMessage(body: MessageBody, files: UploadedFile[], creating: boolean): object | null {
  if ((body.content?.length ?? 0) > 2000) return errors.invalidForm('content: Must be 2000 or fewer in length.');
  const embeds = body.embeds ?? [];
  if (embeds.length > 10) return errors.invalidForm('embeds: Must be 10 or fewer in length.');
  if (embeds.some((e) => (e.description?.length ?? 0) > 4096)) return errors.invalidForm('embeds.0.description: Must be 4096 or fewer in length.');
  if (embeds.reduce((n, e) => n + embedChars(e), 0) > 6000) return errors.invalidForm('embeds: Embed size exceeds maximum size of 6000');
  const empty = !body.content && embeds.length === 0 && files.length === 0 && !body.components?.length &&
    !body.sticker_ids?.length && !body.poll;
  if (creating && empty) return { message: 'Cannot send an empty message', code: 50006 };
  return null;
}

function embedChars(e: APIEmbed): number {
  const fields = (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + fields + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
}

export function createMessage(
  ctx: MessageContext, body: MessageBody, files: UploadedFile[], extra: Partial<APIMessage> = {},
): FakeMessage {
  const reference = body.message_reference;
  const message: FakeMessage = {
    id: snowflake(), channel_id: ctx.channelId, author: ctx.author, content: body.content ?? '',
    timestamp: new Date().toISOString(), edited_timestamp: null, tts: body.tts ?? false, mention_everyone: false,
    mentions: [], mention_roles: [], attachments: resolveAttachments(ctx, [], body.attachments, files),
    embeds: normalizeEmbeds(body.embeds), pinned: false, type: reference ? 19 : 0,
    flags: (body.flags ?? 0) as MessageFlags, components: (body.components ?? []) as APIMessage['components'],
    ...(body.allowed_mentions ? { allowed_mentions: body.allowed_mentions } : {}),
    ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
    ...(reference?.message_id ? { message_reference: { type: 0, message_id: reference.message_id, channel_id: reference.channel_id ?? ctx.channelId } } : {}),
    ...extra,
  };
  return message;
}

/** PATCH semantics: only the fields present change; `attachments` lists what is kept. */
export function editMessage(ctx: MessageContext, message: FakeMessage, body: MessageBody, files: UploadedFile[]): void {
  if (body.content !== undefined) message.content = body.content ?? '';
  if (body.embeds !== undefined) message.embeds = normalizeEmbeds(body.embeds ?? []);
  if (body.components !== undefined) message.components = (body.components ?? []) as APIMessage['components'];
  if (body.allowed_mentions !== undefined) message.allowed_mentions = body.allowed_mentions;
  // A deferred response is a "thinking…" message; the first edit replaces it.
  const flags = body.flags ?? message.flags ?? 0;
  message.flags = (flags & ~MessageFlags.Loading) as MessageFlags;
  if (body.attachments !== undefined || files.length > 0) {
    message.attachments = resolveAttachments(ctx, message.attachments, body.attachments ?? undefined, files);
  }
  message.edited_timestamp = new Date().toISOString();
}

function normalizeEmbeds(embeds: APIEmbed[] | undefined): APIEmbed[] {
  return (embeds ?? []).map((e) => ({ type: 'rich' as APIEmbed['type'], ...e }));
}

/**
 * `attachments` entries refer either to an existing attachment (snowflake id)
 * or to the uploaded `files[n]` part (id n). Without the list, existing ones
 * are kept and every upload is added.
 */
function resolveAttachments(
  ctx: MessageContext, existing: APIAttachment[], listed: RESTAPIAttachment[] | undefined, files: UploadedFile[],
): APIAttachment[] {
  const upload = (file: UploadedFile, description?: string): APIAttachment => {
    const attachment = attachmentPayload(ctx.baseUrl, ctx.channelId, file, description);
    ctx.store(attachment, file.data);
    return attachment;
  };
  if (!listed) return [...existing, ...files.map((f) => upload(f))];
  const out: APIAttachment[] = [];
  for (const entry of listed) {
    const id = String(entry.id);
    const file = files.find((f) => f.name === `files[${id}]`);
    if (file) out.push(upload(file, entry.description ?? undefined));
    else {
      const kept = existing.find((a) => a.id === id);
      if (kept) out.push(kept);
    }
  }
  // Uploads not mentioned in the list are still attached, as on Discord.
  for (const file of files) if (!listed.some((e) => file.name === `files[${String(e.id)}]`)) out.push(upload(file));
  return out;
}
