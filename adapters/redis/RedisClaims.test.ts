import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { claimedEventBus } from '../../core/bus/ClaimedEventBus.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { createLogger } from '../../core/logger.ts';
import type { Meeting } from '../../core/types.ts';
import { createRedisClaims } from './RedisClaims.ts';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const meeting = (id: string) => ({ id, platform: 'slack', organizationId: 'o', title: 't', status: 'completed', externalIds: {} }) as unknown as Meeting;

describe('Redis claims and the claimed event bus', () => {
  const prefix = `test:${randomUUID()}:`;
  const a = createRedisClaims({ url, prefix });
  const b = createRedisClaims({ url, prefix });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('gives a key to the first instance only, which keeps it until it expires', async () => {
    const results = await Promise.all([a.claim('k1', 60_000), b.claim('k1', 60_000)]);
    expect(results.filter(Boolean)).to.have.length(1);
    const winner = results[0] ? a : b;
    const loser = results[0] ? b : a;
    expect(await winner.claim('k1', 60_000)).to.equal(true);
    expect(await loser.claim('k1', 60_000)).to.equal(false);
    expect(await loser.claim('short', 30)).to.equal(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(await winner.claim('short', 30)).to.equal(true);
  });

  it('hands each meeting’s events to one of two instances sharing one bus', async () => {
    const logger = createLogger({ level: 'silent' });
    const shared = new InProcessEventBus(logger); // stands in for Redis pub/sub: every instance hears every event
    const seen: Record<string, string[]> = { a: [], b: [] };
    // Same scope for both views, so they compete for the same meetings.
    const scope = `s${randomUUID()}`;
    const va = claimedEventBus(shared, { scope, claim: a.claim });
    const vb = claimedEventBus(shared, { scope, claim: b.claim });
    va.subscribe('minutes.ready', (e) => void seen.a!.push(e.meeting.id));
    vb.subscribe('minutes.ready', (e) => void seen.b!.push(e.meeting.id));
    va.subscribe('meeting.ended', (e) => void seen.a!.push(`ended:${e.meeting.id}`));
    vb.subscribe('meeting.ended', (e) => void seen.b!.push(`ended:${e.meeting.id}`));
    for (const id of ['m1', 'm2', 'm3', 'm4']) {
      await shared.publish({ type: 'meeting.ended', meeting: meeting(id) });
      await shared.publish({ type: 'minutes.ready', meeting: meeting(id), minutes: {} as never });
    }
    await new Promise((r) => setTimeout(r, 50));
    const all = [...seen.a!, ...seen.b!].sort();
    expect(all).to.deep.equal(['ended:m1', 'ended:m2', 'ended:m3', 'ended:m4', 'm1', 'm2', 'm3', 'm4']);
    // The instance that took a meeting's first event took all of it.
    for (const id of ['m1', 'm2', 'm3', 'm4']) {
      const holder = seen.a!.includes(id) ? seen.a! : seen.b!;
      expect(holder).to.include(`ended:${id}`);
    }
  });

  it('handles the event locally when Redis cannot be asked (a repeated post beats a lost one)', async () => {
    const logger = createLogger({ level: 'silent' });
    const bus = new InProcessEventBus(logger);
    const view = claimedEventBus(bus, { scope: 'down', claim: () => Promise.reject(new Error('connection refused')) });
    const seen: string[] = [];
    view.subscribe('minutes.ready', (e) => void seen.push(e.meeting.id));
    await bus.publish({ type: 'minutes.ready', meeting: meeting('m9'), minutes: {} as never });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).to.deep.equal(['m9']);
  });
});
