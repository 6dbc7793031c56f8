import { EventEmitter } from 'node:events';
import {
  getVoiceConnection,
  joinVoiceChannel,
  VoiceConnectionDisconnectReason,
  VoiceConnectionStatus,
  type DiscordGatewayAdapterCreator,
  type VoiceConnection,
  type VoiceConnectionState,
} from '@discordjs/voice';
import { createLogger, type Logger } from '../../../core/logger.ts';
import { CaptureSet, type VoicePacket } from './capture.ts';
import { assertTransition, VoiceLinkError, type VoiceLinkState, type VoiceLinkTransition } from './states.ts';

export type { VoicePacket } from './capture.ts';
export { VOICE_LINK_TRANSITIONS, VoiceLinkError, canTransition, assertTransition } from './states.ts';
export type { VoiceLinkErrorCode, VoiceLinkState, VoiceLinkTransition } from './states.ts';

export interface VoiceLinkOptions {
  guildId: string;
  channelId: string;
  /** `guild.voiceAdapterCreator` in production; a fake in tests. */
  adapterCreator: DiscordGatewayAdapterCreator;
  /** Every Opus packet of every user allowed to be captured, with its RTP seq and timestamp. */
  onPacket: (userId: string, packet: VoicePacket) => void;
  /**
   * Consent gate. false: the user's audio is never subscribed, and a captured
   * user is dropped at their next packet. Call `refreshCapture()` when answers
   * change so revocations take effect at once and new consents while the user
   * is already talking start capture without waiting for a pause.
   */
  shouldCapture: (userId: string) => boolean;
  /** join() gives up after this long. Default 20 s. */
  connectTimeoutMs?: number;
  /** How long a lost connection may take to come back before a rejoin is tried. Default 15 s. */
  reconnectTimeoutMs?: number;
  /** Rejoins tried before the link is destroyed. Default 5. */
  maxReconnects?: number;
  logger?: Logger;
  /** Forward @discordjs/voice's debug messages to the logger (debug level). */
  debug?: boolean;
}

export interface VoiceLinkEvents {
  state: [transition: VoiceLinkTransition];
  /** A user started sending audio (after ≥100 ms of silence). Metadata only: fires whatever their consent. */
  speaking: [userId: string];
}

// json: never spawn a pretty-printing transport worker for a logger that prints nothing.
const silent = createLogger({ level: 'silent', format: 'json' });

/**
 * One meeting's Discord voice connection, as an explicit state machine over
 * @discordjs/voice (see states.ts), with per-user capture behind a consent gate.
 *
 * Reconnecting follows the discord.js voice guide, made stricter: whenever a
 * ready connection leaves Ready (Disconnected, a WebSocket resume, or the
 * library's own rejoin after a close) the link is `reconnecting` and the
 * connection gets reconnectTimeoutMs to be Ready again (the guide only waits
 * for Signalling/Connecting to start). If not, `connection.rejoin()` is
 * tried, up to maxReconnects times, then the link is destroyed.
 */
export class VoiceLink extends EventEmitter<VoiceLinkEvents> {
  private current: VoiceLinkState = 'idle';
  private connection: VoiceConnection | null = null;
  private captures: CaptureSet | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly log: Logger;

  constructor(private readonly options: VoiceLinkOptions) {
    super();
    this.log = (options.logger ?? silent).child({ component: 'discord-voice', guildId: options.guildId, channelId: options.channelId });
  }

  get state(): VoiceLinkState {
    return this.current;
  }

  /** Users whose audio is subscribed right now. */
  get capturing(): string[] {
    return this.captures?.users ?? [];
  }

  /** Joins the channel; resolves once the voice connection is ready. */
  async join(): Promise<void> {
    const existing = getVoiceConnection(this.options.guildId);
    if (this.current === 'idle' && existing && existing.state.status !== VoiceConnectionStatus.Destroyed) {
      throw new VoiceLinkError('VOICE_ALREADY_JOINED', `already in a voice channel of guild ${this.options.guildId}`, { guildId: this.options.guildId });
    }
    this.transition('connecting', 'join requested');
    try {
      this.attach(
        joinVoiceChannel({
          guildId: this.options.guildId,
          channelId: this.options.channelId,
          adapterCreator: this.options.adapterCreator,
          selfDeaf: false, // a deafened bot receives no audio
          selfMute: true, // it never speaks
          daveEncryption: true, // Discord requires DAVE E2EE; @snazzah/davey does the MLS part
          debug: this.options.debug ?? false,
        }),
      );
    } catch (err) {
      this.destroy('voice connection could not be set up');
      throw err;
    }
    const timeoutMs = this.options.connectTimeoutMs ?? 20_000;
    await this.waitWhile('connecting', timeoutMs);
    if (this.current === 'connecting') {
      this.destroy(`not connected within ${timeoutMs} ms`);
      throw new VoiceLinkError('VOICE_CONNECT_TIMEOUT', `voice connection not ready within ${timeoutMs} ms`, { timeoutMs });
    }
    if (this.current === 'destroyed') throw new VoiceLinkError('VOICE_DESTROYED', 'voice link destroyed while joining');
  }

