import { expect } from 'chai';
import { createLogger } from '../logger.ts';
import { database } from '../../test/support/databases.ts';
import { until } from '../../test/support/core.ts';
import { InProcessJobQueue } from './InProcessJobQueue.ts';
import { JournaledJobQueue } from './JournaledJobQueue.ts';
import { jobQueueContract } from './jobQueue.contract.ts';

const logger = createLogger({ level: 'silent' });

jobQueueContract('JournaledJobQueue over InProcessJobQueue', async () => new JournaledJobQueue(new InProcessJobQueue(), (await database('pglite')).knex, logger));

describe('JournaledJobQueue', () => {
  const state = async (id: string) => ((await (await database('pglite')).knex('job_journal').where({ id }).first()) as { state: string } | undefined)?.state;

  it('journals each job before queueing it and marks it done, or dead after its last attempt', async () => {
    const db = (await database('pglite')).knex;
    const q = new JournaledJobQueue(new InProcessJobQueue({ defaultAttempts: 2, defaultBackoffMs: 1 }), db, logger);
    q.handle<{ ok: boolean }>('t', async ({ ok }) => { if (!ok) throw new Error('no'); });
    await q.start();
    const good = `good-${Date.now()}`;
    const bad = `bad-${Date.now()}`;
    await q.enqueue('t', { ok: true }, { jobId: good });
    await q.enqueue('t', { ok: false }, { jobId: bad });
    await until(async () => (await state(good)) === 'done' && (await state(bad)) === 'dead', 'the journal to follow the jobs');
    expect(await q.retryDead(bad)).to.equal(true);
    expect(await state(bad), 'a retried dead job is pending again').to.equal('pending');
    await q.close();
  });

  it('queues again, from the journal, the jobs a queue forgot (a crashed process, a Redis without persistence)', async () => {
    const db = (await database('pglite')).knex;
    const id = `forgotten-${Date.now()}`;
    // A process queued it and died before any worker ran it: its in-memory queue is gone.
    const lost = new JournaledJobQueue(new InProcessJobQueue(), db, logger);
    await lost.enqueue('t', { n: 7 }, { jobId: id });
    await lost.close();
    expect(await state(id)).to.equal('pending');
    const runs: number[] = [];
    const next = new JournaledJobQueue(new InProcessJobQueue(), db, logger);
    next.handle<{ n: number }>('t', async ({ n }) => { runs.push(n); });
    await next.start();
    expect(await next.recover()).to.be.at.least(1);
    await until(async () => (await state(id)) === 'done', 'the forgotten job to run');
    expect(runs.filter((n) => n === 7)).to.deep.equal([7]);
    // Nothing pending is left for it: recovering again queues nothing of it.
    await next.recover();
    await new Promise((r) => setTimeout(r, 100));
    expect(runs.filter((n) => n === 7)).to.deep.equal([7]);
    await next.close();
  });

  it('prunes jobs that ended long ago, never pending ones', async () => {
    const db = (await database('pglite')).knex;
    const old = new Date(Date.now() - 8 * 86_400_000);
    const tag = `prune-${Date.now()}`;
    await db('job_journal').insert([
      { id: `${tag}-done`, name: 't', data: '{}', state: 'done', created_at: old, finished_at: old },
      { id: `${tag}-recent`, name: 't', data: '{}', state: 'done', finished_at: new Date() },
      { id: `${tag}-pending`, name: 't', data: '{}', state: 'pending', created_at: old },
    ]);
    const q = new JournaledJobQueue(new InProcessJobQueue(), db, logger);
    expect(await q.prune(7)).to.be.at.least(1);
    const left = ((await db('job_journal').where('id', 'like', `${tag}-%`).pluck('id')) as string[]).sort();
    expect(left).to.deep.equal([`${tag}-pending`, `${tag}-recent`]);
    await q.close();
  });
});
