import { expect } from 'chai';
import { isMinutesError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { InProcessLock } from './InProcessLock.ts';
import { Scheduler } from './Scheduler.ts';
import { countingTask } from './testing/fixtures.ts';
import type { ScheduledTask, SchedulerLock } from './types.ts';

const logger = createLogger({ level: 'silent' });

describe('Scheduler', () => {
  const at = new Date('2031-12-10T09:00:00.000Z');

  it('runs a tick once across two schedulers sharing a lock, with the scheduled time as its clock', async () => {
    const lock = new InProcessLock();
    const task = countingTask();
    const a = new Scheduler({ tasks: [task], lock, logger });
    const b = new Scheduler({ tasks: [task], lock, logger });
    const results = await Promise.all([a.tick('count', at), b.tick('count', at), a.tick('count', new Date(at.getTime() + 400))]);
    expect(results.filter((r) => r.ran)).to.have.length(1);
    expect(task.runs.map((d) => d.toISOString())).to.deep.equal([at.toISOString()]);
    await b.tick('count', new Date(at.getTime() + 60_000));
    expect(task.runs).to.have.length(2);
  });

  it('lets the lock go after its TTL', async () => {
    let clock = 0;
    const lock = new InProcessLock(() => clock);
    expect(await lock.acquire('k', 1000)).to.equal(true);
    clock = 999;
    expect(await lock.acquire('k', 1000)).to.equal(false);
    clock = 1000;
    expect(await lock.acquire('k', 1000)).to.equal(true);
  });

  it('skips the tick when the lock fails (never runs twice when unsure), and logs a failing task without throwing', async () => {
    const broken: SchedulerLock = { acquire: async () => { throw new Error('redis down'); } };
    const task = countingTask();
    expect(await new Scheduler({ tasks: [task], lock: broken, logger }).tick('count', at)).to.deep.equal({ task: 'count', ran: false });
    const failing: ScheduledTask = { name: 'boom', cron: '* * * * *', run: async () => { throw new Error('boom'); } };
    const result = await new Scheduler({ tasks: [failing], lock: new InProcessLock(), logger }).tick('boom', at);
    expect(result.ran).to.equal(true);
    expect((result.error as Error).message).to.equal('boom');
  });

  it('runs a task now for the CLI, and names unknown tasks', async () => {
    const task = countingTask();
    const s = new Scheduler({ tasks: [task], lock: new InProcessLock(), logger, now: () => at });
    expect(await s.runNow('count')).to.deep.equal({ task: 'count', ran: true, report: { n: 1 } });
    try {
      await s.runNow('nope');
      expect.fail('should throw');
    } catch (err) {
      expect(isMinutesError(err, 'NOT_FOUND')).to.equal(true);
      expect((err as Error).message).to.contain('count');
    }
    expect(() => new Scheduler({ tasks: [task, task], lock: new InProcessLock(), logger })).to.throw(/Two scheduled tasks/);
  });
});
