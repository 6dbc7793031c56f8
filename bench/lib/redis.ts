import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Deletes every key that starts with `prefix` (a run's REDIS_PREFIX) on the
 * Redis of `url`, with redis-cli (SCAN, then DEL in chunks); says how many.
 * Runs share one Redis, each under its own prefix, and leave nothing behind.
 */
export async function deleteRedisKeys(prefix: string, url = 'redis://127.0.0.1:6379'): Promise<string> {
  const u = new URL(url);
  const base = ['-h', u.hostname, '-p', u.port || '6379', '-n', u.pathname.slice(1) || '0'];
  const { stdout } = await run('redis-cli', [...base, '--scan', '--pattern', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`], { timeout: 30_000, maxBuffer: 64 << 20 });
  const keys = stdout.split('\n').filter(Boolean);
  for (let i = 0; i < keys.length; i += 500) await run('redis-cli', [...base, 'unlink', ...keys.slice(i, i + 500)], { timeout: 30_000 });
  return `${keys.length} deleted`;
}
