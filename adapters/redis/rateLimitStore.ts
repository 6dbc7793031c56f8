import { Redis } from 'ioredis';
import { RedisStore } from 'rate-limit-redis';
import type { Store } from 'express-rate-limit';

/** Rate-limit counters shared by every dashboard instance on one Redis. */
export function createRedisRateLimitStore(url: string, prefix = 'minutes:rl:'): { store: Store; close(): Promise<void> } {
  // No offline queue: while Redis is down a request must not wait for it (the limiter then lets requests through).
  const client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  client.on('error', () => undefined);
  const store = new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as Promise<never>,
  });
  return { store, close: () => client.quit().then(() => undefined, () => client.disconnect()) };
}
