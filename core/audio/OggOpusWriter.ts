/**
 * A small Ogg/Opus muxer (RFC 7845 on RFC 3533): OpusHead and OpusTags pages,
 * then pages of Opus packets with lacing values, granule positions in 48 kHz
 * samples (pre-skip included), page sequence numbers, one serial number, the
 * Ogg CRC-32 and EOS on the last page. Pure: pages go to a `WritableLike`
 * sink when one is given, and are returned as Buffers either way.
 */

/** What the writer needs of a stream: `fs.WriteStream` and friends fit. */
export interface WritableLike {
  write(buf: Buffer): unknown;
  end(): unknown;
}

export interface OggOpusWriterOptions {
  channels?: 1 | 2;
  /** Informational rate of the original input (OpusHead); default 48 kHz. */
  inputSampleRate?: number;
  /** Samples at 48 kHz the decoder drops at the start; default 312 (libopus encoder delay). */
  preSkip?: number;
  /** Ogg logical stream serial; random by default. */
  serial?: number;
  vendor?: string;
  /** A page is closed once it holds this much audio (48 kHz samples); default 1 s. */
  pageSamples?: number;
  sink?: WritableLike;
}

const FLAG_BOS = 0x02;
const FLAG_EOS = 0x04;
const MAX_SEGMENTS = 255;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** The Ogg CRC: polynomial 0x04C11DB7, initial 0, not reflected, no final xor. */
export function oggCrc32(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}

/** Samples at 48 kHz in one Opus packet, from its TOC byte (RFC 6716 §3.1). Throws on a packet it cannot read. */
export function opusPacketSamples(packet: Uint8Array): number {
  if (packet.length === 0) throw new RangeError('empty Opus packet');
  const toc = packet[0]!;
  const config = toc >> 3;
  let frame: number; // 48 kHz samples per frame
  if (config < 12) frame = [480, 960, 1920, 2880][config & 3]!;
  else if (config < 16) frame = [480, 960][config & 1]!;
  else frame = [120, 240, 480, 960][config & 3]!;
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code < 3) frames = 2;
  else {
    if (packet.length < 2) throw new RangeError('Opus packet with code 3 has no frame count byte');
    frames = packet[1]! & 0x3f;
    if (frames === 0) throw new RangeError('Opus packet with zero frames');
  }
  const samples = frames * frame;
  if (samples > 5760) throw new RangeError(`Opus packet of ${samples / 48} ms is over the 120 ms limit`);
  return samples;
}

export class OggOpusWriter {
  readonly channels: 1 | 2;
  readonly preSkip: number;
  readonly serial: number;
  private readonly inputSampleRate: number;
  private readonly vendor: string;
  private readonly pageSamples: number;
  private readonly sink: WritableLike | undefined;
  private sequence = 0;
  private granule: number;
  private started = false;
  private ended = false;
  private pending: Uint8Array[] = [];
  private pendingSegments = 0;
  private pendingSamples = 0;
  /** Opus packets written so far. */
  packets = 0;

