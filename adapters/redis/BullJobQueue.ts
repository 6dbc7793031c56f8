import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import {
  emitJobEvent,
  ALL_JOB_NAMES, DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, errorText, isUnrecoverable,
  type DeadJob, type JobCounts, type JobEvent, type JobHandler, type JobOptions, type JobQueue,
} from '../../core/jobs/JobQueue.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { decodeJobId, encodeJobId } from './jobIds.ts';

export { decodeJobId, encodeJobId };

export interface BullJobQueueOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Namespace of every key (default `minutes:jobs`): keys are `<prefix>:<job name>:...`. */
  prefix?: string;
  logger?: Logger;
  defaultAttempts?: number;
  defaultBackoffMs?: number;
  /** Job names the dead-letter view and counts cover besides those enqueued or handled here (default JOB_NAMES). */
  names?: readonly string[];
  /** How long a worker's claim on a job lasts without renewal (default 30 s): a dead worker's job is free again after it. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose claim lapsed and put them back to waiting (default 30 s). */
  stalledIntervalMs?: number;
  /** Crashes a job may go through before it is dead (default 2). */
  maxStalledCount?: number;
  /** Completed jobs kept for jobId de-duplication (default 24 h, at most 10 000 per name). */
  keepCompleted?: { ageMs: number; count: number };
  /** Dead letters kept per name (default 1000). */
  keepDead?: number;
  /** Extra ioredis options (tests shorten retries). */
  redisOptions?: RedisOptions;
}

interface Registration {
  handler: JobHandler<unknown>;
  concurrency: number;
  worker?: Worker;
}

/** Resolves true if `promise` settles within `ms`, false otherwise (it keeps running). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The durable job queue: one BullMQ queue per job name (so each name has its
 * own worker concurrency) under one key prefix. Producers share one Redis
 * connection; each worker has its own two (commands and blocking fetch).
 *
 * Crash safety: an active job is locked by its worker, which renews the lock;
 * when the worker dies the lock lapses and any worker's stalled check puts
 * the job back to waiting, so it is retried, never lost. It may then run a
 * second time, which is why handlers are idempotent.
 *
 * Redis down: the connection queues commands offline and reconnects forever
 * (`maxRetriesPerRequest: null`), so an enqueue during a Redis restart
 * completes once Redis is back instead of failing; a caller that cannot wait
 * (an HTTP request) should bound it itself. Workers log connection errors
 * and resume; /ready reports the outage through ping().
 */
