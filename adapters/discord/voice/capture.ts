import { EndBehaviorType, type AudioReceiveStream, type VoiceReceiver } from '@discordjs/voice';
import type { OpusPacket } from '../../../core/audio/types.ts';
import type { Logger } from '../../../core/logger.ts';
import { tapRtpHeaders, type HeaderLookup } from './rtpTap.ts';

/** One Opus packet with the RTP seq and timestamp it was sent with (what AudioPipeline.push takes). */
export interface VoicePacket extends OpusPacket {
  timestamp: number;
}

export interface CaptureOptions {
  receiver: VoiceReceiver;
  shouldCapture: (userId: string) => boolean;
  onPacket: (userId: string, packet: VoicePacket) => void;
  logger: Logger;
}

/**
 * The per-user audio subscriptions of one voice connection, behind the
 * consent gate. A user is subscribed only while `shouldCapture` says yes, so
 * an opted-out user's audio is never decrypted into a stream, let alone
 * handed on; the gate is asked again for every packet, and a "no" there drops
 * the packet and ends the subscription (fail closed, also if the gate throws).
 */
export class CaptureSet {
  private readonly streams = new Map<string, AudioReceiveStream>();
  private readonly headerOf: HeaderLookup;
  private closed = false;
  /** Payloads with no recorded RTP header: dropped rather than given a made-up seq. */
  unmatched = 0;

  constructor(private readonly o: CaptureOptions) {
    this.headerOf = tapRtpHeaders(o.receiver);
  }

  /** Users whose audio is being captured now. */
  get users(): string[] {
    return [...this.streams.keys()];
  }

  /** Subscribes to the user's audio if consent allows; no-op if already captured. */
  capture(userId: string): boolean {
    if (this.closed || this.streams.has(userId) || !this.allowed(userId)) return false;
    const lingering = this.o.receiver.subscriptions.get(userId);
    if (lingering?.destroyed) {
      // The receiver forgets a stream on its 'close' (a tick after destroy) and
      // would hand the dead one back until then; its close handler would also
      // delete a successor's entry. So wait for it, then subscribe afresh.
      lingering.once('close', () => this.capture(userId));
      return false;
    }
    // Manual end: the stream survives silences; it ends when consent or the link ends.
    const stream = this.o.receiver.subscribe(userId, { end: { behavior: EndBehaviorType.Manual } });
    this.streams.set(userId, stream);
    stream.on('data', (payload: Buffer) => this.deliver(userId, stream, payload));
    stream.on('error', (err) => this.o.logger.warn({ err, userId }, 'voice receive stream failed'));
    stream.once('close', () => this.onClosed(userId, stream));
    this.o.logger.debug({ userId }, 'capturing voice');
    return true;
  }

  /** Ends the user's subscription; nothing more of theirs is delivered, even if already buffered. */
  release(userId: string, reason: string): void {
    const stream = this.streams.get(userId);
    if (!stream) return;
    this.streams.delete(userId);
    stream.destroy();
    this.o.logger.info({ userId, reason }, 'stopped capturing voice');
  }

  /** Re-asks the gate: releases users who said no, captures speaking users who now say yes. */
  refresh(speaking: Iterable<string>): void {
    for (const userId of this.users) if (!this.allowed(userId)) this.release(userId, 'consent withdrawn');
    for (const userId of speaking) this.capture(userId);
  }

  close(): void {
    this.closed = true;
    for (const userId of this.users) this.release(userId, 'voice link destroyed');
  }

  private deliver(userId: string, stream: AudioReceiveStream, payload: Buffer): void {
    if (this.streams.get(userId) !== stream) return;
    if (!this.allowed(userId)) return this.release(userId, 'consent withdrawn');
    const header = this.headerOf(payload);
    if (!header) {
      if (this.unmatched++ === 0) this.o.logger.warn({ userId }, 'voice payload without its RTP header dropped (did @discordjs/voice change?)');
      return;
    }
    try {
      this.o.onPacket(userId, { seq: header.seq, timestamp: header.timestamp, data: payload });
    } catch (err) {
      // Thrown into the stream it would destroy the user's subscription from inside the receiver.
      this.o.logger.error({ err, userId }, 'onPacket threw; packet dropped');
    }
  }

  private onClosed(userId: string, stream: AudioReceiveStream): void {
    if (this.streams.get(userId) !== stream) return; // released by us
    this.streams.delete(userId);
    // The library ended it (a packet failed to decrypt): pick the user up again while they talk.
    if (!this.closed && this.o.receiver.speaking.users.has(userId)) this.capture(userId);
  }

  private allowed(userId: string): boolean {
    try {
      return this.o.shouldCapture(userId) === true;
    } catch (err) {
      this.o.logger.error({ err, userId }, 'shouldCapture threw; not capturing');
      return false;
    }
  }
}
