import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { AES_GCM_RTPSIZE, encryptRtpPacket, ipDiscoveryResponse } from './rtp.ts';
import { selfSignedCert } from './selfSignedCert.ts';

/**
 * A loopback Discord voice server speaking the real voice protocol (gateway
 * v8), so tests drive the real @discordjs/voice end to end on 127.0.0.1:
 *
 * - WebSocket over TLS (`wss://host:port?v=8`, a runtime self-signed
 *   certificate; see trust.ts for how a test trusts it): HELLO on connect,
 *   IDENTIFY → READY {ssrc, ip, port, modes}, SELECT_PROTOCOL → SESSION_DESCRIPTION
 *   {mode, secret_key, dave_protocol_version}, HEARTBEAT → HEARTBEAT_ACK {t},
 *   RESUME → RESUMED plus the v8 "buffered resume": server messages carry `seq`
 *   and the ones after the client's `seq_ack` are sent again.
 * - UDP: 74-byte IP discovery, then each speaker's Opus packets as RTP in
 *   `aead_aes256_gcm_rtpsize` with the seq/timestamp the test chose.
 *
 * Not implemented: DAVE. The fake announces `dave_protocol_version: 0`
 * (transport encryption only), so @discordjs/voice (which loads @snazzah/davey
 * and offers DAVE in IDENTIFY) passes payloads through undecrypted. Real
 * Discord requires DAVE end-to-end encryption on voice since March 2026; the
 * receive path is the same there except that the library's DAVE session
 * decrypts each Opus frame before handing it on.
 */

export const VoiceOpcode = {
  Identify: 0,
  SelectProtocol: 1,
  Ready: 2,
  Heartbeat: 3,
  SessionDescription: 4,
  Speaking: 5,
  HeartbeatAck: 6,
  Resume: 7,
  Hello: 8,
  Resumed: 9,
  ClientsConnect: 11,
  ClientDisconnect: 13,
} as const;

const HOST = '127.0.0.1';
const BACKLOG = 100;

export interface FakeVoicePacket {
  seq: number;
  timestamp: number;
  data: Uint8Array;
}

export interface SpeakOptions {
  /** Pause between packets; default 20 ms (real time). 0 sends them back to back. */
  intervalMs?: number;
  /**
   * Pause between the SPEAKING op (WebSocket) and the first packet (UDP). The
   * client drops packets of an SSRC it has not seen announced, and the two
   * channels race; real Discord has the same race. Default 50 ms.
   */
  announceMs?: number;
}

interface Sequenced {
  op: number;
  d: unknown;
  seq: number;
}

interface Session {
  id: string;
  token: string;
  ssrc: number;
  ws: WebSocket | null;
  key: Buffer | null;
  /** Where the client said it receives UDP (SELECT_PROTOCOL). */
  target: { address: string; port: number } | null;
  seq: number;
  backlog: Sequenced[];
  /** Transport nonce: one counter per session key, as AES-GCM needs a unique IV per key. */
  nonce: number;
  announced: Set<string>;
}

interface Connection {
  ws: WebSocket;
  session: Session | null;
}

type Payload = { op?: unknown; d?: unknown };
type Data = Record<string, unknown>;

