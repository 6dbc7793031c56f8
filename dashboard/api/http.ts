import type { NextFunction, Request, Response } from 'express';
import type { ZodType } from 'zod';
import { httpStatusFor, isMinutesError, MinutesError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

/** Codes the HTTP layer adds to the core's: a body over the size limit, an unknown route, a bug. */
export const HTTP_ERROR_STATUS = { REQUEST_TOO_LARGE: 413, NOT_FOUND: 404, INTERNAL: 500 } as const;

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export const errorBody = (code: string, message: string, details: Record<string, unknown> = {}): ErrorBody => ({ error: { code, message, details } });

/** Express 5 forwards rejected promises itself; this only keeps handlers typed as async. */
export const wrap = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
  fn(req, res).catch(next);
};

/**
 * Writes must be JSON: a browser cannot send that cross-site without a CORS
 * preflight, so another page cannot act on a user's behalf with a plain form.
 */
export function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new MinutesError('REQUEST_INVALID', 'Send the request with Content-Type: application/json');
}

/** Parses one part of a request (params, query, body); a failure is a 400 naming every bad field. */
export function parseInput<S extends ZodType>(schema: S, value: unknown, part: string): S['_output'] {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: [part, ...i.path.map(String)].join('.'), message: i.message }));
  throw new MinutesError('REQUEST_INVALID', `Invalid ${part}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { details: { issues } });
}

export function notFoundHandler(req: Request, res: Response): void {
  res.status(HTTP_ERROR_STATUS.NOT_FOUND).json(errorBody('NOT_FOUND', `No route ${req.method} ${req.path}`));
}

/** Every error leaves as `{ error: { code, message, details } }` with the status its code maps to. */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (isMinutesError(err)) {
      res.status(httpStatusFor[err.code]).json({ error: err.toJSON() });
      return;
    }
    if (isBodyError(err)) {
      const tooLarge = err.status === 413;
      const code = tooLarge ? 'REQUEST_TOO_LARGE' : 'REQUEST_INVALID';
      res.status(tooLarge ? 413 : 400).json(errorBody(code, `The request body could not be read: ${err.message}`, { type: err.type }));
      return;
    }
    const requestId = res.locals.requestId as string | undefined;
    logger.error({ err, requestId, method: req.method, path: req.path }, 'request failed');
    res.status(HTTP_ERROR_STATUS.INTERNAL).json(errorBody('INTERNAL', 'Internal error', requestId ? { requestId } : undefined));
  };
}

/** express.json's errors (bad JSON, too large) carry an HTTP status and a type of their own. */
function isBodyError(err: unknown): err is Error & { status: number; type: string } {
  const e = err as { status?: unknown; type?: unknown } | null;
  return err instanceof Error && typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string';
}
