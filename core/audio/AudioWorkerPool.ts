import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FrontEndHost } from './frontends.ts';
import type { FrontEndOptions, FrontEndSink } from './StreamFrontEnd.ts';
import type { AudioIssue, TimedPacket } from './types.ts';

export type ToWorker =
  | ['p', string, number, number | null, number, Uint8Array]
  | ['t', number]
  | ['r', string, boolean]
  | ['s', number];

export type FromWorker =
  | { t: 'u'; stream: string; pcm: Int16Array; startMs: number; endMs: number; speechMs: number }
  | { t: 'i'; issue: AudioIssue }
  | { t: 's'; id: number };

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

/**
 * Decode + resample + VAD + cutting in worker threads, streams sharded by id,
 * so one process uses every core. Messages are batched per event-loop turn
 * (a postMessage per 20 ms packet per speaker would cost more than decoding).
 */
export class AudioWorkerPool implements FrontEndHost {
  private readonly workers: Worker[];
  private readonly outbox: ToWorker[][];
  private scheduled = false;
  private readonly live = new Set<string>();
  private syncId = 0;
  private readonly syncs = new Map<number, { left: number; resolve: () => void }>();

  constructor(private readonly options: AudioWorkerPoolOptions) {
    const n = Math.max(1, options.workers ?? availableParallelism());
    const setup: WorkerSetup = { decoderModule: options.decoderModule, decoderExport: options.decoderExport, decoderOptions: options.decoderOptions, frontEnd: options.frontEnd };
    this.workers = Array.from({ length: n }, () => {
      const w = new Worker(bootstrap(), { eval: true, workerData: setup, execArgv: [] });
      w.on('message', (batch: FromWorker[]) => this.receive(batch));
      w.on('error', (err) => {
        options.sink.issue({ code: 'WORKER_FAILED', stream: '*', message: `audio worker failed: ${err.message}` });
        // Nothing will answer for this worker any more: do not leave waiters hanging.
        for (const [id, s] of this.syncs) if (--s.left === 0) (this.syncs.delete(id), s.resolve());
      });
      return w;
    });
    this.outbox = this.workers.map(() => []);
  }

  push(stream: string, p: TimedPacket): void {
    this.live.add(stream);
    // Copy just the packet's bytes: cloning a pooled Buffer view would copy its whole pool.
    this.send(shardOf(stream, this.workers.length), ['p', stream, p.seq, p.timestamp ?? null, p.arrivalMs, new Uint8Array(p.data)]);
  }

  tick(nowMs: number): void {
    for (let i = 0; i < this.workers.length; i++) this.send(i, ['t', nowMs]);
  }

  release(stream: string, flush: boolean): void {
    this.live.delete(stream);
    this.send(shardOf(stream, this.workers.length), ['r', stream, flush]);
  }

  sync(): Promise<void> {
    const id = ++this.syncId;
    return new Promise((resolve) => {
      this.syncs.set(id, { left: this.workers.length, resolve });
      for (let i = 0; i < this.workers.length; i++) this.send(i, ['s', id]);
    });
  }

  async close(): Promise<void> {
    for (const s of [...this.live]) this.release(s, true);
    await this.sync();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  get streams(): number {
    return this.live.size;
  }

  private send(worker: number, msg: ToWorker): void {
    this.outbox[worker]!.push(msg);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    for (let i = 0; i < this.workers.length; i++) {
      const batch = this.outbox[i]!;
      if (!batch.length) continue;
      this.outbox[i] = [];
      this.workers[i]!.postMessage(batch);
    }
  }

  private receive(batch: FromWorker[]): void {
    for (const m of batch) {
      if (m.t === 'u') this.options.sink.utterance({ stream: m.stream, pcm: m.pcm, startMs: m.startMs, endMs: m.endMs, speechMs: m.speechMs });
      else if (m.t === 'i') this.options.sink.issue(m.issue);
      else {
        const s = this.syncs.get(m.id);
        if (s && --s.left === 0) {
          this.syncs.delete(m.id);
          s.resolve();
        }
      }
    }
  }
}
