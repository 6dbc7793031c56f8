import type { EventBus } from '../../core/bus/EventBus.ts';
import type { Logger } from '../../core/logger.ts';
import type { Answer } from '../../core/meetings/ask.ts';
import type { AnswerQuery } from '../../core/meetings/answer.ts';
import type { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { MinutesService } from '../../core/meetings/MinutesService.ts';
import type { Stores } from '../../core/store/index.ts';
import type { Meeting, Organization } from '../../core/types.ts';
import type { LiveAudio, VoiceLinkFactory } from './DiscordMeeting.ts';
import type { Links } from './render.ts';

/** What the Discord adapter uses of the core; bot/ builds it. */
export interface DiscordCore {
  meetings: MeetingService;
  minutes: MinutesService;
  stores: Stores;
  bus: EventBus;
  ask(query: AnswerQuery): Promise<Answer>;
  /** The organization a guild's meetings belong to (first sight creates the mapping). */
  organizationFor(guild: { id: string; name: string }): Promise<string>;
  /** Live audio for a meeting: decode, VAD, transcription, append. */
  createAudio(input: {
    meeting: Meeting;
    organization: Organization;
    displayName: (userId: string) => string;
    /** Resumed meetings start their sequence numbers past the earlier run's. */
    firstOrdinal: number;
    onDelayed?: (stream: string, delayed: boolean) => void;
  }): LiveAudio;
  links: Links;
  /** A personal sign-in link for the dashboard, when the dashboard has sign-in (issue #7); the plain URL otherwise. */
  signInLink?(input: { organizationId: string; platform: 'discord'; externalUserId: string; externalTeamId: string; displayName: string }): Promise<string>;
  /** Retention shown in the consent notice, e.g. "90 days" or "until deleted". */
  retention(organization: Organization): { text: string; keepAudio: boolean };
}

export interface DiscordAdapterOptions {
  token: string;
  applicationId: string;
  core: DiscordCore;
  logger: Logger;
  /** Role ids or names allowed to start/stop; empty: anyone in the voice channel. */
  managerRoles?: string[];
  /** Mention owners of action items (they get a notification). */
  mentionOwners?: boolean;
  /** End the meeting when nobody but bots has been in the voice channel this long. */
  aloneGraceMs?: number;
  liveCadenceMs?: number;
  /** REST base (tests point it at a loopback fake). */
  restApi?: string;
  /** Which gateway shards this process runs (of `count`); unset: one shard, all guilds. */
  shards?: { ids: number[]; count: number };
  /** Builds the voice link; tests may swap it. */
  voiceLink?: VoiceLinkFactory;
}
