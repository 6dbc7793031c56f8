import compression from 'compression';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import { CSRF_HEADER } from './auth/index.ts';
import { errorBody } from './api/http.ts';

export interface SecurityOptions {
  /** https turns on HSTS (a plain-http localhost install must stay reachable). */
  publicUrl: string;
  /** Requests per minute per signed-in user (per address before sign-in). */
  perMinute?: number;
  /** Shared counters across instances (Redis) when configured; in-process otherwise. */
  rateLimitStore?: Store;
}

/**
 * Headers and limits every response gets: a strict CSP (scripts and styles
 * only from this origin, no inline script, no plugins, no framing), HSTS on
 * https, gzip, and a per-user rate limit answered with a JSON 429.
 */
export function securityMiddleware(options: SecurityOptions): RequestHandler[] {
  const https = options.publicUrl.startsWith('https:');
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", https ? 'wss:' : 'ws:'],
          mediaSrc: ["'self'", 'blob:'],
          workerSrc: ["'self'"],
          manifestSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          ...(https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    }),
    compression(),
  ];
}

const STATIC_PATHS = /^\/(?:static\/|icon-\d+\.png$|manifest\.webmanifest$|sw\.js$|favicon\.ico$)/;

/** 100 requests a minute per user; `key` gives the signed-in user's id when there is one. */
export function rateLimiter(options: SecurityOptions & { key: (req: Request) => string | null }): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: options.perMinute ?? 100,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(options.rateLimitStore ? { store: options.rateLimitStore } : {}),
    keyGenerator: (req) => options.key(req) ?? `ip:${ipKeyGenerator(req.ip ?? '')}`,
    // Static files are cached, cheap and fetched ~10 at a time on a first visit: an office behind
    // one address would hit the limit on assets alone.
    skip: (req) => STATIC_PATHS.test(req.path),
    // An unreachable Redis must not take the dashboard down: count nothing rather than refuse everyone.
    passOnStoreError: true,
    handler: (_req: Request, res: Response) => {
      res.status(429).json(errorBody('RATE_LIMITED', `More than ${options.perMinute ?? 100} requests a minute; try again shortly`));
    },
  });
}

/**
 * Plain HTML forms cannot set headers: a form's `_csrf` field stands in for
 * the X-CSRF-Token header (the token still has to match the session's).
 */
export function formCsrf(): RequestHandler[] {
  return [
    express.urlencoded({ extended: false, limit: '16kb' }),
    (req: Request, _res: Response, next: NextFunction) => {
      const field = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof field === 'string' && !req.get(CSRF_HEADER)) req.headers[CSRF_HEADER.toLowerCase()] = field;
      next();
    },
  ];
}
