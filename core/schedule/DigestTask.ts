import type { Knex } from 'knex';
import type { Logger } from '../logger.ts';
import { buildDigest, isEmptyDigest, localDay, weekStart } from './digest.ts';
import { allOrganizations, type OrganizationsSource } from './organizations.ts';
import { ScheduleStore } from './ScheduleStore.ts';
import { emptyDelivery, type Deliver, type DigestPeriod, type Notifier, type ScheduledTask, type TaskReport } from './types.ts';

export interface DigestTaskOptions {
  db: Knex;
  notifiers: Notifier[];
  /** The dashboard's base URL (config.publicUrl), for item links. */
  publicUrl: string;
  logger: Logger;
  /** `daily` (default: weekdays at 09:00) or `weekly` (Mondays at 09:00); one digest per period either way. */
  period?: DigestPeriod;
  cron?: string;
  organizations?: OrganizationsSource;
}

/**
 * The digest of open and overdue action items, per organization, to each
 * subscribed channel and as DMs to owners. Every (organization, period,
 * platform, target) is sent at most once, however many times or instances run it.
 */
export class DigestTask implements ScheduledTask {
  readonly name = 'digest';
  readonly cron: string;
  private readonly store: ScheduleStore;
  private readonly organizations: OrganizationsSource;
  private readonly period: DigestPeriod;

  constructor(private readonly options: DigestTaskOptions) {
    this.period = options.period ?? 'daily';
    this.cron = options.cron ?? (this.period === 'weekly' ? '0 9 * * 1' : '0 9 * * 1-5');
    this.store = new ScheduleStore(options.db);
    this.organizations = options.organizations ?? allOrganizations(options.db);
  }

  async run(now: Date): Promise<TaskReport> {
    const report: TaskReport = { organizations: 0, empty: 0, sent: 0, duplicates: 0, failed: 0, ownersWithoutAccount: 0 };
    const periodKey = this.period === 'weekly' ? `w${weekStart(now)}` : localDay(now);
    for (const org of await this.organizations()) {
      report.organizations!++;
      const digest = buildDigest(org.id, await this.store.openItems(org.id), now, this.options.publicUrl);
      if (isEmptyDigest(digest)) {
        report.empty!++;
        continue;
      }
      for (const notifier of this.options.notifiers) {
        const deliver = this.deliverer(`digest:${org.id}:${periodKey}:${notifier.platform}`, org.id);
        const sent = await notifier.digest(org.id, digest, deliver).catch((err: unknown) => {
          this.options.logger.warn({ err, organizationId: org.id, platform: notifier.platform }, 'sending a digest failed');
          return { ...emptyDelivery(), failed: 1 };
        });
        for (const k of ['sent', 'duplicates', 'failed', 'ownersWithoutAccount'] as const) report[k]! += sent[k];
      }
    }
    return report;
  }

  private deliverer(prefix: string, organizationId: string): Deliver {
    return async (target, send) => {
      const key = `${prefix}:${target}`;
      if (!(await this.store.claim(key, organizationId))) return 'duplicate';
      try {
        await send();
        return 'sent';
      } catch (err) {
        this.options.logger.warn({ err, organizationId, target }, 'a digest message was not delivered; it will be retried on the next run of this period');
        await this.store.release(key).catch((e: unknown) => this.options.logger.warn({ err: e, key }, 'releasing a digest claim failed'));
        return 'failed';
      }
    };
  }
}
