import { expect } from 'chai';
import type { MeetingEvent } from '../../core/bus/EventBus.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { sampleActionItem, sampleMeeting, sampleSegment } from '../../core/bus/eventBus.contract.ts';
import { as, connectViewer, stalledViewer, startLive, upgradeStatus, type Running, type TestViewer } from './testing.ts';

const presenceOf = (m: { type: string }) => m.type === 'presence';
const viewersIn = (m: unknown) => (m as { viewers: { id: string }[] }).viewers.map((v) => v.id).sort();

describe('live collaboration channel', () => {
  let bus: InProcessEventBus;
  let running: Running;
  const viewers: TestViewer[] = [];
  const connect = async (meetingId: string, user: string) => {
    const v = await connectViewer(running.url(meetingId), as(user));
    viewers.push(v);
    return v;
  };

  beforeEach(async () => {
    bus = new InProcessEventBus();
    running = await startLive(bus);
  });
  afterEach(async () => {
    await Promise.all(viewers.splice(0).map((v) => v.close()));
    await running.close();
  });

  it('answers 401 without a signed-in user, 404 for another organization or an unknown meeting', async () => {
    expect(await upgradeStatus(running.url('m-1'))).to.equal(401);
    expect(await upgradeStatus(running.url('m-1'), as('nobody'))).to.equal(401);
    expect(await upgradeStatus(running.url('m-b'), as('alice'))).to.equal(404);
    expect(await upgradeStatus(running.url('m-1'), as('mallory'))).to.equal(404);
    expect(await upgradeStatus(running.url('no-such-meeting'), as('alice'))).to.equal(404);
    expect(await upgradeStatus(running.url('m-1').replace('/ws/meetings/m-1', '/ws/elsewhere'), as('alice'))).to.equal(404);
    expect(running.live.stats()).to.deep.equal({ connections: 0, meetings: 0 });
  });

  it('refuses a browser page from another origin (403) and accepts its own host', async () => {
    const url = running.url('m-1');
    expect(await upgradeStatus(url, { ...as('alice'), origin: 'https://evil.example' })).to.equal(403);
    expect(await upgradeStatus(url, { ...as('alice'), origin: `http://${new URL(url).host}` })).to.equal(101);
  });

  it("sends a meeting's new segments and action-item edits to all its viewers, and to no other meeting's", async () => {
    const alice = await connect('m-1', 'alice');
    const bob = await connect('m-1', 'bob');
    const carol = await connect('m-2', 'carol');
    expect(running.live.stats()).to.deep.equal({ connections: 3, meetings: 2 });

    await bus.publish({ type: 'segment.added', meetingId: 'm-1', segments: [sampleSegment(7)] });
    await bus.publish({ type: 'action_item.updated', meetingId: 'm-1', actionItem: sampleActionItem('a-1') });
    await bus.publish({ type: 'meeting.started', meeting: sampleMeeting('m-1') }); // not part of the protocol
    await bus.publish({ type: 'meeting.ended', meeting: sampleMeeting('m-2') });

    for (const v of [alice, bob]) {
      expect(await v.next((m) => m.type === 'segment.added')).to.deep.equal({
        type: 'segment.added', segments: [{ id: 7, speaker: 'Alice', startMs: 7000, endMs: 7900, text: 'line 7' }],
      });
      expect(await v.next((m) => m.type === 'action_item.updated')).to.deep.equal({
        type: 'action_item.updated',
        actionItem: { id: 'a-1', meetingId: 'm-1', status: 'completed', priority: 'high', ownerName: 'Bob', dueDate: '2026-03-06', description: 'Fix the crash' },
      });
    }
    // m-2's event was published last: once carol has it, anything meant for m-1 would have come first.
    await carol.next((m) => m.type === 'meeting.ended');
    expect(carol.messages.map((m) => m.type).filter((t) => t !== 'presence')).to.deep.equal(['meeting.ended']);
  });

  it('maps insights and attendee updates to their wire shape', async () => {
    const alice = await connect('m-1', 'alice');
    const events: MeetingEvent[] = [
      {
        type: 'insight.added', meetingId: 'm-1',
        insight: { kind: 'action_item', key: 'k', text: 'Bob fixes the crash', ownerName: 'Bob', confidence: 0.9, evidenceSegmentIds: [7] },
        evidence: [{ id: 7, speaker: 'Bob', startMs: 7000, endMs: 7900, text: "I'll fix the crash" }],
      },
      { type: 'attendee.updated', meetingId: 'm-1', attendee: { id: 'at-1', meetingId: 'm-1', userId: 'u', displayName: 'Bob', consent: 'granted', talkTimeMs: 1234 } },
      { type: 'meeting.ended', meeting: sampleMeeting('m-1') },
    ];
    for (const e of events) await bus.publish(e);
    expect(await alice.next((m) => m.type === 'insight.added')).to.deep.equal({
      type: 'insight.added',
      insight: { kind: 'action_item', text: 'Bob fixes the crash', ownerName: 'Bob', dueDate: null, evidenceSegmentIds: [7] },
      evidence: [{ id: 7, speaker: 'Bob', startMs: 7000, text: "I'll fix the crash" }],
    });
    expect(await alice.next((m) => m.type === 'attendee.updated')).to.deep.equal({
      type: 'attendee.updated', attendee: { displayName: 'Bob', consent: 'granted', talkTimeMs: 1234 },
    });
    expect(await alice.next((m) => m.type === 'meeting.ended')).to.deep.equal({ type: 'meeting.ended' });
  });

  it('tells every viewer who is viewing, and again when someone leaves', async () => {
    const alice = await connect('m-1', 'alice');
    const bob = await connect('m-1', 'bob');
    await connect('m-1', 'bob'); // a second tab counts once
    const both = (m: { type: string }) => presenceOf(m) && viewersIn(m).length === 2;
    for (const v of [alice, bob]) {
      const m = await v.next(both);
      expect(m).to.deep.include({ count: 2 });
      expect((m as { viewers: unknown }).viewers).to.have.deep.members([{ id: 'alice', name: 'Alice' }, { id: 'bob', name: 'Bob' }]);
    }
    await alice.close();
    expect(viewersIn(await bob.next((m) => presenceOf(m) && viewersIn(m).length === 1))).to.deep.equal(['bob']);
  });

  it('answers pings, ignores other client messages and closes a socket that sends too much', async () => {
    const alice = await connect('m-1', 'alice');
    alice.ws.send('not json');
    alice.ws.send(JSON.stringify({ type: 'subscribe', meetingId: 'm-b' }));
    alice.ws.send(Buffer.from([1, 2, 3]));
    alice.ws.send(JSON.stringify({ type: 'ping' }));
    expect(await alice.next((m) => m.type !== 'presence')).to.deep.equal({ type: 'pong' });
    alice.ws.send('x'.repeat(10_000));
    expect(await alice.closed).to.equal(1009);
  });

  it('drops a slow consumer and keeps serving the others', async () => {
    await running.close();
    running = await startLive(bus, { maxBufferedBytes: 64 * 1024 });
    const slow = await stalledViewer(running.url('m-1'), as('alice')); // never reads: the server's send buffer for it grows
    const fine = await connect('m-1', 'bob');
    const big = { ...sampleSegment(1), text: 'x'.repeat(256 * 1024) };
    // Bounded by time, not iterations: on a loaded machine the socket buffer fills more slowly.
    for (const deadline = Date.now() + 15_000; Date.now() < deadline && running.live.stats().connections === 2;) {
      await bus.publish({ type: 'segment.added', meetingId: 'm-1', segments: [big] });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(running.live.stats().connections).to.equal(1);
    await bus.publish({ type: 'meeting.ended', meeting: sampleMeeting('m-1') });
    await fine.next((m) => m.type === 'meeting.ended', 20_000);
    slow.destroy();
  });

  it('drops a socket that stops answering heartbeats', async () => {
    await running.close();
    running = await startLive(bus, { heartbeatMs: 30 });
    const dead = await connect('m-1', 'alice');
    dead.ws.pause(); // reads no pings, so sends no pongs
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => { if (running.live.stats().connections === 0) { clearInterval(poll); resolve(); } }, 10);
    });
    dead.ws.terminate();
  });

  it('closes its sockets with 1001 and takes no new ones on close()', async () => {
    const alice = await connect('m-1', 'alice');
    await running.live.close();
    expect(await alice.closed).to.equal(1001);
    expect(running.live.stats()).to.deep.equal({ connections: 0, meetings: 0 });
  });
});
