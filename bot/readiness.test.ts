import { expect } from 'chai';
import type { DiscordAdapter } from '../adapters/discord/index.ts';
import type { Container } from './container.ts';
import { readinessChecks } from './readiness.ts';

const container = (overrides: Partial<Container['config']> = {}) =>
  ({ config: { REDIS_URL: undefined, ...overrides }, db: { ping: async () => undefined }, jobs: { ping: async () => undefined } }) as unknown as Container;

const run = async (checks: Record<string, () => Promise<void>>) =>
  Object.fromEntries(await Promise.all(Object.entries(checks).map(async ([k, f]) => [k, await f().then(() => 'ok', (e: Error) => e.message)])));

describe('readinessChecks', () => {
  it('checks the database and the queue, and an adapter only where it runs', async () => {
    const ready = readinessChecks(container());
    expect(await run(ready.checks)).to.deep.equal({ database: 'ok', jobs: 'ok' });
    await ready.close();
  });

  it('fails while the Discord gateway is not connected, and names an adapter that failed to start', async () => {
    let adapter: Pick<DiscordAdapter, 'connected'> | null = null;
    const ready = readinessChecks(container(), { discord: () => adapter as DiscordAdapter | null, failed: { teams: 'failed to start: bad password' } });
    expect(await run(ready.checks)).to.deep.equal({ database: 'ok', jobs: 'ok', discord: 'not connected to the Discord gateway', teams: 'failed to start: bad password' });
    adapter = { connected: false };
    expect((await run(ready.checks)).discord).to.equal('not connected to the Discord gateway');
    adapter = { connected: true };
    expect((await run(ready.checks)).discord).to.equal('ok');
    const failed = readinessChecks(container(), { discord: () => null, failed: { discord: 'failed to start: TokenInvalid' } });
    expect((await run(failed.checks)).discord, 'the reason it failed, not just "not connected"').to.equal('failed to start: TokenInvalid');
  });

  it('asks Redis on a connection of its own and reports Redis not answering', async () => {
    const ready = readinessChecks(container({ REDIS_URL: 'redis://127.0.0.1:1' }));
    const result = await run(ready.checks);
    expect(result.redis).to.not.equal('ok');
    await ready.close();
  });
});
