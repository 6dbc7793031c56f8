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
