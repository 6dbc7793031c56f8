import { expect } from 'chai';
import { isMinutesError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { InProcessLock } from '../../core/schedule/InProcessLock.ts';
import { Scheduler } from '../../core/schedule/Scheduler.ts';
import { countingTask } from '../../core/schedule/testing/fixtures.ts';
import { until } from '../../test/support/core.ts';
import { CronScheduler } from './CronScheduler.ts';

const logger = createLogger({ level: 'silent' });

describe('CronScheduler', () => {
  it('rejects an invalid expression at construction, naming the task', () => {
    const bad = { ...countingTask('digest'), cron: '61 * * * *' };
    try {
      new CronScheduler(new Scheduler({ tasks: [countingTask('ok'), bad], lock: new InProcessLock(), logger }), { logger });
      expect.fail('should throw');
    } catch (err) {
      expect(isMinutesError(err, 'CONFIG_INVALID')).to.equal(true);
      expect((err as Error).message).to.contain('digest').and.contain('61 * * * *');
    }
  });

  it('ticks the core scheduler with the scheduled time; two instances on one lock run each firing once', async function () {
    this.timeout(10_000);
    const task = { ...countingTask('every-second'), cron: '* * * * * *' };
    const lock = new InProcessLock();
    const instances = [1, 2].map(() => new CronScheduler(new Scheduler({ tasks: [task], lock, logger }), { logger }));
    instances.forEach((c) => c.start());
    try {
      await until(() => task.runs.length >= 2, 'two firings', 8000);
    } finally {
      await Promise.all(instances.map((c) => c.stop()));
    }
    const slots = task.runs.map((d) => d.getTime());
    expect(slots.every((t) => t % 1000 === 0)).to.equal(true);
    expect(new Set(slots).size).to.equal(slots.length);
  });
});
