import express, { type Request, type RequestHandler, type Response } from 'express';
import { z, type ZodType } from 'zod';
import { parseInput, requireJson, wrap } from './http.ts';
import { orgOf } from './org.ts';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** One documented response: JSON described by `schema`, or another media type (exports). */
export interface Reply {
  status: number;
  description: string;
  schema?: ZodType;
  /** Media types other than JSON, e.g. the export formats. */
  contentTypes?: string[];
}

type Obj = z.ZodObject;

export interface RouteSpec<P extends Obj = Obj, Q extends Obj = Obj, B extends ZodType = ZodType> {
  method: Method;
  /** Express path, e.g. `/api/meetings/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Largest accepted JSON body (express.json syntax); 16kb unless set. */
  bodyLimit?: string;
  /** Success responses; the first one's status is what a handler's return value is sent with. */
  ok: Reply[];
  /** Error statuses this route can answer with besides the ones every route of its kind has. */
  errors?: number[];
}

export interface RouteInput<P extends Obj, Q extends Obj, B extends ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  /** The organization the request acts for (see orgOf). */
  org: string;
  req: Request;
  res: Response;
}

/** Returns the JSON body to send, or undefined once it wrote the response itself (or for 204). */
export type RouteHandler<P extends Obj, Q extends Obj, B extends ZodType> = (input: RouteInput<P, Q, B>) => Promise<unknown>;

const empty = z.object({});
const writes = (m: Method) => m === 'post' || m === 'patch';

/**
 * API routes declared once: the zod schemas a route validates with are the
 * ones the OpenAPI document is generated from, so the two cannot drift.
 */
export class ApiRoutes {
  readonly specs: RouteSpec[] = [];
  readonly router = express.Router();

  add<P extends Obj = typeof empty, Q extends Obj = typeof empty, B extends ZodType = typeof empty>(spec: RouteSpec<P, Q, B>, handler: RouteHandler<P, Q, B>): void {
    this.specs.push(spec as unknown as RouteSpec);
    const middleware: RequestHandler[] = writes(spec.method) ? [express.json({ limit: spec.bodyLimit ?? '16kb' })] : [];
    this.router[spec.method](spec.path, ...middleware, wrap(async (req, res) => {
      const value = await handler(readInput(spec, req, res));
      if (res.headersSent) return;
      const status = spec.ok[0]!.status;
      if (value === undefined) res.status(status).end();
      else res.status(status).json(value);
    }));
  }
}

function readInput<P extends Obj, Q extends Obj, B extends ZodType>(spec: RouteSpec<P, Q, B>, req: Request, res: Response): RouteInput<P, Q, B> {
  const org = orgOf(req);
  if (writes(spec.method)) requireJson(req);
  return {
    params: parseInput(spec.params ?? empty, req.params, 'params') as z.output<P>,
    query: parseInput(spec.query ?? empty, req.query, 'query') as z.output<Q>,
    body: parseInput(spec.body ?? empty, writes(spec.method) ? (req.body ?? {}) : {}, 'body') as z.output<B>,
    org,
    req,
    res,
  };
}

/** Statuses every route of this shape can answer with, whatever its handler does. */
export function implicitErrors(spec: RouteSpec): number[] {
  const statuses = new Set<number>([500]);
  if (spec.params || spec.query || spec.body || writes(spec.method)) statuses.add(400);
  if (spec.path.includes(':')) statuses.add(404);
  if (writes(spec.method)) statuses.add(413);
  for (const s of spec.errors ?? []) statuses.add(s);
  return [...statuses].sort();
}
