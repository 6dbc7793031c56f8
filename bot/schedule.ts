import { webApi } from '@slack/bolt';
import { CronScheduler } from '../adapters/cron/index.ts';
import { purgeExpiredRecordings, recordingsDir } from '../adapters/audio/recordings.ts';
import { RedisLock } from '../adapters/redis/RedisLock.ts';
import { SlackNotifier } from '../adapters/slack/notifier.ts';
import { DiscordNotifier, discordRest } from '../adapters/discord/notifier.ts';
import { slackOAuth } from './slackExtras.ts';
import { DigestTask, InProcessLock, ReminderTask, RetentionTask, Scheduler, StaleMeetingTask, type Notifier } from '../core/schedule/index.ts';
import type { Container } from './container.ts';
import { requeueMissingMinutes } from './jobs.ts';

/**
 * Where digests and reminders go, in order (a reminder goes through the first
 * that reaches the owner): Slack (channels subscribed with /minutes subscribe,
 * owners by DM), then Discord (owners by DM).
 */
function notifiersFor(c: Container): Notifier[] {
  const { config } = c;
  const notifiers: Notifier[] = [];
  const installs = slackOAuth(c)?.installations ?? null;
  if (config.SLACK_BOT_TOKEN || installs) {
    const tokenFor = async (teamId: string): Promise<string> => {
      const token = (installs ? (await installs.botCredentials(teamId))?.botToken : undefined) ?? config.SLACK_BOT_TOKEN;
      if (!token) throw new Error(`no Slack token for workspace ${teamId}`);
      return token;
    };
    notifiers.push(new SlackNotifier({ client: new webApi.WebClient(), tokenFor, db: c.db.knex, logger: c.logger.child({ component: 'notify', platform: 'slack' }) }));
  }
  if (config.DISCORD_TOKEN) {
    // Its own REST client: a worker process has no gateway connection, and DMs need none.
    notifiers.push(new DiscordNotifier({ rest: discordRest(config.DISCORD_TOKEN), db: c.db.knex, logger: c.logger.child({ component: 'notify', platform: 'discord' }) }));
  }
  return notifiers;
}

/**
 * The worker's schedules (node-cron): the digest of open and overdue items,
 * reminders before due dates, the retention purge, and ending meetings a crash
 * left in progress. Each tick runs on one instance: a Redis lock with
 * REDIS_URL, else this process is the only one.
 */
export function startSchedules(c: Container): { scheduler: Scheduler; stop(): Promise<void> } {
  const built = buildSchedules(c);
  built.cron.start();
  return { scheduler: built.scheduler, stop: async () => { await built.cron.stop(); await built.close(); } };
}

/** The scheduler and its (not yet started) cron timers; the CLI runs one task from it. */
export function buildSchedules(c: Container): { scheduler: Scheduler; cron: CronScheduler; close(): Promise<void> } {
  const { config, db } = c;
  const logger = c.logger.child({ component: 'schedule' });
  const notifiers = notifiersFor(c);
  const lock = config.REDIS_URL ? new RedisLock({ url: config.REDIS_URL, prefix: `${config.REDIS_PREFIX}lock:`, logger }) : new InProcessLock();
  const tasks = [
    new DigestTask({ db: db.knex, notifiers, publicUrl: config.publicUrl, logger, cron: config.DIGEST_CRON }),
    new ReminderTask({ db: db.knex, notifiers, publicUrl: config.publicUrl, logger, leadHours: config.REMINDER_LEAD_HOURS }),
    new RetentionTask({
      db: db.knex, defaultDays: config.RETENTION_DAYS, logger,
      async purgeAudio(meetingIds) {
        const purge = new Set(meetingIds);
        const removed = await purgeExpiredRecordings({ dir: recordingsDir(config.DATA_DIR), now: new Date(), retentionDaysFor: (id) => (purge.has(id) ? 0 : null) });
        return removed.length;
      },
    }),
    new StaleMeetingTask({ db: db.knex, meetings: c.meetings, logger, staleAfterMinutes: config.STALE_MEETING_MINUTES }),
    {
      // A job lost with its queue (Redis restarted without persistence) comes back here; a kept one is a duplicate id.
      name: 'missing-minutes', cron: '*/10 * * * *',
      run: async (now: Date) => ({
        requeued: await requeueMissingMinutes(db.knex, c.jobs, { now, endedBeforeMs: 10 * 60_000 }),
        journalPruned: await c.jobs.prune(),
      }),
    },
  ];
  const scheduler = new Scheduler({ tasks, lock, logger });
  const cron = new CronScheduler(scheduler, { logger: c.logger, ...(config.SCHEDULE_TIMEZONE ? { timezone: config.SCHEDULE_TIMEZONE } : {}) });
  logger.info({ tasks: tasks.map((t) => `${t.name} (${t.cron})`), notifiers: notifiers.map((n) => n.platform) }, 'schedules ready');
  return {
    scheduler, cron,
    async close() {
      if (lock instanceof RedisLock) await lock.close();
    },
  };
}
