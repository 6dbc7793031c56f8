import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../logger.ts';
import type { JobHandler, JobOptions, JobQueue } from './JobQueue.ts';

/**
 * A job queue whose jobs are also written to Postgres (`job_journal`) before
 * they are queued, and marked done or dead when they end. The queue may
 * forget (a Redis restarted without persistence, the in-process queue of a
 * process that crashed): `recover()` queues every job still pending again.
 * Job ids make that harmless when the queue did not forget: the same id is
 * not queued twice, and handlers are idempotent anyway.
 */
export class JournaledJobQueue implements JobQueue {
  constructor(private readonly queue: JobQueue, private readonly db: Knex, private readonly log: Logger) {
    queue.onEvent((e) => {
      if (e.type === 'failed') return;
      // Written after the fact: a crash between the end and this line re-runs an idempotent job, never loses one.
      void db('job_journal').where({ id: e.id, state: 'pending' }).update({ state: e.type === 'dead' ? 'dead' : 'done', finished_at: db.fn.now() })
        .catch((err: unknown) => log.warn({ err, jobId: e.id }, 'jobs: could not mark the journal'));
    });
  }

  get kind() {
    return this.queue.kind;
  }

  async enqueue<T>(name: string, data: T, options: JobOptions = {}): Promise<{ id: string; duplicate: boolean }> {
    const id = options.jobId ?? randomUUID();
    // Before the queue: a job the queue accepted is always in the journal.
    await this.db('job_journal').insert({ id, name, data: JSON.stringify(data ?? null) }).onConflict('id').ignore();
    return this.queue.enqueue(name, data, { ...options, jobId: id });
  }

  /** Queues again what the journal says is unfinished (since `days` ago); returns how many were new to the queue. */
  async recover(options: { days?: number } = {}): Promise<number> {
    const since = new Date(Date.now() - (options.days ?? 7) * 86_400_000);
    const pending = (await this.db('job_journal').where({ state: 'pending' }).andWhere('created_at', '>=', since).orderBy('created_at').limit(10_000)) as { id: string; name: string; data: unknown }[];
    let queued = 0;
    for (const job of pending) {
      const { duplicate } = await this.queue.enqueue(job.name, job.data, { jobId: job.id });
      if (!duplicate) queued += 1;
    }
    if (queued) this.log.info({ queued, pending: pending.length }, 'jobs: queued again from the journal');
    return queued;
  }

  /** Forgets jobs that ended more than `days` ago (the journal only has to outlive the queue's memory). */
  async prune(days = 7): Promise<number> {
    const gone = await this.db('job_journal').whereNot({ state: 'pending' }).andWhere('finished_at', '<', new Date(Date.now() - days * 86_400_000)).delete().returning('id');
    return gone.length;
  }

  handle<T>(name: string, handler: JobHandler<T>, options?: { concurrency?: number }): void {
    this.queue.handle(name, handler, options);
  }

  start = () => this.queue.start();
  counts = () => this.queue.counts();
  deadLetters = (limit?: number) => this.queue.deadLetters(limit);
  drained = (timeoutMs?: number) => this.queue.drained(timeoutMs);
  ping = () => this.queue.ping();
  close = (timeoutMs?: number) => this.queue.close(timeoutMs);
  onEvent: JobQueue['onEvent'] = (listener) => this.queue.onEvent(listener);

  async retryDead(id: string): Promise<boolean> {
    const ok = await this.queue.retryDead(id);
    if (ok) await this.db('job_journal').where({ id }).update({ state: 'pending', finished_at: null });
    return ok;
  }
}
