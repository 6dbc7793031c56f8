import 'dotenv/config';
import type { Knex } from 'knex';
import { migrationSource } from './migrations/index.ts';

/**
 * For the knex CLI (`npx tsx node_modules/knex/bin/cli.js ...`). The service
 * itself migrates on start and with `npm run migrate`, which also covers the
 * embedded PGlite database; this file only targets a real Postgres server.
 */
const config: Knex.Config = {
  client: 'pg',
  connection: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  migrations: { migrationSource },
};

export default config;
