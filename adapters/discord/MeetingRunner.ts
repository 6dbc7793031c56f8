import { ChannelType, type Client, type Guild, type GuildMember, type Message, type VoiceBasedChannel, type VoiceState } from 'discord.js';
import { isMinutesError, MinutesError } from '../../core/errors.ts';
import { clock } from '../../core/format.ts';
import type { Logger } from '../../core/logger.ts';
import type { Meeting } from '../../core/types.ts';
import { DiscordMeeting } from './DiscordMeeting.ts';
import { LiveThread, type LiveTarget } from './LiveThread.ts';
import { consentNotice, truncate } from './render.ts';
import type { DiscordAdapterOptions } from './types.ts';
import { createVoiceLink } from './voice/VoiceLink.ts';

export interface StartRequest {
  guild: Guild;
  voiceChannel: VoiceBasedChannel;
  member: GuildMember;
  title?: string | null;
  /** Posts the consent notice (the command's reply) and returns the message, so the thread hangs off it. */
  postNotice: (payload: ReturnType<typeof consentNotice>) => Promise<Message>;
}

const humansIn = (channel: VoiceBasedChannel | null | undefined): GuildMember[] => [...(channel?.members.values() ?? [])].filter((m) => !m.user.bot);

/**
 * Runs Discord voice meetings: start (notice → thread → voice), who is in
 * the call, consent, the end (stop, everyone gone, voice lost) and recovery
 * after a restart. One DiscordMeeting per running meeting.
 */
export class MeetingRunner {
  private readonly sessions = new Map<string, DiscordMeeting>();

  constructor(private readonly client: Client, private readonly options: DiscordAdapterOptions, private readonly log: Logger) {}

  get(meetingId: string): DiscordMeeting | undefined {
    return this.sessions.get(meetingId);
  }

  inGuild(guildId: string): DiscordMeeting[] {
    return [...this.sessions.values()].filter((s) => s.options.guildId === guildId);
  }

  inVoiceChannel(channelId: string): DiscordMeeting | undefined {
    return [...this.sessions.values()].find((s) => s.options.voiceChannelId === channelId);
  }

