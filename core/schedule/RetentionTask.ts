import type { Knex } from 'knex';
import type { Logger } from '../logger.ts';
import type { Organization } from '../types.ts';
import { allOrganizations, type OrganizationsSource } from './organizations.ts';
import { ScheduleStore } from './ScheduleStore.ts';
import type { ScheduledTask, TaskReport } from './types.ts';

/** Deletes the audio of these meetings (bot/ wires adapters/audio/recordings.ts); returns how many recordings it deleted. */
export type PurgeAudio = (meetingIds: string[], organizationId: string) => Promise<number>;

export interface RetentionTaskOptions {
  db: Knex;
  /** Days to keep meetings of organizations without `settings.retentionDays` (config RETENTION_DAYS); 0 keeps forever. */
  defaultDays: number;
  purgeAudio?: PurgeAudio;
  logger: Logger;
  cron?: string;
  organizations?: OrganizationsSource;
}

const DAY_MS = 86_400_000;

/** An organization's retention in days: its own setting when it is a number, the default otherwise. 0 = forever. */
export function retentionDaysOf(org: Pick<Organization, 'settings'>, defaultDays: number): number {
  const own = org.settings.retentionDays;
  const days = typeof own === 'number' && Number.isFinite(own) && own >= 0 ? own : defaultDays;
  return Math.floor(days);
}

/**
 * Purges what meetings that ended more than the retention ago said: the
 * transcript, the minutes (summaries, decisions, questions/blockers, action
 * items) and the audio. The meeting row stays as a tombstone (`purged_at`).
 * One transaction and one `retention_audit` row per organization with a
 * retention; meetings in progress or ended within it are never touched.
 */
export class RetentionTask implements ScheduledTask {
  readonly name = 'retention';
  readonly cron: string;
  private readonly organizations: OrganizationsSource;

  constructor(private readonly options: RetentionTaskOptions) {
    this.cron = options.cron ?? '30 3 * * *';
    this.organizations = options.organizations ?? allOrganizations(options.db);
  }

  async run(now: Date): Promise<TaskReport> {
    const report: TaskReport = { organizations: 0, meetings: 0, segmentsDeleted: 0, minutesDeleted: 0, actionItemsDeleted: 0, recordingsDeleted: 0, failed: 0 };
    for (const org of await this.organizations()) {
      const days = retentionDaysOf(org, this.options.defaultDays);
      if (days <= 0) continue;
      report.organizations!++;
      try {
        const counts = await this.purgeOrganization(org.id, days, now);
        for (const k of ['meetings', 'segmentsDeleted', 'minutesDeleted', 'actionItemsDeleted', 'recordingsDeleted'] as const) report[k]! += counts[k];
      } catch (err) {
        report.failed!++;
        this.options.logger.error({ err, organizationId: org.id }, 'retention purge failed; nothing of this organization was purged');
      }
    }
    return report;
  }

  /** Audio goes inside the transaction: if deleting it fails, the database part rolls back and the next run tries again. */
  private purgeOrganization(organizationId: string, days: number, now: Date) {
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    return this.options.db.transaction(async (trx) => {
      const store = new ScheduleStore(trx);
      const ids = await store.expiredMeetings(organizationId, cutoff);
      const counts = await store.purgeMeetings(ids, now);
      const recordingsDeleted = ids.length && this.options.purgeAudio ? await this.options.purgeAudio(ids, organizationId) : 0;
      const row = { ...counts, recordingsDeleted, organizationId, ranAt: now, cutoff, retentionDays: days };
      await store.addRetentionAudit(row);
      if (ids.length) this.options.logger.info({ ...row, meetingIds: ids }, 'retention purged meetings');
      return row;
    });
  }
}
