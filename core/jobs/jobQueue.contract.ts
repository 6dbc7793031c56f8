import { expect } from 'chai';
import { until } from '../../test/support/core.ts';
import { UnrecoverableJobError, type JobEvent, type JobQueue } from './JobQueue.ts';

/**
 * The behaviour every JobQueue owes its callers, as a mocha suite. Run it from
 * an implementation's test file:
 *
 *   jobQueueContract('InProcessJobQueue', async () => new InProcessJobQueue());
 *
 * `make` returns a fresh, empty queue (a unique Redis prefix for BullMQ); the
 * suite closes it after each case. Backoffs are a few ms so cases are quick.
 */
const BACKOFF = 20;

const waitFor = <T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000) => until(check, what, timeoutMs);

/** A promise to hold a handler open until the case releases it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => { open = resolve; });
  return { wait, open };
}

export function jobQueueContract(name: string, make: () => Promise<JobQueue>): void {
  describe(`JobQueue contract: ${name}`, function () {
    this.timeout(20_000);
    let q: JobQueue;
    beforeEach(async () => { q = await make(); });
    afterEach(async () => { await q.close(1_000); });

    it('runs a job once with its data, and reports it completed', async () => {
      const seen: unknown[] = [];
      const events: JobEvent[] = [];
      q.onEvent((e) => events.push(e));
      q.handle<{ n: number; when: string }>('t.once', async (data, ctx) => {
        expect(ctx.name).to.equal('t.once');
        expect(ctx.attempt).to.equal(1);
        expect(ctx.signal.aborted).to.equal(false);
        seen.push(data);
      });
      await q.start();
      const { id, duplicate } = await q.enqueue('t.once', { n: 1, when: 'now' });
      expect(duplicate).to.equal(false);
      expect(id).to.be.a('string').and.not.equal('');
      expect(await q.drained(10_000)).to.equal(true);
      expect(seen).to.deep.equal([{ n: 1, when: 'now' }]);
      await waitFor(() => events.some((e) => e.type === 'completed'), 'completed event');
      expect(events.map((e) => [e.type, e.name, e.id, e.attempt])).to.deep.equal([['completed', 't.once', id, 1]]);
      expect((await q.counts()).completed).to.equal(1);
    });

    it('de-duplicates by jobId while queued and after completion', async () => {
      const first = await q.enqueue('t.dedupe', { v: 1 }, { jobId: 'minutes:m-1' });
      const second = await q.enqueue('t.dedupe', { v: 2 }, { jobId: 'minutes:m-1' });
      expect(first).to.deep.equal({ id: 'minutes:m-1', duplicate: false });
      expect(second).to.deep.equal({ id: 'minutes:m-1', duplicate: true });
      const runs: unknown[] = [];
      q.handle('t.dedupe', async (data) => { runs.push(data); });
      await q.start();
      expect(await q.drained(10_000)).to.equal(true);
      expect((await q.enqueue('t.dedupe', { v: 3 }, { jobId: 'minutes:m-1' })).duplicate).to.equal(true);
      // Same id under another name is another job; an integer-like id is accepted too.
      expect((await q.enqueue('t.dedupe.other', {}, { jobId: 'minutes:m-1' })).duplicate).to.equal(false);
      expect((await q.enqueue('t.dedupe', { v: 4 }, { jobId: '42' })).duplicate).to.equal(false);
      await waitFor(() => runs.length === 2, 'second job');
      expect(runs).to.deep.equal([{ v: 1 }, { v: 4 }]);
    });

    it('retries with backoff and succeeds (attempts 1, 2, 3)', async () => {
      const attempts: number[] = [];
      const events: JobEvent[] = [];
      q.onEvent((e) => events.push(e));
      q.handle('t.flaky', async (_data, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error(`boom ${ctx.attempt}`);
        return 'ok';
      });
      await q.start();
      const { id } = await q.enqueue('t.flaky', {}, { attempts: 5, backoffMs: BACKOFF });
      expect(await q.drained(10_000)).to.equal(true);
      expect(attempts).to.deep.equal([1, 2, 3]);
      await waitFor(() => events.some((e) => e.type === 'completed'), 'completed event');
      expect(events.map((e) => `${e.type}:${e.attempt}:${e.error ?? ''}`)).to.deep.equal(['failed:1:boom 1', 'failed:2:boom 2', 'completed:3:']);
      expect(events.every((e) => e.id === id)).to.equal(true);
      expect(await q.deadLetters()).to.deep.equal([]);
    });

    it('moves a job that used up its attempts to the dead letters, with the error text', async () => {
      const events: JobEvent[] = [];
      q.onEvent((e) => events.push(e));
      let runs = 0;
      q.handle('t.broken', async () => { runs += 1; throw new Error('provider said no'); });
      await q.start();
      const { id } = await q.enqueue('t.broken', { meetingId: 'm-9' }, { attempts: 3, backoffMs: BACKOFF });
      expect(await q.drained(10_000)).to.equal(true);
      expect(runs).to.equal(3);
      const dead = await q.deadLetters();
      expect(dead).to.have.length(1);
      expect(dead[0]).to.include({ id, name: 't.broken', attempts: 3, error: 'provider said no' });
      expect(dead[0]!.data).to.deep.equal({ meetingId: 'm-9' });
      expect(dead[0]!.failedAt).to.be.instanceOf(Date);
      expect(await q.counts()).to.include({ failed: 1, waiting: 0, active: 0, delayed: 0 });
      await waitFor(() => events.some((e) => e.type === 'dead'), 'dead event');
      expect(events.map((e) => `${e.type}:${e.attempt}`)).to.deep.equal(['failed:1', 'failed:2', 'failed:3', 'dead:3']);
    });

    it('sends an UnrecoverableJobError straight to the dead letters', async () => {
      let runs = 0;
      q.handle('t.hopeless', async () => { runs += 1; throw new UnrecoverableJobError('meeting is gone'); });
      await q.start();
      const { id } = await q.enqueue('t.hopeless', {}, { attempts: 5, backoffMs: BACKOFF });
      expect(await q.drained(10_000)).to.equal(true);
      expect(runs).to.equal(1);
      expect(await q.deadLetters()).to.have.length(1).and.to.satisfy((d: { id: string; attempts: number; error: string }[]) =>
        d[0]!.id === id && d[0]!.attempts === 1 && d[0]!.error === 'meeting is gone');
    });

    it('retryDead runs a dead job again from attempt 1; an unknown id is false', async () => {
      let fixed = false;
      const attempts: number[] = [];
      q.handle('t.later', async (_d, ctx) => {
        attempts.push(ctx.attempt);
        if (!fixed) throw new Error('not yet');
      });
      await q.start();
      const { id } = await q.enqueue('t.later', {}, { jobId: 'later-1', attempts: 2, backoffMs: BACKOFF });
      expect(await q.drained(10_000)).to.equal(true);
      expect((await q.deadLetters()).map((d) => d.id)).to.deep.equal([id]);
      // A dead job still holds its jobId: enqueueing it again is not the way to rerun it.
      expect((await q.enqueue('t.later', {}, { jobId: 'later-1' })).duplicate).to.equal(true);
      fixed = true;
      expect(await q.retryDead(id)).to.equal(true);
      expect(await q.drained(10_000)).to.equal(true);
      expect(attempts).to.deep.equal([1, 2, 1]);
      expect(await q.deadLetters()).to.deep.equal([]);
      expect(await q.counts()).to.include({ failed: 0, completed: 1 });
      expect(await q.retryDead('no-such-job')).to.equal(false);
    });

    it('respects the concurrency of each job name', async () => {
      let active = 0;
      let most = 0;
      q.handle('t.pair', async () => {
        active += 1;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 30));
        active -= 1;
      }, { concurrency: 2 });
      await q.start();
      for (let i = 0; i < 6; i++) await q.enqueue('t.pair', { i });
      expect(await q.drained(10_000)).to.equal(true);
      expect(most).to.equal(2);
      expect((await q.counts()).completed).to.equal(6);
    });

    it('holds a delayed job until its time', async () => {
      const ran: number[] = [];
      q.handle('t.delayed', async () => { ran.push(Date.now()); });
      await q.start();
      const before = Date.now();
      await q.enqueue('t.delayed', {}, { delayMs: 300 });
      expect((await q.counts()).delayed).to.equal(1);
      expect(await q.drained(10_000)).to.equal(true);
      expect(ran).to.have.length(1);
      expect(ran[0]! - before).to.be.at.least(290);
    });

    it('drained() is false while a job waits with no handler, true once nothing is left', async () => {
      await q.start();
      await q.enqueue('t.unhandled', {});
      expect(await q.drained(100)).to.equal(false);
      expect((await q.counts()).waiting).to.equal(1);
      q.handle('t.unhandled', async () => undefined);
      expect(await q.drained(10_000)).to.equal(true);
    });

    it('close() waits for an active job to finish', async () => {
      const hold = gate();
      const started = gate();
      let finished = false;
      q.handle('t.slow', async () => {
        started.open();
        await hold.wait;
        finished = true;
      });
      await q.start();
      await q.enqueue('t.slow', {});
      await started.wait;
      let closed = false;
      const closing = q.close(10_000).then(() => { closed = true; });
      await new Promise((r) => setTimeout(r, 50));
      expect(closed).to.equal(false);
      hold.open();
      await closing;
      expect(finished).to.equal(true);
    });

    it('close() gives up on a handler that outlasts the timeout and aborts its signal', async () => {
      const started = gate();
      let signal: AbortSignal | undefined;
      q.handle('t.stuck', async (_d, ctx) => {
        signal = ctx.signal;
        started.open();
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      });
      await q.start();
      await q.enqueue('t.stuck', {});
      await started.wait;
      await q.close(100);
      expect(signal?.aborted).to.equal(true);
    });

    it('keeps going when an event listener throws', async () => {
      q.onEvent(() => { throw new Error('listener bug'); });
      const seen: string[] = [];
      const off = q.onEvent((e) => seen.push(e.type));
      q.handle('t.listener', async () => undefined);
      await q.start();
      await q.enqueue('t.listener', {});
      expect(await q.drained(10_000)).to.equal(true);
      await waitFor(() => seen.length === 1, 'completed event');
      off();
      await q.enqueue('t.listener', {});
      expect(await q.drained(10_000)).to.equal(true);
      expect(seen).to.deep.equal(['completed']);
      await q.ping();
    });
  });
}
