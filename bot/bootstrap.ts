import { config as loadDotenv } from 'dotenv';
import { loadConfig, type Config } from '../core/config.ts';
import { isMinutesError } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/logger.ts';

/**
 * Reads `.env` (without overriding real environment variables) and parses the
 * config once. A bad value ends the process with the variable's name and what
 * it expects, never a stack trace.
 */
export function bootstrap(options: { cli?: boolean } = {}): { config: Config; logger: Logger } {
  loadDotenv({ quiet: true });
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (isMinutesError(err, 'CONFIG_INVALID')) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  // CLI output goes to stdout, so its logs go to stderr and default to warnings only.
  const logger = options.cli
    ? createLogger({ level: process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', format: config.LOG_FORMAT, production: config.NODE_ENV === 'production', stderr: true })
    : createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, production: config.NODE_ENV === 'production' });
  return { config, logger };
}

/** Prints a coded error the way a person wants to read it, and exits. */
export function fail(err: unknown, logger?: Logger): never {
  if (isMinutesError(err)) {
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    process.exit(1);
  }
  logger?.error({ err }, 'unexpected error');
  process.stderr.write(`unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}
