import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import type { EventBus, MeetingEvent } from '../../core/bus/EventBus.ts';
import { eventBusContract, sampleActionItem, sampleMeeting } from '../../core/bus/eventBus.contract.ts';
import { createLogger } from '../../core/logger.ts';
import { RedisEventBus } from './RedisEventBus.ts';

// Needs the Redis that `npm test` starts (scripts/services.sh). Pub/sub ignores the db number,
// so each run (and each case) gets its own channel.
const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const runPrefix = `test:${randomUUID()}`;
let channels = 0;
const nextChannel = () => `${runPrefix}:events:${++channels}`;
const silent = createLogger({ level: 'silent' });

async function bus(channel: string, options: { url?: string } = {}): Promise<RedisEventBus> {
  const b = new RedisEventBus({ url: options.url ?? url, channel, logger: silent });
  if (!options.url) await b.ready();
  return b;
}

/** Resolves with the first event `matches` accepts, seen by `on`. */
function nextEvent(on: EventBus, matches: (e: MeetingEvent) => boolean, timeoutMs = 5_000): Promise<MeetingEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error('event not delivered')); }, timeoutMs);
    const off = on.subscribe('*', (e) => {
      if (!matches(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

const updated = (id: string): MeetingEvent => ({ type: 'action_item.updated', meetingId: 'm-1', actionItem: sampleActionItem(id) });
const isItem = (id: string) => (e: MeetingEvent) => e.type === 'action_item.updated' && e.actionItem.id === id;

eventBusContract('RedisEventBus', () => bus(nextChannel()), {
  pair: async () => {
    const channel = nextChannel();
    const [publisher, subscriber] = await Promise.all([bus(channel), bus(channel)]);
    return { publisher, subscriber };
  },
});

describe('RedisEventBus', () => {
  const open: RedisEventBus[] = [];
  let admin: Redis;
  before(() => { admin = new Redis(url); });
  after(() => admin.quit());
  afterEach(async () => { await Promise.all(open.splice(0).map((b) => b.close())); });
  const track = (b: RedisEventBus) => (open.push(b), b);

  it("two instances see each other's events, and their own exactly once", async () => {
    const channel = nextChannel();
    const a = track(await bus(channel));
    const b = track(await bus(channel));
    const seenByA: MeetingEvent[] = [];
    a.subscribe('*', (e) => { seenByA.push(e); });
    const atB = nextEvent(b, isItem('from-a'));
    await a.publish(updated('from-a'));
    const got = await atB;
    expect(got.type === 'action_item.updated' && got.actionItem.updatedAt).to.be.instanceOf(Date);
    const atA = nextEvent(a, isItem('from-b'));
    await b.publish(updated('from-b'));
    await atA;
    expect(seenByA.map((e) => e.type === 'action_item.updated' && e.actionItem.id)).to.deep.equal(['from-a', 'from-b']);
  });

  it('ignores malformed messages on its channel and keeps going', async () => {
    const channel = nextChannel();
    const a = track(await bus(channel));
    const b = track(await bus(channel));
    await admin.publish(channel, 'not json');
    await admin.publish(channel, JSON.stringify({ v: 1, origin: 'x', event: null }));
    const atB = nextEvent(b, isItem('after-garbage'));
    await a.publish(updated('after-garbage'));
    await atB;
  });

  it('publishing with Redis unreachable still delivers locally, does not throw, and logs the outage', async () => {
    const lines: string[] = [];
    const destination = new PassThrough().on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const down = track(new RedisEventBus({
      url: 'redis://127.0.0.1:1', channel: nextChannel(), logger: createLogger({ level: 'warn', destination }),
      redisOptions: { retryStrategy: () => 200, connectTimeout: 500 },
    }));
    const local = nextEvent(down, isItem('offline'));
    await down.publish(updated('offline'));
    await local;
    await down.publish({ type: 'meeting.ended', meeting: sampleMeeting('m-1') });
    for (let i = 0; i < 40 && !lines.some((l) => l.includes('redis unavailable')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(lines.join('')).to.contain('redis unavailable');
  });

  it('resumes cross-instance delivery after its connections are dropped (reconnect + resubscribe)', async () => {
    const channel = nextChannel();
    const name = `${channel}:instance-a`;
    const a = track(new RedisEventBus({ url, channel, logger: silent, redisOptions: { retryStrategy: () => 50, connectionName: name } }));
    await a.ready();
    const b = track(await bus(channel));
    const list = await admin.client('LIST') as string;
    const aIds = list.split('\n').filter((l) => l.includes(` name=${name} `)).map((l) => /\bid=(\d+)/.exec(l)![1]!);
    expect(aIds).to.have.length(2); // pub + sub
    for (const id of aIds) await admin.client('KILL', 'ID', id);

    // Until a has resubscribed, b's events are lost for a; keep publishing until one gets through.
    let n = 0;
    const atA = nextEvent(a, (e) => e.type === 'action_item.updated' && e.actionItem.id.startsWith('retry-'), 10_000);
    const pump = setInterval(() => { void b.publish(updated(`retry-${++n}`)); }, 50);
    try { await atA; } finally { clearInterval(pump); }
    const atB = nextEvent(b, (e) => e.type === 'action_item.updated' && e.actionItem.id.startsWith('a-retry-'), 10_000);
    let m = 0;
    const pumpA = setInterval(() => { void a.publish(updated(`a-retry-${++m}`)); }, 50);
    try { await atB; } finally { clearInterval(pumpA); }
  });
});
