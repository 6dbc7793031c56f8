import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '../logger.ts';
import {
  emitJobEvent,
  backoffDelay, DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, errorText, isUnrecoverable,
  type DeadJob, type JobCounts, type JobEvent, type JobHandler, type JobOptions, type JobQueue,
} from './JobQueue.ts';

export interface InProcessJobQueueOptions {
  logger?: Logger;
  defaultAttempts?: number;
  defaultBackoffMs?: number;
  /** Completed job ids kept for de-duplication: at most this many (default 10 000)... */
  keepCompleted?: number;
  /** ...for at most this long (default 24 h). */
  keepCompletedMs?: number;
  /** Dead letters kept, oldest dropped first (default 1000). */
  keepDead?: number;
}

interface Entry {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  backoffMs: number;
  /** Runs finished (failed) so far. */
  attemptsMade: number;
  state: 'waiting' | 'delayed' | 'active';
  timer?: NodeJS.Timeout;
  abort?: AbortController;
}

interface Registration {
  handler: JobHandler<unknown>;
  concurrency: number;
  active: number;
}

const keyOf = (name: string, id: string) => `${name}\u0000${id}`;

/**
 * The job queue without Redis: same semantics as BullJobQueue (retries with
 * exponential backoff, per-name concurrency, jobId de-duplication, dead
 * letters), kept in memory. It is not durable: jobs waiting or running when
 * the process stops are lost. That is acceptable for a single-process install
 * because every job is derived from database state (a meeting without
 * minutes, a notification not marked sent), so the service's startup sweep
 * enqueues again whatever is still undone; Redis is the answer when that gap
 * matters.
 */
