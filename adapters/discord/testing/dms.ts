// Direct messages: POST /users/@me/channels opens (or returns) the DM channel
// with a user, and messages posted there are recorded like channel messages.
// A user can be made to refuse DMs (Discord's 50007, "privacy settings").
import { ChannelType } from 'discord.js';
import type { APIDMChannel } from 'discord.js';
import { createMessage, validateMessage, type MessageBody } from './messages.ts';
import { errors, snowflake, userPayload } from './payloads.ts';
import { route, type Reply, type Route, type RouteContext } from './rest.ts';
import type { FakeUser } from './types.ts';
import type { RouteDeps } from './routes.ts';

export const dmErrors = {
  unknownUser: { message: 'Unknown User', code: 10013 },
  cannotMessageUser: { message: 'Cannot send messages to this user', code: 50007 },
} as const;

export class DirectMessages {
  private readonly byRecipient = new Map<string, string>();
  private readonly recipients = new Map<string, string>();
  private readonly refusing = new Set<string>();

  /** The DM channel with `userId`: the same id every time, as on Discord. */
  open(userId: string): string {
    let id = this.byRecipient.get(userId);
    if (!id) {
      id = snowflake();
      this.byRecipient.set(userId, id);
      this.recipients.set(id, userId);
    }
    return id;
  }

  channelOf(userId: string): string | undefined {
    return this.byRecipient.get(userId);
  }

  /** The recipient when `channelId` is a DM channel. */
  recipientOf(channelId: string): string | undefined {
    return this.recipients.get(channelId);
  }

  refuse(userId: string, refuse: boolean): void {
    if (refuse) this.refusing.add(userId);
    else this.refusing.delete(userId);
  }

  refuses(userId: string): boolean {
    return this.refusing.has(userId);
  }
}

/** A user the fake knows: a member of one of its guilds. */
function knownUser(deps: RouteDeps, userId: string): FakeUser | undefined {
  for (const guild of deps.state.guilds.values()) {
    const member = guild.members.get(userId);
    if (member) return member.user;
  }
  return undefined;
}

function dmChannelJson(channelId: string, recipient: FakeUser): APIDMChannel {
  return { id: channelId, type: ChannelType.DM, name: null, last_message_id: null, recipients: [userPayload(recipient)], flags: 0 as APIDMChannel['flags'] };
}

export function dmRoutes(deps: RouteDeps): Route[] {
  return [
    route('POST', '/users/@me/channels', ({ call }): Reply => {
      const recipientId = (call.body as { recipient_id?: unknown } | undefined)?.recipient_id;
      if (typeof recipientId !== 'string') return { status: 400, body: errors.invalidForm('recipient_id: This field is required') };
      const user = knownUser(deps, recipientId);
      if (!user || user.id === deps.state.bot.id) return { status: 404, body: dmErrors.unknownUser };
      return { status: 200, body: dmChannelJson(deps.state.dms.open(recipientId), user) };
    }),
  ];
}

/** POST /channels/:dm/messages — 403 50007 when the recipient refuses DMs. */
export function postDirectMessage(deps: RouteDeps, { call, params }: RouteContext, recipientId: string): Reply {
  const channelId = params.channel!;
  if (deps.state.dms.refuses(recipientId)) return { status: 403, body: dmErrors.cannotMessageUser };
  const body = (call.body ?? {}) as MessageBody;
  const invalid = validateMessage(body, call.files, true);
  if (invalid) return { status: 400, body: invalid };
  const message = createMessage(
    { baseUrl: deps.baseUrl(), channelId, author: userPayload(deps.state.bot), store: deps.storeAttachment }, body, call.files,
  );
  deps.state.messages(channelId).push(message);
  return { status: 200, body: message };
}
