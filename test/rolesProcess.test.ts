import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { deleteRedisKeys } from '../bench/lib/redis.ts';
import { createPostgresDatabase, dropPostgresDatabase } from '../core/store/db.ts';

const root = new URL('..', import.meta.url).pathname;
const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Started { child: ChildProcess; url: string; output: () => string }

/** `npm start` as an operator splits it: a web process and a worker process, real processes on one Postgres and Redis. */
describe('npm start split by ROLE: a web process and a worker process', function () {
  this.timeout(180_000);
  const dbName = `minutes_roles_proc_${Date.now()}_${process.pid}`;
  const prefix = `test:${randomUUID()}:`;
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  let databaseUrl = '';

  const start = (role: string): Promise<Started> => {
    const dir = mkdtempSync(join(tmpdir(), `minutes-${role}-`));
    dirs.push(dir);
    // node itself, not the tsx wrapper: a SIGKILL in `after` must reach the service, not orphan it.
    const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      cwd: root,
      env: {
        ...process.env, ROLE: role, DATABASE_URL: databaseUrl, REDIS_URL: REDIS, REDIS_PREFIX: prefix, DATA_DIR: dir, PORT: '0',
        LOG_LEVEL: 'info', LOG_FORMAT: 'json', AUTH_SECRET: 'r'.repeat(40), ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', GEMINI_API_KEY: '', OPENAI_COMPATIBLE_BASE_URL: '',
      },
    });
    children.push(child);
    let output = '';
    child.stderr!.on('data', (d) => (output += d));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role}: no listening line in:\n${output}`)), 90_000);
      child.stdout!.on('data', (d) => {
        output += d;
        const m = /(?:dashboard listening on|\/metrics on) (http:\/\/[^"\s]+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve({ child, url: m[1]!, output: () => output });
        }
      });
      child.once('exit', (code) => reject(new Error(`${role} exited with ${code}:\n${output}`)));
    });
  };

  before(async () => {
    databaseUrl = await createPostgresDatabase(SERVER, dbName);
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await dropPostgresDatabase(SERVER, dbName).catch(() => undefined);
    await deleteRedisKeys(prefix, REDIS).catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a meeting ended through the web process\'s API gets minutes written by the worker process; both stop on SIGTERM', async () => {
    const worker = await start('worker');
    const web = await start('web');
    expect((await fetch(`${worker.url}/ready`)).status).to.equal(200);
    expect((await fetch(`${worker.url}/`)).status, 'a worker serves no dashboard').to.equal(404);
    // Logged just after the listening line.
    const linkOf = () => new RegExp(`sign in to the dashboard as administrator: (${web.url}/auth/link/[A-Za-z0-9_-]+)`).exec(web.output())?.[1];
    for (let i = 0; i < 100 && !linkOf(); i++) await new Promise((r) => setTimeout(r, 100));
    const link = linkOf();
    expect(link, web.output()).to.be.a('string');
    const signIn = await fetch(link!, { redirect: 'manual' });
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /minutes_csrf=([^;]+)/.exec(cookie)![1]!;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${web.url}${path}`, { method, headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect(res.status, `${method} ${path}: ${res.status}`).to.be.below(300);
      return (await res.json()) as Record<string, any>;
    };
    const meeting = await api('POST', '/api/meetings', { title: 'Split roles sync', platform: 'web' });
    await api('POST', `/api/meetings/${meeting.id}/start`);
    await api('POST', `/api/meetings/${meeting.id}/segments`, { segments: [
      { speaker: 'Ada', startMs: 0, endMs: 4000, text: 'We decided to ship the importer on Friday.' },
      { speaker: 'Bob', startMs: 4000, endMs: 9000, text: 'Bob will write the release notes by Thursday.' },
    ] });
    await api('POST', `/api/meetings/${meeting.id}/end`);
    let minutes: Record<string, any> = {};
    for (let i = 0; i < 150 && !minutes.exists; i++, await new Promise((r) => setTimeout(r, 200))) minutes = await api('GET', `/api/meetings/${meeting.id}/minutes`);
    expect(minutes.exists, JSON.stringify(minutes)).to.equal(true);
    expect(worker.output(), 'the worker ran the minutes job').to.match(/"msg":"minutes written"/);
    expect(web.output(), 'the web process did not').to.not.match(/"msg":"minutes written"/);
    const exits = [web, worker].map((p) => new Promise<number | null>((resolve) => p.child.once('exit', resolve)));
    web.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await Promise.all(exits)).to.deep.equal([0, 0]);
  });
});
