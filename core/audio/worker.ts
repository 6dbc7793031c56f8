import { parentPort, workerData } from 'node:worker_threads';
import { LocalFrontEnds } from './frontends.ts';
import type { OpusDecoderFactory } from './types.ts';
import type { ToWorker, FromWorker, WorkerSetup } from './AudioWorkerPool.ts';

/**
 * A worker of AudioWorkerPool: runs the per-stream stages of its shard. The
 * decoder factory is named by module URL and export (functions do not cross
 * threads), which keeps core/ free of codec imports here too.
 */
const setup = workerData as WorkerSetup;
const mod = (await import(setup.decoderModule)) as Record<string, (o: unknown) => OpusDecoderFactory>;
const make = mod[setup.decoderExport];
if (typeof make !== 'function') throw new Error(`${setup.decoderModule} has no export ${setup.decoderExport}`);

let out: FromWorker[] = [];
let transfer: ArrayBuffer[] = [];
const host = new LocalFrontEnds(make(setup.decoderOptions), {
  utterance(u) {
    out.push({ t: 'u', stream: u.stream, pcm: u.pcm, startMs: u.startMs, endMs: u.endMs, speechMs: u.speechMs });
    transfer.push(u.pcm.buffer as ArrayBuffer);
  },
  issue(i) {
    out.push({ t: 'i', issue: i });
  },
}, setup.frontEnd);

parentPort!.on('message', (batch: ToWorker[]) => {
  for (const m of batch) {
    if (m[0] === 'p') host.push(m[1], { seq: m[2], ...(m[3] === null ? {} : { timestamp: m[3] }), arrivalMs: m[4], data: m[5] });
    else if (m[0] === 't') host.tick(m[1]);
    else if (m[0] === 'r') host.release(m[1], m[2]);
    else out.push({ t: 's', id: m[1] });
  }
  if (out.length) {
    parentPort!.postMessage(out, transfer);
    out = [];
    transfer = [];
  }
});
