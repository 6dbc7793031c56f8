/**
 * What each LLM call cost, per meeting and provider. `LedgerStore`
 * (core/store) writes these to Postgres; tests may keep them in memory.
 */
export type UsageOutcome = 'ok' | 'cached' | 'bad_output' | 'repaired' | 'error';

export interface UsageEntry {
  meetingId: string | null;
  task: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  cached: boolean;
  outcome: UsageOutcome;
  /** The error kind when outcome is `error`. */
  errorKind?: string | null;
}

export interface UsageLedger {
  record(entry: UsageEntry): Promise<void>;
}

/** Keeps entries in an array; for tests and the bench. */
export class MemoryLedger implements UsageLedger {
  readonly entries: UsageEntry[] = [];
  async record(entry: UsageEntry): Promise<void> {
    this.entries.push(entry);
  }
}

/**
 * The same ledger, with `onRecord` told of every entry (the metrics' AI call
 * counters), so the service can watch LLM calls without touching the
 * Orchestrator. Every other member of the ledger (totals, audits) passes
 * through. The observer hears each call even when the write then fails: the
 * call happened and cost tokens either way; an observer that throws is ignored.
 */
export function observedLedger<L extends UsageLedger>(ledger: L, onRecord: (entry: UsageEntry) => void): L {
  const record = async (entry: UsageEntry): Promise<void> => {
    try {
      onRecord(entry);
    } catch {
      // Metrics must never cost a ledger row.
    }
    await ledger.record(entry);
  };
  return new Proxy(ledger, {
    get(target, prop) {
      if (prop === 'record') return record;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
