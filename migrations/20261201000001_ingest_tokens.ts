import type { Knex } from 'knex';
import { runStatements } from './statements.ts';

/**
 * Per-meeting tokens of the media-ingest socket (dashboard/ingest/). Only the
 * sha256 of a token is kept; `created_by` is free text (a user id, `teams`,
 * a bot name), not a foreign key, since bots issue tokens too.
 */
const schema = `
    CREATE TABLE ingest_tokens (
      token_hash text PRIMARY KEY,
      meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz
    );
    CREATE INDEX ingest_tokens_meeting_idx ON ingest_tokens (meeting_id);
`;

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, schema);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS ingest_tokens');
}
