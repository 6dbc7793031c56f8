import { expect } from 'chai';
import { planChunks, transcribeLong } from './chunk.ts';
import type { TranscribeRequest, TranscribeResult, Transcriber } from './types.ts';

const RATE = 16000;
/** Speech-like noise with pauses (zeros) at the given seconds, each 200 ms long. */
function audio(seconds: number, pausesAt: number[] = []): Int16Array {
  const pcm = new Int16Array(seconds * RATE);
  let seed = 7;
  for (let i = 0; i < pcm.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    pcm[i] = (seed % 8000) - 4000;
  }
  for (const p of pausesAt) pcm.fill(0, Math.round((p - 0.1) * RATE), Math.round((p + 0.1) * RATE));
  return pcm;
}

/** An engine that says one segment per request, timed at 0.5 s into it, and records what it was sent. */
class RecordingEngine implements Transcriber {
  readonly name = 'fake';
  readonly quality = 'high' as const;
  readonly sent: number[] = [];
  transcribe(r: TranscribeRequest): Promise<TranscribeResult> {
    this.sent.push(r.pcm.length);
    const lengthMs = (r.pcm.length / RATE) * 1000;
    return Promise.resolve({
      engine: 'fake:1',
      segments: [
        { text: `part ${this.sent.length}`, startMs: 500, endMs: 1500, confidence: 0.9, words: [{ word: 'part', startMs: 500, endMs: 900 }] },
        { text: `tail ${this.sent.length}`, startMs: lengthMs - 400, endMs: lengthMs, confidence: 0.9 },
      ],
    });
  }
}

describe('chunking long recordings for an engine', () => {
  it('keeps short audio in one window', () => {
    expect(planChunks(audio(10))).to.deep.equal([{ start: 0, end: 10 * RATE, keepFrom: 0 }]);
  });

  it('cuts at a pause inside the search window, without overlap', () => {
    const chunks = planChunks(audio(70, [27, 55]));
    expect(chunks).to.have.length(3);
    // Each cut falls inside a 200 ms pause.
    expect(chunks[0]!.end / RATE).to.be.within(26.9, 27.1);
    expect(chunks[1]!.start).to.equal(chunks[0]!.end);
    expect(chunks[1]!.end / RATE).to.be.within(54.9, 55.1);
    for (const c of chunks) expect(c.end - c.start).to.be.at.most(30 * RATE);
  });

  it('cuts at the limit with an overlap when nobody pauses', () => {
    const chunks = planChunks(audio(65), { overlapMs: 1000 });
    expect(chunks.map((c) => [c.start / RATE, c.end / RATE, c.keepFrom / RATE])).to.deep.equal([[0, 30, 0], [29, 59, 30], [58, 65, 59]]);
  });

  it('puts segment and word times on the recording clock and drops overlap duplicates', async () => {
    const engine = new RecordingEngine();
    const progress: number[] = [];
    const result = await transcribeLong(engine, audio(65), { overlapMs: 1000, onProgress: (done) => progress.push(done) });
    expect(engine.sent).to.deep.equal([30 * RATE, 30 * RATE, 7 * RATE]);
    expect(result.engine).to.equal('fake:1');
    // Window 2 starts at 29 s: its "part" at 29.5 s is inside the overlap already covered by window 1, so it is dropped.
    // Window 3 starts at 58 s: its "part" at 58.5 s is likewise dropped.
    expect(result.segments.map((s) => [s.text, s.startMs])).to.deep.equal([['part 1', 500], ['tail 1', 29_600], ['tail 2', 58_600], ['tail 3', 64_600]]);
    expect(result.segments[0]!.words?.[0]).to.include({ startMs: 500, endMs: 900 });
    expect(progress).to.deep.equal([30_000, 59_000, 65_000]);
  });
});
