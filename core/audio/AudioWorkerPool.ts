import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FrontEndHost } from './frontends.ts';
import type { FrontEndOptions, FrontEndSink } from './StreamFrontEnd.ts';
import type { AudioIssue, TimedPacket } from './types.ts';

/**
 * Control operations, sent alongside the packed packets. Streams are named by
 * a per-worker index: 'n' binds an index to its stream id (once, before the
 * stream's first packet), so packets carry a number, not a string.
 */
export type Control =
  | ['n', number, string]
  | ['t', number]
  | ['r', number, boolean]
  | ['s', number];

/**
 * Numbers per packet in `ToWorker.hdr`: stream index, seq, timestamp (NaN when
 * absent), arrivalMs, payload offset, payload length.
 */
export const PACKET_FIELDS = 6;

/**
 * One event-loop turn's worth of work for one worker, as one message: every
 * packet's header in one Float64Array and every payload in one Uint8Array
 * (both transferred, so nothing is cloned per packet). `ctl[i]` runs before
 * packet `at[i]` (at = n: after the last), which keeps the order of pushes,
 * ticks, releases and sync markers exactly as the caller made them.
 */
export interface ToWorker {
  n: number;
  hdr: Float64Array;
  data: Uint8Array;
  ctl: Control[];
  at: number[];
}

/** Numbers per utterance in `FromWorker.u`: stream index, startMs, endMs, speechMs. */
export const UTTERANCE_FIELDS = 4;

/**
 * What one worker produced while handling one ToWorker, as one message.
 * `k` is the event order: 0 = next utterance (header in `u`, samples in `pcm`,
 * each pcm buffer transferred), 1 = next issue, 2 = next sync id.
 */
export interface FromWorker {
  k: Uint8Array;
  u: Float64Array;
  pcm: Int16Array[];
  i: AudioIssue[];
  s: number[];
}

export interface WorkerSetup {
  /** Module URL exporting a decoder-factory maker, e.g. adapters/audio/opus.ts. */
  decoderModule: string;
  decoderExport: string;
  decoderOptions?: unknown;
  frontEnd?: FrontEndOptions;
}

export interface AudioWorkerPoolOptions extends WorkerSetup {
  sink: FrontEndSink;
  /** Default: one per core. */
  workers?: number;
}

/** FNV-1a: a stream always lands on the same worker, which holds its decoder and state. */
function shardOf(stream: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  return (h >>> 0) % n;
}

/**
 * Worker threads do not inherit the main thread's TypeScript loader (Node 20),
 * so each worker loads worker.ts through tsx's tsImport when tsx is available.
 */
