import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { RedisEventBus } from '../adapters/redis/RedisEventBus.ts';
import { sampleActionItem, sampleSegment } from '../core/bus/eventBus.contract.ts';
import { createLogger } from '../core/logger.ts';
import { as, connectViewer, startLive, type Running, type TestViewer } from '../dashboard/live/testing.ts';

// The live channel across server instances: each with its own RedisEventBus on one Redis (the one `npm test` starts).
// Lives in test/ because dashboard/ may not import an adapter (test/boundaries.test.ts).
describe('live collaboration across instances (RedisEventBus)', () => {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
  const channel = `test:${randomUUID()}:events`;
  const logger = createLogger({ level: 'silent' });
  let buses: RedisEventBus[];
  let servers: Running[];
  const viewers: TestViewer[] = [];

  beforeEach(async () => {
    buses = [new RedisEventBus({ url, channel, logger }), new RedisEventBus({ url, channel, logger })];
    await Promise.all(buses.map((b) => b.ready()));
    servers = await Promise.all(buses.map((bus) => startLive(bus)));
  });
  afterEach(async () => {
    await Promise.all(viewers.splice(0).map((v) => v.close()));
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(buses.map((b) => b.close()));
  });

  it('an edit published on instance A reaches viewers on A and on B, and not a viewer of another meeting', async () => {
    const [a, b] = servers as [Running, Running];
    const onA = await connectViewer(a.url('m-1'), as('alice'));
    const onB = await connectViewer(b.url('m-1'), as('bob'));
    const otherOnB = await connectViewer(b.url('m-2'), as('carol'));
    viewers.push(onA, onB, otherOnB);

    await buses[0]!.publish({ type: 'action_item.updated', meetingId: 'm-1', actionItem: { ...sampleActionItem('a-1'), status: 'in_progress' } });
    await buses[0]!.publish({ type: 'segment.added', meetingId: 'm-2', segments: [sampleSegment(3, 'm-2')] });
    for (const v of [onA, onB]) {
      const m = await v.next((x) => x.type === 'action_item.updated');
      expect(m).to.have.nested.property('actionItem.status', 'in_progress');
    }
    await otherOnB.next((x) => x.type === 'segment.added');
    expect(otherOnB.messages.map((x) => x.type).filter((t) => t !== 'presence')).to.deep.equal(['segment.added']);
  });
});
