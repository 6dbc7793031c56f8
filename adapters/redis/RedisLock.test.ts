import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '../../core/logger.ts';
import { Scheduler } from '../../core/schedule/Scheduler.ts';
import { countingTask } from '../../core/schedule/testing/fixtures.ts';
import { until } from '../../test/support/core.ts';
import { RedisLock } from './RedisLock.ts';

// Needs the Redis that `npm test` starts (scripts/services.sh); a fresh key prefix per run.
describe('RedisLock', () => {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
  const prefix = `test:lock:${randomUUID()}:`;
  const logger = createLogger({ level: 'silent' });
  let clients: Redis[];
  let a: RedisLock;
  let b: RedisLock;
  before(() => {
    clients = [new Redis(url), new Redis(url)];
    a = new RedisLock({ client: clients[0]!, prefix, logger });
    b = new RedisLock({ client: clients[1]!, prefix, logger });
  });
  after(async () => {
    const keys = await clients[0]!.keys(`${prefix}*`);
    if (keys.length) await clients[0]!.del(...keys);
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('lets exactly one of two racing instances acquire a key, with its TTL', async () => {
    const won = await Promise.all([a.acquire('race', 60_000), b.acquire('race', 60_000), a.acquire('race', 60_000), b.acquire('race', 60_000)]);
    expect(won.filter(Boolean)).to.have.length(1);
    const ttl = await clients[0]!.pttl(`${prefix}race`);
    expect(ttl).to.be.within(1, 60_000);
  });

  it('lets another instance acquire the key once its TTL ran out', async () => {
    expect(await a.acquire('short', 50)).to.equal(true);
    expect(await b.acquire('short', 50)).to.equal(false);
    await until(() => b.acquire('short', 60_000), 'the key to expire');
  });

  it('runs a scheduled tick once across two schedulers on two connections', async () => {
    const task = countingTask();
    const at = new Date('2031-12-10T09:00:00.000Z');
    const one = new Scheduler({ tasks: [task], lock: a, logger });
    const two = new Scheduler({ tasks: [task], lock: b, logger });
    const results = await Promise.all([one.tick('count', at), two.tick('count', at), two.tick('count', at)]);
    expect(results.filter((r) => r.ran)).to.have.length(1);
    expect(task.runs).to.have.length(1);
  });

  it('answers "not acquired" when Redis is unreachable', async () => {
    const down = new RedisLock({ url: 'redis://127.0.0.1:1', prefix, logger });
    try {
      expect(await down.acquire('k', 1000)).to.equal(false);
    } finally {
      await down.close();
    }
  });
});
