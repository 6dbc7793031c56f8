import type { EventBus } from '../bus/EventBus.ts';
import { meetingLogger, type Logger } from '../logger.ts';
import type { Meeting } from '../types.ts';
import type { GeneratedMinutes, MinutesService } from './MinutesService.ts';
import { JOB_NAMES, type JobQueue } from '../jobs/JobQueue.ts';

/**
 * One ending of a meeting is one minutes job: every instance that hears the
 * end, and the sweeps that look for missing minutes, give the same id.
 */
export const minutesJobId = (meetingId: string, endedAt: Date | null): string =>
  `minutes-${meetingId}-${endedAt ? new Date(endedAt).getTime() : 0}`;

export interface AutoMinutesDeps {
  bus: EventBus;
  /** `bundle` is needed with `jobs` (the minutes come back as an event, the bundle is read after). */
  minutes: Pick<MinutesService, 'generate'> & Partial<Pick<MinutesService, 'bundle'>>;
  logger: Logger;
  /**
   * With a queue, generation is a durable `minutes.generate` job (run by a
   * worker, retried, never lost) and `settled` waits for its `minutes.ready`;
   * without one, it runs here in the background.
   */
  jobs?: Pick<JobQueue, 'enqueue'>;
  /** How long `settled` waits for a queued job's minutes (default 10 min). */
  waitMs?: number;
}

/**
 * Writes a meeting's minutes as soon as there is a whole transcript: when a
 * live meeting ends or a transcript is imported. In-process for now (durable
 * jobs come with the queue, issue #10): generation runs in the background so
 * the event's publisher is not held up by an LLM call, a failure is logged on
 * the meeting's logger and never reaches the process, and `stop()` cancels
 * what is still running before the database closes.
 */
export class AutoMinutes {
  private readonly latest = new Map<string, Promise<GeneratedMinutes | null>>();
  private readonly inFlight = new Set<Promise<GeneratedMinutes | null>>();
  private readonly controller = new AbortController();
  private unsubscribers: (() => void)[] = [];

  constructor(private readonly deps: AutoMinutesDeps) {
    if (deps.jobs && !deps.minutes.bundle) throw new TypeError('AutoMinutes with a job queue needs minutes.bundle');
  }

  start(): this {
    const { bus } = this.deps;
    // The handlers return nothing on purpose: the in-process bus awaits handlers.
    this.unsubscribers.push(
      bus.subscribe('meeting.ended', (e) => void this.trigger(e.meeting)),
      bus.subscribe('transcript.imported', (e) => void this.trigger(e.meeting)),
    );
    return this;
  }

  /** Starts generating one meeting's minutes; resolves with them, or null when it failed or was cancelled. */
  trigger(meeting: Pick<Meeting, 'id' | 'platform'> & Partial<Pick<Meeting, 'endedAt' | 'organizationId'>>): Promise<GeneratedMinutes | null> {
    const log = meetingLogger(this.deps.logger, meeting);
    if (this.controller.signal.aborted) return Promise.resolve(null);
    const run = this.deps.jobs ? this.queue(meeting, log) : this.run(meeting.id, log);
    this.latest.set(meeting.id, run);
    this.inFlight.add(run);
    void run.then(() => {
      this.inFlight.delete(run);
      if (this.latest.get(meeting.id) === run) this.latest.delete(meeting.id);
    });
    return run;
  }

  /** The meeting's running generation, or null at once when none is running. */
  settled(meetingId: string): Promise<GeneratedMinutes | null> {
    return this.latest.get(meetingId) ?? Promise.resolve(null);
  }

  /** Waits until nothing is running. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stops listening, cancels running generations and waits for them to end. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
    this.controller.abort(new Error('shutting down'));
    await this.idle();
  }

  /**
   * Every instance hears the same meeting.ended through a shared bus: the job
   * id (meeting + when it ended) makes their enqueues one job.
   */
  private async queue(meeting: Pick<Meeting, 'id'> & Partial<Pick<Meeting, 'endedAt' | 'organizationId'>>, log: Logger): Promise<GeneratedMinutes | null> {
    const ready = this.nextMinutes(meeting.id);
    try {
      // The organization scopes the admin's dead-letter view to its own jobs.
      const data = { meetingId: meeting.id, ...(meeting.organizationId ? { organizationId: meeting.organizationId } : {}) };
      await this.deps.jobs!.enqueue(JOB_NAMES.minutesGenerate, data, { jobId: minutesJobId(meeting.id, meeting.endedAt ?? null) });
    } catch (err) {
      ready.cancel();
      log.error({ err }, 'could not queue the automatic minutes');
      return null;
    }
    const minutes = await ready.promise;
    if (!minutes) return null;
    return { minutes, bundle: await this.deps.minutes.bundle!(meeting.id) };
  }

  /** The next minutes.ready of a meeting, or null after waitMs or at stop(). */
  private nextMinutes(meetingId: string): { promise: Promise<GeneratedMinutes['minutes'] | null>; cancel(): void } {
    let cancel = () => {};
    const promise = new Promise<GeneratedMinutes['minutes'] | null>((resolve) => {
      const off = this.deps.bus.subscribe('minutes.ready', (e) => {
        if (e.meeting.id === meetingId) done(e.minutes);
      });
      const timer = setTimeout(() => done(null), this.deps.waitMs ?? 10 * 60_000);
      timer.unref();
      const onAbort = () => done(null);
      this.controller.signal.addEventListener('abort', onAbort);
      function done(value: GeneratedMinutes['minutes'] | null) {
        off();
        clearTimeout(timer);
        resolve(value);
      }
      cancel = () => {
        this.controller.signal.removeEventListener('abort', onAbort);
        done(null);
      };
    });
    return { promise, cancel };
  }

  private async run(meetingId: string, log: Logger): Promise<GeneratedMinutes | null> {
    try {
      return await this.deps.minutes.generate(meetingId, { signal: this.controller.signal });
    } catch (err) {
      if (this.controller.signal.aborted) log.info('automatic minutes cancelled by shutdown');
      else log.error({ err }, 'automatic minutes failed');
      return null;
    }
  }
}
