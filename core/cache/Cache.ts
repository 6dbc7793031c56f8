/**
 * A string cache with per-entry TTL. In-process by default; Redis
 * (`adapters/redis/RedisCache.ts`) when several processes should share hits.
 * Callers treat a cache failure as a miss: a cache never breaks a request.
 */
export interface Cache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}
