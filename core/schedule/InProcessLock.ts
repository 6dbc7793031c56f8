import type { SchedulerLock } from './types.ts';

/**
 * The scheduler lock of a single instance (no Redis): one holder per key
 * until its TTL ends. Several Schedulers in one process may share it.
 */
export class InProcessLock implements SchedulerLock {
  private readonly held = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  async acquire(key: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    for (const [k, until] of this.held) if (until <= now) this.held.delete(k);
    if (this.held.has(key)) return false;
    this.held.set(key, now + ttlMs);
    return true;
  }
}
