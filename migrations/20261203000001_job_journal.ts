import type { Knex } from 'knex';
import { runStatements } from './statements.ts';

/**
 * The job journal (core/jobs/JournaledJobQueue.ts): every job is written here
 * before it is queued and marked when it ends, so jobs a queue forgot (a
 * Redis restarted without persistence, the in-process queue of a crashed
 * process) are queued again from Postgres.
 */
const schema = `
    CREATE TABLE job_journal (
      id text PRIMARY KEY,
      name text NOT NULL,
      data jsonb NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX job_journal_pending_idx ON job_journal (created_at) WHERE state = 'pending'
`;

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, schema);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS job_journal');
}
