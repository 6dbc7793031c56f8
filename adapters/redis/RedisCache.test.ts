import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisCache } from './RedisCache.ts';

// Needs the Redis that `npm test` starts (scripts/services.sh), like the Postgres suites.
describe('RedisCache', () => {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
  const prefix = `test:${randomUUID()}:`;
  let client: Redis;
  let cache: RedisCache;
  before(() => {
    client = new Redis(url);
    cache = new RedisCache({ client, prefix });
  });
  after(() => client.quit());

  it('stores under its prefix with a per-entry TTL, and deletes', async () => {
    await cache.set('k', 'value', 60_000);
    expect(await cache.get('k')).to.equal('value');
    const ttl = await client.pttl(`${prefix}k`);
    expect(ttl).to.be.within(1, 60_000);
    await cache.delete('k');
    expect(await cache.get('k')).to.equal(undefined);
    await cache.set('never', 'x', 0);
    expect(await cache.get('never')).to.equal(undefined);
  });
});
