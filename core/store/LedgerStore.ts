import type { Knex } from 'knex';
import type { UsageEntry, UsageLedger } from '../ai/ledger.ts';

export interface UsageTotals {
  provider: string;
  model: string;
  calls: number;
  cachedCalls: number;
  inputTokens: number;
  outputTokens: number;
  /** Sum of known costs; calls to unpriced models add nothing. */
  costUsd: number;
}

/** The LLM usage ledger in `llm_usage`: what each call cost, per meeting and provider. */
export class LedgerStore implements UsageLedger {
  constructor(private readonly db: Knex) {}

  async record(entry: UsageEntry): Promise<void> {
    await this.db('llm_usage').insert({
      meeting_id: entry.meetingId,
      task: entry.task,
      provider: entry.provider,
      model: entry.model,
      input_tokens: Math.max(0, Math.round(entry.inputTokens)),
      output_tokens: Math.max(0, Math.round(entry.outputTokens)),
      cost_usd: entry.costUsd,
      cached: entry.cached,
      outcome: entry.outcome,
      error_kind: entry.errorKind ?? null,
    });
  }

  /** Tokens and cost of one meeting, per provider and model. */
  async totalsForMeeting(meetingId: string): Promise<UsageTotals[]> {
    const rows = await this.db('llm_usage')
      .where({ meeting_id: meetingId })
      .groupBy('provider', 'model')
      .orderBy(['provider', 'model'])
      .select(
        'provider',
        'model',
        this.db.raw('count(*)::int AS calls'),
        this.db.raw('count(*) FILTER (WHERE cached)::int AS cached_calls'),
        this.db.raw('coalesce(sum(input_tokens), 0)::bigint AS input_tokens'),
        this.db.raw('coalesce(sum(output_tokens), 0)::bigint AS output_tokens'),
        this.db.raw('coalesce(sum(cost_usd), 0)::float8 AS cost_usd'),
      );
    return rows.map((r: Record<string, unknown>) => ({
      provider: String(r.provider),
      model: String(r.model),
      calls: Number(r.calls),
      cachedCalls: Number(r.cached_calls),
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
      costUsd: Number(r.cost_usd),
    }));
  }

  /** Every row of one meeting in call order (for audits and tests). */
  async entriesForMeeting(meetingId: string): Promise<(UsageEntry & { createdAt: Date })[]> {
    const rows = await this.db('llm_usage').where({ meeting_id: meetingId }).orderBy('id');
    return rows.map((r: Record<string, unknown>) => ({
      meetingId: r.meeting_id as string | null,
      task: String(r.task),
      provider: String(r.provider),
      model: String(r.model),
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
      costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
      cached: Boolean(r.cached),
      outcome: r.outcome as UsageEntry['outcome'],
      errorKind: (r.error_kind as string | null) ?? null,
      createdAt: new Date(r.created_at as string),
    }));
  }
}
