import { LRUCache } from 'lru-cache';
import type { Cache } from './Cache.ts';

/** A bounded LRU with per-entry TTL, for a single process. */
export class InProcessCache implements Cache {
  private readonly lru: LRUCache<string, string>;

  constructor(options: { maxEntries?: number; maxBytes?: number; now?: () => number } = {}) {
    this.lru = new LRUCache<string, string>({
      max: options.maxEntries ?? 1000,
      // Minutes JSON can be tens of KB; bound memory, not just entry count.
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (value) => Math.max(1, value.length * 2),
      ttlAutopurge: false,
      // ttlResolution 0: read the injected clock on every check instead of caching it for 1 ms.
      ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
    });
  }

  async get(key: string): Promise<string | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    this.lru.set(key, value, { ttl: ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }
}
