// Small helpers shared by the loopback fakes (plain node:http, no framework, so
// the fakes see exactly what the SDK/adapter puts on the wire).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeRequest = {
  method: string;
  /** Path with duplicate slashes collapsed (the Teams SDK builds `${serviceUrl}/v3/...`, so a
   * serviceUrl with a trailing slash produces `//v3/...`; the real service accepts that too). */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON (or form fields for application/x-www-form-urlencoded), undefined otherwise. */
  body: any;
};

export type FakeResponse = { status: number; body?: unknown; contentType?: string; headers?: Record<string, string> };

export type Handler = (req: FakeRequest) => Promise<FakeResponse> | FakeResponse;

export type LoopbackServer = { server: http.Server; baseUrl: string; close(): Promise<void> };

export async function startServer(handler: Handler): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const path = url.pathname.replace(/\/{2,}/g, '/');
        const type = String(req.headers['content-type'] ?? '');
        let body: any;
        try {
          if (type.includes('application/x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(rawBody));
          else if (rawBody) body = JSON.parse(rawBody);
        } catch {
          body = undefined;
        }
        let out: FakeResponse;
        try {
          out = await handler({ method: req.method ?? 'GET', path, query: url.searchParams, headers: req.headers, rawBody, body });
        } catch (err) {
          out = { status: 500, body: { error: { code: 'InternalServerError', message: String((err as Error)?.message ?? err) } } };
        }
        const headers: Record<string, string> = { ...(out.headers ?? {}) };
        let payload = '';
        if (out.body !== undefined) {
          if (typeof out.body === 'string') {
            payload = out.body;
            headers['content-type'] ??= out.contentType ?? 'text/plain; charset=utf-8';
          } else {
            payload = JSON.stringify(out.body);
            headers['content-type'] ??= out.contentType ?? 'application/json; charset=utf-8';
          }
        }
        res.writeHead(out.status, headers);
        res.end(payload);
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function bearer(headers: http.IncomingHttpHeaders): string | undefined {
  const raw = headers.authorization;
  const value = Array.isArray(raw) ? raw[0] : raw;
  const m = /^Bearer\s+(.+)$/i.exec(value ?? '');
  return m?.[1];
}
