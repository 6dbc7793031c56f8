import { MinutesError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ScheduledTask, SchedulerLock, TaskReport } from './types.ts';

export interface SchedulerOptions {
  tasks: ScheduledTask[];
  lock: SchedulerLock;
  logger: Logger;
  /** How long a tick's lock is held (default 5 minutes): longer than clock skew between instances, shorter than any period. */
  lockTtlMs?: number;
  now?: () => Date;
}

export interface TickResult {
  task: string;
  /** False when another instance (or an earlier tick here) holds this tick. */
  ran: boolean;
  report?: TaskReport;
  error?: unknown;
}

/**
 * Runs scheduled tasks so that each tick runs once across all instances:
 * every instance's timer fires, and only the one that acquires
 * `schedule:<task>:<scheduled time>` runs the task. The task gets the
 * scheduled time as its clock, so every instance would compute the same
 * periods. A failing task is logged, never thrown into the timer.
 */
export class Scheduler {
  private readonly byName: Map<string, ScheduledTask>;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly options: SchedulerOptions) {
    this.byName = new Map();
    for (const task of options.tasks) {
      if (this.byName.has(task.name)) throw new MinutesError('CONFIG_INVALID', `Two scheduled tasks are named ${task.name}`, { details: { task: task.name } });
      this.byName.set(task.name, task);
    }
    this.log = options.logger.child({ component: 'scheduler' });
    this.now = options.now ?? (() => new Date());
  }

  get tasks(): ScheduledTask[] {
    return [...this.byName.values()];
  }

  async tick(name: string, scheduledAt: Date): Promise<TickResult> {
    const task = this.task(name);
    const slot = new Date(Math.floor(scheduledAt.getTime() / 1000) * 1000);
    const key = `schedule:${name}:${slot.toISOString()}`;
    let held = false;
    try {
      held = await this.options.lock.acquire(key, this.options.lockTtlMs ?? 5 * 60_000);
    } catch (err) {
      this.log.warn({ err, task: name }, 'the scheduler lock failed; skipping this tick');
    }
    if (!held) {
      this.log.debug({ task: name, at: slot.toISOString() }, 'tick held elsewhere');
      return { task: name, ran: false };
    }
    return this.execute(task, slot);
  }

  /** Runs a task now, without the lock (admin/CLI); its own claims keep digests and reminders at most once. */
  async runNow(name: string): Promise<TickResult> {
    return this.execute(this.task(name), this.now());
  }

  private task(name: string): ScheduledTask {
    const task = this.byName.get(name);
    if (!task) {
      throw new MinutesError('NOT_FOUND', `No scheduled task named ${name} (known: ${[...this.byName.keys()].join(', ') || 'none'})`, { details: { task: name } });
    }
    return task;
  }

  private async execute(task: ScheduledTask, now: Date): Promise<TickResult> {
    const started = Date.now();
    try {
      const report = await task.run(now);
      this.log.info({ task: task.name, at: now.toISOString(), ms: Date.now() - started, ...report }, 'scheduled task ran');
      return { task: task.name, ran: true, report };
    } catch (error) {
      this.log.error({ err: error, task: task.name, at: now.toISOString() }, 'scheduled task failed');
      return { task: task.name, ran: true, error };
    }
  }
}
