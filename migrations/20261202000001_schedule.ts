import type { Knex } from 'knex';
import { runStatements } from './statements.ts';

/**
 * Scheduled work (core/schedule/). `notifications_sent` makes digests and
 * reminders at-most-once: a sender claims its key (a unique row) before
 * sending, so two runs or two instances never both send. `retention_audit`
 * records every retention purge; it has no foreign key so it outlives a
 * deleted organization. A purged meeting keeps its row with `purged_at`
 * set (a tombstone: links say "purged by retention" rather than 404).
 */
const schema = `
    CREATE TABLE notifications_sent (
      key text PRIMARY KEY,
      organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
      sent_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notifications_sent_sent_idx ON notifications_sent (sent_at);
    CREATE TABLE retention_audit (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id uuid NOT NULL,
      ran_at timestamptz NOT NULL,
      cutoff timestamptz NOT NULL,
      retention_days integer NOT NULL,
      meetings integer NOT NULL DEFAULT 0,
      segments_deleted integer NOT NULL DEFAULT 0,
      minutes_deleted integer NOT NULL DEFAULT 0,
      action_items_deleted integer NOT NULL DEFAULT 0,
      recordings_deleted integer NOT NULL DEFAULT 0
    );
    CREATE INDEX retention_audit_org_idx ON retention_audit (organization_id, ran_at DESC);
    ALTER TABLE meetings ADD COLUMN purged_at timestamptz;
    CREATE INDEX meetings_retention_idx ON meetings (organization_id, ended_at)
      WHERE purged_at IS NULL AND status IN ('completed', 'cancelled')
`;

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, schema);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS meetings_retention_idx');
  await knex.raw('ALTER TABLE meetings DROP COLUMN IF EXISTS purged_at');
  await knex.raw('DROP TABLE IF EXISTS retention_audit');
  await knex.raw('DROP TABLE IF EXISTS notifications_sent');
}
