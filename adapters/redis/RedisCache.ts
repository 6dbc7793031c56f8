import { Redis } from 'ioredis';
import type { Cache } from '../../core/cache/Cache.ts';
import { fastFail } from './fastFail.ts';

/**
 * The cache shared by every process on one Redis. Keys are prefixed so the
 * cache can share a Redis with the bus and queue; `PX` gives per-entry TTL.
 */
export class RedisCache implements Cache {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly owned: boolean;
  private readonly guard = fastFail();

  constructor(options: { url?: string; client?: Redis; prefix?: string }) {
    if (!options.client && !options.url) throw new Error('RedisCache needs a url or a client');
    // A cache that is down must cost a miss, not a wait: every command gives up after 500 ms.
    this.redis = options.client ?? new Redis(options.url!, { maxRetriesPerRequest: 1, enableOfflineQueue: true, commandTimeout: 500, connectTimeout: 2_000 });
    if (!options.client) this.redis.on('error', () => undefined); // surfaced per command; the caller falls back
    this.owned = !options.client;
    this.prefix = options.prefix ?? 'minutes:cache:';
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.guard(() => this.redis.get(this.prefix + key))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    await this.guard(() => this.redis.set(this.prefix + key, value, 'PX', Math.ceil(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.guard(() => this.redis.del(this.prefix + key));
  }

  async close(): Promise<void> {
    if (this.owned) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