function bootstrap(): string {
  let tsx: string | null = null;
  try {
    tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  } catch {
    tsx = null;
  }
  const entry = new URL('./worker.ts', import.meta.url).href;
  // tsImport loads the .ts entry with a loader scoped to it (and its imports).
  if (tsx) return `import(${JSON.stringify(tsx)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return `import(${JSON.stringify(entry)})`;
}

/** A stream's place: its worker and its index there (kept across idle releases, so a revived stream reuses it). */
interface Route {
  worker: number;
  index: number;
  live: boolean;
}

/** The packets and control operations one worker gets at the next flush. */
class Outbox {
  n = 0;
  hdr: Float64Array;
  data: Uint8Array;
  bytes = 0;
  ctl: Control[] = [];
  at: number[] = [];

  constructor(private packets = 256, private payload = 64 * 1024) {
    this.hdr = new Float64Array(packets * PACKET_FIELDS);
    this.data = new Uint8Array(payload);
  }

  packet(index: number, p: TimedPacket): void {
    const len = p.data.byteLength;
    if (this.n * PACKET_FIELDS === this.hdr.length) {
      const hdr = new Float64Array(this.hdr.length * 2);
      hdr.set(this.hdr);
      this.hdr = hdr;
    }
    if (this.bytes + len > this.data.length) {
      const data = new Uint8Array(Math.max(this.data.length * 2, this.bytes + len));
      data.set(this.data.subarray(0, this.bytes));
      this.data = data;
    }
    const h = this.hdr;
    const o = this.n * PACKET_FIELDS;
    h[o] = index;
    h[o + 1] = p.seq;
    h[o + 2] = p.timestamp ?? Number.NaN;
    h[o + 3] = p.arrivalMs;
    h[o + 4] = this.bytes;
    h[o + 5] = len;
    // Copy just the packet's bytes (a pooled Buffer view must not drag its pool along).
    this.data.set(p.data, this.bytes);
    this.bytes += len;
    this.n++;
  }

  control(op: Control): void {
    this.ctl.push(op);
    this.at.push(this.n);
  }

  get empty(): boolean {
    return this.n === 0 && this.ctl.length === 0;
  }

  /** The message (its buffers to transfer), and a fresh outbox sized like this one's use. */
  take(): ToWorker {
    const msg: ToWorker = { n: this.n, hdr: this.hdr, data: this.data, ctl: this.ctl, at: this.at };
    // Next turn likely carries about as much: size for it, so growth copies are rare.
    this.packets = Math.max(64, this.n + (this.n >> 2));
    this.payload = Math.max(4096, this.bytes + (this.bytes >> 2));
    this.hdr = new Float64Array(this.packets * PACKET_FIELDS);
    this.data = new Uint8Array(this.payload);
    this.n = 0;
    this.bytes = 0;
    this.ctl = [];
    this.at = [];
    return msg;
  }
}

/**
 * Decode + resample + VAD + cutting in worker threads, streams sharded by id,
 * so one process uses every core. Each event-loop turn's packets for a worker
 * go as one message with two transferred buffers (headers and payloads), and
 * results come back the same way: a postMessage or a structured clone per
 * 20 ms packet per speaker would cost more than decoding.
 */
export class AudioWorkerPool implements FrontEndHost {
  private readonly workers: Worker[];
  private readonly outbox: Outbox[];
  /** Per worker: stream id by index. */
  private readonly names: string[][];
  private readonly routes = new Map<string, Route>();
  private liveCount = 0;
  private scheduled = false;
  private syncId = 0;
  private readonly syncs = new Map<number, { left: number; resolve: () => void }>();

  constructor(private readonly options: AudioWorkerPoolOptions) {
    const n = Math.max(1, options.workers ?? availableParallelism());
    const setup: WorkerSetup = { decoderModule: options.decoderModule, decoderExport: options.decoderExport, decoderOptions: options.decoderOptions, frontEnd: options.frontEnd };
    this.names = Array.from({ length: n }, () => []);
    this.workers = Array.from({ length: n }, (_, wi) => {
      const w = new Worker(bootstrap(), { eval: true, workerData: setup, execArgv: [] });
      w.on('message', (batch: FromWorker) => this.receive(wi, batch));
      w.on('error', (err) => {
        options.sink.issue({ code: 'WORKER_FAILED', stream: '*', message: `audio worker failed: ${err.message}` });
        // Nothing will answer for this worker any more: do not leave waiters hanging.
        for (const [id, s] of this.syncs) if (--s.left === 0) (this.syncs.delete(id), s.resolve());
      });
      return w;
    });
    this.outbox = this.workers.map(() => new Outbox());
  }

  push(stream: string, p: TimedPacket): void {
    let r = this.routes.get(stream);
    if (!r) {
      const worker = shardOf(stream, this.workers.length);
      const names = this.names[worker]!;
      r = { worker, index: names.length, live: false };
      names.push(stream);
      this.routes.set(stream, r);
      this.outbox[worker]!.control(['n', r.index, stream]);
    }
    if (!r.live) {
      r.live = true;
      this.liveCount++;
    }
    this.outbox[r.worker]!.packet(r.index, p);
    this.schedule();
  }

  tick(nowMs: number): void {
    for (const box of this.outbox) box.control(['t', nowMs]);
    this.schedule();
  }

  release(stream: string, flush: boolean): void {
    const r = this.routes.get(stream);
    // Never pushed: the worker has no state for it.
    if (!r) return;
    if (r.live) {
      r.live = false;
      this.liveCount--;
    }
    this.outbox[r.worker]!.control(['r', r.index, flush]);
    this.schedule();
  }

  sync(): Promise<void> {
    const id = ++this.syncId;
    return new Promise((resolve) => {
      this.syncs.set(id, { left: this.workers.length, resolve });
      for (const box of this.outbox) box.control(['s', id]);
      this.schedule();
    });
  }

  async close(): Promise<void> {
    for (const [stream, r] of this.routes) if (r.live) this.release(stream, true);
    await this.sync();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  get streams(): number {
    return this.liveCount;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    for (let i = 0; i < this.workers.length; i++) {
      const box = this.outbox[i]!;
      if (box.empty) continue;
      const msg = box.take();
      this.workers[i]!.postMessage(msg, [msg.hdr.buffer as ArrayBuffer, msg.data.buffer as ArrayBuffer]);
    }
  }

  private receive(worker: number, m: FromWorker): void {
    const names = this.names[worker]!;
    const { sink } = this.options;
    let u = 0;
    let i = 0;
    let s = 0;
    for (let e = 0; e < m.k.length; e++) {
      const kind = m.k[e];
      if (kind === 0) {
        const o = u * UTTERANCE_FIELDS;
        sink.utterance({ stream: names[m.u[o]!]!, pcm: m.pcm[u]!, startMs: m.u[o + 1]!, endMs: m.u[o + 2]!, speechMs: m.u[o + 3]! });
        u++;
      } else if (kind === 1) {
        sink.issue(m.i[i++]!);
      } else {
        const id = m.s[s++]!;
        const w = this.syncs.get(id);
        if (w && --w.left === 0) {
          this.syncs.delete(id);
          w.resolve();
        }
      }
    }
  }
}
