import type { Knex } from 'knex';
import { runStatements } from './statements.ts';

/**
 * Platform workspaces (a Discord guild, a Slack workspace, a Teams tenant) and
 * the organization each one belongs to, with per-workspace settings; and
 * standing consent choices of platform users ("never record me here"), which
 * outlive any one meeting.
 */
const schema = `
    CREATE TABLE platform_workspaces (
      platform text NOT NULL,
      external_id text NOT NULL,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      name text NOT NULL,
      settings jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (platform, external_id)
    );
    CREATE INDEX platform_workspaces_org_idx ON platform_workspaces (organization_id);
    CREATE TABLE consent_preferences (
      platform text NOT NULL,
      external_team_id text NOT NULL DEFAULT '',
      external_user_id text NOT NULL,
      opted_out boolean NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (platform, external_team_id, external_user_id)
    );
`;

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, schema);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS consent_preferences');
  await knex.raw('DROP TABLE IF EXISTS platform_workspaces');
}
