import { expect } from 'chai';
import { InProcessCache } from './InProcessCache.ts';

describe('InProcessCache', () => {
  it('returns what was set until its TTL passes', async () => {
    let now = 1000;
    const cache = new InProcessCache({ now: () => now });
    await cache.set('k', 'v', 60 * 60_000);
    expect(await cache.get('k')).to.equal('v');
    now += 60 * 60_000 - 1;
    expect(await cache.get('k')).to.equal('v');
    now += 2;
    expect(await cache.get('k')).to.equal(undefined);
  });

  it('evicts the least recently used entry beyond its size', async () => {
    const cache = new InProcessCache({ maxEntries: 2 });
    await cache.set('a', '1', 1000);
    await cache.set('b', '2', 1000);
    await cache.get('a');
    await cache.set('c', '3', 1000);
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).to.deep.equal(['1', undefined, '3']);
    await cache.delete('a');
    expect(await cache.get('a')).to.equal(undefined);
  });
});