export class FakeVoiceServer {
  /** `host:port`, the `endpoint` of VOICE_SERVER_UPDATE. */
  readonly endpoint: string;
  readonly host = HOST;
  readonly port: number;
  /** PEM of the server's self-signed certificate (trust it with trust.ts). */
  readonly certificate: string;
  /** Resolves when the first SESSION_DESCRIPTION has been sent. */
  readonly connected: Promise<void>;
  /** Every client message in order; binary (DAVE) messages as `{ op, d: payload }`. */
  readonly opsReceived: { op: number; d: unknown }[] = [];
  /** Request URLs of the WebSocket handshakes (`/?v=8`). */
  readonly handshakes: string[] = [];
  private resolveConnected: () => void = () => {};
  private readonly sessions = new Map<string, Session>();
  private readonly speakerSsrcs = new Map<string, number>();
  private nextSsrc = 1;
  private readonly pauses = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private stopped = false;
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly https: Server,
    private readonly wss: WebSocketServer,
    private readonly udp: Socket,
    certificate: string,
    private readonly heartbeatIntervalMs: number,
  ) {
    this.port = (https.address() as AddressInfo).port;
    this.endpoint = `${HOST}:${this.port}`;
    this.certificate = certificate;
    this.connected = new Promise((resolve) => (this.resolveConnected = resolve));
    wss.on('connection', (ws, request) => this.onConnection(ws, request.url ?? ''));
    udp.on('message', (msg, rinfo) => {
      const reply = ipDiscoveryResponse(msg, rinfo.address, rinfo.port);
      if (reply && !this.stopped) udp.send(reply, rinfo.port, rinfo.address);
      // Anything else is the client's 8-byte keep-alive (or its own audio): ignored.
    });
  }

  static async start(options: { heartbeatIntervalMs?: number } = {}): Promise<FakeVoiceServer> {
    const { cert, key } = selfSignedCert(HOST);
    const https = createServer({ cert, key });
    const wss = new WebSocketServer({ server: https });
    const udp = createSocket('udp4');
    await Promise.all([
      new Promise<void>((resolve) => https.listen(0, HOST, resolve)),
      new Promise<void>((resolve) => udp.bind(0, HOST, resolve)),
    ]);
    return new FakeVoiceServer(https, wss, udp, cert, options.heartbeatIntervalMs ?? 41_250);
  }

  /** UDP port the READY payload points the client to. */
  get udpPort(): number {
    return this.udp.address().port;
  }

  /**
   * Announces `userId` (CLIENTS_CONNECT once, then SPEAKING with the user's
   * SSRC) to every connected client, then sends the packets over UDP as RTP
   * with exactly the given seq/timestamp.
   */
  async speak(userId: string, packets: FakeVoicePacket[], options: SpeakOptions = {}): Promise<void> {
    const sessions = this.readySessions();
    if (sessions.length === 0) throw new Error('FakeVoiceServer.speak: no voice client has selected a protocol');
    const ssrc = this.ssrcOf(userId);
    for (const session of sessions) {
      if (!session.announced.has(userId)) this.sendSequenced(session, VoiceOpcode.ClientsConnect, { user_ids: [userId] });
      session.announced.add(userId);
      this.sendSequenced(session, VoiceOpcode.Speaking, { user_id: userId, ssrc, speaking: 1 });
    }
    await this.pause(options.announceMs ?? 50);
    const interval = options.intervalMs ?? 20;
    for (const [i, packet] of packets.entries()) {
      if (i > 0 && interval > 0) await this.pause(interval);
      if (this.stopped) return;
      for (const session of this.readySessions()) this.sendRtp(session, ssrc, packet);
    }
  }

  /** A user left the channel (CLIENT_DISCONNECT). */
  leave(userId: string): void {
    for (const session of this.sessions.values()) {
      if (session.announced.delete(userId)) this.sendSequenced(session, VoiceOpcode.ClientDisconnect, { user_id: userId });
    }
  }

  /**
   * Closes every client's voice WebSocket. Without a code the TCP connection is
   * cut (the client sees 1006 and resumes); 4015 also resumes; other 4xxx codes
   * make @discordjs/voice re-identify, and 4014 makes it disconnect.
   */
  dropConnection(code?: number): void {
    for (const session of this.sessions.values()) {
      if (!session.ws) continue;
      if (code === undefined) session.ws.terminate();
      else session.ws.close(code, 'dropped by the test');
    }
  }

  /** Closes every socket and pending pause. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    this.stopped = true;
    for (const pause of this.pauses) {
      clearTimeout(pause.timer);
      pause.resolve();
    }
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.https.closeAllConnections();
    await new Promise<void>((resolve) => this.https.close(() => resolve()));
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, url: string): void {
    this.handshakes.push(url);
    const conn: Connection = { ws, session: null };
    ws.on('error', () => {}); // a client going away mid-frame is expected in drop tests
    ws.on('close', () => {
      if (conn.session?.ws === ws) conn.session.ws = null;
    });
    ws.on('message', (raw, isBinary) => this.onMessage(conn, raw, isBinary));
    send(ws, { op: VoiceOpcode.Hello, d: { heartbeat_interval: this.heartbeatIntervalMs } });
  }

  private onMessage(conn: Connection, raw: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer);
    if (isBinary) {
      this.opsReceived.push({ op: bytes[0] ?? -1, d: bytes.subarray(1) });
      return;
    }
    let packet: Payload;
    try {
      packet = JSON.parse(bytes.toString('utf8')) as Payload;
    } catch {
      conn.ws.close(4002, 'Failed to decode payload');
      return;
    }
    const op = typeof packet.op === 'number' ? packet.op : -1;
    const d = (packet.d ?? {}) as Data;
    this.opsReceived.push({ op, d: packet.d });
    if (op === VoiceOpcode.Identify) this.identify(conn, d);
    else if (op === VoiceOpcode.Resume) this.resume(conn, d);
    else if (op === VoiceOpcode.Heartbeat) send(conn.ws, { op: VoiceOpcode.HeartbeatAck, d: { t: d.t } });
    else if (op === VoiceOpcode.SelectProtocol) this.selectProtocol(conn, d);
    // SPEAKING from the client (it is muted) and anything else: recorded only.
  }

  private identify(conn: Connection, d: Data): void {
    const session: Session = {
      id: String(d.session_id),
      token: String(d.token),
      ssrc: this.nextSsrc++,
      ws: conn.ws,
      key: null,
      target: null,
      seq: 0,
      backlog: [],
      nonce: 0,
      announced: new Set(),
    };
    this.sessions.set(session.id, session); // a re-identify replaces the old session
    conn.session = session;
    this.sendSequenced(session, VoiceOpcode.Ready, {
      ssrc: session.ssrc,
      ip: HOST,
      port: this.udpPort,
      modes: [AES_GCM_RTPSIZE, 'aead_xchacha20_poly1305_rtpsize'],
      heartbeat_interval: 1, // documented as an erroneous legacy field; clients must use HELLO's
    });
  }

  private selectProtocol(conn: Connection, d: Data): void {
    const session = conn.session;
    if (!session) return conn.ws.close(4003, 'Not authenticated');
    const data = (d.data ?? {}) as Data;
    if (data.mode !== AES_GCM_RTPSIZE) return conn.ws.close(4016, 'Unknown encryption mode');
    session.target = { address: String(data.address), port: Number(data.port) };
    session.key = randomBytes(32);
    this.sendSequenced(session, VoiceOpcode.SessionDescription, {
      mode: AES_GCM_RTPSIZE,
      secret_key: [...session.key],
      dave_protocol_version: 0,
    });
    this.resolveConnected();
  }

  private resume(conn: Connection, d: Data): void {
    const session = this.sessions.get(String(d.session_id));
    if (!session || session.token !== d.token) return conn.ws.close(4006, 'Session no longer valid');
    if (session.ws && session.ws !== conn.ws) session.ws.terminate();
    session.ws = conn.ws;
    conn.session = session;
    send(conn.ws, { op: VoiceOpcode.Resumed, d: null });
    const ack = typeof d.seq_ack === 'number' ? d.seq_ack : -1;
    for (const message of session.backlog) if (message.seq > ack) send(conn.ws, message);
  }

  /** v8: numbered messages are kept so a resume can re-deliver what the client missed. */
  private sendSequenced(session: Session, op: number, d: unknown): void {
    session.seq += 1;
    const message = { op, d, seq: session.seq };
    session.backlog.push(message);
    if (session.backlog.length > BACKLOG) session.backlog.shift();
    if (session.ws) send(session.ws, message);
  }

  private sendRtp(session: Session, ssrc: number, packet: FakeVoicePacket): void {
    if (!session.key || !session.target) return;
    session.nonce = (session.nonce + 1) >>> 0;
    const rtp = encryptRtpPacket({ seq: packet.seq, timestamp: packet.timestamp, ssrc, payload: packet.data, key: session.key, nonce: session.nonce });
    this.udp.send(rtp, session.target.port, session.target.address);
  }

  private readySessions(): Session[] {
    return [...this.sessions.values()].filter((s) => s.key && s.target);
  }

  private ssrcOf(userId: string): number {
    let ssrc = this.speakerSsrcs.get(userId);
    if (ssrc === undefined) {
      ssrc = 10_000 + this.speakerSsrcs.size;
      this.speakerSsrcs.set(userId, ssrc);
    }
    return ssrc;
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const pause = { timer: setTimeout(() => (this.pauses.delete(pause), resolve()), ms), resolve };
      this.pauses.add(pause);
    });
  }
}

function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}
