import { BullJobQueue } from '../adapters/redis/BullJobQueue.ts';
import { InProcessJobQueue } from '../core/jobs/InProcessJobQueue.ts';
import { JOB_NAMES, UnrecoverableJobError, type JobQueue, type MinutesGenerateJob } from '../core/jobs/JobQueue.ts';
import type { Config } from '../core/config.ts';
import { isMinutesError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { MinutesService } from '../core/meetings/MinutesService.ts';
import type { Knex } from 'knex';
import { minutesJobId } from '../core/meetings/AutoMinutes.ts';
import { JournaledJobQueue } from '../core/jobs/JournaledJobQueue.ts';

/**
 * BullMQ on Redis when REDIS_URL is set (shared by every worker); else a queue
 * in this process. Either way journaled in Postgres, so what the queue forgets
 * (a crash, a Redis without persistence) is queued again by `recover()`.
 */
export function createJobQueue(config: Config, logger: Logger, db: Knex): JournaledJobQueue {
  const log = logger.child({ component: 'jobs' });
  const defaults = { defaultAttempts: config.JOB_ATTEMPTS, defaultBackoffMs: config.JOB_BACKOFF_MS };
  const queue = config.REDIS_URL ? new BullJobQueue({ url: config.REDIS_URL, prefix: `${config.REDIS_PREFIX}jobs`, logger: log, ...defaults }) : new InProcessJobQueue({ logger: log, ...defaults });
  return new JournaledJobQueue(queue, db, log);
}


/**
 * Handlers of the jobs every worker runs. Each is idempotent: minutes are
 * rewritten whole from the stored transcript, so a job retried after a crash
 * (at least once delivery) ends in the same state.
 */
export function registerCoreJobs(jobs: JobQueue, deps: { minutes: Pick<MinutesService, 'generate'>; concurrency: number }): void {
  jobs.handle<MinutesGenerateJob>(JOB_NAMES.minutesGenerate, async ({ meetingId }, ctx) => {
    try {
      const { minutes } = await deps.minutes.generate(meetingId, { signal: ctx.signal });
      return { analyzer: minutes.provenance.analyzer };
    } catch (err) {
      if (isMinutesError(err, 'MEETING_NOT_FOUND')) throw new UnrecoverableJobError(`meeting ${meetingId} is gone`, { cause: err });
      throw err;
    }
  }, { concurrency: deps.concurrency });
}

/**
 * Meetings that ended without minutes (their job was lost with an in-process
 * queue or a Redis without persistence, or never queued because the process
 * died between the end and the enqueue): queued again, at worker start and
 * every 10 minutes. Looks back `days`.
 */
export async function requeueMissingMinutes(knex: Knex, jobs: JobQueue, options: { days?: number; now?: Date; endedBeforeMs?: number } = {}): Promise<number> {
  const now = (options.now ?? new Date()).getTime();
  const since = new Date(now - (options.days ?? 7) * 86_400_000);
  const rows = (await knex('meetings as m')
    .select('m.id', 'm.ended_at', 'm.organization_id')
    .where('m.status', 'completed')
    .andWhere('m.ended_at', '>=', since)
    // Ended a while ago: a fresh ending's own job is still running.
    .andWhere('m.ended_at', '<=', new Date(now - (options.endedBeforeMs ?? 0)))
    .whereNull('m.purged_at')
    // Written minutes leave their provenance on the meeting (even when the summary is empty).
    .whereRaw("m.settings -> 'minutes' is null")
    .limit(5000)) as { id: string; ended_at: Date | null; organization_id: string }[];
  let queued = 0;
  for (const row of rows) {
    const { duplicate } = await jobs.enqueue(JOB_NAMES.minutesGenerate, { meetingId: row.id, organizationId: row.organization_id }, { jobId: minutesJobId(row.id, row.ended_at) });
    if (!duplicate) queued += 1;
  }
  return queued;
}
