import type { Knex } from 'knex';
import type { Logger } from '../logger.ts';
import { addDays, atHour, itemLink, localDay } from './digest.ts';
import { ScheduleStore } from './ScheduleStore.ts';
import type { Notifier, ReminderItem, ScheduledTask, TaskReport } from './types.ts';

export interface ReminderTaskOptions {
  db: Knex;
  notifiers: Notifier[];
  publicUrl: string;
  logger: Logger;
  /** Remind this many hours before an item is due (default 24). */
  leadHours?: number;
  /** The hour (server time) of its due day an item counts as due (default 17: end of the working day). */
  dueHour?: number;
  cron?: string;
}

const HOUR_MS = 3_600_000;

/**
 * DMs the owner of an open action item once when it comes within
 * `leadHours` of being due. The claim is keyed by item and due date, so a
 * moved due date reminds again; overdue items are the digest's business.
 */
export class ReminderTask implements ScheduledTask {
  readonly name = 'reminders';
  readonly cron: string;
  private readonly store: ScheduleStore;
  private readonly leadHours: number;
  private readonly dueHour: number;

  constructor(private readonly options: ReminderTaskOptions) {
    this.cron = options.cron ?? '*/15 * * * *';
    this.store = new ScheduleStore(options.db);
    this.leadHours = options.leadHours ?? 24;
    this.dueHour = options.dueHour ?? 17;
  }

  /** When an item due on `day` is due. */
  dueAt(day: string): Date {
    return atHour(day, this.dueHour);
  }

  async run(now: Date): Promise<TaskReport> {
    const report: TaskReport = { due: 0, reminded: 0, already: 0, unreachable: 0, failed: 0 };
    const horizon = new Date(now.getTime() + this.leadHours * HOUR_MS);
    const candidates = await this.store.ownedItemsDueBetween(addDays(localDay(now), -1), addDays(localDay(horizon), 1));
    for (const row of candidates) {
      const dueAt = this.dueAt(row.dueDate!);
      if (dueAt <= now || dueAt > horizon) continue;
      report.due!++;
      const item: ReminderItem = { ...row, ownerUserId: row.ownerUserId!, dueDate: row.dueDate!, link: itemLink(this.options.publicUrl, row.meetingId, row.id) };
      const key = `reminder:${item.id}:${item.dueDate}`;
      if (!(await this.store.claim(key, item.organizationId))) {
        report.already!++;
        continue;
      }
      const outcome = await this.remind(item);
      report[outcome]!++;
      // Only a failed send is retried; an owner with no account anywhere keeps the claim (nothing to retry).
      if (outcome === 'failed') await this.store.release(key).catch((err: unknown) => this.options.logger.warn({ err, key }, 'releasing a reminder claim failed'));
    }
    return report;
  }

  /** The first notifier that reaches the owner sends it; the others are not asked. */
  private async remind(item: ReminderItem): Promise<'reminded' | 'unreachable' | 'failed'> {
    let failed = false;
    for (const notifier of this.options.notifiers) {
      try {
        if (await notifier.remind(item.organizationId, item)) return 'reminded';
      } catch (err) {
        failed = true;
        this.options.logger.warn({ err, actionItemId: item.id, platform: notifier.platform }, 'sending a reminder failed');
      }
    }
    return failed ? 'failed' : 'unreachable';
  }
}
