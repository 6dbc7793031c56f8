import { expect } from 'chai';
import type { Server } from 'node:http';
import { createAuthService } from '../../core/auth/index.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { InProcessJobQueue } from '../../core/jobs/InProcessJobQueue.ts';
import { createLogger } from '../../core/logger.ts';
import { MinutesService } from '../../core/meetings/MinutesService.ts';
import type { UserRole } from '../../core/types.ts';
import { describeEachBackend } from '../../test/support/databases.ts';
import { createDashboard } from '../app.ts';
import { startTestApi, stubAnalyzer } from '../testApp.ts';
import { namedSchemas } from './schemas.ts';

describeEachBackend('dashboard API: background jobs (dead letters)', (ctx) => {
  let server: Server;
  let base: string;
  let jobs: InProcessJobQueue;
  let tokens: Record<UserRole | 'outsider', string>;
  let fixed: boolean;

  beforeEach(async () => {
    const logger = createLogger({ level: 'silent' });
    const auth = createAuthService({ db: ctx.db.knex, secret: 'j'.repeat(40) });
    jobs = new InProcessJobQueue({ defaultAttempts: 2, defaultBackoffMs: 5 });
    fixed = false;
    jobs.handle('minutes.generate', async () => {
      if (!fixed) throw new Error('no LLM provider answered');
    });
    await jobs.start();
    const minutes = new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger, analyzer: stubAnalyzer });
    const app = createDashboard({ meetings: ctx.service, minutes, orchestrator: null, stores: ctx.stores, organizationId: ctx.org.id, logger, auth, rateLimitPerMinute: 10_000, jobs });
    server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const other = await ctx.stores.organizations.ensure(`outsiders-${ctx.org.id}`);
    const session = async (organizationId: string, role: UserRole) =>
      (await auth.startSession(await ctx.stores.organizations.createUser({ organizationId, displayName: role, role }))).accessToken;
    tokens = {
      admin: await session(ctx.org.id, 'admin'), member: await session(ctx.org.id, 'member'),
      guest: await session(ctx.org.id, 'guest'), outsider: await session(other.id, 'admin'),
    };
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await jobs.close(1_000);
  });

  const call = (method: string, path: string, who: keyof typeof tokens) => fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who]}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: '{}' } : {}),
  });
  const matches = async (res: Response, schema: string) => {
    const body: unknown = await res.json();
    expect(namedSchemas.get(schema)!.safeParse(body).success, JSON.stringify(body)).to.equal(true);
    return body;
  };

  it('shows an admin the dead letters and counts, and retries one', async () => {
    const { id } = await jobs.enqueue('minutes.generate', { meetingId: 'm-1', organizationId: ctx.org.id }, { jobId: 'minutes:m-1' });
    expect(await jobs.drained(5_000)).to.equal(true);

    const list = await call('GET', '/api/admin/jobs', 'admin');
    expect(list.status).to.equal(200);
    const body = await matches(list, 'JobsOverview') as { kind: string; counts: { failed: number }; dead: { id: string; name: string; attempts: number; error: string; data: unknown }[] };
    expect(body.kind).to.equal('in-process');
    expect(body.counts.failed).to.equal(1);
    expect(body.dead).to.have.length(1);
    expect(body.dead[0]).to.include({ id, name: 'minutes.generate', attempts: 2, error: 'no LLM provider answered' });
    expect(body.dead[0]!.data).to.deep.equal({ meetingId: 'm-1', organizationId: ctx.org.id });

    fixed = true;
    const retry = await call('POST', `/api/admin/jobs/${encodeURIComponent(id)}/retry`, 'admin');
    expect(retry.status).to.equal(200);
    expect(await matches(retry, 'JobRetry')).to.deep.equal({ retried: true });
    expect(await jobs.drained(5_000)).to.equal(true);
    expect((await jobs.counts())).to.include({ failed: 0, completed: 1 });
    expect((await call('POST', `/api/admin/jobs/${encodeURIComponent(id)}/retry`, 'admin')).status, 'no longer dead').to.equal(404);
    expect((await call('POST', '/api/admin/jobs/nope/retry', 'admin')).status).to.equal(404);
  });

  it('refuses members and guests (403), and hides another organization\'s jobs from its admins', async () => {
    await jobs.enqueue('minutes.generate', { meetingId: 'm-2', organizationId: ctx.org.id }, { jobId: 'theirs' });
    await jobs.enqueue('minutes.generate', { meetingId: 'm-3' }, { jobId: 'system' });
    expect(await jobs.drained(5_000)).to.equal(true);
    for (const who of ['member', 'guest'] as const) {
      expect((await call('GET', '/api/admin/jobs', who)).status, who).to.equal(403);
      expect((await call('POST', '/api/admin/jobs/theirs/retry', who)).status, who).to.equal(403);
    }
    const outsider = await (await call('GET', '/api/admin/jobs', 'outsider')).json() as { dead: { id: string }[] };
    expect(outsider.dead.map((d) => d.id)).to.deep.equal(['system']);
    expect((await call('POST', '/api/admin/jobs/theirs/retry', 'outsider')).status).to.equal(404);
    expect((await jobs.deadLetters()).map((d) => d.id).sort()).to.deep.equal(['system', 'theirs']);
  });

  it('documents the routes in the OpenAPI document only when a queue is given', async () => {
    const doc = await (await call('GET', '/api/openapi.json', 'admin')).json() as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.paths['/api/admin/jobs']?.get?.operationId).to.equal('listJobs');
    expect(doc.paths['/api/admin/jobs/{id}/retry']?.post?.operationId).to.equal('retryDeadJob');
    const without = await startTestApi(ctx);
    try {
      const plain = await (await without.get('/api/openapi.json')).json() as { paths: Record<string, unknown> };
      expect(Object.keys(plain.paths).filter((p) => p.startsWith('/api/admin/'))).to.deep.equal([]);
      expect((await without.get('/api/admin/jobs')).status).to.equal(404);
    } finally {
      await without.close();
    }
  });
});