  /** Re-asks shouldCapture for everyone captured or currently speaking. */
  refreshCapture(): void {
    if (this.current === 'destroyed' || !this.captures || !this.connection) return;
    this.captures.refresh(this.connection.receiver.speaking.users.keys());
  }

  /** Leaves the channel and releases everything. Terminal; calling it again does nothing. */
  destroy(reason = 'destroyed by caller'): void {
    if (this.current === 'destroyed') return;
    this.transition('destroyed', reason);
    this.captures?.close();
    const connection = this.connection;
    if (!connection) return;
    connection.off('stateChange', this.onConnectionState);
    connection.receiver.speaking.off('start', this.onSpeakingStart);
    if (connection.state.status !== VoiceConnectionStatus.Destroyed) {
      try {
        connection.destroy(); // sends the leave (channel_id null) through the adapter
      } catch (err) {
        this.log.warn({ err }, 'destroying the voice connection failed');
      }
    }
  }

  private attach(connection: VoiceConnection): void {
    this.connection = connection;
    this.captures = new CaptureSet({
      receiver: connection.receiver,
      shouldCapture: this.options.shouldCapture,
      onPacket: this.options.onPacket,
      logger: this.log,
    });
    connection.on('stateChange', this.onConnectionState);
    // An EventEmitter 'error' without a listener would crash the process.
    connection.on('error', (err) => this.log.warn({ err }, 'voice connection error'));
    if (this.options.debug) connection.on('debug', (message) => this.log.debug({ voice: message }, 'voice debug'));
    connection.receiver.speaking.on('start', this.onSpeakingStart);
  }

  /**
   * Runs inside the receiver's UDP handler, before it looks up subscriptions,
   * so subscribing here already captures the packet that started the speech.
   */
  private readonly onSpeakingStart = (userId: string): void => {
    this.captures?.capture(userId);
    this.safeEmit('speaking', userId);
  };

  private readonly onConnectionState = (before: VoiceConnectionState, after: VoiceConnectionState): void => {
    if (before.status === after.status) return; // the networking layer's sub-steps
    if (after.status === VoiceConnectionStatus.Ready) {
      if (this.current === 'connecting') this.transition('ready', 'voice connection ready');
      else if (this.current === 'reconnecting') this.transition('ready', 'voice connection re-established');
    } else if (after.status === VoiceConnectionStatus.Destroyed) {
      this.destroy('voice connection destroyed');
    } else if (this.current === 'ready') {
      this.transition('reconnecting', describeStatus(after));
      void this.recover();
    }
  };

  private async recover(): Promise<void> {
    const timeoutMs = this.options.reconnectTimeoutMs ?? 15_000;
    const maxReconnects = this.options.maxReconnects ?? 5;
    for (let attempt = 1; ; attempt++) {
      await this.waitWhile('reconnecting', timeoutMs);
      if (this.current !== 'reconnecting') return; // ready again, or destroyed
      if (attempt > maxReconnects) {
        this.destroy(`voice connection not re-established after ${maxReconnects} rejoin attempt(s)`);
        return;
      }
      this.log.warn({ attempt, maxReconnects }, 'voice connection not back in time; rejoining');
      this.connection?.rejoin();
    }
  }

  /**
   * Resolves when the link leaves `state` or after `ms`, whichever comes first.
   * Waiters are told before 'state' listeners run, so a listener that throws
   * cannot leave join() or recover() hanging until their timeout.
   */
  private waitWhile(state: VoiceLinkState, ms: number): Promise<void> {
    if (this.current !== state) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.current === state) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve();
      }, ms);
      this.waiters.add(check);
    });
  }

  private transition(to: VoiceLinkState, reason: string): void {
    const from = this.current;
    assertTransition(from, to);
    this.current = to;
    this.log.info({ from, to, reason }, 'voice link state');
    for (const check of [...this.waiters]) check();
    this.safeEmit('state', { from, to, reason });
  }

  /** Listeners run inside @discordjs/voice's handlers; one that throws must not break them. */
  private safeEmit<K extends keyof VoiceLinkEvents>(event: K, ...args: VoiceLinkEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: VoiceLinkEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error({ err, event }, 'voice link listener threw');
    }
  }
}

/** The factory shape the meeting runner takes (adapters/discord/DiscordMeeting.ts VoiceLinkFactory). */
export function createVoiceLink(options: VoiceLinkOptions): VoiceLink {
  return new VoiceLink(options);
}

function describeStatus(state: VoiceConnectionState): string {
  if (state.status === VoiceConnectionStatus.Disconnected) {
    const why = VoiceConnectionDisconnectReason[state.reason];
    return 'closeCode' in state ? `disconnected (${why}, close code ${state.closeCode})` : `disconnected (${why})`;
  }
  if (state.status === VoiceConnectionStatus.Connecting) return 'voice websocket lost, resuming';
  return 'rejoining the voice channel';
}
