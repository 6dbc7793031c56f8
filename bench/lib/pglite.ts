import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface PgliteStart {
  startMs: number;
  migrateMs: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  rssGrowthMb: number;
}

const child = fileURLToPath(new URL('./pglite-child.ts', import.meta.url));

/** Starts a fresh in-memory PGlite in a child process (clean RSS), `runs` times; returns each run. */
export async function measurePgliteStart(runs: number): Promise<PgliteStart[]> {
  const out: PgliteStart[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], { cwd: process.cwd(), timeout: 120_000 }).catch((err) => {
      // Keep the child's own error lines (e.g. a migration PGlite rejects), not just "Command failed".
      const lines = String(err.stderr ?? '').split('\n').map((l) => l.trim()).filter((l) => /^(\w*Error\b|error:|- )/.test(l));
      throw new Error([...new Set(lines)].slice(0, 3).join(' | ') || err.message);
    });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as Omit<PgliteStart, 'rssGrowthMb'>;
    out.push({ ...r, rssGrowthMb: r.rssAfterMb - r.rssBeforeMb });
  }
  return out;
}
