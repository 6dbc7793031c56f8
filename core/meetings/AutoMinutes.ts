import type { EventBus } from '../bus/EventBus.ts';
import { meetingLogger, type Logger } from '../logger.ts';
import type { Meeting } from '../types.ts';
import type { GeneratedMinutes, MinutesService } from './MinutesService.ts';

export interface AutoMinutesDeps {
  bus: EventBus;
  minutes: Pick<MinutesService, 'generate'>;
  logger: Logger;
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

  constructor(private readonly deps: AutoMinutesDeps) {}

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
  trigger(meeting: Pick<Meeting, 'id' | 'platform'>): Promise<GeneratedMinutes | null> {
    const log = meetingLogger(this.deps.logger, meeting);
    if (this.controller.signal.aborted) return Promise.resolve(null);
    const run = this.run(meeting.id, log);
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
