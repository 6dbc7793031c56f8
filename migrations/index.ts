import type { Knex } from 'knex';
import * as initial from './20261125000001_initial.ts';
import * as llmUsage from './20261126000001_llm_usage.ts';
import * as ingestFastPath from './20261127000001_ingest_fast_path.ts';
import * as workspaces from './20261128000001_workspaces.ts';
import * as auth from './20261129000001_auth.ts';
import * as slack from './20261130000001_slack.ts';
import * as ingestTokens from './20261201000001_ingest_tokens.ts';
import * as schedule from './20261202000001_schedule.ts';
import * as jobJournal from './20261203000001_job_journal.ts';

/**
 * Migrations are listed here rather than discovered on disk so they load the
 * same way under tsx, in tests and from the CLI. Append new ones in order.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261125000001_initial': initial,
  '20261126000001_llm_usage': llmUsage,
  '20261127000001_ingest_fast_path': ingestFastPath,
  '20261128000001_workspaces': workspaces,
  '20261129000001_auth': auth,
  '20261130000001_slack': slack,
  '20261201000001_ingest_tokens': ingestTokens,
  '20261202000001_schedule': schedule,
  '20261203000001_job_journal': jobJournal,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