  constructor(options: OggOpusWriterOptions = {}) {
    this.channels = options.channels ?? 1;
    this.preSkip = options.preSkip ?? 312;
    this.serial = (options.serial ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
    this.inputSampleRate = options.inputSampleRate ?? 48_000;
    this.vendor = options.vendor ?? 'open-minutes';
    this.pageSamples = options.pageSamples ?? 48_000;
    this.sink = options.sink;
    this.granule = this.preSkip;
  }

  /** Audio written so far, in 48 kHz samples (without pre-skip). */
  get samples(): number {
    return this.granule - this.preSkip + this.pendingSamples;
  }

  /** Adds one Opus packet; returns the pages completed by it (the headers on the first call). */
  write(packet: Uint8Array): Buffer[] {
    if (this.ended) throw new Error('OggOpusWriter: write after end');
    const samples = opusPacketSamples(packet);
    const segments = Math.floor(packet.length / 255) + 1;
    if (segments > MAX_SEGMENTS) throw new RangeError(`Opus packet of ${packet.length} bytes does not fit one Ogg page`);
    const out = this.headers();
    // Close the waiting page first when this packet would overflow it; the last page is
    // always held back so that end() can flag it EOS.
    if (this.pending.length > 0 && (this.pendingSegments + segments > MAX_SEGMENTS || this.pendingSamples >= this.pageSamples)) {
      out.push(this.flush(0));
    }
    this.pending.push(packet);
    this.pendingSegments += segments;
    this.pendingSamples += samples;
    this.packets++;
    return this.emit(out);
  }

  /** Writes the last page with EOS and ends the sink; returns the remaining pages. */
  end(): Buffer[] {
    if (this.ended) return [];
    const out = this.headers();
    out.push(this.flush(FLAG_EOS)); // with no audio at all: an empty EOS page
    this.ended = true;
    const pages = this.emit(out);
    this.sink?.end();
    return pages;
  }

  private emit(pages: Buffer[]): Buffer[] {
    if (this.sink) for (const p of pages) this.sink.write(p);
    return pages;
  }

  private headers(): Buffer[] {
    if (this.started) return [];
    this.started = true;
    const head = Buffer.alloc(19);
    head.write('OpusHead', 0, 'latin1');
    head.writeUInt8(1, 8); // version
    head.writeUInt8(this.channels, 9);
    head.writeUInt16LE(this.preSkip, 10);
    head.writeUInt32LE(this.inputSampleRate, 12);
    head.writeInt16LE(0, 16); // output gain
    head.writeUInt8(0, 18); // channel mapping family 0: mono or stereo, no table
    const vendor = Buffer.from(this.vendor, 'utf8');
    const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
    tags.write('OpusTags', 0, 'latin1');
    tags.writeUInt32LE(vendor.length, 8);
    vendor.copy(tags, 12);
    tags.writeUInt32LE(0, 12 + vendor.length); // no user comments
    return [this.page([head], 0, FLAG_BOS), this.page([tags], 0, 0)];
  }

  private flush(flags: number): Buffer {
    this.granule += this.pendingSamples;
    const page = this.page(this.pending, this.granule, flags);
    this.pending = [];
    this.pendingSegments = 0;
    this.pendingSamples = 0;
    return page;
  }

  private page(packets: readonly Uint8Array[], granule: number, flags: number): Buffer {
    const lacing: number[] = [];
    let body = 0;
    for (const p of packets) {
      for (let n = p.length; ; n -= 255) {
        lacing.push(Math.min(n, 255));
        if (n < 255) break;
      }
      body += p.length;
    }
    const buf = Buffer.alloc(27 + lacing.length + body);
    buf.write('OggS', 0, 'latin1');
    buf.writeUInt8(0, 4); // stream structure version
    buf.writeUInt8(flags, 5);
    buf.writeBigUInt64LE(BigInt(granule), 6);
    buf.writeUInt32LE(this.serial, 14);
    buf.writeUInt32LE(this.sequence++, 18);
    buf.writeUInt32LE(0, 22); // CRC, filled in below
    buf.writeUInt8(lacing.length, 26);
    lacing.forEach((v, i) => (buf[27 + i] = v));
    let at = 27 + lacing.length;
    for (const p of packets) {
      buf.set(p, at);
      at += p.length;
    }
    buf.writeUInt32LE(oggCrc32(buf), 22);
    return buf;
  }
}

/** Muxes a whole list of packets into one Ogg/Opus file. */
export function muxOggOpus(packets: Iterable<Uint8Array>, options: Omit<OggOpusWriterOptions, 'sink'> = {}): Buffer {
  const w = new OggOpusWriter(options);
  const pages: Buffer[] = [];
  for (const p of packets) pages.push(...w.write(p));
  pages.push(...w.end());
  return Buffer.concat(pages);
}
