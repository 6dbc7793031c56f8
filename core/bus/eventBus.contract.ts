import { expect } from 'chai';
import type { ActionItem, Meeting, Segment } from '../types.ts';
import type { EventBus, MeetingEvent } from './EventBus.ts';

/**
 * The behaviour every EventBus owes its subscribers, as a mocha suite. Run it
 * from an implementation's test file:
 *
 *   eventBusContract('InProcessEventBus', () => new InProcessEventBus());
 *
 * With `pair`, every case runs a second time with the publisher and the
 * subscriber on different instances (two processes' buses on one Redis),
 * where delivery is asynchronous: a case publishes a sentinel and waits for
 * it, and per-publisher ordering says nothing earlier is still on its way.
 */
export interface BusPair {
  publisher: EventBus;
  subscriber: EventBus;
}

export interface EventBusContractOptions {
  pair?: () => Promise<BusPair>;
  /** How long to wait for an event to arrive (ms). */
  timeoutMs?: number;
}

export function sampleMeeting(id: string, overrides: Partial<Meeting> = {}): Meeting {
  return {
    id, organizationId: 'org-1', platform: 'web', externalIds: { channel: 'c1' },
    title: '2026-01-02T03:04:05.000Z is only text', status: 'in_progress',
    scheduledAt: null, startedAt: new Date('2026-03-01T10:00:00.000Z'), endedAt: null, purgedAt: null,
    settings: { nested: { at: '2026-03-01' } },
    createdAt: new Date('2026-03-01T09:00:00.000Z'), updatedAt: new Date('2026-03-01T10:00:00.123Z'),
    ...overrides,
  };
}

export function sampleSegment(id: number, meetingId = 'm-1'): Segment {
  return { id, meetingId, attendeeId: null, speaker: 'Alice', startMs: id * 1000, endMs: id * 1000 + 900, text: `line ${id}`, confidence: null, source: 'test', sourceSeq: id, language: null };
}

export function sampleActionItem(id: string, meetingId = 'm-1'): ActionItem {
  return {
    id, meetingId, description: 'Fix the crash', ownerAttendeeId: null, ownerUserId: null, ownerName: 'Bob',
    dueDate: '2026-03-06', status: 'completed', priority: 'high', confidence: null, evidenceSegmentIds: [1, 2], source: 'manual',
    createdAt: new Date('2026-03-01T09:00:00.000Z'), updatedAt: new Date('2026-03-02T09:00:00.000Z'),
  };
}

const segmentEvent = (n: number): MeetingEvent => ({ type: 'segment.added', meetingId: 'm-1', segments: [sampleSegment(n)] });
const isSentinel = (e: MeetingEvent) => e.type === 'meeting.cancelled' && e.meeting.id === 'contract-sentinel';