export class InProcessJobQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly log: Logger;
  private readonly defaults: { attempts: number; backoffMs: number };
  private readonly limits: { completed: number; completedMs: number; dead: number };
  private readonly live = new Map<string, Entry>();
  private readonly waiting = new Map<string, Entry[]>();
  private readonly completed = new Map<string, number>();
  private readonly dead = new Map<string, DeadJob & { key: string; backoffMs: number; maxAttempts: number }>();
  private readonly handlers = new Map<string, Registration>();
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly running = new Set<Promise<void>>();
  private changed: (() => void)[] = [];
  private started = false;
  private closed = false;

  constructor(options: InProcessJobQueueOptions = {}) {
    this.log = options.logger ?? createLogger({ level: 'silent' });
    this.defaults = { attempts: options.defaultAttempts ?? DEFAULT_ATTEMPTS, backoffMs: options.defaultBackoffMs ?? DEFAULT_BACKOFF_MS };
    this.limits = { completed: options.keepCompleted ?? 10_000, completedMs: options.keepCompletedMs ?? 24 * 3_600_000, dead: options.keepDead ?? 1_000 };
  }

  async enqueue<T>(name: string, data: T, options: JobOptions = {}): Promise<{ id: string; duplicate: boolean }> {
    if (this.closed) throw new Error('job queue is closed');
    const id = options.jobId || randomUUID();
    const key = keyOf(name, id);
    this.pruneCompleted();
    if (this.live.has(key) || this.completed.has(key) || this.dead.has(key)) return { id, duplicate: true };
    const entry: Entry = {
      id, name, data, attemptsMade: 0, state: 'waiting',
      attempts: Math.max(1, options.attempts ?? this.defaults.attempts), backoffMs: options.backoffMs ?? this.defaults.backoffMs,
    };
    this.live.set(key, entry);
    if (options.delayMs && options.delayMs > 0) this.delay(entry, options.delayMs);
    else this.push(entry);
    return { id, duplicate: false };
  }

  handle<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}): void {
    if (this.handlers.has(name)) throw new Error(`a handler for ${name} is already registered`);
    this.handlers.set(name, { handler: handler as JobHandler<unknown>, concurrency: Math.max(1, options.concurrency ?? 1), active: 0 });
    if (this.started) this.pump(name);
  }

  async start(): Promise<void> {
    this.started = true;
    for (const name of this.handlers.keys()) this.pump(name);
  }

  async counts(): Promise<JobCounts> {
    this.pruneCompleted();
    const counts: JobCounts = { waiting: 0, active: 0, delayed: 0, failed: this.dead.size, completed: this.completed.size };
    for (const entry of this.live.values()) counts[entry.state] += 1;
    return counts;
  }

  async deadLetters(limit = 100): Promise<DeadJob[]> {
    return [...this.dead.values()].reverse().slice(0, limit)
      .map(({ id, name, data, attempts, error, failedAt }) => ({ id, name, data, attempts, error, failedAt }));
  }

  async retryDead(id: string): Promise<boolean> {
    const found = [...this.dead.values()].reverse().find((d) => d.id === id);
    if (!found || this.closed) return false;
    this.dead.delete(found.key);
    const entry: Entry = { id, name: found.name, data: found.data, attempts: found.maxAttempts, backoffMs: found.backoffMs, attemptsMade: 0, state: 'waiting' };
    this.live.set(found.key, entry);
    this.push(entry);
    return true;
  }

  async drained(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.live.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.changed.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    return true;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('job queue is closed');
  }

  async close(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.live.values()) clearTimeout(entry.timer);
    const finished = Promise.all([...this.running]).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
    const done = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (!done) {
      for (const entry of this.live.values()) entry.abort?.abort(new Error('job queue closed'));
      this.log.warn({ active: [...this.live.values()].filter((e) => e.state === 'active').map((e) => `${e.name}/${e.id}`) }, 'jobs: closed with jobs still running');
    }
  }

  onEvent(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private push(entry: Entry): void {
    entry.state = 'waiting';
    const list = this.waiting.get(entry.name) ?? [];
    list.push(entry);
    this.waiting.set(entry.name, list);
    this.pump(entry.name);
  }

  private delay(entry: Entry, ms: number): void {
    entry.state = 'delayed';
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (!this.closed) this.push(entry);
    }, ms);
  }

  private pump(name: string): void {
    const reg = this.handlers.get(name);
    const list = this.waiting.get(name);
    while (this.started && !this.closed && reg && list?.length && reg.active < reg.concurrency) {
      const entry = list.shift()!;
      reg.active += 1;
      const run = this.run(entry, reg).finally(() => {
        reg.active -= 1;
        this.running.delete(run);
        this.pump(name);
        this.notify();
      });
      this.running.add(run);
    }
  }

  private async run(entry: Entry, reg: Registration): Promise<void> {
    entry.state = 'active';
    entry.abort = new AbortController();
    const attempt = entry.attemptsMade + 1;
    const log = this.log.child({ job: entry.name, jobId: entry.id, attempt });
    const started = Date.now();
    try {
      await reg.handler(entry.data, { id: entry.id, name: entry.name, attempt, signal: entry.abort.signal, log });
      this.finish(entry);
      this.emit({ type: 'completed', name: entry.name, id: entry.id, attempt, durationMs: Date.now() - started });
    } catch (err) {
      entry.attemptsMade = attempt;
      const error = errorText(err);
      const final = isUnrecoverable(err) || attempt >= entry.attempts;
      this.emit({ type: 'failed', name: entry.name, id: entry.id, attempt, error, durationMs: Date.now() - started });
      if (final) {
        this.bury(entry, error);
        log.error({ err }, 'jobs: job is dead');
        this.emit({ type: 'dead', name: entry.name, id: entry.id, attempt, error });
      } else {
        log.warn({ err }, 'jobs: attempt failed, will retry');
        if (!this.closed) this.delay(entry, backoffDelay(entry.backoffMs, attempt));
      }
    } finally {
      entry.abort = undefined;
    }
  }

  private finish(entry: Entry): void {
    const key = keyOf(entry.name, entry.id);
    this.live.delete(key);
    this.completed.set(key, Date.now());
    this.pruneCompleted();
  }

  private bury(entry: Entry, error: string): void {
    const key = keyOf(entry.name, entry.id);
    this.live.delete(key);
    this.dead.delete(key);
    this.dead.set(key, {
      key, id: entry.id, name: entry.name, data: entry.data, attempts: entry.attemptsMade, error, failedAt: new Date(),
      backoffMs: entry.backoffMs, maxAttempts: entry.attempts,
    });
    while (this.dead.size > this.limits.dead) this.dead.delete(this.dead.keys().next().value!);
  }

  /** Insertion order is completion order, so the oldest are first. */
  private pruneCompleted(): void {
    const cutoff = Date.now() - this.limits.completedMs;
    for (const [key, at] of this.completed) {
      if (this.completed.size <= this.limits.completed && at >= cutoff) break;
      this.completed.delete(key);
    }
  }

  private emit(event: JobEvent): void {
    emitJobEvent(this.listeners, event, this.log);
  }

  private notify(): void {
    const waiters = this.changed;
    this.changed = [];
    for (const wake of waiters) wake();
  }
}
