import { readFileSync } from 'node:fs';

/** Reads a 16-bit PCM mono WAV (the fixture format); returns samples and rate. */
export function readWav16(path: string): { samples: Int16Array; rate: number } {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path}: not a WAV file`);
  let off = 12;
  let rate = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      if (buf.readUInt16LE(off + 8) !== 1 || buf.readUInt16LE(off + 10) !== 1 || buf.readUInt16LE(off + 22) !== 16) throw new Error(`${path}: only 16-bit PCM mono`);
      rate = buf.readUInt32LE(off + 12);
    } else if (id === 'data') {
      const data = new Uint8Array(buf.subarray(off + 8, off + 8 + size));
      return { samples: new Int16Array(data.buffer, 0, data.length >> 1), rate };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

/** 16 kHz → 48 kHz by linear interpolation: only to make test/bench input for the encoder. */
export function upsample3(x: Int16Array): Int16Array {
  const out = new Int16Array(x.length * 3);
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = x[i + 1] ?? a;
    out[3 * i] = a;
    out[3 * i + 1] = Math.round(a + (b - a) / 3);
    out[3 * i + 2] = Math.round(a + (2 * (b - a)) / 3);
  }
  return out;
}
