import type { DiscordGatewayAdapterCreator } from '@discordjs/voice';
import type { Logger } from '../../core/logger.ts';
import type { Insight } from '../../core/minutes/types.ts';
import type { Meeting, Segment } from '../../core/types.ts';
import type { LiveThread } from './LiveThread.ts';
import { insightMessage, type Links } from './render.ts';

/** The voice side of a meeting as the session needs it (adapters/discord/voice/VoiceLink.ts). */
export interface VoiceLinkLike {
  readonly state: string;
  join(): Promise<void>;
  refreshCapture(): void;
  destroy(reason?: string): void;
  on(event: 'state', listener: (change: { from: string; to: string; reason?: string }) => void): unknown;
}

export interface VoicePacketLike { seq: number; timestamp: number; data: Uint8Array }

export type VoiceLinkFactory = (options: {
  guildId: string;
  channelId: string;
  adapterCreator: DiscordGatewayAdapterCreator;
  onPacket: (userId: string, packet: VoicePacketLike) => void;
  shouldCapture: (userId: string) => boolean;
  logger: Logger;
}) => VoiceLinkLike;

/** The live audio of one meeting (core/audio/AudioPipeline behind it). */
export interface LiveAudio {
  push(stream: string, packet: VoicePacketLike): boolean;
  end(): Promise<void>;
  isDelayed(stream: string): boolean;
}

export interface Participant { userId: string; displayName: string; optedOut: boolean }

export interface DiscordMeetingOptions {
  meeting: Meeting;
  guildId: string;
  voiceChannelId: string;
  live: LiveThread;
  links: Links;
  logger: Logger;
  /** Whether to mention an action item's owner in the thread (the server allows it and they are a member). */
  mentionOwners: boolean;
}

/**
 * One Discord meeting while it runs: who is in it (Discord user ↔ attendee
 * name), whose voice may be captured, the voice link, the audio pipeline and
 * the live thread. A user is captured only once their standing consent has
 * been looked up and found not opted out, so someone who joins and speaks at
 * once is never recorded before that check.
 */
export class DiscordMeeting {
  readonly meeting: Meeting;
  readonly participants = new Map<string, Participant>();
  private readonly byName = new Map<string, string>();
  voice: VoiceLinkLike | null = null;
  audio: LiveAudio | null = null;
  ending: Promise<void> | null = null;
  aloneTimer: NodeJS.Timeout | null = null;
  segments = 0;

  constructor(readonly options: DiscordMeetingOptions) {
    this.meeting = options.meeting;
  }

  get id(): string {
    return this.meeting.id;
  }

  get live(): LiveThread {
    return this.options.live;
  }

  /** A display name unique within this meeting (two members may share one). */
  nameFor(userId: string, displayName: string, username: string): string {
    const existing = this.participants.get(userId);
    if (existing) return existing.displayName;
    let name = displayName.trim() || username;
    if (this.byName.has(name)) name = `${name} (${username})`;
    while (this.byName.has(name)) name = `${name}′`;
    return name;
  }

  addParticipant(p: Participant): void {
    this.participants.set(p.userId, p);
    this.byName.set(p.displayName, p.userId);
    this.live.setOptedOut([...this.participants.values()].filter((x) => x.optedOut).length);
  }

  setOptedOut(userId: string, optedOut: boolean): Participant | null {
    const p = this.participants.get(userId);
    if (!p) return null;
    p.optedOut = optedOut;
    this.live.setOptedOut([...this.participants.values()].filter((x) => x.optedOut).length);
    this.voice?.refreshCapture();
    return p;
  }

  /** Synchronous, per packet: only known, consenting people. */
  shouldCapture = (userId: string): boolean => {
    const p = this.participants.get(userId);
    return Boolean(p && !p.optedOut);
  };

  displayName = (userId: string): string => this.participants.get(userId)?.displayName ?? `Discord user ${userId}`;

  userIdOfName(name: string | null | undefined): string | null {
    return name ? this.byName.get(name) ?? null : null;
  }

  onPacket = (userId: string, packet: VoicePacketLike): void => {
    if (!this.shouldCapture(userId)) return;
    this.audio?.push(userId, packet);
  };

  onSegments(segments: Segment[]): void {
    this.segments += segments.length;
    this.live.addSegments(segments);
    this.live.setDelayed(segments.some((s) => this.audio?.isDelayed(this.byName.get(s.speaker) ?? '') ?? false));
  }

  onInsight(insight: Insight, evidence: Pick<Segment, 'id' | 'speaker' | 'startMs' | 'text'>[]): Promise<unknown> {
    const owner = insight.kind === 'action_item' && this.options.mentionOwners ? this.userIdOfName(insight.ownerName) : null;
    return this.live.post(insightMessage({ meetingId: this.id, insight, evidence, ownerUserId: owner, links: this.options.links }));
  }

  humanCount(memberIds: string[]): number {
    return memberIds.length;
  }
}
