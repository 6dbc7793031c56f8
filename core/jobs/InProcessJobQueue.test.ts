import { expect } from 'chai';
import { InProcessJobQueue } from './InProcessJobQueue.ts';
import { jobQueueContract } from './jobQueue.contract.ts';

jobQueueContract('InProcessJobQueue', async () => new InProcessJobQueue());

describe('InProcessJobQueue', () => {
  it('forgets completed job ids past the bound, so the id can be used again', async () => {
    const q = new InProcessJobQueue({ keepCompleted: 2 });
    const runs: string[] = [];
    q.handle<{ id: string }>('t', async (data) => { runs.push(data.id); });
    await q.start();
    for (const id of ['a', 'b', 'c']) await q.enqueue('t', { id }, { jobId: id });
    expect(await q.drained(1_000)).to.equal(true);
    expect((await q.counts()).completed).to.equal(2);
    expect((await q.enqueue('t', { id: 'a' }, { jobId: 'a' })).duplicate).to.equal(false);
    expect((await q.enqueue('t', { id: 'c' }, { jobId: 'c' })).duplicate).to.equal(true);
    expect(await q.drained(1_000)).to.equal(true);
    expect(runs).to.deep.equal(['a', 'b', 'c', 'a']);
    await q.close();
  });

  it('keeps the newest dead letters up to its bound, newest first', async () => {
    const q = new InProcessJobQueue({ keepDead: 2, defaultAttempts: 1 });
    q.handle<{ n: number }>('t', async (data) => { throw new Error(`no ${data.n}`); });
    await q.start();
    for (const n of [1, 2, 3]) await q.enqueue('t', { n });
    expect(await q.drained(1_000)).to.equal(true);
    expect((await q.deadLetters()).map((d) => d.error)).to.deep.equal(['no 3', 'no 2']);
    expect((await q.deadLetters(1)).map((d) => d.error)).to.deep.equal(['no 3']);
    await q.close();
  });

  it('refuses a second handler for a name and new jobs once closed', async () => {
    const q = new InProcessJobQueue();
    q.handle('t', async () => undefined);
    expect(() => q.handle('t', async () => undefined)).to.throw(/already registered/);
    await q.close();
    let error: unknown;
    await q.enqueue('t', {}).catch((err: unknown) => { error = err; });
    expect(error).to.be.instanceOf(Error);
    let pingError: unknown;
    await q.ping().catch((err: unknown) => { pingError = err; });
    expect(pingError).to.be.instanceOf(Error);
  });
});