export class BullJobQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  readonly prefix: string;
  private readonly log: Logger;
  private readonly conn: Redis;
  private readonly names: Set<string>;
  private readonly queues = new Map<string, Queue>();
  private readonly handlers = new Map<string, Registration>();
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly running = new Map<Promise<unknown>, AbortController>();
  private readonly startedAt = new WeakMap<Job, number>();
  private readonly options: BullJobQueueOptions;
  private started = false;
  private closing: Promise<void> | null = null;
  private degraded = false;

  constructor(options: BullJobQueueOptions) {
    this.options = options;
    this.prefix = options.prefix ?? 'minutes:jobs';
    this.log = options.logger ?? createLogger({ level: 'silent' });
    this.names = new Set(options.names ?? ALL_JOB_NAMES);
    this.conn = new Redis(options.url, { maxRetriesPerRequest: null, enableOfflineQueue: true, connectionName: `${this.prefix}:jobs`, ...options.redisOptions });
    this.conn.on('error', (err: Error) => {
      if (this.degraded || this.closing) return;
      this.degraded = true;
      this.log.warn({ err }, 'jobs: redis unavailable, jobs wait until it is back');
    });
    this.conn.on('ready', () => {
      if (this.degraded) this.log.info('jobs: redis is back');
      this.degraded = false;
    });
  }

  async enqueue<T>(name: string, data: T, options: JobOptions = {}): Promise<{ id: string; duplicate: boolean }> {
    if (this.closing) throw new Error('job queue is closed');
    const id = options.jobId || randomUUID();
    const queue = this.queueFor(name);
    const jobId = encodeJobId(id);
    // BullMQ ignores an add whose id exists without saying so; the look-up tells the caller. Two
    // enqueues racing may both read "new", but Redis still keeps one job.
    if (await queue.getJob(jobId)) return { id, duplicate: true };
    const opts: JobsOptions = {
      jobId,
      attempts: Math.max(1, options.attempts ?? this.options.defaultAttempts ?? DEFAULT_ATTEMPTS),
      backoff: { type: 'exponential', delay: options.backoffMs ?? this.options.defaultBackoffMs ?? DEFAULT_BACKOFF_MS },
      ...(options.delayMs && options.delayMs > 0 ? { delay: options.delayMs } : {}),
    };
    await queue.add(name, data, opts);
    return { id, duplicate: false };
  }

  handle<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}): void {
    if (this.handlers.has(name)) throw new Error(`a handler for ${name} is already registered`);
    this.names.add(name);
    const reg: Registration = { handler: handler as JobHandler<unknown>, concurrency: Math.max(1, options.concurrency ?? 1) };
    this.handlers.set(name, reg);
    if (this.started && !this.closing) reg.worker = this.workerFor(name, reg);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const [name, reg] of this.handlers) reg.worker ??= this.workerFor(name, reg);
  }

  async counts(): Promise<JobCounts> {
    const total: JobCounts = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 };
    for (const queue of this.allQueues()) {
      const c = await queue.getJobCounts('waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed', 'completed');
      total.waiting += (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0);
      total.active += c.active ?? 0;
      total.delayed += c.delayed ?? 0;
      total.failed += c.failed ?? 0;
      total.completed += c.completed ?? 0;
    }
    return total;
  }

  async deadLetters(limit = 100): Promise<DeadJob[]> {
    const dead: DeadJob[] = [];
    for (const queue of this.allQueues()) {
      for (const job of await queue.getFailed(0, limit - 1)) {
        if (!job?.id) continue;
        dead.push({
          id: decodeJobId(job.id), name: job.name, data: job.data, attempts: job.attemptsMade,
          error: job.failedReason ?? '', failedAt: new Date(job.finishedOn ?? job.timestamp),
        });
      }
    }
    return dead.sort((a, b) => b.failedAt.getTime() - a.failedAt.getTime()).slice(0, limit);
  }

  async retryDead(id: string): Promise<boolean> {
    if (this.closing) return false;
    for (const queue of this.allQueues()) {
      const job = await queue.getJob(encodeJobId(id));
      if (job && (await job.isFailed())) {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return true;
      }
    }
    return false;
  }

  async drained(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.counts();
      if (c.waiting + c.active + c.delayed === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async ping(timeoutMs = 1_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onReady: (() => void) | undefined;
    const timeout = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`redis is ${this.conn.status}`)), timeoutMs); });
    try {
      // Offline, a PING would wait in the offline queue for as long as the outage lasts: wait for the connection, bounded.
      if (this.conn.status !== 'ready') await Promise.race([new Promise<void>((resolve) => { onReady = resolve; this.conn.once('ready', resolve); }), timeout]);
      await Promise.race([this.conn.ping(), timeout]);
    } finally {
      clearTimeout(timer);
      if (onReady) this.conn.off('ready', onReady);
    }
  }

  close(timeoutMs = 10_000): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  onEvent(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Tests: the live workers, to simulate a crash. */
  get workers(): Worker[] {
    return [...this.handlers.values()].flatMap((r) => (r.worker ? [r.worker] : []));
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const workers = this.workers;
    // Paused workers take no new job; the ones they hold run to the end (or the timeout).
    await Promise.all(workers.map((w) => w.pause(true).catch(() => undefined)));
    const done = await this.settle(timeoutMs);
    if (!done) {
      for (const controller of this.running.values()) controller.abort(new Error('job queue closed'));
      this.log.warn({ active: this.running.size }, 'jobs: closed with jobs still running; they will be retried after their lock lapses');
    }
    // A graceful close QUITs, which waits for Redis; with Redis away it would wait forever, so disconnect instead.
    // Forced, a worker leaves its unfinished jobs locked in Redis for the stalled check to hand out again.
    const force = !done || this.conn.status !== 'ready';
    const closed = await within(Promise.all([
      ...workers.map((w) => w.close(force).catch((err: Error) => this.log.warn({ err }, 'jobs: worker close failed'))),
      ...[...this.queues.values()].map((q) => q.close().catch(() => undefined)),
    ]), 2_000);
    if (!closed) {
      // Redis went away during a graceful close: its QUITs wait in the offline queue.
      await within(Promise.all(workers.map((w) => w.disconnect().catch(() => undefined))), 1_000);
      this.log.warn('jobs: redis connections did not close in time; dropped');
    }
    if (this.conn.status === 'ready' && closed) await within(this.conn.quit().catch(() => undefined), 2_000);
    this.conn.disconnect();
  }

  private async settle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running.keys()]), new Promise((r) => { timer = setTimeout(r, left); })]);
      clearTimeout(timer);
    }
    return true;
  }

  private queueFor(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      this.names.add(name);
      const keep = this.options.keepCompleted ?? { ageMs: 24 * 3_600_000, count: 10_000 };
      queue = new Queue(name, {
        connection: this.conn, prefix: this.prefix,
        defaultJobOptions: { removeOnComplete: { age: Math.ceil(keep.ageMs / 1000), count: keep.count }, removeOnFail: { count: this.options.keepDead ?? 1_000 } },
      });
      queue.on('error', (err: Error) => this.log.warn({ err, job: name }, 'jobs: queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private allQueues(): Queue[] {
    return [...this.names].map((name) => this.queueFor(name));
  }

  private workerFor(name: string, reg: Registration): Worker {
    // Its own connections (not the shared one): a worker owns them, so closing it can disconnect them.
    const connection = { url: this.options.url, connectionName: `${this.prefix}:${name}`, ...this.options.redisOptions, maxRetriesPerRequest: null } as ConnectionOptions;
    const worker = new Worker(name, (job, _token, signal) => this.process(reg, job, signal), {
      connection, prefix: this.prefix, concurrency: reg.concurrency,
      lockDuration: this.options.lockDurationMs ?? 30_000, stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.options.maxStalledCount ?? 2,
    });
    worker.on('error', (err: Error) => this.log.error({ err, job: name }, 'jobs: worker error'));
    worker.on('completed', (job: Job) => this.emit({ type: 'completed', name: job.name, id: decodeJobId(job.id!), attempt: job.attemptsMade, durationMs: this.duration(job) }));
    worker.on('failed', (job: Job | undefined, err: Error) => this.failed(name, job, err));
    return worker;
  }

  private async process(reg: Registration, job: Job, signal?: AbortSignal): Promise<unknown> {
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    const id = decodeJobId(job.id!);
    const attempt = job.attemptsMade + 1;
    const log = this.log.child({ job: job.name, jobId: id, attempt });
    this.startedAt.set(job, Date.now());
    const run = reg.handler(job.data, { id, name: job.name, attempt, signal: controller.signal, log });
    this.running.set(run, controller);
    try {
      return await run;
    } catch (err) {
      // BullMQ knows its own class (or name) only.
      if (isUnrecoverable(err)) throw new UnrecoverableError(errorText(err));
      throw err instanceof Error ? err : new Error(errorText(err));
    } finally {
      this.running.delete(run);
    }
  }

  private failed(name: string, job: Job | undefined, err: Error): void {
    if (!job?.id) {
      this.log.error({ err, job: name }, 'jobs: a job failed and was removed');
      return;
    }
    const id = decodeJobId(job.id);
    const dead = Boolean(job.finishedOn) || isUnrecoverable(err) || job.attemptsMade >= (job.opts.attempts ?? 1);
    const error = errorText(err);
    this.emit({ type: 'failed', name: job.name, id, attempt: job.attemptsMade, error, durationMs: this.duration(job) });
    if (dead) {
      this.log.error({ err, job: job.name, jobId: id, attempts: job.attemptsMade }, 'jobs: job is dead');
      this.emit({ type: 'dead', name: job.name, id, attempt: job.attemptsMade, error });
    } else {
      this.log.warn({ err, job: job.name, jobId: id, attempt: job.attemptsMade }, 'jobs: attempt failed, will retry');
    }
  }

  private duration(job: Job): number | undefined {
    const started = this.startedAt.get(job);
    return started === undefined ? undefined : Date.now() - started;
  }

  private emit(event: JobEvent): void {
    emitJobEvent(this.listeners, event, this.log);
  }
}
