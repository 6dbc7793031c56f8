import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createContainer, type Container } from '../bot/container.ts';
import { startServer, type RunningServer } from '../bot/server.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { createPostgresDatabase, dropPostgresDatabase } from '../core/store/db.ts';
import type { JobEvent } from '../core/jobs/JobQueue.ts';
import { deleteRedisKeys } from '../bench/lib/redis.ts';
import { until } from './support/core.ts';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two web processes and one worker against one Postgres and one Redis, as a
 * scaled-out deployment runs them (here in one Node process, each with its own
 * container, connections and HTTP server).
 */
describe('roles: web and worker processes sharing Postgres and Redis', function () {
  this.timeout(120_000);
  const dbName = `minutes_roles_${Date.now()}_${process.pid}`;
  const prefix = `test:${randomUUID()}:`;
  const dirs: string[] = [];
  const containers: Container[] = [];
  const servers: RunningServer[] = [];
  let web1: Container;
  let web2: Container;
  let worker: Container;
  let workerServer: RunningServer;
  let webServer: RunningServer;
  const workerJobs: JobEvent[] = [];

  const boot = async (role: string): Promise<[Container, RunningServer]> => {
    const dir = mkdtempSync(join(tmpdir(), `minutes-${role}-`));
    dirs.push(dir);
    const url = await databaseUrl;
    const config = loadConfig({
      ROLE: role, DATABASE_URL: url, REDIS_URL: REDIS, REDIS_PREFIX: prefix, DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent',
      AUTH_SECRET: 'x'.repeat(40), JOB_BACKOFF_MS: '50',
    });
    const c = await createContainer(config, createLogger({ level: 'silent' }));
    containers.push(c);
    const s = await startServer(c);
    servers.push(s);
    return [c, s];
  };
  let databaseUrl: Promise<string>;

  before(async () => {
    databaseUrl = createPostgresDatabase(SERVER, dbName);
    [web1, webServer] = await boot('web');
    [web2] = await boot('web');
    [worker, workerServer] = await boot('worker');
    worker.jobs.onEvent((e) => void workerJobs.push(e));
  });

  after(async () => {
    for (const s of servers.reverse()) await s.stop().catch(() => undefined);
    for (const c of containers.reverse()) await c.close().catch(() => undefined);
    await dropPostgresDatabase(SERVER, dbName).catch(() => undefined);
    await deleteRedisKeys(prefix, REDIS).catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a meeting ended on a web process gets its minutes from the worker: one job, though both web processes heard the end', async () => {
    const org = web1.defaultOrganization;
    const meeting = await web1.meetings.createMeeting({ organizationId: org.id, platform: 'web', title: 'Roles sync', externalIds: {} });
    await web1.meetings.startMeeting(meeting.id);
    await web1.meetings.appendSegments(meeting.id, [
      { speaker: 'Ada', startMs: 0, endMs: 4000, text: 'We decided to ship the importer on Friday.', source: 'test', sourceSeq: 1 },
      { speaker: 'Bob', startMs: 4000, endMs: 9000, text: 'Bob will write the release notes by Thursday.', source: 'test', sourceSeq: 2 },
    ]);
    const web2Heard = new Promise<string>((resolve) => web2.bus.subscribe('minutes.ready', (e) => void (e.meeting.id === meeting.id && resolve(e.minutes.provenance.analyzer))));
    // Both web processes hear meeting.ended (web2 through Redis) and queue the same job id.
    await web1.meetings.endMeeting(meeting.id);
    const fromWeb1 = await web1.autoMinutes.settled(meeting.id);
    expect(fromWeb1?.minutes.provenance.analyzer, 'web1 learns of the minutes through the Redis bus').to.equal('offline');
    expect(fromWeb1?.bundle.meeting.id).to.equal(meeting.id);
    expect(await web2Heard).to.equal('offline');
    const summaries = await worker.db.knex('summaries').where({ meeting_id: meeting.id }).count<{ count: number }[]>('* as count');
    expect(Number(summaries[0]!.count)).to.be.greaterThan(0);
    await until(() => workerJobs.some((e) => e.type === 'completed'), 'the worker to report the job');
    await new Promise((r) => setTimeout(r, 500)); // room for a second job, if there were one
    const completed = workerJobs.filter((e) => e.type === 'completed' && e.name === 'minutes.generate');
    expect(completed).to.have.length(1);
    expect((await web1.jobs.counts()).failed).to.equal(0);
  });

  it('a Redis that lost its data (restart without persistence) is noticed, and minutes whose job it held are queued again', async () => {
    const org = web1.defaultOrganization;
    const meeting = await web1.meetings.createMeeting({ organizationId: org.id, platform: 'web', title: 'Job lost with Redis', externalIds: {} });
    await web1.meetings.startMeeting(meeting.id);
    await web1.meetings.appendSegments(meeting.id, [{ speaker: 'Ada', startMs: 0, endMs: 3000, text: 'Ada will book the room for Tuesday.', source: 'test', sourceSeq: 1 }]);
    // Ended behind the bus's back: as if its job had been queued in a Redis that then lost everything.
    await web1.stores.meetings.transition(meeting.id, ['in_progress'], 'completed', { endedAt: new Date() });
    const redis = new Redis(REDIS);
    await redis.del(`${prefix}jobs:epoch`);
    await redis.quit();
    await until(async () => (await worker.db.knex('meetings').where({ id: meeting.id }).first())?.settings?.minutes, 'minutes of the meeting whose job was lost', 30_000);
  });

  it('a worker serves /health, /ready (database, redis, jobs) and /metrics, and no dashboard', async () => {
    const health = await fetch(`${workerServer.url}/health`);
    expect(health.status).to.equal(200);
    expect((await health.json()) as { roles: string[] }).to.deep.include({ roles: ['worker'] });
    const ready = await fetch(`${workerServer.url}/ready`);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(ready.status, JSON.stringify(body)).to.equal(200);
    expect(body.checks).to.deep.equal({ database: 'ok', redis: 'ok', jobs: 'ok' });
    const metrics = await (await fetch(`${workerServer.url}/metrics`)).text();
    expect(metrics).to.contain('minutes_queue_jobs{state="waiting"}');
    expect(metrics).to.contain('minutes_job_duration_seconds_bucket');
    const page = await fetch(`${workerServer.url}/meetings`);
    expect(page.status).to.equal(404);
    expect(((await page.json()) as { error: { message: string } }).error.message).to.match(/ROLE has no web/);
  });

  it('a web process serves the dashboard and reports the shared queue on /ready', async () => {
    const ready = await fetch(`${webServer.url}/ready`);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(ready.status, JSON.stringify(body)).to.equal(200);
    expect(body.checks).to.include({ database: 'ok', redis: 'ok', jobs: 'ok' });
    expect((await fetch(`${webServer.url}/api/meetings`)).status, 'the API still needs sign-in').to.equal(401);
  });

  it('refuses to run a split role on the embedded database or without Redis, naming the variable', () => {
    expect(() => loadConfig({ ROLE: 'web' })).to.throw(/REDIS_URL: expected a Redis URL when ROLE runs only web[\s\S]*DATABASE_URL: expected a Postgres URL/);
  });
});
