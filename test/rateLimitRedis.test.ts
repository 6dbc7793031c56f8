import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createRedisRateLimitStore } from '../adapters/redis/rateLimitStore.ts';
import { createAuthService } from '../core/auth/index.ts';
import { InProcessEventBus } from '../core/bus/InProcessEventBus.ts';
import { createLogger } from '../core/logger.ts';
import { MinutesService } from '../core/meetings/MinutesService.ts';
import { OfflineAnalyzer } from '../core/minutes/offline/index.ts';
import { createDashboard } from '../dashboard/app.ts';
import { describeEachBackend } from './support/databases.ts';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describeEachBackend('rate limit shared through Redis', (ctx) => {
  it('counts one user across two dashboard instances, and keeps serving when Redis is unreachable', async () => {
    const prefix = `minutes:test:rl:${randomUUID()}:`;
    const logger = createLogger({ level: 'silent' });
    const auth = createAuthService({ db: ctx.db.knex, secret: 's'.repeat(40) });
    const minutes = new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger, analyzer: new OfflineAnalyzer() });
    const stores = [createRedisRateLimitStore(REDIS, prefix), createRedisRateLimitStore(REDIS, prefix), createRedisRateLimitStore('redis://127.0.0.1:1', prefix)];
    const servers: Server[] = [];
    const start = async (store: (typeof stores)[number]) => {
      const app = createDashboard({ meetings: ctx.service, minutes, orchestrator: null, stores: ctx.stores, organizationId: ctx.org.id, logger, auth, publicUrl: 'http://127.0.0.1', rateLimitPerMinute: 4, rateLimitStore: store.store });
      const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    };
    try {
      const [a, b, down] = [await start(stores[0]!), await start(stores[1]!), await start(stores[2]!)];
      const token = (await auth.startSession(await ctx.stores.organizations.createUser({ organizationId: ctx.org.id, displayName: 'R' }))).accessToken;
      const get = (base: string) => fetch(`${base}/api/meetings`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      const statuses = [await get(a), await get(b), await get(a), await get(b), await get(a), await get(b)];
      expect(statuses).to.deep.equal([200, 200, 200, 200, 429, 429]);
      // An instance whose Redis is down lets requests through rather than refusing everyone.
      expect(await get(down)).to.equal(200);
    } finally {
      for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
      for (const s of stores) await s.close();
    }
  });
});
