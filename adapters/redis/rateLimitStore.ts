import { Redis } from 'ioredis';
import { RedisStore } from 'rate-limit-redis';
import type { Store } from 'express-rate-limit';

/** Rate-limit counters shared by every dashboard instance on one Redis. */
export function createRedisRateLimitStore(url: string, prefix = 'minutes:rl:'): { store: Store; close(): Promise<void> } {
  // Commands wait for the connection at start (the store loads its script then), but give up after one
  // retry when Redis is down: the limiter then lets requests through rather than holding them.
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  client.on('error', () => undefined);
  const store = new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as Promise<never>,
  });
  return { store, close: () => client.quit().then(() => undefined, () => client.disconnect()) };
}
