import { InvalidArgumentError } from 'commander';
import { bootstrap, fail } from '../bootstrap.ts';
import { createContainer, type Container } from '../container.ts';

/** Runs one CLI command on a fresh container and closes it, printing a coded error and exiting 1 on failure. */
export async function withContainer(work: (c: Container) => Promise<void>): Promise<void> {
  const { config, logger } = bootstrap({ cli: true });
  let c: Container | null = null;
  let failure: unknown = null;
  try {
    c = await createContainer(config, logger, { minutes: 'direct' });
    await work(c);
  } catch (err) {
    failure = err;
  }
  await c?.close().catch(() => undefined);
  if (failure) fail(failure, logger);
}

export const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

export const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
