import type { Client, Message, MessageCreateOptions, MessageEditOptions } from 'discord.js';
import type { Logger } from '../../core/logger.ts';
import { minutesView } from '../../core/minutes/stored.ts';
import type { Meeting } from '../../core/types.ts';
import { summaryMessage } from './render.ts';
import type { DiscordAdapterOptions } from './types.ts';

/**
 * Posts a meeting's minutes in the channel it was started from when they are
 * ready, and keeps that message current: regenerated minutes replace it, and
 * an action item marked done anywhere (a button, the dashboard) updates it.
 */
export class SummaryPoster {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly refreshTimers = new Map<string, NodeJS.Timeout>();
  /** One post per meeting at a time, so a quick regenerate cannot post twice. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly client: Client, private readonly options: DiscordAdapterOptions, private readonly log: Logger) {}

  onMinutesReady(meeting: Meeting): Promise<unknown> {
    if (meeting.platform !== 'discord' || !meeting.externalIds.channelId) return Promise.resolve();
    // With shards every bot process hears the event; only the one holding the guild posts.
    const guildId = meeting.externalIds.guildId;
    if (guildId && this.client.isReady() && !this.client.guilds.cache.has(guildId)) return Promise.resolve();
    return this.track(meeting.id, () => this.publish(meeting.id, { withFile: true }));
  }

  /** Debounced: marking several items done in a row edits the message once. */
  onActionItemUpdated(meetingId: string): void {
    clearTimeout(this.refreshTimers.get(meetingId));
    const timer = setTimeout(() => {
      this.refreshTimers.delete(meetingId);
      void this.track(meetingId, () => this.publish(meetingId, { withFile: false, editOnly: true }));
    }, 750);
    timer.unref();
    this.refreshTimers.set(meetingId, timer);
  }

  /** The summary payload for a meeting (also used by `/minutes summary` and the buttons). */
  async render(meetingId: string, options: { withFile: boolean }) {
    const { core } = this.options;
    const bundle = await core.minutes.bundle(meetingId);
    const guildId = bundle.meeting.externalIds.guildId ?? '';
    const userIds = [...new Set(bundle.attendees.map((a) => a.userId).filter((u): u is string => Boolean(u)))];
    const discordIds = await core.stores.organizations.externalIdsOf('discord', userIds, guildId);
    const byAttendee = new Map(bundle.attendees.map((a) => [a.id, a.userId ? discordIds.get(a.userId) ?? null : null]));
    const payload = summaryMessage({
      bundle, view: minutesView(bundle), links: core.links, userIdOf: (id) => (id ? byAttendee.get(id) ?? null : null),
      pingOwners: this.options.mentionOwners ?? true,
    });
    return options.withFile ? payload : { ...payload, files: [] };
  }

  async idle(): Promise<void> {
    for (const t of this.refreshTimers.values()) clearTimeout(t);
    this.refreshTimers.clear();
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private track(meetingId: string, work: () => Promise<unknown>): Promise<unknown> {
    const run = (this.chains.get(meetingId) ?? Promise.resolve()).then(work).catch((err: unknown) => this.log.warn({ err, meetingId }, 'posting the minutes failed'));
    this.chains.set(meetingId, run);
    this.pending.add(run);
    void run.finally(() => {
      this.pending.delete(run);
      if (this.chains.get(meetingId) === run) this.chains.delete(meetingId);
    });
    return run;
  }

  private async publish(meetingId: string, options: { withFile: boolean; editOnly?: boolean }): Promise<void> {
    const { core } = this.options;
    const meeting = await core.meetings.getMeeting(meetingId);
    const { channelId, summaryMessageId } = meeting.externalIds;
    if (meeting.platform !== 'discord' || !channelId) return;
    if (options.editOnly && !summaryMessageId) return;
    const channel = await this.client.channels.fetch(channelId);
    if (!channel?.isSendable()) return;
    const payload = await this.render(meetingId, options);
    if (summaryMessageId) {
      const existing: Message | null = await channel.messages.fetch(summaryMessageId).catch(() => null);
      if (existing) {
        // A new file replaces the old one; without one the attachment stays as it is.
        const edit: MessageEditOptions = options.withFile ? { ...payload, attachments: [] } : { embeds: payload.embeds, components: payload.components, allowedMentions: payload.allowedMentions };
        await existing.edit(edit);
        return;
      }
    }
    if (options.editOnly) return;
    const message = await channel.send(payload as MessageCreateOptions);
    await core.meetings.setExternalIds(meetingId, { summaryMessageId: message.id });
  }
}
