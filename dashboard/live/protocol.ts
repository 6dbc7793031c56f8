import type { MeetingEvent } from '../../core/bus/EventBus.ts';
import type { ActionStatus, Consent, Priority } from '../../core/types.ts';
import type { InsightKind } from '../../core/minutes/types.ts';

/**
 * What the live channel `/ws/meetings/:id` sends (server → client, JSON text
 * frames). Only the fields a viewer renders travel: no attendee/user ids,
 * sources or confidences.
 */
export type LiveMessage =
  | { type: 'segment.added'; segments: { id: number; speaker: string; startMs: number; endMs: number; text: string }[] }
  | {
      type: 'insight.added';
      insight: { kind: InsightKind; text: string; ownerName: string | null; dueDate: string | null; evidenceSegmentIds: number[] };
      evidence: { id: number; speaker: string; startMs: number; text: string }[];
    }
  | {
      type: 'action_item.updated';
      actionItem: { id: string; meetingId: string; status: ActionStatus; priority: Priority; ownerName: string | null; dueDate: string | null; description: string };
    }
  | { type: 'attendee.updated'; attendee: { displayName: string; consent: Consent; talkTimeMs: number } }
  /** Who is viewing, one entry per user (several tabs count once); at most PRESENCE_LIST_MAX listed, `count` is the total. */
  | { type: 'presence'; viewers: { id: string; name: string }[]; count: number }
  | { type: 'meeting.ended' }
  /** The answer to a client's `{type:'ping'}`. */
  | { type: 'pong' };

/** Client → server: only this; anything else is ignored. */
export type LiveClientMessage = { type: 'ping' };

export const PRESENCE_LIST_MAX = 100;

/** The meeting an event concerns and the message its viewers get, or null for events the live view does not show. */
export function toLiveMessage(event: MeetingEvent): { meetingId: string; message: LiveMessage } | null {
  switch (event.type) {
    case 'segment.added':
      return {
        meetingId: event.meetingId,
        message: { type: 'segment.added', segments: event.segments.map(({ id, speaker, startMs, endMs, text }) => ({ id, speaker, startMs, endMs, text })) },
      };
    case 'insight.added': {
      const { kind, text, ownerName, dueDate, evidenceSegmentIds } = event.insight;
      return {
        meetingId: event.meetingId,
        message: {
          type: 'insight.added',
          insight: { kind, text, ownerName: ownerName ?? null, dueDate: dueDate ?? null, evidenceSegmentIds },
          evidence: event.evidence.map(({ id, speaker, startMs, text: line }) => ({ id, speaker, startMs, text: line })),
        },
      };
    }
    case 'action_item.updated': {
      const { id, meetingId, status, priority, ownerName, dueDate, description } = event.actionItem;
      return { meetingId: event.meetingId, message: { type: 'action_item.updated', actionItem: { id, meetingId, status, priority, ownerName, dueDate, description } } };
    }
    case 'attendee.updated': {
      const { displayName, consent, talkTimeMs } = event.attendee;
      return { meetingId: event.meetingId, message: { type: 'attendee.updated', attendee: { displayName, consent, talkTimeMs } } };
    }
    case 'meeting.ended':
      return { meetingId: event.meeting.id, message: { type: 'meeting.ended' } };
    default:
      return null;
  }
}
