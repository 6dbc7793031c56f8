import type { Knex } from 'knex';

/** Runs a schema one statement per call: PGlite refuses several commands in one prepared statement. */
export async function runStatements(knex: Knex, schema: string): Promise<void> {
  for (const statement of schema.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) {
    await knex.raw(statement);
  }
}