  async start(req: StartRequest): Promise<DiscordMeeting> {
    const { core } = this.options;
    const organizationId = await core.organizationFor({ id: req.guild.id, name: req.guild.name });
    const organization = await core.stores.organizations.get(organizationId);
    const title = req.title?.trim() || `${req.voiceChannel.name} call, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const created = await core.meetings.createMeeting({
      organizationId, platform: 'discord', title,
      externalIds: { guildId: req.guild.id, voiceChannelId: req.voiceChannel.id, startedBy: req.member.id, voiceRun: '1' },
    });
    const retention = core.retention(organization);
    let target: { target: LiveTarget; threadId?: string };
    let meeting: Meeting;
    try {
      // The notice goes out before a single packet is captured.
      const notice = await req.postNotice(consentNotice({
        startedBy: req.member.displayName, channelName: req.voiceChannel.name, retention: retention.text, keepAudio: retention.keepAudio, meetingId: created.id, links: core.links,
      }));
      target = await this.openThread(notice, title);
      await core.meetings.setExternalIds(created.id, { channelId: notice.channelId, noticeMessageId: notice.id, ...(target.threadId ? { threadId: target.threadId } : {}) });
      meeting = await core.meetings.startMeeting(created.id);
    } catch (err) {
      await core.meetings.cancelMeeting(created.id, 'could not post the notice').catch(() => undefined);
      throw err;
    }
    return this.run(meeting, req.guild, req.voiceChannel, target.target, 1, 'cancel');
  }

  /** A thread off the notice; in a channel without threads (a voice channel's chat) the channel itself. */
  private async openThread(notice: Message, title: string): Promise<{ target: LiveTarget; threadId?: string }> {
    const channel = notice.channel;
    if (channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement) {
      const thread = await notice.startThread({ name: truncate(`Notes: ${title}`, 100), autoArchiveDuration: 1440 });
      return { target: thread, threadId: thread.id };
    }
    if (!('send' in channel)) throw new MinutesError('PLATFORM_PERMISSION_MISSING', 'This channel cannot receive messages');
    return { target: channel as LiveTarget };
  }

  private async run(meeting: Meeting, guild: Guild, voiceChannel: VoiceBasedChannel, target: LiveTarget, run: number, onFail: 'cancel' | 'end'): Promise<DiscordMeeting> {
    const { core } = this.options;
    const log = core.meetings.log(meeting).child({ adapter: 'discord', guildId: guild.id });
    const live = new LiveThread({ target, meetingId: meeting.id, title: meeting.title, startedAt: meeting.startedAt ?? new Date(), links: core.links, logger: log, cadenceMs: this.options.liveCadenceMs ?? 5_000 });
    const session = new DiscordMeeting({ meeting, guildId: guild.id, voiceChannelId: voiceChannel.id, live, links: core.links, logger: log, mentionOwners: this.options.mentionOwners ?? true });
    this.sessions.set(meeting.id, session);
    try {
      await live.start();
      const organization = await core.stores.organizations.get(meeting.organizationId);
      session.audio = core.createAudio({
        meeting, organization, displayName: session.displayName, firstOrdinal: (run - 1) * 4096 + 1,
        onDelayed: (_stream, delayed) => live.setDelayed(delayed),
      });
      await Promise.all(humansIn(voiceChannel).map((m) => this.admit(session, m)));
      const factory = this.options.voiceLink ?? createVoiceLink;
      const voice = factory({
        guildId: guild.id, channelId: voiceChannel.id, adapterCreator: guild.voiceAdapterCreator,
        onPacket: session.onPacket, shouldCapture: session.shouldCapture, logger: log,
      });
      session.voice = voice;
      voice.on('state', ({ to, reason }) => {
        log.info({ state: to, reason }, 'voice link state');
        if (to === 'destroyed' && !session.ending) void this.end(session, `lost the voice connection${reason ? ` (${reason})` : ''}`);
      });
      await voice.join();
      log.info({ voiceChannelId: voiceChannel.id, run }, 'discord meeting running');
      return session;
    } catch (err) {
      await this.end(session, `could not start: ${(err as Error).message}`, { cancel: onFail === 'cancel' });
      throw isMinutesError(err) ? err : new MinutesError('PLATFORM_UNAVAILABLE', `Could not join the voice channel: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Adds a member to the meeting; their voice is captured only after their standing consent is known. */
  async admit(session: DiscordMeeting, member: GuildMember): Promise<void> {
    if (member.user.bot || session.participants.has(member.id)) return;
    const { stores, meetings } = this.options.core;
    const name = session.nameFor(member.id, member.displayName, member.user.username);
    const guildId = session.options.guildId;
    const [optedOut, user] = await Promise.all([
      stores.workspaces.optedOut('discord', guildId, [member.id]).then((s) => s.has(member.id)),
      this.userFor(session.meeting.organizationId, guildId, member, name),
    ]);
    await stores.attendees.ensure(session.id, [name], { [name]: user });
    if (optedOut) await meetings.setConsent(session.id, name, 'opted_out');
    session.addParticipant({ userId: member.id, displayName: name, optedOut });
    session.voice?.refreshCapture();
  }

  private async userFor(organizationId: string, guildId: string, member: GuildMember, name: string): Promise<string> {
    const { organizations } = this.options.core.stores;
    const known = await organizations.findUserByIdentity('discord', member.id, guildId);
    if (known) return known.id;
    const user = await organizations.createUser({ organizationId, displayName: name });
    await organizations.linkIdentity({ userId: user.id, platform: 'discord', externalUserId: member.id, externalTeamId: guildId, displayName: member.displayName });
    return user.id;
  }

  async setConsent(guildId: string, member: GuildMember, optedOut: boolean): Promise<DiscordMeeting[]> {
    const { stores, meetings } = this.options.core;
    await stores.workspaces.setOptOut('discord', guildId, member.id, optedOut);
    const affected = this.inGuild(guildId).filter((s) => s.participants.has(member.id));
    for (const s of affected) {
      s.setOptedOut(member.id, optedOut);
      await meetings.setConsent(s.id, s.participants.get(member.id)!.displayName, optedOut ? 'opted_out' : 'granted');
    }
    return affected;
  }

  /** Consent changed elsewhere (the dashboard): follow it here. */
  onConsentChanged(meetingId: string, displayName: string, optedOut: boolean): void {
    const session = this.sessions.get(meetingId);
    const userId = session?.userIdOfName(displayName);
    if (session && userId && session.participants.get(userId)?.optedOut !== optedOut) session.setOptedOut(userId, optedOut);
  }

  async onVoiceState(before: VoiceState, after: VoiceState): Promise<void> {
    if (before.member?.user.bot || after.member?.user.bot) return;
    try {
      const joined = after.channelId ? this.inVoiceChannel(after.channelId) : undefined;
      if (joined && after.member && before.channelId !== after.channelId) {
        this.cancelAlone(joined);
        await this.admit(joined, after.member);
      }
      const left = before.channelId && before.channelId !== after.channelId ? this.inVoiceChannel(before.channelId) : undefined;
      if (left && humansIn(before.channel).length === 0) this.scheduleAlone(left);
    } catch (err) {
      this.log.warn({ err }, 'voice state update failed');
    }
  }

  private scheduleAlone(session: DiscordMeeting): void {
    if (session.aloneTimer || session.ending) return;
    session.aloneTimer = setTimeout(() => void this.end(session, 'everyone left the voice channel'), this.options.aloneGraceMs ?? 30_000);
    session.aloneTimer.unref();
  }

  private cancelAlone(session: DiscordMeeting): void {
    if (session.aloneTimer) clearTimeout(session.aloneTimer);
    session.aloneTimer = null;
  }

  /**
   * Ends a meeting once, whoever asks: leaves voice, lets the pipeline finish
   * transcribing what it holds, then ends (or cancels) the meeting in the core,
   * which writes the minutes; SummaryPoster posts them.
   */
  end(session: DiscordMeeting, reason: string, options: { cancel?: boolean; suspend?: boolean } = {}): Promise<void> {
    session.ending ??= this.finish(session, reason, options);
    return session.ending;
  }

  private async finish(session: DiscordMeeting, reason: string, options: { cancel?: boolean; suspend?: boolean }): Promise<void> {
    const { meetings } = this.options.core;
    const log = meetings.log(session.meeting);
    this.cancelAlone(session);
    session.voice?.destroy(reason);
    await session.audio?.end().catch((err: unknown) => log.warn({ err }, 'audio flush failed'));
    this.sessions.delete(session.id);
    const elapsed = clock(Date.now() - (session.meeting.startedAt ?? new Date()).getTime());
    if (options.suspend) {
      await session.live.close(`⏸️ Notes paused after ${elapsed}: ${reason}. They resume when the bot is back (or are finalised if the call is over).`);
      return;
    }
    try {
      if (options.cancel) await meetings.cancelMeeting(session.id, reason);
      else await meetings.endMeeting(session.id);
    } catch (err) {
      if (!isMinutesError(err) || err.code !== 'MEETING_ILLEGAL_TRANSITION') log.error({ err }, 'ending the meeting failed');
    }
    await session.live.close(options.cancel ? `✖️ Notes cancelled: ${reason}.` : `⏹️ Notes ended after ${elapsed} (${reason}). The minutes will be posted in the channel.`);
    log.info({ reason, segments: session.segments }, 'discord meeting ended');
  }

  /** Shutdown: leave voice and flush, but keep the meetings in progress so the next start resumes them. */
  async endAll(reason: string): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.end(s, reason, { suspend: true })));
  }

  async onGuildGone(guildId: string): Promise<void> {
    await Promise.all(this.inGuild(guildId).map((s) => this.end(s, 'the bot was removed from the server')));
  }

  /**
   * After a restart: a meeting still in progress is resumed when people are
   * still in its voice channel, and finalised (ended, minutes written) when
   * not. Nothing is left dangling.
   */
  async recover(): Promise<void> {
    const { meetings } = this.options.core;
    const left: Meeting[] = [];
    // With shards (or several bot processes), a guild missing from this cache may be another's: leave its meetings to it.
    const mine = (m: Meeting) => !this.client.shard || this.client.guilds.cache.has(m.externalIds.guildId ?? '');
    for (let offset = 0; ; offset += 200) {
      const page = await meetings.listMeetings({ platform: 'discord', status: 'in_progress', limit: 200, offset });
      left.push(...page.items.filter((m) => !this.sessions.has(m.id) && mine(m)));
      if (offset + page.items.length >= page.total || page.items.length === 0) break;
    }
    for (const meeting of left) await this.recoverOne(meeting);
  }

  private async recoverOne(meeting: Meeting): Promise<void> {
    const { meetings } = this.options.core;
    const ids = meeting.externalIds;
    const guild = ids.guildId ? this.client.guilds.cache.get(ids.guildId) : undefined;
    const voiceChannel = guild && ids.voiceChannelId ? guild.channels.cache.get(ids.voiceChannelId) : undefined;
    const thread = ids.threadId ?? ids.channelId;
    const target = thread ? await this.client.channels.fetch(thread).catch(() => null) : null;
    const canResume = guild && voiceChannel?.isVoiceBased() && humansIn(voiceChannel).length > 0 && target && 'send' in target;
    const log = meetings.log(meeting);
    if (!canResume) {
      log.info('finalising a meeting left in progress by an earlier run');
      await meetings.endMeeting(meeting.id).catch((err: unknown) => log.warn({ err }, 'finalising failed'));
      if (target && 'send' in target) await (target as LiveTarget).send({ content: '⏹️ Notes ended while the bot was offline. The minutes will be posted in the channel.', allowedMentions: { parse: [] } }).catch(() => undefined);
      return;
    }
    const run = Number(ids.voiceRun ?? '1') + 1;
    await meetings.setExternalIds(meeting.id, { voiceRun: String(run) });
    try {
      const session = await this.run(meeting, guild, voiceChannel as VoiceBasedChannel, target as LiveTarget, run, 'end');
      await session.live.post({ content: '▶️ Resumed taking notes after a restart.', allowedMentions: { parse: [] } });
    } catch (err) {
      log.error({ err }, 'resuming failed; the meeting was finalised');
    }
  }
}
