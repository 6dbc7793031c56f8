// The HTTP side of the fake: parse and record every request to /api/v10,
// apply rate-limit buckets and one-shot failures, then route to a handler.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { boundaryOf, parseMultipart } from './multipart.ts';
import { errors } from './payloads.ts';
import type { RateLimitBucket, RateLimitOptions, RecordedCall, UploadedFile } from './types.ts';

export const API_PREFIX = '/api/v10';

export interface Reply {
  status: number;
  body?: unknown;
}

export interface RouteContext {
  call: RecordedCall;
  params: Record<string, string>;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** interaction callbacks and webhooks are called without the bot token */
  auth: boolean;
  handler: (ctx: RouteContext) => Reply;
}

/** `route('GET', '/channels/:channel')` — `:name` segments become params. */
export function route(method: string, template: string, handler: Route['handler']): Route {
  const source = template.replace(/[.@]/g, '\\$&').replace(/:(\w+)/g, '(?<$1>[^/]+)');
  const auth = !/^\/(interactions|webhooks)\//.test(template);
  return { method, pattern: new RegExp(`^${source}$`), auth, handler };
}

class Bucket implements RateLimitBucket {
  served = 0;
  limited = 0;
  violations = 0;
  private windowStart = 0;
  private used = 0;
  private announcedEmpty = false;

  constructor(readonly hash: string, readonly route: RegExp, private readonly options: RateLimitOptions) {}

  /** Counts one request; returns the headers to send and whether it is over the limit. */
  take(now: number): { over: boolean; violation: boolean; headers: Record<string, string>; resetAfter: number } {
    if (now >= this.windowStart + this.options.windowMs) {
      this.windowStart = now;
      this.used = 0;
      this.announcedEmpty = false;
    }
    const over = this.used >= this.options.limit;
    const violation = over && this.announcedEmpty;
    if (!over) this.used++;
    const remaining = this.options.limit - this.used;
    if (remaining === 0) this.announcedEmpty = true;
    const resetAt = this.windowStart + this.options.windowMs;
    const resetAfter = (resetAt - now) / 1000;
    const headers = {
      'x-ratelimit-limit': String(this.options.limit), 'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': (resetAt / 1000).toFixed(3), 'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': this.hash, 'x-ratelimit-scope': 'user',
    };
    if (over) this.limited++;
    else this.served++;
    if (violation) this.violations++;
    return { over, violation, headers, resetAfter };
  }
}

interface Failure { method: string; route: RegExp; status: number; body: unknown }

export class RestServer {
  readonly calls: RecordedCall[] = [];
  readonly rateLimited: RecordedCall[] = [];
  readonly violations: RecordedCall[] = [];
  private readonly buckets: Bucket[] = [];
  private readonly failures: Failure[] = [];
  private readonly answered = new EventEmitter();

  constructor(private readonly routes: Route[]) {
    this.answered.setMaxListeners(0);
  }

  rateLimit(route: RegExp, options: RateLimitOptions): RateLimitBucket {
    const bucket = new Bucket(`fake${this.buckets.length}${Math.random().toString(16).slice(2, 10)}`, route, options);
    this.buckets.push(bucket);
    return bucket;
  }

  failNext(method: string, route: RegExp, status: number, body?: unknown): void {
    this.failures.push({ method: method.toUpperCase(), route, status, body: body ?? defaultError(status) });
  }

  waitForCall(method: string, pattern: RegExp, predicate: (c: RecordedCall) => boolean = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    const matches = (c: RecordedCall) => c.status !== 0 && c.method === method.toUpperCase() && pattern.test(c.path) && predicate(c);
    const seen = this.calls.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onCall = (c: RecordedCall) => {
        if (!matches(c)) return;
        clearTimeout(timer);
        this.answered.off('call', onCall);
        resolve(c);
      };
      const timer = setTimeout(() => {
        this.answered.off('call', onCall);
        reject(new Error(`FakeDiscord: no ${method} ${pattern} within ${timeoutMs} ms; saw ${this.calls.map((c) => `${c.method} ${c.path}`).join(', ')}`));
      }, timeoutMs);
      this.answered.on('call', onCall);
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const call = recordedCall(req, url, raw);
    this.calls.push(call);
    let reply: Reply;
    let headers: Record<string, string> = {};
    try {
      ({ reply, headers } = this.answer(call));
    } catch (error) {
      reply = { status: 500, body: { message: `500: Internal Server Error (${(error as Error).message})`, code: 0 } };
    }
    call.status = reply.status;
    send(res, reply, headers);
    this.answered.emit('call', call);
  }

  private answer(call: RecordedCall): { reply: Reply; headers: Record<string, string> } {
    const bucket = this.buckets.find((b) => b.route.test(call.path));
    const limit = bucket?.take(Date.now());
    const headers = limit?.headers ?? {};
    if (limit?.over) {
      this.rateLimited.push(call);
      if (limit.violation) this.violations.push(call);
      headers['retry-after'] = String(Math.ceil(limit.resetAfter));
      return { reply: { status: 429, body: { message: 'You are being rate limited.', retry_after: limit.resetAfter, global: false } }, headers };
    }
    const failure = this.failures.findIndex((f) => f.method === call.method && f.route.test(call.path));
    if (failure !== -1) {
      const [f] = this.failures.splice(failure, 1);
      return { reply: { status: f!.status, body: f!.body }, headers };
    }
    return { reply: this.route(call), headers };
  }

  private route(call: RecordedCall): Reply {
    for (const r of this.routes) {
      const m = r.method === call.method ? r.pattern.exec(call.path) : null;
      if (!m) continue;
      if (r.auth && !/^Bot \S+/.test(call.headers.authorization ?? '')) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
      return r.handler({ call, params: { ...m.groups } });
    }
    const known = this.routes.some((r) => r.pattern.test(call.path));
    return known ? { status: 405, body: { message: '405: Method Not Allowed', code: 0 } } : { status: 404, body: errors.notFound };
  }
}

function defaultError(status: number): unknown {
  if (status === 403) return errors.missingPermissions;
  if (status === 404) return errors.notFound;
  return { message: `${status}: Fake failure`, code: 0 };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** discord.js percent-encodes segments (`@original` arrives as `%40original`). */
function decodePath(pathname: string): string {
  return pathname.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }).join('/');
}

function recordedCall(req: IncomingMessage, url: URL, raw: Buffer): RecordedCall {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const { body, files } = parseBody(headers['content-type'] ?? '', raw);
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    // Another API version or prefix stays visible in the path, and matches no route.
    path: decodePath(url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : url.pathname),
    query: Object.fromEntries(url.searchParams), body, files, headers, status: 0, at: Date.now(),
  };
}

function parseBody(contentType: string, raw: Buffer): { body: unknown; files: UploadedFile[] } {
  if (raw.length === 0) return { body: undefined, files: [] };
  const boundary = /multipart\/form-data/i.test(contentType) ? boundaryOf(contentType) : null;
  if (boundary) {
    const { fields, files } = parseMultipart(raw, boundary);
    // discord.js sends either `payload_json` or (appendToFormData) plain fields.
    const body = fields.payload_json !== undefined ? JSON.parse(fields.payload_json) : fields;
    return { body, files };
  }
  const text = raw.toString('utf8');
  try {
    return { body: JSON.parse(text), files: [] };
  } catch {
    return { body: text, files: [] };
  }
}

function send(res: ServerResponse, reply: Reply, headers: Record<string, string>): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status === 200 ? 204 : reply.status).end();
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
}
