// Teams activity payloads shaped like the ones the Teams channel POSTs to a bot's
// messaging endpoint (see IMeetingStartEventActivity etc. in @microsoft/teams.api and the
// "meeting apps APIs" docs): channelId 'msteams', serviceUrl, bot as recipient `28:{appId}`,
// conversation `19:meeting_…@thread.v2` (groupChat), channelData.tenant.id and
// channelData.meeting.id, value payloads with Teams' PascalCase keys for meeting events.
import { randomUUID } from 'node:crypto';

export type Base = {
  serviceUrl: string;
  appId: string;
  conversationId: string;
  tenantId: string;
  /** Meeting id (channelData.meeting.id); optional for plain chat messages. */
  meetingId?: string;
  botName?: string;
};

export type User = { id: string; name: string; aadObjectId: string };

export type MeetingEventInput = Base & {
  meetingId: string;
  title?: string;
  joinUrl?: string;
  meetingType?: string;
  /** The user whose client raised the event (usually the organizer). */
  from?: User;
};

function envelope(input: Base, from: User | undefined, extra: Record<string, unknown>): Record<string, unknown> {
  const fromAccount = from
    ? { id: from.id, name: from.name, aadObjectId: from.aadObjectId }
    : { id: `29:${randomUUID()}`, aadObjectId: randomUUID() };
  return {
    id: `${Date.now()}${Math.floor(Math.random() * 1000)}`,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: input.serviceUrl,
    from: fromAccount,
    conversation: {
      isGroup: true,
      conversationType: 'groupChat',
      tenantId: input.tenantId,
      id: input.conversationId,
    },
    recipient: { id: `28:${input.appId}`, name: input.botName ?? 'Notetaker' },
    entities: [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Etc/UTC' }],
    channelData: {
      tenant: { id: input.tenantId },
      source: null,
      ...(input.meetingId ? { meeting: { id: input.meetingId } } : {}),
    },
    locale: 'en-US',
    ...extra,
  };
}

/** type 'event', name 'application/vnd.microsoft.meetingStart', value { Id, MeetingType, JoinUrl, Title, StartTime }. */
export function meetingStartActivity(input: MeetingEventInput & { startTime?: string }): Record<string, any> {
  return envelope(input, input.from, {
    type: 'event',
    name: 'application/vnd.microsoft.meetingStart',
    value: {
      Id: input.meetingId,
      MeetingType: input.meetingType ?? 'Scheduled',
      JoinUrl: input.joinUrl ?? defaultJoinUrl(input.conversationId),
      Title: input.title ?? 'Meeting',
      StartTime: input.startTime ?? new Date().toISOString(),
    },
  });
}

/** type 'event', name 'application/vnd.microsoft.meetingEnd', value { Id, MeetingType, JoinUrl, Title, EndTime }. */
export function meetingEndActivity(input: MeetingEventInput & { endTime?: string }): Record<string, any> {
  return envelope(input, input.from, {
    type: 'event',
    name: 'application/vnd.microsoft.meetingEnd',
    value: {
      Id: input.meetingId,
      MeetingType: input.meetingType ?? 'Scheduled',
      JoinUrl: input.joinUrl ?? defaultJoinUrl(input.conversationId),
      Title: input.title ?? 'Meeting',
      EndTime: input.endTime ?? new Date().toISOString(),
    },
  });
}

type ParticipantsInput = Base & { meetingId: string; members: (User & { role?: string })[] };

function participants(input: ParticipantsInput, name: string, inMeeting: boolean): Record<string, any> {
  return envelope(input, undefined, {
    type: 'event',
    name,
    value: {
      members: input.members.map((m) => ({
        user: { id: m.id, name: m.name, aadObjectId: m.aadObjectId, tenantId: input.tenantId, objectId: m.aadObjectId },
        meeting: { inMeeting, role: m.role ?? 'Attendee' },
      })),
    },
  });
}

/** 'application/vnd.microsoft.meetingParticipantJoin' (value.members[].user, .meeting.inMeeting = true). */
export function participantsJoinActivity(input: ParticipantsInput): Record<string, any> {
  return participants(input, 'application/vnd.microsoft.meetingParticipantJoin', true);
}

/** 'application/vnd.microsoft.meetingParticipantLeave' (value.members[].meeting.inMeeting = false). */
export function participantsLeaveActivity(input: ParticipantsInput): Record<string, any> {
  return participants(input, 'application/vnd.microsoft.meetingParticipantLeave', false);
}

/** A chat message; with `mentionBot` (default true) it starts with `<at>{botName}</at>` and carries the mention entity. */
export function messageActivity(input: Base & { from: User; text: string; mentionBot?: boolean; replyToId?: string }): Record<string, any> {
  const botName = input.botName ?? 'Notetaker';
  const mention = input.mentionBot ?? true;
  const atText = `<at>${botName}</at>`;
  const activity = envelope(input, input.from, {
    type: 'message',
    textFormat: 'plain',
    text: mention ? `${atText} ${input.text}` : input.text,
    ...(input.replyToId ? { replyToId: input.replyToId } : {}),
  });
  if (mention) {
    (activity.entities as unknown[]).unshift({
      type: 'mention',
      text: atText,
      mentioned: { id: `28:${input.appId}`, name: botName },
    });
  }
  return activity;
}

/** type 'invoke', name 'adaptiveCard/action', value { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' }. */
export function actionExecuteActivity(
  input: Base & { from: User; replyToId: string; verb: string; data: Record<string, unknown> },
): Record<string, any> {
  return envelope(input, input.from, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: input.replyToId,
    value: {
      action: { type: 'Action.Execute', id: randomUUID(), verb: input.verb, data: input.data },
      trigger: 'manual',
    },
  });
}

/** POST an activity to a bot endpoint the way the channel does. */
export async function postActivity(url: string, activity: object, token: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(activity) });
}

/** A Teams-looking meeting id (base64 of `0#{threadId}#0`, like channelData.meeting.id). */
export function teamsMeetingId(conversationId: string): string {
  return Buffer.from(`0#${conversationId}#0`).toString('base64');
}

function defaultJoinUrl(conversationId: string): string {
  return `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(conversationId)}/0?context=%7b%7d`;
}
