import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TranscribeRequest, Transcriber } from '../../core/asr/types.ts';
import { readWav } from '../../core/asr/wav.ts';

/** LJSpeech LJ002-0020 (public domain): 1.54 s of 16 kHz mono speech as PCM16 samples. */
export const LJSPEECH_PCM16: Int16Array = (() => {
  const wav = readWav(readFileSync(fileURLToPath(new URL('../fixtures/audio/ljspeech_LJ002-0020.wav', import.meta.url))));
  return Int16Array.from(wav.samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
})();

/** A speech-to-text engine that answers every utterance with one numbered line covering all of it. */
export class LineTranscriber implements Transcriber {
  readonly name = 'line';
  readonly quality = 'high' as const;
  calls = 0;
  async transcribe(r: TranscribeRequest) {
    this.calls++;
    return { engine: 'line', segments: [{ text: `line ${this.calls}`, startMs: 0, endMs: (r.pcm.length / 16000) * 1000, confidence: 0.9 }] };
  }
}
