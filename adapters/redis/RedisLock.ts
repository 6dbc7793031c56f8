import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import type { SchedulerLock } from '../../core/schedule/types.ts';

/**
 * The scheduler's lock across instances: `SET key value NX PX ttl`, so the
 * first instance to ask holds a tick and the others skip it. The key just
 * expires (a tick is never released early: a slower instance arriving after
 * the run must still find it held). When Redis fails the answer is "not
 * acquired": skipping a tick is better than running it twice.
 */
export class RedisLock implements SchedulerLock {
  private readonly redis: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly holder = `${process.pid}:${randomUUID()}`;
  private readonly log: Logger;

  constructor(options: { url?: string; client?: Redis; prefix?: string; logger: Logger }) {
    if (!options.client && !options.url) throw new Error('RedisLock needs a url or a client');
    // No offline queue: a lock request waiting for a reconnect would answer long after its tick.
    this.redis = options.client ?? new Redis(options.url!, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.owned = !options.client;
    this.prefix = options.prefix ?? 'minutes:lock:';
    this.log = options.logger.child({ component: 'redis-lock' });
    // Connection errors surface as failed acquires (logged there); without a listener ioredis prints them raw.
    if (this.owned) this.redis.on('error', (err: Error) => this.log.debug({ err }, 'redis lock connection error'));
  }

  async acquire(key: string, ttlMs: number): Promise<boolean> {
    try {
      if (this.owned && this.redis.status === 'wait') await this.redis.connect();
      return (await this.redis.set(this.prefix + key, this.holder, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    } catch (err) {
      this.log.warn({ err, key }, 'redis lock unavailable; not acquiring');
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.owned) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
