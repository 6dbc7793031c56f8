import type { VoiceReceiver } from '@discordjs/voice';
import { VoiceLinkError } from './states.ts';

/**
 * Recovers the RTP sequence number and timestamp of each Opus packet that
 * @discordjs/voice hands out.
 *
 * Why: `receiver.subscribe(userId)` yields bare Opus payloads. Discord sends
 * nothing while someone is silent, so numbering payloads on arrival would
 * glue the utterances of a speaker together; the pipeline needs the sender's
 * RTP timestamp (48 kHz clock, keeps running through silence) and seq.
 *
 * How (checked in @discordjs/voice 0.19.2, dist/index.js, VoiceReceiver):
 * `onUdpMessage(msg)` maps the SSRC to a user, then for subscribed users calls
 * `this.parsePacket(msg, mode, nonce, key, userId)` — transport decryption,
 * RTP padding and header-extension stripping, and DAVE decryption — and pushes
 * the returned Buffer into the user's AudioReceiveStream. This wraps
 * `parsePacket` on the receiver instance: it sees the raw datagram (whose RTP
 * header is never encrypted: seq at bytes 2–3, timestamp 4–7, SSRC 8–11) and
 * the exact Buffer object that is then pushed. The pair is remembered in a
 * WeakMap keyed by that Buffer, and the stream consumer looks its header up by
 * identity. Pairing by identity rather than "the last header seen" stays right
 * however Readable schedules its 'data' events (synchronously while flowing,
 * or later from its buffer) and with several speakers interleaved; entries go
 * away with the Buffers.
 *
 * Caveat: `parsePacket` is private API. package.json pins @discordjs/voice to
 * an exact version; if an upgrade renames it, linking fails loudly with
 * VOICE_RECEIVER_UNSUPPORTED (and the loopback tests fail) instead of audio
 * silently losing its timing.
 */
export interface RtpHeader {
  seq: number;
  timestamp: number;
  ssrc: number;
}

/** Reads the clear RTP header of a voice datagram; null if it is not RTP version 2. */
export function readRtpHeader(datagram: Uint8Array): RtpHeader | null {
  if (datagram.length < 12 || (datagram[0] ?? 0) >> 6 !== 2) return null;
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  return { seq: view.getUint16(2), timestamp: view.getUint32(4), ssrc: view.getUint32(8) };
}

type ParsePacket = (this: VoiceReceiver, datagram: Buffer, ...rest: unknown[]) => Buffer | null | undefined;

/** One tap per receiver, however many times a receiver is tapped. */
const taps = new WeakMap<VoiceReceiver, WeakMap<Buffer, RtpHeader>>();

export type HeaderLookup = (payload: Buffer) => RtpHeader | undefined;

/** Installs the tap (once per receiver) and returns the payload → header lookup. */
export function tapRtpHeaders(receiver: VoiceReceiver): HeaderLookup {
  let headers = taps.get(receiver);
  if (!headers) {
    headers = install(receiver);
    taps.set(receiver, headers);
  }
  const found = headers;
  return (payload) => found.get(payload);
}

function install(receiver: VoiceReceiver): WeakMap<Buffer, RtpHeader> {
  const target = receiver as unknown as { parsePacket?: ParsePacket };
  const original = target.parsePacket;
  if (typeof original !== 'function') {
    throw new VoiceLinkError('VOICE_RECEIVER_UNSUPPORTED', '@discordjs/voice VoiceReceiver has no parsePacket(); cannot read RTP headers');
  }
  const headers = new WeakMap<Buffer, RtpHeader>();
  target.parsePacket = function tappedParsePacket(this: VoiceReceiver, datagram: Buffer, ...rest: unknown[]) {
    const payload = original.call(this, datagram, ...rest);
    if (payload) {
      const header = readRtpHeader(datagram);
      if (header) headers.set(payload, header);
    }
    return payload;
  };
  return headers;
}
