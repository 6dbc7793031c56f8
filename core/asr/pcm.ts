/**
 * Sample conversions for file transcription: downmix to mono, resample to
 * 16 kHz with a windowed-sinc low-pass (so 44.1/48 kHz audio does not alias),
 * and convert to signed 16-bit.
 */
export const ASR_SAMPLE_RATE = 16000;

export function downmix(interleaved: Float32Array, channels: number): Float32Array {
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c]!;
    out[f] = sum / channels;
  }
  return out;
}

const HALF_TAPS = 16;

/** Band-limited resampling (Hann-windowed sinc, 16 zero crossings a side). */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio) * 0.95;
  const outLength = Math.floor(input.length * ratio);
  const out = new Float32Array(outLength);
  const width = HALF_TAPS / cutoff;
  for (let i = 0; i < outLength; i++) {
    const center = i / ratio;
    const lo = Math.max(0, Math.ceil(center - width));
    const hi = Math.min(input.length - 1, Math.floor(center + width));
    let acc = 0;
    let norm = 0;
    for (let j = lo; j <= hi; j++) {
      const x = j - center;
      const w = kernel(x * cutoff) * (0.5 + 0.5 * Math.cos((Math.PI * x) / width));
      acc += input[j]! * w;
      norm += w;
    }
    out[i] = norm > 0 ? acc / norm : 0;
  }
  return out;
}

function kernel(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = s < 0 ? Math.round(s * 32768) : Math.round(s * 32767);
  }
  return out;
}

/** Any interleaved float audio → 16 kHz mono 16-bit, what every Transcriber takes. */
export function toAsrPcm(samples: Float32Array, sampleRate: number, channels: number): Int16Array {
  return toInt16(resample(downmix(samples, channels), sampleRate, ASR_SAMPLE_RATE));
}

export function int16ToFloat(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i]! / 32768;
  return out;
}

export const pcmDurationMs = (pcm: Int16Array) => Math.round((pcm.length / ASR_SAMPLE_RATE) * 1000);
