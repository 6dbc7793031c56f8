import { createDatabase, createPostgresDatabase, dropPostgresDatabase, type Database } from '../../core/store/db.ts';

export const benchServerUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Runs `work` on a fresh Postgres database made for this run and dropped at
 * the end whatever happens (also on Ctrl-C), so benchmarks never share data.
 */
export async function withBenchDatabase(
  options: { prefix: string; poolMax: number; log: (line: string) => void },
  work: (db: Database, url: string) => Promise<void>,
): Promise<void> {
  const name = `${options.prefix}_${Date.now()}_${process.pid}`;
  const url = await createPostgresDatabase(benchServerUrl, name);
  const drop = () => dropPostgresDatabase(benchServerUrl, name);
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: dropping ${name}`);
    void drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const db = createDatabase({ kind: 'postgres', url, poolMax: options.poolMax });
  try {
    options.log(`created database ${name}`);
    await work(db, url);
  } finally {
    await db.close().catch(() => undefined);
    await drop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    options.log(`dropped database ${name}`);
  }
}
