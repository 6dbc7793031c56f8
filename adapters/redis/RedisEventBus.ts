import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { EventBus, EventHandler, EventOf, MeetingEvent, MeetingEventType } from '../../core/bus/EventBus.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import type { Logger } from '../../core/logger.ts';

export interface RedisEventBusOptions {
  /** `redis://host:port/db`. Pub/sub channels are server-wide: the db number does not isolate them, the channel does. */
  url: string;
  /** The one pub/sub channel every instance publishes to and listens on. */
  channel?: string;
  logger?: Logger;
  /** Extra ioredis options for both connections (tests shorten retries). */
  redisOptions?: RedisOptions;
}

/** What travels on the channel: who sent it (to skip our own echo) and the event with Dates tagged. */
interface Envelope {
  v: 1;
  origin: string;
  event: MeetingEvent;
}

/** JSON with Dates as `{"$date": iso}` so they come back as Dates, and date-like text stays text. */
export function encodeEvent(origin: string, event: MeetingEvent): string {
  return JSON.stringify({ v: 1, origin, event } satisfies Envelope, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: Number.isNaN(raw.getTime()) ? null : raw.toISOString() };
    return value;
  });
}

export function decodeEvent(payload: string): Envelope {
  const parsed = JSON.parse(payload, (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && '$date' in value && Object.keys(value).length === 1) {
      const iso = (value as { $date: unknown }).$date;
      return new Date(typeof iso === 'string' ? iso : Number.NaN);
    }
    return value;
  }) as Partial<Envelope> | null;
  if (!parsed || parsed.v !== 1 || typeof parsed.origin !== 'string' || typeof parsed.event?.type !== 'string') {
    throw new Error('not a meeting event envelope');
  }
  return parsed as Envelope;
}

/**
 * The EventBus across processes: every event is PUBLISHed on one Redis channel
 * and delivered to local subscribers right away; events from other instances
 * arrive through a second (subscriber) connection. Our own messages coming
 * back from Redis are skipped, so each event reaches a local handler once.
 *
 * Degradation: with Redis down, `publish` still delivers locally (one process
 * keeps working) and logs once per outage; ioredis reconnects both
 * connections and resubscribes, and cross-instance delivery resumes. Events
 * published during an outage are not replayed to other instances.
 */
export class RedisEventBus implements EventBus {
  readonly channel: string;
  private readonly instanceId = randomUUID();
  private readonly local: InProcessEventBus;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly logger?: Logger;
  private readonly subscribed: Promise<void>;
  /** Remote events are delivered one after another, in the order Redis hands them over. */
  private inbound: Promise<void> = Promise.resolve();
  private degraded = false;
  private closed = false;

  constructor(options: RedisEventBusOptions) {
    this.channel = options.channel ?? 'minutes:events';
    this.logger = options.logger;
    this.local = new InProcessEventBus(options.logger);
    const base: RedisOptions = { ...options.redisOptions };
    // Publishing: a short offline queue (one reconnect attempt), then the event is dropped for other instances.
    this.pub = new Redis(options.url, { maxRetriesPerRequest: 1, connectionName: `${this.channel}:pub`, ...base });
    // Subscribing waits for a connection however long it takes; ioredis resubscribes after every reconnect.
    this.sub = new Redis(options.url, { maxRetriesPerRequest: null, autoResubscribe: true, connectionName: `${this.channel}:sub`, ...base });
    for (const [role, client] of [['pub', this.pub], ['sub', this.sub]] as const) {
      client.on('error', (err: Error) => this.markDown(role, err));
      client.on('ready', () => this.markUp(role));
    }
    this.sub.on('message', (channel: string, message: string) => this.receive(channel, message));
    this.subscribed = this.sub.subscribe(this.channel).then(
      () => undefined,
      (err: Error) => {
        if (!this.closed) this.logger?.error({ err, channel: this.channel }, 'event bus: redis subscribe failed');
      },
    );
  }

  /** Resolves once the subscriber listens on the channel (tests and benchmarks wait for it before publishing elsewhere). */
  ready(): Promise<void> {
    return this.subscribed;
  }

  async publish(event: MeetingEvent): Promise<void> {
    if (!this.closed) {
      let payload: string | undefined;
      try {
        payload = encodeEvent(this.instanceId, event);
      } catch (err) {
        this.logger?.error({ err, eventType: event.type }, 'event bus: event not serialisable, delivered locally only');
      }
      // Sent before the local handlers run (not awaited), so other instances are not held up by them.
      if (payload !== undefined) this.pub.publish(this.channel, payload).catch((err: Error) => this.markDown('pub', err));
    }
    await this.local.publish(event);
  }

  subscribe<T extends MeetingEventType>(type: T | '*', handler: EventHandler<EventOf<T>>): () => void {
    return this.local.subscribe(type, handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pub, this.sub].map(async (client) => {
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    }));
    await this.inbound;
    await this.local.close();
  }

  private receive(channel: string, message: string): void {
    if (channel !== this.channel || this.closed) return;
    let envelope: Envelope;
    try {
      envelope = decodeEvent(message);
    } catch (err) {
      this.logger?.warn({ err, channel }, 'event bus: ignored a malformed message');
      return;
    }
    if (envelope.origin === this.instanceId) return;
    this.inbound = this.inbound.then(() => this.local.publish(envelope.event));
  }

  private markDown(role: 'pub' | 'sub', err: Error): void {
    if (this.closed || this.degraded) return;
    this.degraded = true;
    this.logger?.warn({ err, role, channel: this.channel }, 'event bus: redis unavailable, delivering to this instance only until it is back');
  }

  private markUp(role: 'pub' | 'sub'): void {
    if (!this.degraded || this.closed) return;
    if (this.pub.status !== 'ready' || this.sub.status !== 'ready') return;
    this.degraded = false;
    this.logger?.info({ role, channel: this.channel }, 'event bus: redis is back, cross-instance delivery resumed');
  }
}
