/**
 * One breaker per provider, so a provider that keeps failing is skipped
 * instead of costing every request a timeout.
 *
 *   closed ──N consecutive failures──► open ──cool-down elapsed──► half_open
 *     ▲                                 ▲                            │ one trial call
 *     └──────────── trial succeeds ─────┼────────────────────────────┤
 *                                       └──── trial fails ───────────┘
 *
 * A rate limit with a retry-after opens the breaker for at least that long:
 * the provider told us when to come back.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before one trial call is let through. */
  cooldownMs: number;
  clock?: Clock;
}

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openUntil = 0;
  private trialInFlight = false;
  private readonly clock: Clock;

  constructor(private readonly options: BreakerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** The state as of now (an open breaker whose cool-down elapsed reads as half-open). */
  get current(): BreakerState {
    if (this.state === 'open' && this.clock.now() >= this.openUntil) return 'half_open';
    return this.state;
  }

  /** Ms until the breaker lets a trial through (0 when it would now). */
  get retryInMs(): number {
    return this.state === 'open' ? Math.max(0, this.openUntil - this.clock.now()) : 0;
  }

  /**
   * Asks to make a call. In half-open only the first asker gets through; the
   * rest are refused until that trial reports back.
   */
  tryAcquire(): boolean {
    const state = this.current;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.trialInFlight) return false;
    this.state = 'half_open';
    this.trialInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.state = 'closed';
    this.failures = 0;
    this.trialInFlight = false;
  }

  onFailure(retryAfterMs?: number): void {
    const wasTrial = this.state === 'half_open' || this.current === 'half_open';
    this.trialInFlight = false;
    this.failures += 1;
    const backOffMs = retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : 0;
    const tripped = wasTrial || this.failures >= this.options.failureThreshold;
    if (!tripped && backOffMs === 0) return;
    this.state = 'open';
    this.openUntil = this.clock.now() + Math.max(backOffMs, tripped ? this.options.cooldownMs : 0);
  }

  /** A call that ended without a verdict on the provider (caller cancelled, bad request). */
  release(): void {
    this.trialInFlight = false;
  }
}
