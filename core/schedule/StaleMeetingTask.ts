import type { Knex } from 'knex';
import { isMinutesError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { MeetingService } from '../meetings/MeetingService.ts';
import { ScheduleStore } from './ScheduleStore.ts';
import type { ScheduledTask, TaskReport } from './types.ts';

export interface StaleMeetingTaskOptions {
  db: Knex;
  meetings: Pick<MeetingService, 'endMeeting'>;
  logger: Logger;
  /** A meeting in progress with no new segment for this long is taken as left behind by a crash (default 120). */
  staleAfterMinutes?: number;
  cron?: string;
}

/**
 * Ends meetings left `in_progress` by a crashed instance, through
 * MeetingService.endMeeting, so `meeting.ended` is published and the
 * minutes are written the normal way.
 */
export class StaleMeetingTask implements ScheduledTask {
  readonly name = 'stale-meetings';
  readonly cron: string;
  private readonly store: ScheduleStore;
  private readonly staleMs: number;

  constructor(private readonly options: StaleMeetingTaskOptions) {
    this.cron = options.cron ?? '*/5 * * * *';
    this.store = new ScheduleStore(options.db);
    this.staleMs = (options.staleAfterMinutes ?? 120) * 60_000;
  }

  async run(now: Date): Promise<TaskReport> {
    const report: TaskReport = { stale: 0, ended: 0, endedElsewhere: 0, failed: 0 };
    for (const id of await this.store.staleMeetings(new Date(now.getTime() - this.staleMs))) {
      report.stale!++;
      try {
        await this.options.meetings.endMeeting(id);
        report.ended!++;
        this.options.logger.info({ meetingId: id }, 'ended a meeting left in progress');
      } catch (err) {
        // Someone ended it between the query and now: that is the outcome we wanted.
        if (isMinutesError(err, 'MEETING_ILLEGAL_TRANSITION')) report.endedElsewhere!++;
        else {
          report.failed!++;
          this.options.logger.warn({ err, meetingId: id }, 'ending a stale meeting failed');
        }
      }
    }
    return report;
  }
}
