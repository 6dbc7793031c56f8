/**
 * 48 kHz (mono or interleaved stereo) → 16 kHz mono. Downmix, then an FIR
 * low-pass (windowed sinc, cutoff 7 kHz, below the new 8 kHz Nyquist so speech
 * harmonics above it do not fold back), evaluated only at every third input
 * sample: the polyphase shortcut of filter-then-decimate. The tail of the
 * previous frame is kept so frame edges are seamless.
 */
const FACTOR = 3;
const TAPS = 24;

function designLowPass(taps: number, cutoffHz: number, rateHz: number): Float32Array {
  const h = new Float32Array(taps);
  const fc = cutoffHz / rateHz;
  const mid = (taps - 1) / 2;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    // Blackman window: ~58 dB stopband, enough for 16-bit speech into ASR.
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
    h[i] = sinc * w;
    sum += h[i]!;
  }
  for (let i = 0; i < taps; i++) h[i]! /= sum; // unity gain at DC
  return h;
}

const KERNEL = designLowPass(TAPS, 7000, 48_000);

export class Downsampler {
  /** Mono 48 kHz samples: the last TAPS-1 of the previous call, then the new ones. */
  private buf = new Float32Array(TAPS - 1 + 2880);
  private held = 0;
  /** Offset of the next output's newest input sample in `buf`, relative to the history start. */
  private phase = TAPS - 1;

  /** Returns the 16 kHz samples this input completes (960 stereo-frames in → 320 out). */
  process(input: Int16Array, channels: 1 | 2): Int16Array {
    const frames = input.length / channels;
    this.ensure(this.held + frames);
    const buf = this.buf;
    let w = this.held;
    if (channels === 2) for (let i = 0; i < input.length; i += 2) buf[w++] = (input[i]! + input[i + 1]!) * 0.5;
    else for (let i = 0; i < input.length; i++) buf[w++] = input[i]!;
    const end = w;
    const out = new Int16Array(Math.max(0, Math.floor((end - 1 - this.phase) / FACTOR) + 1));
    let o = 0;
    let p = this.phase;
    for (; p < end; p += FACTOR) {
      let acc = 0;
      const base = p - (TAPS - 1);
      for (let k = 0; k < TAPS; k++) acc += buf[base + k]! * KERNEL[k]!;
      out[o++] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
    }
    // Keep the last TAPS-1 samples as history for the next call.
    const keepFrom = end - (TAPS - 1);
    buf.copyWithin(0, keepFrom, end);
    this.held = TAPS - 1;
    this.phase = p - keepFrom;
    return o === out.length ? out : out.subarray(0, o);
  }

  /** After a gap the old tail is not the audio before the next frame: start clean. */
  reset(): void {
    this.buf.fill(0, 0, TAPS - 1);
    this.held = TAPS - 1;
    this.phase = TAPS - 1;
  }

  private ensure(n: number): void {
    if (n <= this.buf.length) return;
    const next = new Float32Array(n);
    next.set(this.buf.subarray(0, this.held));
    this.buf = next;
  }
}
