import type { Container } from './container.ts';
import { registerCoreJobs, requeueMissingMinutes } from './jobs.ts';
import { startSchedules } from './schedule.ts';
import { teamsForJobs } from './teams.ts';
import { JOB_NAMES, UnrecoverableJobError, type TeamsTranscriptJob, type TranscribeFileJob } from '../core/jobs/JobQueue.ts';
import { slackFilesForJobs } from './slackExtras.ts';
import type { Scheduler } from '../core/schedule/index.ts';

const registered = new WeakSet<Container>();

/** Jobs that need a platform client: the Teams transcript fetch (Graph, then the minutes card), files shared in Slack. */
function registerPlatformJobs(c: Container): void {
  c.jobs.handle<TeamsTranscriptJob>(JOB_NAMES.teamsTranscript, async ({ meetingId }) => {
    const teams = await teamsForJobs(c);
    if (!teams) throw new UnrecoverableJobError('Teams is not configured on this worker (TEAMS_APP_ID, TEAMS_APP_PASSWORD)');
    await teams.afterMeeting(meetingId);
  }, { concurrency: c.config.JOB_CONCURRENCY });
  c.jobs.handle<TranscribeFileJob>(JOB_NAMES.transcribeFile, async (job) => {
    const run = slackFilesForJobs(c);
    if (!run) throw new UnrecoverableJobError('Slack is not configured on this worker (SLACK_BOT_TOKEN, or the OAuth install variables)');
    const outcome = await run(job);
    // Slack did not answer: try again later (the file is fetched anew); every other outcome was told in the thread.
    if (outcome.status === 'rejected' && outcome.code === 'PLATFORM_UNAVAILABLE') throw new Error(`slack: ${outcome.message}`);
    return outcome;
  }, { concurrency: Math.max(1, Math.floor(c.config.JOB_CONCURRENCY / 2)) });
}

export interface RunningWorker {
  scheduler: Scheduler;
  stop(): Promise<void>;
}

/**
 * The `worker` role: runs the durable jobs (with Redis, any number of workers
 * share them) and the scheduled work (one instance per tick, by lock). At
 * start it re-queues minutes a crash left unwritten.
 */
export async function startWorker(c: Container): Promise<RunningWorker> {
  const log = c.logger.child({ component: 'worker' });
  if (!registered.has(c)) {
    registered.add(c);
    // The in-process queue got the core handlers with the container (nobody else could run them).
    if (c.jobs.kind !== 'in-process') registerCoreJobs(c.jobs, { minutes: c.minutes, concurrency: c.config.JOB_CONCURRENCY });
    registerPlatformJobs(c);
    await c.jobs.start();
  }
  const requeued = await requeueMissingMinutes(c.db.knex, c.jobs).catch((err: unknown) => {
    log.warn({ err }, 'could not look for meetings without minutes');
    return 0;
  });
  if (requeued) log.info({ requeued }, 'queued minutes of meetings that ended without them');
  const schedules = startSchedules(c);
  log.info({ queue: c.jobs.kind }, 'worker running');
  return {
    scheduler: schedules.scheduler,
    async stop() {
      // A tick already running finishes; the queue itself closes with the container (bounded wait for active jobs).
      await schedules.stop();
    },
  };
}
