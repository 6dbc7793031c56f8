import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { MinutesError } from '../errors.ts';
import { migrationSource } from '../../migrations/index.ts';

export type DatabaseSettings =
  | { kind: 'postgres'; url: string; poolMax?: number }
  | { kind: 'pglite'; dataDir?: string | null; instance?: PGlite };

export interface Database {
  readonly knex: Knex;
  readonly kind: 'postgres' | 'pglite';
  migrate(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// bigint ids fit comfortably in a double; returning strings would leak a driver
// detail into every caller.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export function createDatabase(settings: DatabaseSettings): Database {
  const unlock = settings.kind === 'pglite' && settings.dataDir && !settings.instance ? lockDataDir(resolve(settings.dataDir)) : () => {};
  const knex = settings.kind === 'postgres' ? postgresKnex(settings.url, settings.poolMax ?? 10) : pgliteKnex(settings);
  return {
    knex,
    kind: settings.kind,
    async migrate() {
      try {
        const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
        return applied;
      } catch (cause) {
        throw new MinutesError('STORE_UNAVAILABLE', `Database migration failed: ${(cause as Error).message}`, { cause });
      }
    },
    async ping() {
      await knex.raw('select 1');
    },
    async close() {
      try {
        await knex.destroy();
      } finally {
        unlock();
      }
    },
  };
}

function postgresKnex(url: string, poolMax: number): Knex {
  return knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: poolMax } });
}

function pgliteKnex(settings: { dataDir?: string | null; instance?: PGlite }): Knex {
  let instance = settings.instance;
  if (!instance) {
    // A data dir persists across restarts; none means an in-memory database.
    const dir = settings.dataDir ? resolve(settings.dataDir, 'pglite') : undefined;
    if (dir) mkdirSync(dir, { recursive: true });
    instance = new PGlite(dir);
  }
  const pglite = instance;
  return knexFactory({ client: ClientPgLite as never, dialect: 'postgres', connection: () => ({ pglite }) as never });
}

/**
 * PGlite is a single-process database: two processes opening the same data
 * dir would corrupt it. A pid lock file turns that into a clear error.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lock = resolve(dataDir, 'pglite.lock');
  let holder: number | null = null;
  try {
    holder = Number(readFileSync(lock, 'utf8').trim()) || null;
  } catch {
    holder = null;
  }
  if (holder && holder !== process.pid && processAlive(holder)) {
    throw new MinutesError(
      'STORE_UNAVAILABLE',
      `The embedded database in ${dataDir} is in use by process ${holder} (is \`npm start\` running?). ` +
        'Stop that process, or set DATABASE_URL to a Postgres server so several processes can share it.',
      { details: { dataDir, pid: holder } },
    );
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates a database on a Postgres server (used for a fresh database per test or bench run). */
export async function createPostgresDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(serverUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.destroy();
  }
}