export function eventBusContract(name: string, factory: () => EventBus | Promise<EventBus>, options: EventBusContractOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const modes: [string, () => Promise<BusPair>][] = [
    ['one instance', async () => { const bus = await factory(); return { publisher: bus, subscriber: bus }; }],
  ];
  if (options.pair) modes.push(['across instances', options.pair]);

  describe(`EventBus contract: ${name}`, () => {
    for (const [mode, make] of modes) {
      describe(mode, () => {
        let publisher: EventBus;
        let subscriber: EventBus;
        let sentinels = 0;

        beforeEach(async () => {
          ({ publisher, subscriber } = await make());
        });
        afterEach(async () => {
          await Promise.all([...new Set([publisher, subscriber])].map((bus) => bus.close()));
        });

        /** Everything the publisher sent before this call has reached the subscriber's handlers. */
        async function settle(): Promise<void> {
          const reason = `sentinel-${++sentinels}`;
          let off = () => {};
          let timer: NodeJS.Timeout | undefined;
          const seen = new Promise<void>((resolve, reject) => {
            off = subscriber.subscribe('meeting.cancelled', (e) => { if (e.reason === reason) resolve(); });
            timer = setTimeout(() => reject(new Error(`${name} (${mode}): sentinel not delivered within ${timeoutMs} ms`)), timeoutMs);
          });
          try {
            await publisher.publish({ type: 'meeting.cancelled', meeting: sampleMeeting('contract-sentinel'), reason });
            await seen;
          } finally {
            off();
            clearTimeout(timer);
          }
        }

        function collect(type: MeetingEvent['type'] | '*') {
          const events: MeetingEvent[] = [];
          const off = subscriber.subscribe(type, (e: MeetingEvent) => { if (!isSentinel(e)) events.push(e); });
          return { events, off };
        }

        it('delivers an event to the subscribers of its type and of *, not to other types', async () => {
          const segments = collect('segment.added');
          const actions = collect('action_item.updated');
          const all = collect('*');
          const event = segmentEvent(1);
          await publisher.publish(event);
          await settle();
          expect(segments.events).to.deep.equal([event]);
          expect(actions.events).to.deep.equal([]);
          expect(all.events).to.deep.equal([event]);
        });

        it('stops delivering to a handler once it unsubscribes', async () => {
          const one = collect('segment.added');
          const all = collect('*');
          await publisher.publish(segmentEvent(1));
          await settle();
          one.off();
          all.off();
          await publisher.publish(segmentEvent(2));
          await settle();
          expect(one.events.map((e) => e.type === 'segment.added' && e.segments[0]!.id)).to.deep.equal([1]);
          expect(all.events).to.have.length(1);
        });

        it('isolates failing handlers: publish does not throw and the others still run', async () => {
          for (const bus of new Set([publisher, subscriber])) {
            bus.subscribe('segment.added', () => { throw new Error('sync failure'); });
            bus.subscribe('*', async () => { throw new Error('async failure'); });
          }
          const good = collect('segment.added');
          await publisher.publish(segmentEvent(1));
          await publisher.publish(segmentEvent(2));
          await settle();
          expect(good.events).to.have.length(2);
        });

        it("keeps one publisher's order, awaited or not", async () => {
          const got = collect('segment.added');
          for (let i = 0; i < 30; i++) await publisher.publish(segmentEvent(i));
          await Promise.all(Array.from({ length: 30 }, (_, i) => publisher.publish(segmentEvent(30 + i))));
          await settle();
          const ids = got.events.map((e) => (e.type === 'segment.added' ? e.segments[0]!.id : -1));
          expect(ids).to.deep.equal(Array.from({ length: 60 }, (_, i) => i));
        });

        it('hands subscribers Date objects for Date fields, and leaves date-like text alone', async () => {
          const got = collect('*');
          const created: MeetingEvent = { type: 'meeting.created', meeting: sampleMeeting('m-dates', { scheduledAt: new Date('2026-02-28T23:59:59.999Z') }) };
          const updated: MeetingEvent = { type: 'action_item.updated', meetingId: 'm-dates', actionItem: sampleActionItem('a-1', 'm-dates') };
          await publisher.publish(created);
          await publisher.publish(updated);
          await settle();
          expect(got.events).to.deep.equal([created, updated]);
          const [meetingEvent, actionEvent] = got.events;
          if (meetingEvent?.type !== 'meeting.created' || actionEvent?.type !== 'action_item.updated') throw new Error('wrong events');
          expect(meetingEvent.meeting.createdAt).to.be.instanceOf(Date);
          expect(meetingEvent.meeting.scheduledAt).to.be.instanceOf(Date);
          expect(meetingEvent.meeting.startedAt!.getTime()).to.equal(Date.parse('2026-03-01T10:00:00.000Z'));
          expect(meetingEvent.meeting.endedAt).to.equal(null);
          expect(meetingEvent.meeting.title).to.be.a('string');
          expect(actionEvent.actionItem.updatedAt).to.be.instanceOf(Date);
          expect(actionEvent.actionItem.dueDate).to.equal('2026-03-06');
        });
      });
    }
  });
}
