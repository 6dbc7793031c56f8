import type { Insight, Minutes } from '../minutes/types.ts';
import type { ActionItem, Attendee, Meeting, Segment } from '../types.ts';

/** Everything the core announces about a meeting; adapters and the dashboard follow these. */
export type MeetingEvent =
  | { type: 'meeting.created'; meeting: Meeting }
  | { type: 'meeting.started'; meeting: Meeting }
  | { type: 'meeting.ended'; meeting: Meeting }
  | { type: 'meeting.cancelled'; meeting: Meeting; reason?: string }
  | { type: 'segment.added'; meetingId: string; segments: Segment[] }
  | { type: 'attendee.updated'; meetingId: string; attendee: Attendee }
  | { type: 'transcript.imported'; meeting: Meeting; segmentCount: number }
  | { type: 'minutes.ready'; meeting: Meeting; minutes: Minutes }
  /** The live copilot noticed something; `evidence` holds the segments it cites, so a renderer needs no read. */
  | { type: 'insight.added'; meetingId: string; insight: Insight; evidence: Pick<Segment, 'id' | 'speaker' | 'startMs' | 'endMs' | 'text'>[] }
  | { type: 'action_item.updated'; meetingId: string; actionItem: ActionItem };

export type MeetingEventType = MeetingEvent['type'];
export type EventOf<T extends MeetingEventType> = Extract<MeetingEvent, { type: T }>;
export type EventHandler<E extends MeetingEvent = MeetingEvent> = (event: E) => void | Promise<void>;

/**
 * Publish/subscribe of meeting events. The in-process bus serves one process;
 * a Redis implementation fans events out across instances behind the same interface.
 */
export interface EventBus {
  publish(event: MeetingEvent): Promise<void>;
  subscribe<T extends MeetingEventType>(type: T | '*', handler: EventHandler<EventOf<T>>): () => void;
  close(): Promise<void>;
}
