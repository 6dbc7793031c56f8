import type { Knex } from 'knex';
import { runStatements } from './statements.ts';

/**
 * Dashboard sign-in: admin passwords, one-time sign-in links the bots hand
 * out, and refresh-token sessions. Only hashes of secrets are stored, so a
 * database dump cannot be replayed as a login.
 */
const schema = `
    CREATE TABLE user_credentials (
      user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      password_hash text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX users_lower_email_idx ON users (lower(email));
    CREATE TABLE sign_in_links (
      token_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    );
    CREATE INDEX sign_in_links_expires_idx ON sign_in_links (expires_at);
    CREATE TABLE auth_sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      refresh_hash text NOT NULL UNIQUE,
      family uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      replaced_by uuid,
      user_agent text
    );
    CREATE INDEX auth_sessions_family_idx ON auth_sessions (family);
    CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id);
`;

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, schema);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS auth_sessions');
  await knex.raw('DROP TABLE IF EXISTS sign_in_links');
  await knex.raw('DROP TABLE IF EXISTS user_credentials');
  await knex.raw('DROP INDEX IF EXISTS users_lower_email_idx');
}
