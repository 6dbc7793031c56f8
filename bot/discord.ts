import { createTranscriberFromConfig } from '../adapters/asr/factory.ts';
import { opusDecoderFactory } from '../adapters/audio/opus.ts';
import { createRecorder, recordingsDir } from '../adapters/audio/recordings.ts';
import { createDiscordAdapter, type DiscordAdapter, type DiscordAdapterOptions, type DiscordCore, type Links } from '../adapters/discord/index.ts';
import { AudioPipeline } from '../core/audio/AudioPipeline.ts';
import { BusConsent } from '../core/audio/consent.ts';
import { recordingPolicy } from '../core/audio/recordingPolicy.ts';
import type { Transcriber } from '../core/asr/types.ts';
import { answer } from '../core/meetings/answer.ts';
import type { Config } from '../core/config.ts';
import type { Organization } from '../core/types.ts';
import type { Container } from './container.ts';
import { audioEventObserver, countAudio } from './operations.ts';

export function dashboardLinks(publicUrl: string): Links {
  const base = publicUrl.replace(/\/$/, '');
  return {
    home: () => `${base}/`,
    meeting: (id, segmentId) => `${base}/meetings/${encodeURIComponent(id)}${segmentId === undefined ? '' : `#seg-${Math.trunc(segmentId)}`}`,
  };
}

/** The organization a platform workspace files its meetings under (ORGANIZATION_MODE). */
export function organizationResolver(c: Container, platform: 'discord' | 'slack' | 'teams', label: string) {
  return async (workspace: { id: string; name: string }): Promise<string> => {
    const ws = await c.stores.workspaces.resolve(platform, workspace.id, workspace.name, async () =>
      c.config.ORGANIZATION_MODE === 'single' ? c.defaultOrganization.id : (await c.stores.organizations.ensure(`${label}: ${workspace.name} (${workspace.id})`)).id);
    return ws.organizationId;
  };
}

export function retentionOf(config: Config, organization: Organization): { text: string; keepAudio: boolean } {
  const policy = recordingPolicy(organization.settings);
  const days = config.RETENTION_DAYS;
  return { text: days > 0 ? `${days} days` : policy.keepAudio ? `${policy.retentionDays} days (audio); transcripts until deleted` : 'until deleted', keepAudio: policy.keepAudio };
}

/** The core as the Discord adapter sees it: services, live audio, links. */
export function discordCore(c: Container, transcriber: () => Transcriber): DiscordCore {
  const decoder = opusDecoderFactory();
  const observe = audioEventObserver(c);
  return {
    meetings: c.meetings, minutes: c.minutes, stores: c.stores, bus: c.bus,
    ask: (q) => answer({ stores: c.stores, orchestrator: c.orchestrator, logger: c.logger }, q),
    organizationFor: organizationResolver(c, 'discord', 'Discord'),
    links: dashboardLinks(c.config.publicUrl),
    retention: (org) => retentionOf(c.config, org),
    signInLink: async (input) => `${c.config.publicUrl}${(await c.auth.issueSignInLink(input)).path}`,
    createAudio({ meeting, organization, displayName, firstOrdinal, onDelayed }) {
      const consent = new BusConsent(c.bus, meeting.id);
      const policy = recordingPolicy(organization.settings, (w) => c.logger.warn(w, w.message));
      const started = (meeting.startedAt ?? new Date()).getTime();
      const pipeline = new AudioPipeline({
        transcriber: transcriber(), decoder, consent, displayName, firstOrdinal,
        append: (segments) => c.meetings.appendSegments(meeting.id, segments),
        now: () => Date.now() - started,
        logger: c.meetings.log(meeting).child({ component: 'audio' }),
        ...(policy.keepAudio ? { recorder: (_stream: string, name: string) => createRecorder({ dir: recordingsDir(c.config.DATA_DIR), meetingId: meeting.id, displayName: name }) } : {}),
        onEvent: (e) => {
          if (e.type === 'transcription.delayed') onDelayed?.(e.stream, e.delayed);
          observe(e);
        },
      });
      const count = countAudio(c, 'discord');
      return {
        push: (stream, packet) => pipeline.push(stream, packet),
        isDelayed: (stream) => pipeline.isDelayed(stream),
        async end() {
          await pipeline.end().finally(count.end);
          consent.close();
        },
      };
    },
  };
}

/** Starts the Discord adapter when its credentials are set; null otherwise. `overrides` are for tests (a loopback Discord). */
export async function startDiscord(c: Container, overrides: Partial<Pick<DiscordAdapterOptions, 'restApi' | 'liveCadenceMs' | 'aloneGraceMs'>> = {}): Promise<DiscordAdapter | null> {
  const { config } = c;
  if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) return null;
  let engine: Transcriber | null = null;
  try {
    engine = createTranscriberFromConfig(config);
  } catch (err) {
    // Commands, summaries and search still work; /minutes start will answer with this same reason.
    c.logger.warn({ err, adapter: 'discord' }, `discord voice notes need a speech-to-text engine: ${(err as Error).message}`);
  }
  const adapter = createDiscordAdapter({
    token: config.DISCORD_TOKEN, applicationId: config.DISCORD_APPLICATION_ID,
    core: discordCore(c, () => (engine ??= createTranscriberFromConfig(config))),
    logger: c.logger, managerRoles: config.DISCORD_MANAGER_ROLES, mentionOwners: config.DISCORD_MENTION_OWNERS,
    aloneGraceMs: config.DISCORD_ALONE_GRACE_SECONDS * 1000,
    ...(config.DISCORD_SHARD_COUNT > 1 || config.DISCORD_SHARD_IDS
      ? { shards: { count: config.DISCORD_SHARD_COUNT, ids: config.DISCORD_SHARD_IDS ?? [...Array(config.DISCORD_SHARD_COUNT).keys()] } }
      : {}),
    ...overrides,
  });
  await adapter.start();
  return adapter;
}
