import type { Knex } from 'knex';
import { runStatements } from './statements.ts';

/**
 * The LLM usage ledger: one row per provider call (or cache hit), so cost can
 * be reported per meeting and per provider. meeting_id is text without a
 * foreign key: minutes can be analysed before (or without) a stored meeting,
 * and the ledger must outlive a deleted meeting for billing.
 */
const schema = `
    CREATE TABLE llm_usage (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      meeting_id text,
      task text NOT NULL,
      provider text NOT NULL,
      model text NOT NULL,
      input_tokens integer NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
      output_tokens integer NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
      cost_usd numeric(14, 8),
      cached boolean NOT NULL DEFAULT false,
      outcome text NOT NULL CHECK (outcome IN ('ok', 'cached', 'bad_output', 'repaired', 'error')),
      error_kind text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX llm_usage_meeting_idx ON llm_usage (meeting_id, created_at);
    CREATE INDEX llm_usage_created_idx ON llm_usage (created_at);
`;

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, schema);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS llm_usage');
}
