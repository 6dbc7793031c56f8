import { availableDecoders } from '../adapters/asr/decoders.ts';
import { createTranscriberFromConfig } from '../adapters/asr/factory.ts';
import type { SlackAdapter } from '../adapters/slack/index.ts';
import { minutesMessages } from '../adapters/slack/blocks.ts';
import { slackInstallOptions } from '../adapters/slack/install.ts';
import { createClientFor, SlackInstallationStore } from '../adapters/slack/installationStore.ts';
import { followLiveMeetings, type LiveFollower } from '../adapters/slack/live.ts';
import { createChannelsFor } from '../adapters/slack/subscriptions.ts';
import { createTokenCipher, parseTokenKey } from '../adapters/slack/tokenCrypto.ts';
import { handleFileShared, transcribeWith } from '../adapters/slack/uploads.ts';
import type { Container } from './container.ts';
import { JOB_NAMES, UnrecoverableJobError, type TranscribeFileJob } from '../core/jobs/JobQueue.ts';
import type { UploadOutcome } from '../adapters/slack/uploads.ts';
import { dashboardLinks, organizationResolver } from './discord.ts';

/** Multi-workspace install ("Add to Slack"), when SLACK_CLIENT_ID and its companions are set. */
export function slackOAuth(c: Container) {
  const { config } = c;
  if (!config.SLACK_CLIENT_ID || !config.SLACK_CLIENT_SECRET || !config.SLACK_STATE_SECRET || !config.SLACK_TOKEN_KEY) return null;
  const installations = new SlackInstallationStore({
    db: c.db.knex, workspaces: c.stores.workspaces, cipher: createTokenCipher(parseTokenKey(config.SLACK_TOKEN_KEY)),
    organizationFor: organizationResolver(c, 'slack', 'Slack'),
  });
  const oauth = slackInstallOptions({
    clientId: config.SLACK_CLIENT_ID, clientSecret: config.SLACK_CLIENT_SECRET, stateSecret: config.SLACK_STATE_SECRET,
    installationStore: installations, redirectUri: `${config.publicUrl}/slack/oauth_redirect`, dashboardUrl: config.publicUrl, logger: c.logger,
  });
  return { installations, oauth };
}

/**
 * What the Slack adapter does beyond commands and buttons: files shared to the
 * app become meetings with their minutes in the file's thread, and meetings of
 * subscribed organizations get a live thread of insights.
 */
export function attachSlackExtras(c: Container, adapter: SlackAdapter, installations: SlackInstallationStore | null, slackApiUrl?: string): LiveFollower {
  const links = dashboardLinks(c.config.publicUrl);
  const clientFor = createClientFor({
    ...(installations ? { installations } : {}), ...(c.config.SLACK_BOT_TOKEN ? { botToken: c.config.SLACK_BOT_TOKEN } : {}),
    ...(slackApiUrl ? { clientOptions: { slackApiUrl } } : {}),
  });
  fileRunners.set(c, slackFileRunner(c, clientFor));
  adapter.app.event('file_shared', async ({ event, context }) => {
    // A job: the download, transcription and import survive a restart, and run on a worker, not in Slack's 3 s ack.
    const job: TranscribeFileJob = { source: 'slack', teamId: context.teamId ?? '', fileId: event.file_id, channelId: event.channel_id, userId: event.user_id };
    await c.jobs.enqueue(JOB_NAMES.transcribeFile, job, { jobId: `slack-file-${job.teamId}-${job.fileId}` })
      .catch((err: unknown) => c.logger.warn({ err, adapter: 'slack' }, 'could not queue a shared slack file'));
  });
  return followLiveMeetings({ bus: c.followerBus('slack'), clientFor, channelsFor: createChannelsFor(c.db.knex), links, logger: c.logger.child({ adapter: 'slack', component: 'live' }) });
}

type ClientFor = ReturnType<typeof createClientFor>;
/** Runs one shared Slack file through the upload path: fetch it, import or transcribe it, minutes in its thread. */
export type SlackFileRunner = (job: TranscribeFileJob) => Promise<UploadOutcome>;
const fileRunners = new WeakMap<Container, SlackFileRunner>();

/** The runner a worker's `transcribe.file` job uses: this process's Slack adapter's, else one built from the config. */
export function slackFilesForJobs(c: Container): SlackFileRunner | null {
  const running = fileRunners.get(c);
  if (running) return running;
  const installations = slackOAuth(c)?.installations;
  if (!c.config.SLACK_BOT_TOKEN && !installations) return null;
  const runner = slackFileRunner(c, createClientFor({ ...(installations ? { installations } : {}), ...(c.config.SLACK_BOT_TOKEN ? { botToken: c.config.SLACK_BOT_TOKEN } : {}) }));
  fileRunners.set(c, runner);
  return runner;
}

function slackFileRunner(c: Container, clientFor: ClientFor): SlackFileRunner {
  const links = dashboardLinks(c.config.publicUrl);
  let transcribe: ReturnType<typeof transcribeWith> | undefined;
  const transcribeFile = async (bytes: Buffer, filename: string) => {
    transcribe ??= transcribeWith(createTranscriberFromConfig(c.config), availableDecoders());
    return transcribe!(bytes, filename);
  };
  const uploadDeps = {
    meetings: c.meetings, minutes: c.minutes, organizationFor: organizationResolver(c, 'slack', 'Slack'),
    importMaxBytes: c.config.IMPORT_MAX_BYTES, audioMaxBytes: c.config.AUDIO_MAX_BYTES, transcribeFile,
    minutesSettled: (id: string) => c.autoMinutes.settled(id), links, logger: c.logger.child({ adapter: 'slack', component: 'uploads' }),
    renderMinutes: (bundle: Parameters<typeof minutesMessages>[0]['bundle'], view: Parameters<typeof minutesMessages>[0]['view']) => {
      const m = minutesMessages({ bundle, view, links, ownerLabel: (item) => item.ownerName ?? 'unassigned' });
      return [m.main, ...m.thread];
    },
  };
  return async (job) => {
    const client = await clientFor(job.teamId);
    if (!client) throw new UnrecoverableJobError(`no Slack token for workspace ${job.teamId}`);
    // Idempotent: a file already imported (a retried job) is reported as a duplicate, not imported twice.
    return handleFileShared({ client: client as never, teamId: job.teamId, fileId: job.fileId, channelId: job.channelId, userId: job.userId }, uploadDeps);
  };
}
