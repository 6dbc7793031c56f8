import { SECRET_KEYS } from './config.ts';
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level?: string;
  /** `auto` pretty-prints in a terminal outside production, JSON otherwise. */
  format?: 'auto' | 'json' | 'pretty';
  production?: boolean;
  /** Write to stderr instead of stdout (the CLI keeps stdout for its output). */
  stderr?: boolean;
  /** A stream to write JSON lines to (tests). */
  destination?: NodeJS.WritableStream;
}

/**
 * Paths pino blanks before a line is written. Tokens arrive under many names
 * (config objects, HTTP headers, SDK options), so list the shapes we emit.
 */
export const REDACT_PATHS = [
  '*.token',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.authorization',
  // Every secret variable of the config, under whatever object carries it (derived, so a new one cannot be forgotten).
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'token',
  'password',
  'secret',
  'apiKey',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(settings: LoggerSettings = {}): Logger {
  const format = settings.format ?? 'auto';
  const out = settings.stderr ? process.stderr : process.stdout;
  const pretty = format === 'pretty' || (format === 'auto' && !settings.production && Boolean(out.isTTY));
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'minutes' },
  };
  if (settings.destination) return pino(options, settings.destination as never);
  if (pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,service', destination: settings.stderr ? 2 : 1 } },
    });
  }
  return pino(options, pino.destination(settings.stderr ? 2 : 1));
}

/** A child logger carrying one meeting's ids on every line. */
export function meetingLogger(parent: Logger, meeting: { id: string; platform?: string }): Logger {
  return parent.child({ meetingId: meeting.id, platform: meeting.platform });
}
