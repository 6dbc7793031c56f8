import type { Knex } from 'knex';

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

// One statement per call: PGlite refuses several commands in one prepared statement.
export async function up(knex: Knex): Promise<void> {
  for (const statement of schema.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) {
    await knex.raw(statement);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS ingest_tokens');
}
