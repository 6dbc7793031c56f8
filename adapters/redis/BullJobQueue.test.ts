import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { jobQueueContract } from '../../core/jobs/jobQueue.contract.ts';
import { createLogger } from '../../core/logger.ts';
import { startTcpProxy } from '../../test/support/tcpProxy.ts';
import { until as poll } from '../../test/support/core.ts';

const until = <T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000) => poll(check, what, timeoutMs);
import { BullJobQueue, decodeJobId, encodeJobId, type BullJobQueueOptions } from './BullJobQueue.ts';

// Needs the Redis that `npm test` starts (scripts/services.sh); every queue gets a prefix of this run, removed after.
const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const runPrefix = `test:${randomUUID()}`;
let prefixes = 0;
const nextPrefix = () => `${runPrefix}:jobs${++prefixes}`;
const silent = createLogger({ level: 'silent' });
const made: BullJobQueue[] = [];

function queue(options: Partial<BullJobQueueOptions> = {}): BullJobQueue {
  const q = new BullJobQueue({ url, prefix: nextPrefix(), logger: silent, names: [], ...options });
  made.push(q);
  return q;
}


after(async function () {
  this.timeout(30_000);
  await Promise.all(made.map((q) => q.close(1_000)));
  const admin = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${runPrefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await admin.del(...keys);
  } while (cursor !== '0');
  await admin.quit();
});

jobQueueContract('BullJobQueue', async () => queue());

describe('BullJobQueue', function () {
  this.timeout(30_000);

  it('encodes job ids BullMQ would refuse (integers, colons) and decodes them back', () => {
    for (const id of ['42', '-7', 'minutes:m-1', 'a%3Ab', '100%', 'plain-id', '', '0x10', '1e3']) {
      const encoded = encodeJobId(id);
      expect(encoded.includes(':'), id).to.equal(false);
      expect(`${parseInt(encoded, 10)}` === encoded, id).to.equal(false);
      expect(decodeJobId(encoded), id).to.equal(id);
    }
  });

  it('counts and lists the dead letters of every named queue, also in a process without handlers', async () => {
    const prefix = nextPrefix();
    const worker = queue({ prefix, defaultAttempts: 1 });
    worker.handle('t.a', async () => { throw new Error('a failed'); });
    worker.handle('t.b', async () => { throw new Error('b failed'); });
    await worker.start();
    await worker.enqueue('t.a', { n: 1 }, { jobId: 'x:1' });
    await worker.enqueue('t.b', { n: 2 });
    expect(await worker.drained(10_000)).to.equal(true);
    const web = queue({ prefix, names: ['t.a', 't.b'] });
    expect((await web.counts()).failed).to.equal(2);
    const dead = await web.deadLetters();
    expect(dead.map((d) => d.error).sort()).to.deep.equal(['a failed', 'b failed']);
    expect(await web.retryDead('x:1')).to.equal(true);
    await until(async () => (await worker.counts()).failed === 2 && (await worker.deadLetters()).some((d) => d.id === 'x:1'), 'the retried job to fail again');
  });

  it('a job whose worker process was killed is picked up by another worker and completed once', async function () {
    this.timeout(60_000);
    const prefix = nextPrefix();
    const admin = new Redis(url);
    const doneKey = `${runPrefix}:crash:done`;
    const startedKey = `${runPrefix}:crash:started`;
    const options = { url, prefix, lockDurationMs: 1_000, stalledIntervalMs: 500 };
    // The first worker records that it started, then hangs until it is killed (no completion, no lock renewal).
    const child = spawnWorker(`
      const { BullJobQueue } = await import(${JSON.stringify(new URL('./BullJobQueue.ts', import.meta.url).pathname)});
      const { Redis } = await import('ioredis');
      const redis = new Redis(${JSON.stringify(url)});
      const q = new BullJobQueue(${JSON.stringify(options)});
      q.handle('t.crash', async (_d, ctx) => { await redis.rpush(${JSON.stringify(startedKey)}, String(ctx.attempt)); await new Promise(() => {}); });
      await q.start();
    `);
    try {
      const producer = queue({ prefix });
      const { id } = await producer.enqueue('t.crash', { meetingId: 'm-1' }, { jobId: 'crash:1' });
      await until(async () => (await admin.llen(startedKey)) === 1, 'the first worker to take the job');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect((await producer.counts()).active).to.equal(1);

      const second = queue({ ...options });
      const seen: string[] = [];
      second.handle<{ meetingId: string }>('t.crash', async (data, ctx) => {
        seen.push(`${ctx.id}:${data.meetingId}`);
        await admin.incr(doneKey);
      });
      await second.start();
      await until(async () => (await admin.get(doneKey)) === '1', 'the second worker to complete the job');
      expect(await second.drained(10_000)).to.equal(true);
      expect(seen).to.deep.equal([`${id}:m-1`]);
      expect(await admin.get(doneKey)).to.equal('1');
      expect(await second.counts()).to.include({ completed: 1, failed: 0, active: 0 });
    } finally {
      child.kill('SIGKILL');
      await admin.quit();
    }
  });

  it('an enqueue while Redis is unreachable completes once it is back; ping() reports the outage', async () => {
    const proxy = await startTcpProxy(Number(new URL(url).port || 6379), new URL(url).hostname);
    try {
      const q = queue({ url: `redis://127.0.0.1:${proxy.port}${new URL(url).pathname}`, redisOptions: { retryStrategy: () => 50 } });
      const ran: unknown[] = [];
      q.handle('t.outage', async (data) => { ran.push(data); });
      await q.start();
      await q.ping();
      proxy.cut();
      await until(async () => q.ping().then(() => false, () => true), 'ping to fail');
      let settled = false;
      const pending = q.enqueue('t.outage', { during: 'outage' }).finally(() => { settled = true; });
      await new Promise((r) => setTimeout(r, 200));
      expect(settled, 'enqueue waits for Redis instead of failing').to.equal(false);
      proxy.restore();
      expect((await pending).duplicate).to.equal(false);
      await until(() => ran.length === 1, 'the job enqueued during the outage to run');
      expect(ran).to.deep.equal([{ during: 'outage' }]);
      await q.ping();
      // Closing while Redis is away again still returns (and releases the connections).
      proxy.cut();
      await q.close(500);
    } finally {
      await proxy.close();
    }
  });
});

function spawnWorker(source: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[crash worker] ${chunk}`));
  return child;
}
