import { Client, Events, GatewayIntentBits, type Guild, type VoiceState } from 'discord.js';
import type { Logger } from '../../core/logger.ts';
import type { EventOf } from '../../core/bus/EventBus.ts';
import { handleInteraction } from './interactions.ts';
import { MeetingRunner } from './MeetingRunner.ts';
import { SummaryPoster } from './SummaryPoster.ts';
import type { DiscordAdapterOptions } from './types.ts';

/**
 * The Discord side of the service: a discord.js client with the two intents
 * it needs (guilds and voice states: no message content, no member list),
 * slash-command interactions, voice meetings (MeetingRunner) and the
 * summaries posted when minutes are ready (SummaryPoster).
 */
export class DiscordAdapter {
  readonly client: Client;
  readonly runner: MeetingRunner;
  readonly summaries: SummaryPoster;
  readonly log: Logger;
  private unsubscribers: (() => void)[] = [];

  constructor(readonly options: DiscordAdapterOptions) {
    this.log = options.logger.child({ adapter: 'discord' });
    this.client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates],
      // The default for every message: nothing said in a meeting may ping anyone.
      allowedMentions: { parse: [], repliedUser: false },
      ...(options.restApi ? { rest: { api: options.restApi } } : {}),
      // Several bot processes split the guilds by shard; each one serves only its own guilds.
      ...(options.shards ? { shards: options.shards.ids, shardCount: options.shards.count } : {}),
    });
    this.runner = new MeetingRunner(this.client, options, this.log);
    this.summaries = new SummaryPoster(this.client, options, this.log);
  }

  async start(): Promise<void> {
    const { bus } = this.options.core;
    this.client.on(Events.InteractionCreate, (interaction) => void handleInteraction(this, interaction));
    this.client.on(Events.VoiceStateUpdate, (before: VoiceState, after: VoiceState) => void this.runner.onVoiceState(before, after));
    this.client.on(Events.GuildDelete, (guild: Guild) => void this.runner.onGuildGone(guild.id));
    this.client.on(Events.Error, (err) => this.log.error({ err }, 'discord client error'));
    this.unsubscribers.push(
      bus.subscribe('segment.added', (e) => this.runner.get(e.meetingId)?.onSegments(e.segments)),
      bus.subscribe('insight.added', (e) => void this.runner.get(e.meetingId)?.onInsight(e.insight, e.evidence)),
      bus.subscribe('attendee.updated', (e) => this.runner.onConsentChanged(e.meetingId, e.attendee.displayName, e.attendee.consent === 'opted_out')),
      bus.subscribe('minutes.ready', (e: EventOf<'minutes.ready'>) => void this.summaries.onMinutesReady(e.meeting)),
      bus.subscribe('action_item.updated', (e) => this.summaries.onActionItemUpdated(e.meetingId)),
    );
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(this.options.token);
    await ready;
    this.log.info({ user: this.client.user?.tag, guilds: this.client.guilds.cache.size }, 'discord adapter connected');
    // Meetings a previous run left in progress are resumed or finalised before anything else happens.
    await this.runner.recover();
  }

  /** Ends running meetings cleanly (flushes audio, leaves voice), then disconnects. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
    await this.runner.endAll('the service is shutting down');
    await this.summaries.idle();
    await this.client.destroy();
  }

  get connected(): boolean {
    return this.client.isReady();
  }
}

export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  return new DiscordAdapter(options);
}
