import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { EventBus, MeetingEvent } from '../../core/bus/EventBus.ts';
import type { Logger } from '../../core/logger.ts';
import { PRESENCE_LIST_MAX, toLiveMessage, type LiveMessage } from './protocol.ts';

export interface LiveViewer {
  userId: string;
  organizationId: string;
  name: string;
}

export interface LiveServerDeps {
  /** Events to forward; with a RedisEventBus, an edit on any instance reaches the viewers on this one. */
  bus: EventBus;
  /** The signed-in user of an upgrade request (cookie, bearer token...), or null: answered 401. */
  authenticate(req: IncomingMessage): Promise<LiveViewer | null>;
  /** The organization a meeting belongs to, or null when there is no such meeting: answered 404, like another organization's. */
  meetingOrganization(meetingId: string): Promise<string | null>;
  logger: Logger;
  /** Largest client frame (bytes); a bigger one closes the socket (1009). Default 4 KiB: clients only send pings. */
  maxPayload?: number;
  /** Ping interval; a socket that has not answered the previous ping by the next one is dropped. Default 30 s. */
  heartbeatMs?: number;
  /** A socket with more than this queued unsent is a slow consumer and is closed with 1013. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Joins and leaves within this window produce one presence message per meeting. Default 50 ms. */
  presenceDebounceMs?: number;
  /**
   * Origins (`https://minutes.example.com`) a browser may open the channel from, besides the
   * request's own host. A request without Origin (non-browser client) is allowed; any other is 403.
   */
  allowedOrigins?: string[];
}

export interface LiveServer {
  close(): Promise<void>;
  stats(): { connections: number; meetings: number };
}

interface Client {
  ws: WebSocket;
  meetingId: string;
  viewer: LiveViewer;
  alive: boolean;
  gone: boolean;
}

const PATH = /^\/ws\/meetings\/([A-Za-z0-9_-]{1,128})\/?$/;

/**
 * The live collaboration channel: one WebSocket per viewer at
 * `/ws/meetings/:id`, one bus subscription per server, each event serialised
 * once and fanned out to the sockets of its meeting.
 */
