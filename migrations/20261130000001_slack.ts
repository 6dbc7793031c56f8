import type { Knex } from 'knex';
import { runStatements } from './statements.ts';

/**
 * Slack app installations (multi-workspace OAuth). Tokens never sit in the
 * clear: `bot_token_enc` and `installation_enc` (the whole installation JSON,
 * which carries bot and user tokens) are AES-256-GCM ciphertext
 * (adapters/slack/tokenCrypto.ts). `installation_key` is `T:<team id>`, or
 * `E:<enterprise id>` for an org-wide install, which has no team.
 */
const schema = `
    CREATE TABLE slack_installations (
      installation_key text PRIMARY KEY,
      team_id text,
      enterprise_id text,
      is_enterprise_install boolean NOT NULL DEFAULT false,
      bot_token_enc text,
      bot_user_id text,
      bot_scopes text NOT NULL DEFAULT '',
      user_id text,
      installation_enc text NOT NULL,
      organization_id uuid REFERENCES organizations(id) ON DELETE SET NULL,
      installed_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX slack_installations_team_idx ON slack_installations (team_id);
    CREATE INDEX slack_installations_org_idx ON slack_installations (organization_id);
`;

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, schema);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS slack_installations');
}
