import { Redis } from 'ioredis';
import { RedisStore } from 'rate-limit-redis';
import type { Store } from 'express-rate-limit';
import { fastFail } from './fastFail.ts';

/** Rate-limit counters shared by every dashboard instance on one Redis. */
export function createRedisRateLimitStore(url: string, prefix = 'minutes:rl:'): { store: Store; close(): Promise<void> } {
  // Commands wait for the connection at start (the store loads its script then), but each gives up
  // after 500 ms, queued or sent: with Redis down the limiter lets requests through (passOnStoreError)
  // at once instead of holding every request until a reconnect.
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 500 });
  client.on('error', () => undefined);
  const guard = fastFail();
  const store = new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) => guard(() => client.call(command, ...args)) as Promise<never>,
  });
  return { store, close: () => client.quit().then(() => undefined, () => client.disconnect()) };
}
