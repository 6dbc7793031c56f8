import { expect } from 'chai';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { createDatabase, createPostgresDatabase, dropPostgresDatabase, type Database } from '../core/store/db.ts';
import { createDashboard } from '../dashboard/app.ts';
import { testCore, until } from './support/core.ts';
import { startTcpProxy, type TcpProxy } from './support/tcpProxy.ts';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

interface Readiness {
  status: number;
  body: { status: string; checks: Record<string, string> };
}

/**
 * /ready against the real Postgres and Redis, each reached through a loopback
 * proxy the test can cut (or make hang) without stopping the shared servers.
 */
describe('/ready follows Postgres and Redis', function () {
  this.timeout(60_000);
  const dbName = `minutes_ready_${Date.now()}_${process.pid}`;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let db: Database;
  let redis: Redis;
  let server: Server;
  let base: string;

  const ready = async (): Promise<Readiness> => {
    const res = await fetch(`${base}/ready`);
    return { status: res.status, body: (await res.json()) as Readiness['body'] };
  };
  /** Polls /ready until `accept` holds (pools and clients reconnect in their own time); returns that answer. */
  const readyUntil = async (accept: (r: Readiness) => boolean, what: string): Promise<Readiness> => {
    let last: Readiness | null = null;
    try {
      return await until(async () => { last = await ready(); return accept(last) ? last : null; }, what, 15_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}; last answer ${JSON.stringify(last)}`);
    }
  };

  before(async () => {
    await createPostgresDatabase(SERVER, dbName);
    pgProxy = await startTcpProxy(Number(new URL(SERVER).port || 5432));
    redisProxy = await startTcpProxy(Number(REDIS.port || 6379));
    const url = new URL(SERVER);
    url.port = String(pgProxy.port);
    url.pathname = `/${dbName}`;
    db = createDatabase({ kind: 'postgres', url: url.toString(), poolMax: 2 });
    // knex prints each lost connection with console.log; here they are the point of the test.
    (db.knex.client as { logger: { _warn?: () => void } }).logger._warn = () => {};
    // Fail fast while the server is away (no offline queue) and reconnect quickly once it is back.
    redis = new Redis({
      host: '127.0.0.1', port: redisProxy.port, lazyConnect: true, connectTimeout: 500,
      maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 50,
    });
    redis.on('error', () => {}); // reconnects are expected here; the checks report them
    await redis.connect();

    const core = await testCore('ready');
    const app = createDashboard({
      meetings: core.meetings, minutes: core.minutes, orchestrator: null, stores: core.stores,
      organizationId: core.org.id, logger: core.logger,
      readiness: {
        database: () => db.ping(),
        redis: async () => void (await redis.ping()),
      },
      readinessTimeoutMs: 1000,
    });
    server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    redis?.disconnect();
    await db?.close().catch(() => undefined);
    await pgProxy?.close();
    await redisProxy?.close();
    await dropPostgresDatabase(SERVER, dbName).catch(() => undefined);
  });

  it('is ready with both up', async () => {
    const r = await ready();
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('answers 503 naming the database while Postgres is away, /health stays 200, and recovers', async () => {
    pgProxy.cut();
    const down = await readyUntil((r) => r.status === 503, '503 with Postgres cut');
    expect(down.body.status).to.equal('not_ready');
    expect(down.body.checks.database).to.be.a('string').and.not.equal('ok');
    expect(down.body.checks.redis).to.equal('ok');
    expect((await fetch(`${base}/health`)).status).to.equal(200);

    pgProxy.restore();
    const up = await readyUntil((r) => r.status === 200, '200 after Postgres is back');
    expect(up.body.checks).to.deep.equal({ database: 'ok', redis: 'ok' });
  });

  it('answers 503 naming redis while Redis is away, and recovers', async () => {
    redisProxy.cut();
    const down = await readyUntil((r) => r.status === 503, '503 with Redis cut');
    expect(down.body.checks.redis).to.be.a('string').and.not.equal('ok');
    expect(down.body.checks.database).to.equal('ok');
    expect((await fetch(`${base}/health`)).status).to.equal(200);

    redisProxy.restore();
    const up = await readyUntil((r) => r.status === 200, '200 after Redis is back');
    expect(up.body.checks).to.deep.equal({ database: 'ok', redis: 'ok' });
  });

  it('answers (503, timed out) when a dependency accepts connections but never replies, instead of hanging', async () => {
    pgProxy.hang();
    const down = await readyUntil((r) => r.status === 503, '503 with Postgres hanging');
    expect(down.body.checks.database).to.match(/no answer within 1000 ms/);
    expect(down.body.checks.redis).to.equal('ok');

    pgProxy.restore();
    await readyUntil((r) => r.status === 200, '200 after Postgres answers again');
  });
});
