import cron, { type Logger as CronLogger, type ScheduledTask as CronTask } from 'node-cron';
import { MinutesError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Scheduler } from '../../core/schedule/Scheduler.ts';

export interface CronSchedulerOptions {
  /** IANA zone the expressions are read in; server time when absent. */
  timezone?: string;
  logger: Logger;
}

/** node-cron's logger interface over pino. */
function cronLogger(log: Logger): CronLogger {
  return {
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m, err) => log.error({ err: err ?? m }, typeof m === 'string' ? m : 'node-cron error'),
    debug: (m, err) => log.debug({ err }, String(m)),
  };
}

/**
 * The timer behind the core Scheduler: every instance schedules every task
 * with node-cron and hands each firing (its scheduled time) to
 * `scheduler.tick`, whose lock decides which instance runs it. Expressions
 * are checked on construction, so a bad one fails at startup naming its task.
 */
export class CronScheduler {
  private jobs: CronTask[] = [];
  private readonly log: Logger;

  constructor(private readonly scheduler: Scheduler, private readonly options: CronSchedulerOptions) {
    this.log = options.logger.child({ component: 'cron' });
    for (const task of scheduler.tasks) {
      const check = cron.validateDetailed(task.cron);
      if (!check.valid) {
        const why = check.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
        throw new MinutesError('CONFIG_INVALID', `The schedule of task ${task.name} ("${task.cron}") is not a valid cron expression: ${why}`, {
          details: { task: task.name, cron: task.cron, errors: check.errors },
        });
      }
    }
  }

  start(): void {
    if (this.jobs.length) return;
    const logger = cronLogger(this.log);
    this.jobs = this.scheduler.tasks.map((task) => cron.schedule(task.cron, (ctx) => this.scheduler.tick(task.name, ctx.date), {
      name: `minutes:${task.name}`, noOverlap: true, logger, ...(this.options.timezone ? { timezone: this.options.timezone } : {}),
    }));
    this.log.info({ tasks: this.scheduler.tasks.map((t) => `${t.name} (${t.cron})`) }, 'scheduled tasks armed');
  }

  /** Stops the timers; a tick already running finishes on its own. */
  async stop(): Promise<void> {
    const jobs = this.jobs;
    this.jobs = [];
    for (const job of jobs) await job.destroy();
  }
}
