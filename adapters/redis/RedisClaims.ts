import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Claim } from '../../core/bus/ClaimedEventBus.ts';

// SET NX, or already ours (then renewed): one round trip, atomic.
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Claims shared by every instance on one Redis: the first instance to ask for a key holds it until it expires. */
export function createRedisClaims(options: { url: string; prefix?: string; instanceId?: string }): { claim: Claim; close(): Promise<void> } {
  const redis = new Redis(options.url, { maxRetriesPerRequest: 1, commandTimeout: 500 });
  redis.on('error', () => undefined); // failures surface per call; the claim's caller decides
  const me = options.instanceId ?? randomUUID();
  const prefix = options.prefix ?? 'minutes:';
  return {
    async claim(key, ttlMs) {
      const won = await redis.eval(CLAIM, 1, `${prefix}${key}`, me, String(ttlMs));
      return won === 1;
    },
    async close() {
      redis.disconnect();
    },
  };
}
