import { Redis } from 'ioredis';
import type { Container } from './container.ts';
import { registerCoreJobs, requeueMissingMinutes } from './jobs.ts';
import { startSchedules } from './schedule.ts';
import { teamsForJobs } from './teams.ts';
import { JOB_NAMES, UnrecoverableJobError, type NotifySendJob, type TeamsTranscriptJob, type TranscribeFileJob } from '../core/jobs/JobQueue.ts';
import { slackForJobs } from './slack.ts';
import { slackFilesForJobs } from './slackExtras.ts';

const registered = new WeakSet<Container>();

/** Jobs that need a platform client: the Teams transcript fetch (Graph, then the minutes card), files shared in Slack. */
function registerPlatformJobs(c: Container): void {
  c.jobs.handle<TeamsTranscriptJob>(JOB_NAMES.teamsTranscript, async ({ meetingId }) => {
    const teams = await teamsForJobs(c);
    if (!teams) throw new UnrecoverableJobError('Teams is not configured on this worker (TEAMS_APP_ID, TEAMS_APP_PASSWORD)');
    await teams.afterMeeting(meetingId);
  }, { concurrency: c.config.JOB_CONCURRENCY });
  c.jobs.handle<NotifySendJob>(JOB_NAMES.notifySend, async ({ meetingId }) => {
    const slack = slackForJobs(c);
    if (!slack) throw new UnrecoverableJobError('Slack is not configured on this worker (SLACK_BOT_TOKEN, or the OAuth install variables)');
    // Channels that already show these minutes get an edit, so a retry never posts twice.
    return slack.poster.deliverNow(meetingId);
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

/**
 * A Redis without persistence forgets queued jobs when it restarts. A marker
 * key set when the queue is known to be complete tells: when it is missing
 * (first start, or a Redis that lost its data), re-queue what is missing
 * (job ids make that harmless when nothing was lost).
 */
function watchQueueLoss(url: string, key: string, onLost: () => Promise<void>, everyMs = 15_000): () => void {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
  redis.on('error', () => undefined); // a Redis that is down is the queue's business; asked again next round
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      if ((await redis.set(key, new Date().toISOString(), 'NX').catch(() => null)) === 'OK') await onLost();
    } finally {
      running = false;
    }
  };
  void check();
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    redis.disconnect();
  };
}

export interface RunningWorker {
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
  const sweep = async (why: string) => {
    // The journal brings back every job the queue forgot; the minutes sweep, endings whose job was never queued.
    const recovered = await c.jobs.recover().catch((err: unknown) => {
      log.warn({ err }, 'could not read the job journal');
      return 0;
    });
    const requeued = await requeueMissingMinutes(c.db.knex, c.jobs).catch((err: unknown) => {
      log.warn({ err }, 'could not look for meetings without minutes');
      return 0;
    });
    if (recovered || requeued) log.info({ recovered, requeued, why }, 'queued again what the queue had lost');
  };
  const unwatch = c.config.REDIS_URL ? watchQueueLoss(c.config.REDIS_URL, `${c.config.REDIS_PREFIX}jobs:epoch`, () => sweep('the queue in Redis was empty (new, or restarted without persistence)')) : null;
  if (!unwatch) await sweep('worker start');
  const schedules = startSchedules(c);
  log.info({ queue: c.jobs.kind }, 'worker running');
  return {
    async stop() {
      // A tick already running finishes; the queue itself closes with the container (bounded wait for active jobs).
      await schedules.stop();
      unwatch?.();
    },
  };
}
