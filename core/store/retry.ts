/**
 * Retrying database writes through a short outage (a Postgres restart, a
 * failover, a dropped connection): only errors that say "the server or the
 * connection went away" are retried, with exponential backoff and jitter so a
 * hundred writers do not all reconnect in the same millisecond. Whatever is
 * retried must be idempotent: after an ambiguous failure (the connection died
 * around the commit) the first attempt may have been written.
 */

/** SQLSTATEs of a server going away or not yet taking connections. */
const TRANSIENT_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is shutting down (smart/fast stop, restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
  '08006', // connection_failure
  '53300', // too_many_connections: every slot taken while clients reconnect
]);

/** Socket errors on the way to the server. */
const TRANSIENT_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Messages of errors the pg driver and knex raise without a code. */
const TRANSIENT_MESSAGES = [
  /Connection terminated/i,
  /Client has encountered a connection error and is not queryable/i,
  /Timeout acquiring a connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /server closed the connection unexpectedly/i,
];

/** True when `err` (or an error in its `cause` chain) means the database was unreachable, not that the write was wrong. */
export function isTransientDbError(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_ERRNOS.has(code))) return true;
    if (name === 'KnexTimeoutError') return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(message))) return true;
    // Node wraps connect failures to several addresses in one AggregateError.
    if (e instanceof AggregateError && e.errors.some((inner) => isTransientDbError(inner))) return true;
  }
  return false;
}

export interface DbRetryOptions {
  /** Tries in all, the first included; default 8 (about 9 s of backoff with the defaults). */
  attempts?: number;
  /** Delay before the first retry; doubled each time. Default 100 ms. */
  baseMs?: number;
  /** Longest delay between two tries. Default 2 s. */
  maxMs?: number;
  /** Stops waiting: the pending delay ends and the abort reason is thrown. */
  signal?: AbortSignal;
  /** Called before each wait (log it: a retried write is worth knowing about). */
  onRetry?: (info: { err: unknown; attempt: number; delayMs: number }) => void;
  /** Which errors are retried; default isTransientDbError. */
  retryable?: (err: unknown) => boolean;
  /** [0, 1) source for the jitter (tests pin it). */
  random?: () => number;
  /** Waits (tests pass an instant one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `fn` until it succeeds, a non-transient error is thrown, or the tries
 * run out (the last error is thrown). Delays are "equal jitter": half of the
 * exponential step fixed, half random, capped at `maxMs`.
 */
export async function withDbRetry<T>(fn: (attempt: number) => Promise<T>, options: DbRetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 8);
  const baseMs = options.baseMs ?? 100;
  const maxMs = options.maxMs ?? 2000;
  const retryable = options.retryable ?? isTransientDbError;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || !retryable(err) || options.signal?.aborted) throw err;
      const step = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      const delayMs = Math.round(step / 2 + random() * (step / 2));
      options.onRetry?.({ err, attempt, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