export function attachLiveServer(server: Server, deps: LiveServerDeps): LiveServer {
  const log = deps.logger.child({ component: 'live' });
  const maxBuffered = deps.maxBufferedBytes ?? 1024 * 1024;
  const debounceMs = deps.presenceDebounceMs ?? 50;
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxPayload ?? 4096, perMessageDeflate: false });
  const rooms = new Map<string, Set<Client>>();
  const presenceTimers = new Map<string, NodeJS.Timeout>();
  const pending = new Set<Duplex>();
  let connections = 0;
  let closed = false;

  const unsubscribe = deps.bus.subscribe('*', (event: MeetingEvent) => {
    const out = toLiveMessage(event);
    if (!out) return;
    const room = rooms.get(out.meetingId);
    if (room?.size) broadcast(room, JSON.stringify(out.message));
  });

  function broadcast(room: Set<Client>, data: string): void {
    for (const client of room) send(client, data);
  }

  function send(client: Client, data: string): void {
    if (client.gone || client.ws.readyState !== WebSocket.OPEN) return;
    if (client.ws.bufferedAmount > maxBuffered) {
      log.warn({ meetingId: client.meetingId, userId: client.viewer.userId, buffered: client.ws.bufferedAmount }, 'live: dropping a slow consumer');
      client.ws.close(1013, 'slow consumer');
      setTimeout(() => client.ws.terminate(), 5_000).unref();
      leave(client);
      return;
    }
    client.ws.send(data);
  }

  const sendMessage = (client: Client, message: LiveMessage) => send(client, JSON.stringify(message));

  function schedulePresence(meetingId: string): void {
    if (closed || presenceTimers.has(meetingId)) return;
    presenceTimers.set(meetingId, setTimeout(() => {
      presenceTimers.delete(meetingId);
      const room = rooms.get(meetingId);
      if (!room?.size) return;
      const viewers = new Map<string, string>();
      for (const c of room) if (!viewers.has(c.viewer.userId)) viewers.set(c.viewer.userId, c.viewer.name);
      const list = [...viewers].slice(0, PRESENCE_LIST_MAX).map(([id, name]) => ({ id, name }));
      broadcast(room, JSON.stringify({ type: 'presence', viewers: list, count: viewers.size } satisfies LiveMessage));
    }, debounceMs));
  }

  function join(client: Client): void {
    let room = rooms.get(client.meetingId);
    if (!room) rooms.set(client.meetingId, (room = new Set()));
    room.add(client);
    connections++;
    schedulePresence(client.meetingId);
  }

  function leave(client: Client): void {
    if (client.gone) return;
    client.gone = true;
    connections--;
    const room = rooms.get(client.meetingId);
    room?.delete(client);
    if (room && room.size === 0) rooms.delete(client.meetingId);
    else schedulePresence(client.meetingId);
  }

  function reject(socket: Duplex, status: number): void {
    pending.delete(socket);
    if (socket.destroyed) return;
    const body = JSON.stringify({ error: { code: status === 401 ? 'UNAUTHENTICATED' : status === 404 ? 'NOT_FOUND' : status === 403 ? 'FORBIDDEN' : 'UNAVAILABLE', message: STATUS_CODES[status] } });
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  function originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (deps.allowedOrigins?.includes(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, meetingId: string): Promise<void> {
    pending.add(socket);
    socket.once('close', () => pending.delete(socket));
    socket.on('error', (err) => log.debug({ err }, 'live: socket error during upgrade'));
    if (closed) return reject(socket, 503);
    if (!originAllowed(req)) return reject(socket, 403);
    let viewer: LiveViewer | null;
    let organizationId: string | null;
    try {
      viewer = await deps.authenticate(req);
      if (!viewer) return reject(socket, 401);
      organizationId = await deps.meetingOrganization(meetingId);
    } catch (err) {
      log.error({ err, meetingId }, 'live: upgrade check failed');
      return reject(socket, 500);
    }
    if (!organizationId || organizationId !== viewer.organizationId) return reject(socket, 404);
    pending.delete(socket);
    if (closed) return reject(socket, 503);
    if (socket.destroyed) return;
    const who = viewer;
    wss.handleUpgrade(req, socket, head, (ws) => connected(ws, meetingId, who));
  }

  function connected(ws: WebSocket, meetingId: string, viewer: LiveViewer): void {
    const client: Client = { ws, meetingId, viewer, alive: true, gone: false };
    join(client);
    ws.on('pong', () => { client.alive = true; });
    ws.on('message', (data, isBinary) => {
      client.alive = true;
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      if ((message as { type?: unknown } | null)?.type === 'ping') sendMessage(client, { type: 'pong' });
    });
    ws.on('error', (err) => log.debug({ err, meetingId }, 'live: socket error'));
    ws.on('close', () => leave(client));
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const match = PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!match) {
      // Another upgrade handler (the record page's audio socket) may own this path.
      if (server.listenerCount('upgrade') === 1) {
        socket.on('error', () => {});
        reject(socket, 404);
      }
      return;
    }
    void upgrade(req, socket, head, match[1]!);
  };
  server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => {
    for (const room of rooms.values()) {
      for (const client of room) {
        if (!client.alive) {
          client.ws.terminate();
          leave(client);
          continue;
        }
        client.alive = false;
        client.ws.ping();
      }
    }
  }, deps.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    stats: () => ({ connections, meetings: rooms.size }),
    async close() {
      if (closed) return;
      closed = true;
      server.off('upgrade', onUpgrade);
      unsubscribe();
      clearInterval(heartbeat);
      for (const timer of presenceTimers.values()) clearTimeout(timer);
      presenceTimers.clear();
      for (const socket of pending) socket.destroy();
      const sockets = [...rooms.values()].flatMap((room) => [...room].map((c) => c.ws));
      await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(() => ws.terminate(), 1_000);
        ws.once('close', () => { clearTimeout(timer); resolve(); });
        ws.close(1001, 'server shutting down');
      })));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
