import type { Message, MessageCreateOptions, MessageEditOptions } from 'discord.js';
import type { Logger } from '../../core/logger.ts';
import type { Segment } from '../../core/types.ts';
import { liveMessage, type Links, type LiveView } from './render.ts';

/** Where a meeting's live posts go: its thread, or the channel itself when threads are not possible there. */
export interface LiveTarget {
  send(options: MessageCreateOptions): Promise<Message>;
}

export interface LiveThreadOptions {
  target: LiveTarget;
  meetingId: string;
  title: string;
  startedAt: Date;
  links: Links;
  logger: Logger;
  /** How often the live message is edited; Discord allows 5 edits per 5 s per channel, so 5 s leaves room for posts. */
  cadenceMs?: number;
  now?: () => Date;
}

/**
 * One meeting's live presence in Discord: a single message edited at a
 * steady cadence with the rolling transcript, and separate posts (insights,
 * notices) sent strictly one after another so they appear in order. Posting
 * failures are logged and never reach the meeting: a Discord outage loses
 * live hints, not the transcript.
 */
export class LiveThread {
  private live: Message | null = null;
  private readonly recent: Pick<Segment, 'speaker' | 'startMs' | 'text'>[] = [];
  private readonly speakers = new Set<string>();
  private delayed = false;
  private optedOut = 0;
  private dirty = true;
  private editing: Promise<unknown> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: LiveThreadOptions) {}

  async start(): Promise<void> {
    this.live = await this.options.target.send(this.render());
    this.dirty = false;
    this.timer = setInterval(() => void this.flush(), this.options.cadenceMs ?? 5_000);
    this.timer.unref();
  }

  addSegments(segments: Pick<Segment, 'speaker' | 'startMs' | 'text'>[]): void {
    for (const s of segments) {
      this.recent.push(s);
      this.speakers.add(s.speaker);
    }
    this.recent.sort((a, b) => a.startMs - b.startMs);
    if (this.recent.length > 20) this.recent.splice(0, this.recent.length - 20);
    this.dirty = true;
  }

  setDelayed(delayed: boolean): void {
    if (delayed !== this.delayed) (this.delayed = delayed), (this.dirty = true);
  }

  setOptedOut(count: number): void {
    if (count !== this.optedOut) (this.optedOut = count), (this.dirty = true);
  }

  /** Queues a post after every earlier one. */
  post(options: MessageCreateOptions): Promise<Message | null> {
    const next = this.queue.then(() => this.options.target.send(options)).catch((err: unknown) => {
      this.options.logger.warn({ err }, 'live post failed');
      return null;
    });
    this.queue = next;
    return next;
  }

  /** Edits the live message if anything changed and no edit is in flight (never two edits at once). */
  async flush(): Promise<void> {
    if (!this.live || !this.dirty || this.editing || this.closed) return;
    this.dirty = false;
    this.editing = this.live.edit(this.render() as MessageEditOptions).catch((err: unknown) => {
      this.dirty = true;
      this.options.logger.warn({ err }, 'live message edit failed');
    });
    await this.editing;
    this.editing = null;
  }

  /** Final edit of the live message, then no more edits; queued posts still go out. */
  async close(finalText: string): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.closed = true;
    await this.editing;
    await this.live?.edit({ content: finalText, allowedMentions: { parse: [] } }).catch((err: unknown) => this.options.logger.warn({ err }, 'final live edit failed'));
    await this.queue;
  }

  private render(): MessageCreateOptions {
    const o = this.options;
    const view: LiveView = {
      title: o.title, startedAt: o.startedAt, now: (o.now ?? (() => new Date()))(), speakers: [...this.speakers],
      recent: this.recent, delayed: this.delayed, optedOut: this.optedOut,
    };
    return liveMessage(view, o.links, o.meetingId);
  }
}
