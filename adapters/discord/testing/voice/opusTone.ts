import { createRequire } from 'node:module';

/**
 * Real Opus packets for voice tests: 20 ms frames of a sine tone, 48 kHz
 * stereo as Discord clients send. Encoded with opusscript directly because the
 * Discord adapter may not import another adapter (adapters/audio/opus.ts has
 * the same encoder; test/boundaries.test.ts forbids the cross-import).
 */
const require = createRequire(import.meta.url);

interface Encoder {
  encode(pcm: Buffer, frameSize: number): Buffer;
  delete(): void;
}

const OpusScript = require('opusscript') as { new (rate: 48000, channels: number, app: number): Encoder; Application: { AUDIO: number } };

export const FRAME_SAMPLES = 960; // 20 ms at 48 kHz

export function opusTone(frequencyHz: number, frames: number): Buffer[] {
  const encoder = new OpusScript(48_000, 2, OpusScript.Application.AUDIO);
  try {
    const packets: Buffer[] = [];
    for (let f = 0; f < frames; f++) {
      const pcm = Buffer.alloc(FRAME_SAMPLES * 2 * 2);
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        const t = (f * FRAME_SAMPLES + i) / 48_000;
        const sample = Math.round(8_000 * Math.sin(2 * Math.PI * frequencyHz * t));
        pcm.writeInt16LE(sample, i * 4);
        pcm.writeInt16LE(sample, i * 4 + 2);
      }
      packets.push(Buffer.from(encoder.encode(pcm, FRAME_SAMPLES)));
    }
    return packets;
  } finally {
    encoder.delete();
  }
}
