import type { TimedPacket } from './types.ts';

/** Signed distance a→b of 16-bit sequence numbers, so 65535 → 0 is +1. */
export function seqDelta(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/**
 * A few packets of reordering: UDP delivers slightly out of order, and
 * decoding in arrival order would scramble the audio and its clock. Packets
 * are released in sequence order once `depth` newer ones have arrived (or on
 * drain, when the stream pauses). A packet older than one already released is
 * late: it is dropped and reported, never played twice or out of place.
 */
export class JitterBuffer {
  private readonly held: TimedPacket[] = [];
  private lastReleased: number | null = null;

  constructor(private readonly depth = 3) {}

  /** Adds a packet; returns packets now due (in order), or 'late' / 'duplicate'. */
  push(packet: TimedPacket): TimedPacket[] | 'late' | 'duplicate' {
    if (this.lastReleased !== null && seqDelta(this.lastReleased, packet.seq) <= 0) return 'late';
    let i = this.held.length;
    while (i > 0 && seqDelta(this.held[i - 1]!.seq, packet.seq) < 0) i--;
    if (i > 0 && this.held[i - 1]!.seq === packet.seq) return 'duplicate';
    this.held.splice(i, 0, packet);
    if (this.held.length <= this.depth) return [];
    return this.take(this.held.length - this.depth);
  }

  drain(): TimedPacket[] {
    return this.take(this.held.length);
  }

  get size(): number {
    return this.held.length;
  }

  private take(n: number): TimedPacket[] {
    const out = this.held.splice(0, n);
    if (out.length) this.lastReleased = out[out.length - 1]!.seq;
    return out;
  }
}
