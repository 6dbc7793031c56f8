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
  adapter.app.event('file_shared', async ({ event, client, context }) => {
    // Not awaited: Slack wants its ack within 3 s; the import answers in the file's thread.
    void handleFileShared({ client: client as never, teamId: context.teamId ?? '', fileId: event.file_id, channelId: event.channel_id, userId: event.user_id }, uploadDeps)
      .catch((err: unknown) => c.logger.warn({ err, adapter: 'slack' }, 'slack upload failed'));
  });
  const clientFor = createClientFor({
    ...(installations ? { installations } : {}), ...(c.config.SLACK_BOT_TOKEN ? { botToken: c.config.SLACK_BOT_TOKEN } : {}),
    ...(slackApiUrl ? { clientOptions: { slackApiUrl } } : {}),
  });
  return followLiveMeetings({ bus: c.followerBus('slack'), clientFor, channelsFor: createChannelsFor(c.db.knex), links, logger: c.logger.child({ adapter: 'slack', component: 'live' }) });
}
