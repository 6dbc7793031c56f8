import { parentPort, workerData } from 'node:worker_threads';
import { LocalFrontEnds } from './frontends.ts';
import type { AudioIssue, OpusDecoderFactory } from './types.ts';
import { PACKET_FIELDS, type FromWorker, type ToWorker, type Control, type WorkerSetup } from './AudioWorkerPool.ts';

/**
 * A worker of AudioWorkerPool: runs the per-stream stages of its shard. The
 * decoder factory is named by module URL and export (functions do not cross
 * threads), which keeps core/ free of codec imports here too.
 */
const setup = workerData as WorkerSetup;
const mod = (await import(setup.decoderModule)) as Record<string, (o: unknown) => OpusDecoderFactory>;
const make = mod[setup.decoderExport];
if (typeof make !== 'function') throw new Error(`${setup.decoderModule} has no export ${setup.decoderExport}`);

/** Stream id by the pool's index, and back. */
const names: string[] = [];
const indexOf = new Map<string, number>();

// Results of one incoming message, sent back as one message.
let kinds: number[] = [];
let uhdr: number[] = [];
let pcm: Int16Array[] = [];
let issues: AudioIssue[] = [];
let syncs: number[] = [];

const host = new LocalFrontEnds(make(setup.decoderOptions), {
  utterance(u) {
    kinds.push(0);
    uhdr.push(indexOf.get(u.stream)!, u.startMs, u.endMs, u.speechMs); // UTTERANCE_FIELDS
    pcm.push(u.pcm);
  },
  issue(i) {
    kinds.push(1);
    issues.push(i);
  },
}, setup.frontEnd);

function control(op: Control): void {
  if (op[0] === 'n') {
    names[op[1]] = op[2];
    indexOf.set(op[2], op[1]);
  } else if (op[0] === 't') host.tick(op[1]);
  else if (op[0] === 'r') host.release(names[op[1]]!, op[2]);
  else {
    kinds.push(2);
    syncs.push(op[1]);
  }
}

parentPort!.on('message', (m: ToWorker) => {
  const { hdr, data, ctl, at } = m;
  let c = 0;
  for (let p = 0; p < m.n; p++) {
    while (c < ctl.length && at[c]! <= p) control(ctl[c++]!);
    const o = p * PACKET_FIELDS;
    const ts = hdr[o + 2]!;
    const off = hdr[o + 4]!;
    // A view into the batch's payload: no copy (the jitter buffer holds it for a few packets at most).
    host.push(names[hdr[o]!]!, { seq: hdr[o + 1]!, timestamp: Number.isNaN(ts) ? undefined : ts, arrivalMs: hdr[o + 3]!, data: data.subarray(off, off + hdr[o + 5]!) });
  }
  while (c < ctl.length) control(ctl[c++]!);
  if (!kinds.length) return;
  const out: FromWorker = { k: Uint8Array.from(kinds), u: Float64Array.from(uhdr), pcm, i: issues, s: syncs };
  const transfer: ArrayBuffer[] = [out.k.buffer as ArrayBuffer, out.u.buffer as ArrayBuffer];
  // Each utterance's samples move, not copy (they own their buffers; a shared one would pin them all while ASR waits).
  for (const x of pcm) if (x.byteOffset === 0 && x.byteLength === x.buffer.byteLength && !transfer.includes(x.buffer as ArrayBuffer)) transfer.push(x.buffer as ArrayBuffer);
  parentPort!.postMessage(out, transfer);
  kinds = [];
  uhdr = [];
  pcm = [];
  issues = [];
  syncs = [];
});
