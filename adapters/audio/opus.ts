import { createRequire } from 'node:module';
import type { OpusDecoder, OpusDecoderFactory } from '../../core/audio/types.ts';

/**
 * Opus codecs for the audio pipeline: the native @discordjs/opus when its
 * prebuilt binary loads (an optionalDependency: absent on some machines),
 * otherwise opusscript (WebAssembly, slower, always there). These are the
 * same two libraries prism-media picks between; they are used directly here
 * because a stream Transform per speaker costs more than the decode itself.
 */
const require = createRequire(import.meta.url);

interface Codec {
  encode(pcm: Buffer, frameSize?: number): Buffer;
  decode(packet: Buffer): Buffer;
  delete?(): void;
}

type Ctor = (rate: number, channels: number) => Codec;

function loadNative(): Ctor | null {
  try {
    const { OpusEncoder } = require('@discordjs/opus') as { OpusEncoder: new (r: number, c: number) => Codec };
    return (r, c) => new OpusEncoder(r, c);
  } catch {
    return null;
  }
}

function loadScript(): Ctor {
  const OpusScript = require('opusscript') as { new (r: number, c: number, app: number): Codec; Application: { AUDIO: number } };
  return (r, c) => {
    const codec = new OpusScript(r as 48000 | 16000, c, OpusScript.Application.AUDIO);
    return { encode: (pcm) => codec.encode(pcm, pcm.length / 2 / c), decode: (p) => codec.decode(p), delete: () => codec.delete?.() };
  };
}

const native = loadNative();

export type OpusImplementation = 'native' | 'opusscript';

/** Which codec `createOpusDecoder` uses unless told otherwise. */
export const defaultOpus: OpusImplementation = native ? 'native' : 'opusscript';

function ctor(impl: OpusImplementation): Ctor {
  if (impl === 'native') {
    if (!native) throw new Error('@discordjs/opus is not installed or failed to load');
    return native;
  }
  return loadScript();
}

function asInt16(buf: Buffer): Int16Array {
  // Native buffers may start at an odd offset inside a pool; Int16Array needs even.
  if (buf.byteOffset % 2 === 0) return new Int16Array(buf.buffer, buf.byteOffset, buf.length >> 1);
  return new Int16Array(new Uint8Array(buf).buffer);
}

export interface OpusDecoderOptions {
  /**
   * Output rate. Default 16 kHz: Opus decodes straight to the rate the
   * pipeline uses (≈ 2× cheaper than 48 kHz stereo, and no resampler after it).
   * 48 kHz is kept for callers that want full-band PCM.
   */
  rate?: 48_000 | 16_000;
  /** Output channels; default 1 at 16 kHz (the codec downmixes stereo packets), 2 at 48 kHz (as Discord sends). */
  channels?: 1 | 2;
  impl?: OpusImplementation;
}

/** A decoder factory for the pipeline: one decoder per stream, 16 kHz mono unless told otherwise. */
export function opusDecoderFactory(options: OpusDecoderOptions = {}): OpusDecoderFactory {
  const make = ctor(options.impl ?? defaultOpus);
  const sampleRate = options.rate ?? 16_000;
  const channels = options.channels ?? (sampleRate === 16_000 ? 1 : 2);
  return (): OpusDecoder => {
    let codec: Codec | null = make(sampleRate, channels);
    return {
      channels,
      sampleRate,
      decode(packet) {
        if (!codec) throw new Error('decoder released');
        if (packet.length === 0) throw new Error('empty packet');
        const data = Buffer.isBuffer(packet) ? packet : Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
        return asInt16(codec.decode(data));
      },
      release() {
        codec?.delete?.();
        codec = null;
      },
    };
  };
}

/** Encodes 48 kHz PCM into 20 ms Opus packets (tests and the benchmark make real packets with it). */
export function encodeOpus(pcm48: Int16Array, channels: 1 | 2 = 1, impl: OpusImplementation = defaultOpus): Buffer[] {
  const codec = ctor(impl)(48_000, channels);
  const frame = 960 * channels;
  const packets: Buffer[] = [];
  for (let i = 0; i + frame <= pcm48.length; i += frame) {
    const chunk = pcm48.subarray(i, i + frame);
    packets.push(Buffer.from(codec.encode(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), 960)));
  }
  codec.delete?.();
  return packets;
}
