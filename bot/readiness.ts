import { Redis } from 'ioredis';
import type { DiscordAdapter } from '../adapters/discord/index.ts';
import type { Container } from './container.ts';

/** Live parts /ready reports on, when this process runs them. */
export interface ReadinessParts {
  discord?: () => DiscordAdapter | null;
  /** Configured but failed to start (a bad token): /ready names it until fixed. */
  failed?: Record<string, string>;
}

/**
 * The checks behind /ready: Postgres, Redis, the job queue and each adapter
 * this process runs. A load balancer takes an instance out while any fails.
 */
export function readinessChecks(c: Container, parts: ReadinessParts = {}): { checks: Record<string, () => Promise<void>>; close(): Promise<void> } {
  const checks: Record<string, () => Promise<void>> = { database: () => c.db.ping() };
  let redis: Redis | null = null;
  if (c.config.REDIS_URL) {
    // Its own connection, failing fast: a probe must not wait in the offline queue of a shared client.
    redis = new Redis(c.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1500 });
    redis.on('error', () => undefined);
    const client = redis;
    checks.redis = async () => {
      if (client.status === 'wait' || client.status === 'end') await client.connect().catch(() => undefined);
      const answer = await client.ping();
      if (answer !== 'PONG') throw new Error(`unexpected answer ${answer}`);
    };
  }
  if (c.jobs) checks.jobs = () => c.jobs.ping();
  for (const [name, reason] of Object.entries(parts.failed ?? {})) checks[name] = () => Promise.reject(new Error(reason));
  if (parts.discord && !checks.discord) {
    const discord = parts.discord;
    checks.discord = async () => {
      const adapter = discord();
      if (!adapter || !adapter.connected) throw new Error('not connected to the Discord gateway');
    };
  }
  return { checks, close: async () => void redis?.disconnect() };
}
