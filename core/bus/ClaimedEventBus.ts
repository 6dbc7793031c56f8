import type { EventBus, EventHandler, EventOf, MeetingEvent, MeetingEventType } from './EventBus.ts';
import type { Logger } from '../logger.ts';

/** Asks the deployment whether this instance may act for `key` (e.g. SET NX in Redis); true when it already holds it. */
export type Claim = (key: string, ttlMs: number) => Promise<boolean>;

export interface ClaimedEventBusOptions {
  /** What acts on the events (e.g. 'slack'): claims of different followers never collide. */
  scope: string;
  claim: Claim;
  /**
   * How long a claim lasts unless renewed (default 10 min). The holder renews
   * it as events keep coming; if the holder dies, another instance takes the
   * meeting over within this time.
   */
  ttlMs?: number;
  logger?: Logger;
}

const meetingIdOf = (e: MeetingEvent): string | null => ('meeting' in e ? e.meeting.id : 'meetingId' in e ? e.meetingId : null);

/**
 * With a shared bus every instance hears every event, so a follower that
 * posts to a platform (Slack subscriptions, live threads) would post once per
 * instance. This view of the bus hands each meeting's events to one instance
 * only: the first to claim the meeting keeps it, so the follower's per-meeting
 * state (which thread, which message to edit) stays in one process. Publishing
 * and events without a meeting pass through unchanged.
 */
export function claimedEventBus(bus: EventBus, options: ClaimedEventBusOptions): EventBus {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  // Asked again a third of the way into the claim (which renews ours), not per event: segment
  // and insight events must not each cost a round trip.
  const decisions = new Map<string, { at: number; answer: Promise<boolean> }>();
  const mine = (meetingId: string): Promise<boolean> => {
    const known = decisions.get(meetingId);
    if (known && Date.now() - known.at < ttlMs / 3) return known.answer;
    const answer = options.claim(`claim:${options.scope}:${meetingId}`, ttlMs).catch((err: unknown) => {
      // Unsure: acting twice (a repeated post) is better than a post nobody makes.
      options.logger?.warn({ err, meetingId, scope: options.scope }, 'claiming a meeting failed; handling it here');
      decisions.delete(meetingId);
      return true;
    });
    decisions.delete(meetingId);
    decisions.set(meetingId, { at: Date.now(), answer });
    if (decisions.size > 10_000) decisions.delete(decisions.keys().next().value!);
    return answer;
  };
  return {
    publish: (event) => bus.publish(event),
    close: () => bus.close(),
    subscribe<T extends MeetingEventType>(type: T | '*', handler: EventHandler<EventOf<T>>): () => void {
      return bus.subscribe(type, (event) => {
        const id = meetingIdOf(event);
        if (id === null) return handler(event);
        // Detached: the publisher (the ingest path, whose acknowledgement waits for it) must not wait
        // on a claim round trip. Events of one meeting still reach the handler in order: they queue on
        // the same answer.
        void mine(id).then((ok) => (ok ? handler(event) : undefined)).catch((err: unknown) => options.logger?.error({ err, eventType: event.type }, 'event handler failed'));
      });
    },
  };
}
