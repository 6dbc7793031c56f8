import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { EventBus } from '../../core/bus/EventBus.ts';
import { createLogger } from '../../core/logger.ts';
import type { LiveMessage } from './protocol.ts';
import { attachLiveServer, type LiveServer, type LiveServerDeps, type LiveViewer } from './server.ts';

/** Shared by the live tests and the fan-out benchmark (not a test file itself). */

/** A `ws` client that keeps what it receives; `next` consumes in arrival order. */
export interface TestViewer {
  ws: WebSocket;
  messages: LiveMessage[];
  next(matches: (m: LiveMessage) => boolean, timeoutMs?: number): Promise<LiveMessage>;
  /** Resolves with the close code. */
  closed: Promise<number>;
  close(): Promise<void>;
}

export function connectViewer(url: string, headers: Record<string, string> = {}): Promise<TestViewer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: LiveMessage[] = [];
    let cursor = 0;
    const waiters = new Set<() => void>();
    const closed = new Promise<number>((done) => ws.once('close', (code) => done(code)));
    ws.on('message', (data) => {
      messages.push(JSON.parse(data.toString()) as LiveMessage);
      for (const wake of [...waiters]) wake();
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    ws.once('open', () => resolve({
      ws,
      messages,
      closed,
      next(matches, timeoutMs = 5_000) {
        return new Promise((found, fail) => {
          const check = () => {
            while (cursor < messages.length) {
              const m = messages[cursor++]!;
              if (matches(m)) {
                waiters.delete(check);
                clearTimeout(timer);
                found(m);
                return;
              }
            }
          };
          const timer = setTimeout(() => { waiters.delete(check); fail(new Error(`no matching message; got ${JSON.stringify(messages)}`)); }, timeoutMs);
          waiters.add(check);
          check();
        });
      },
      async close() {
        if (ws.readyState !== WebSocket.CLOSED) ws.close();
        await closed;
      },
    }));
  });
}

/**
 * A viewer that completes the WebSocket handshake on a raw TCP socket and then
 * never reads: a truly stalled client. (A `ws` client's pause() is not enough
 * when an HTTP interceptor such as nock wraps client sockets in the same process.)
 */
export function stalledViewer(url: string, headers: Record<string, string>): Promise<{ destroy(): void }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      const lines = [`GET ${pathname} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.once('data', (chunk) => {
      if (!chunk.toString('latin1').startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${chunk.toString('latin1').split('\r\n')[0]}`));
      socket.pause();
      resolve({ destroy: () => socket.destroy() });
    });
    socket.once('error', reject);
  });
}

/** The HTTP status an upgrade request is answered with (101 when it is accepted). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); ws.terminate(); });
    ws.once('open', () => { resolve(101); ws.terminate(); });
    ws.once('error', (err) => reject(err));
  });
}

/** A bearer-token stand-in for the dashboard's auth: `Authorization: Bearer <userId>` of a known user. */
export function bearerAuth(users: LiveViewer[]): (req: IncomingMessage) => Promise<LiveViewer | null> {
  const byId = new Map(users.map((u) => [u.userId, u]));
  return async (req) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return (token && byId.get(token)) || null;
  };
}

export const as = (userId: string) => ({ authorization: `Bearer ${userId}` });

export const USERS: LiveViewer[] = [
  { userId: 'alice', organizationId: 'org-a', name: 'Alice' },
  { userId: 'bob', organizationId: 'org-a', name: 'Bob' },
  { userId: 'carol', organizationId: 'org-a', name: 'Carol' },
  { userId: 'mallory', organizationId: 'org-b', name: 'Mallory' },
];
export const MEETINGS: Record<string, string> = { 'm-1': 'org-a', 'm-2': 'org-a', 'm-b': 'org-b' };

export interface Running {
  server: Server;
  live: LiveServer;
  url(meetingId: string): string;
  close(): Promise<void>;
}

/** An http server on 127.0.0.1 with the live channel attached (tests and bench/web-fanout.ts). */
export async function startLive(bus: EventBus, options: Partial<LiveServerDeps> = {}): Promise<Running> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const live = attachLiveServer(server, {
    bus,
    authenticate: bearerAuth(USERS),
    meetingOrganization: async (id) => MEETINGS[id] ?? null,
    logger: createLogger({ level: 'silent' }),
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server, live,
    url: (meetingId) => `ws://127.0.0.1:${port}/ws/meetings/${meetingId}`,
    async close() {
      await live.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

