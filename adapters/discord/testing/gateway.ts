// The gateway side of the fake: a `ws` server on the same HTTP server that
// speaks gateway v10 JSON — HELLO, IDENTIFY → READY + GUILD_CREATE,
// heartbeats, RESUME with replay of missed dispatches, and client ops
// (voice state, member requests) handed to the owner.
import type { Server } from 'node:http';
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayOpcodes } from 'discord.js';
import { WebSocket, WebSocketServer } from 'ws';
import { opaqueToken } from './payloads.ts';

export const GATEWAY_PATH = '/gateway';

export interface GatewaySession {
  id: string;
  intents: number;
  seq: number;
  socket: WebSocket | null;
  /** sent dispatches, replayed on RESUME */
  events: { op: 0; t: string; s: number; d: unknown }[];
}

export interface GatewayHooks {
  heartbeatIntervalMs: number;
  /** the dispatches after IDENTIFY: READY first, then one GUILD_CREATE per guild */
  onIdentify: (session: GatewaySession) => { t: string; d: unknown }[];
  onIdentified: () => void;
  onOp: (session: GatewaySession, op: number, d: unknown) => void;
}

const REPLAY_LIMIT = 1000;

export class Gateway {
  readonly ops: { op: number; d: unknown }[] = [];
  readonly sessions = new Map<string, GatewaySession>();
  resumes = 0;
  identifies = 0;
  private readonly wss: WebSocketServer;

  constructor(server: Server, private readonly hooks: GatewayHooks) {
    this.wss = new WebSocketServer({ server, path: GATEWAY_PATH });
    this.wss.on('connection', (socket, req) => this.accept(socket, new URL(req.url ?? '/', 'ws://fake')));
  }

  /** Sends a dispatch to every session whose intents include `intent` (0 = no intent needed). */
  dispatch(t: string, d: unknown, intent = 0): void {
    for (const session of this.sessions.values()) {
      if (intent === 0 || (session.intents & intent) === intent) this.send(session, t, d);
    }
  }

  /** Closes the live sockets; sessions stay resumable unless the code (or `invalidate`) forbids it. */
  disconnect(code: number, invalidate: boolean): void {
    for (const session of this.sessions.values()) {
      session.socket?.close(code, 'FakeDiscord disconnect');
      session.socket = null;
      if (invalidate || code === 1000 || code === 1001) this.sessions.delete(session.id);
    }
  }

  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket, url: URL): void {
    // Compression (`compress=zlib-stream`, identify `compress`) is ignored:
    // @discordjs/ws parses text frames as plain JSON whatever it asked for.
    if (url.searchParams.get('v') !== '10') return socket.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
    if ((url.searchParams.get('encoding') ?? 'json') !== 'json') return socket.close(GatewayCloseCodes.DecodeError, 'Only json encoding');
    const connection: { session: GatewaySession | null } = { session: null };
    socket.on('message', (data) => this.receive(socket, connection, data.toString()));
    socket.on('close', (code) => {
      const session = connection.session;
      if (session?.socket !== socket) return;
      session.socket = null;
      // A session the client closed normally cannot be resumed on Discord either.
      if (code === 1000 || code === 1001) this.sessions.delete(session.id);
    });
    socket.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.hooks.heartbeatIntervalMs }, s: null, t: null }));
  }

  private receive(socket: WebSocket, connection: { session: GatewaySession | null }, text: string): void {
    let payload: { op: number; d: unknown };
    try {
      payload = JSON.parse(text) as { op: number; d: unknown };
    } catch {
      return socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload');
    }
    this.ops.push({ op: payload.op, d: payload.d });
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        return socket.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null }));
      case GatewayOpcodes.Identify:
        if (connection.session) return socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated');
        connection.session = this.identify(socket, payload.d as { intents: number });
        return;
      case GatewayOpcodes.Resume:
        connection.session = this.resume(socket, payload.d as { session_id: string; seq: number });
        return;
      default:
        if (!connection.session) return socket.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated');
        return this.hooks.onOp(connection.session, payload.op, payload.d);
    }
  }

  private identify(socket: WebSocket, d: { intents: number }): GatewaySession {
    const session: GatewaySession = { id: opaqueToken(16), intents: d.intents, seq: 0, socket, events: [] };
    this.sessions.set(session.id, session);
    this.identifies++;
    for (const event of this.hooks.onIdentify(session)) this.send(session, event.t, event.d);
    this.hooks.onIdentified();
    return session;
  }

  /** Replays what the client missed, then RESUMED; an unknown session gets op 9 (not resumable). */
  private resume(socket: WebSocket, d: { session_id: string; seq: number }): GatewaySession | null {
    const session = this.sessions.get(d.session_id);
    if (!session) {
      // Discord waits 1-5 s before op 9; the client then re-identifies.
      setTimeout(() => socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null })), 100);
      return null;
    }
    session.socket = socket;
    this.resumes++;
    for (const event of session.events) if (event.s > d.seq) socket.send(JSON.stringify(event));
    this.send(session, GatewayDispatchEvents.Resumed, {});
    return session;
  }

  private send(session: GatewaySession, t: string, d: unknown): void {
    const event = { op: 0 as const, t, s: ++session.seq, d };
    session.events.push(event);
    if (session.events.length > REPLAY_LIMIT) session.events.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(event));
  }
}
