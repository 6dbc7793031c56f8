import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { promisify } from 'node:util';

/**
 * The local Postgres and Redis the fault suite restarts. Only this harness
 * does that (never a mocha test), each outage lasts seconds, and
 * `ensureServers` — called from every `finally` — brings both back whatever
 * happened, with the exact commands CI uses.
 */

const run = promisify(execFile);
const REDIS_START = ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no',
  '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log'];

function pgVersion(): string {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1) throw new Error(`expected one Postgres version in /etc/postgresql, found ${versions.join(', ')}`);
  return versions[0]!;
}

async function pgctl(action: 'restart' | 'start'): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', pgVersion(), 'main', action], { timeout: 60_000 });
}

export async function postgresUp(): Promise<boolean> {
  try {
    await run('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

export async function redisUp(): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping'], { timeout: 5000 });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

/** Fast stop (sessions terminated with 57P01) and start: the outage of a routine restart. */
export async function restartPostgres(): Promise<void> {
  await pgctl('restart');
}

export async function stopRedis(): Promise<void> {
  // `shutdown` closes the connection it came on: the non-zero exit is the expected outcome.
  await run('redis-cli', ['-p', '6379', 'shutdown', 'nosave'], { timeout: 10_000 }).catch(() => undefined);
  for (let i = 0; i < 50 && (await redisUp()); i++) await new Promise((r) => setTimeout(r, 100));
}

export async function startRedis(): Promise<void> {
  await run('redis-server', REDIS_START, { timeout: 10_000 });
  for (let i = 0; i < 50 && !(await redisUp()); i++) await new Promise((r) => setTimeout(r, 100));
}

/** Both servers running again, whatever state a failed run left them in. */
export async function ensureServers(log: (line: string) => void = console.error): Promise<void> {
  if (!(await postgresUp())) {
    log('faults: Postgres is down, starting it');
    await pgctl('start').catch((err: unknown) => log(`faults: could not start Postgres: ${(err as Error).message}`));
  }
  if (!(await redisUp())) {
    log('faults: Redis is down, starting it');
    await startRedis().catch((err: unknown) => log(`faults: could not start Redis: ${(err as Error).message}`));
  }
}

/** An OpenAI-compatible endpoint on loopback that is always down: 503 to every request, counted. */
export interface FailingLlm {
  baseUrl: string;
  requests: number;
  close(): Promise<void>;
}

export async function failingLlm(): Promise<FailingLlm> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    req.resume();
    const status = state.requests % 2 ? 503 : 500;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'synthetic outage', type: 'server_error' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
