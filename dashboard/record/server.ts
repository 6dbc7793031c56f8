import { refuseUpgrade, socketServerHandle } from '../sockets.ts';
import type { IncomingMessage, Server } from 'node:http';
import { endianness } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MinutesError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { Meeting } from '../../core/types.ts';

/** Who opened the socket, from the request's cookies or token (the dashboard's auth). */
export interface RecordUser {
  userId: string;
  organizationId: string;
  /** Display name: the `speaker` of this person's segments. */
  name: string;
}

/** One browser's audio into a meeting (see recordPipelineFactory). */
export interface RecordPipeline {
  /** 16 kHz mono samples; false when dropped unread (the speaker opted out). */
  pushPcm(stream: string, pcm: Int16Array): boolean;
  /** Flushes the open utterance and waits until everything is transcribed and stored. */
  end(): Promise<void>;
}

export interface RecordServerDeps {
  authenticate(req: IncomingMessage): RecordUser | null | Promise<RecordUser | null>;
  meetings: Pick<MeetingService, 'getMeeting'>;
  createPipeline(meeting: Meeting, speakerName: string): RecordPipeline | Promise<RecordPipeline>;
  logger: Logger;
  /**
   * Origins allowed to open the socket (e.g. the dashboard's public URL). By
   * default the Origin must match the request's Host: the socket is cookie
   * authenticated, so another site must not open it in a user's name.
   */
  allowedOrigins?: readonly string[];
  /** Bytes between acks; default 32,000 (1 s of audio). */
  ackEveryBytes?: number;
  /** Audio may run ahead of real time by this much before the socket is closed; default 10 s. */
  maxAheadMs?: number;
}

export interface RecordServer {
  readonly wss: WebSocketServer;
  /** Open recordings right now. */
  readonly connections: number;
  /** Ends every recording (their audio is still transcribed) and stops taking upgrades. */
  close(): Promise<void>;
}

/** Largest binary frame: 64 KB ≈ 2 s of 16 kHz 16-bit audio (a browser sends 20 ms, 640 bytes). */
export const MAX_FRAME_BYTES = 64 * 1024;
const BYTES_PER_MS = 32;
const PATH = /^\/ws\/record\/([^/]+)\/?$/;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The record page's audio socket, `/ws/record/:meetingId` (upgrades on other
 * paths are left to other listeners). Checked on upgrade like an API call:
 * 401 without a user, 404 for a meeting that is missing or in another
 * organization, 409 unless it is in progress, 403 for a foreign Origin.
 *
 * Client → server: binary frames of 16 kHz mono Int16 little-endian PCM (even
 * length, ≤ 64 KB; otherwise closed with 1007 / 1009 and a reason), text
 * `{"type":"stop"}`. Server → client: `{"type":"ready"}` once the pipeline
 * runs, `{"type":"ack","bytes"}` every second of audio (bytes = total taken),
 * `{"type":"paused","reason":"opted_out"}` when the speaker's consent drops
 * audio, and after a stop `{"type":"stopped","bytes"}` once every utterance is
 * transcribed and stored, then close 1000. Transcript lines reach the page
 * through the meeting's live socket, not this one.
 */
export function attachRecordServer(server: Server, deps: RecordServerDeps): RecordServer {
  // The hard cap only guards memory; frames over MAX_FRAME_BYTES are refused below with a reason.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES, perMessageDeflate: false });
  const open = new Set<Promise<void>>();
  let closing = false;
  const log = deps.logger.child({ component: 'record-socket' });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const match = PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!match) return;
    void admit(req, decodeURIComponent(match[1]!)).then((result) => {
      if ('status' in result) return refuseUpgrade(socket, result.status, result.code, result.message);
      if (closing || socket.destroyed) {
        void result.pipeline.end().catch(() => undefined);
        return refuseUpgrade(socket, 503, 'SHUTTING_DOWN', 'server shutting down');
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const done = session(ws, result.pipeline, result.meeting, result.user);
        open.add(done);
        void done.finally(() => open.delete(done));
      });
    }, (err: unknown) => {
      log.error({ err }, 'record socket upgrade failed');
      refuseUpgrade(socket, 500, 'INTERNAL', 'could not start recording');
    });
  };
  server.on('upgrade', onUpgrade);

  type Admitted = { meeting: Meeting; user: RecordUser; pipeline: RecordPipeline } | { status: number; code: string; message: string };
  async function admit(req: IncomingMessage, meetingId: string): Promise<Admitted> {
    if (!originAllowed(req, deps.allowedOrigins)) return { status: 403, code: 'FORBIDDEN', message: 'cross-origin recording socket refused' };
    const user = await deps.authenticate(req);
    if (!user) return { status: 401, code: 'AUTH_REQUIRED', message: 'sign in to record' };
    let meeting: Meeting;
    try {
      meeting = await deps.meetings.getMeeting(meetingId);
    } catch (err) {
      if (err instanceof MinutesError && err.code === 'MEETING_NOT_FOUND') return notFound(meetingId);
      throw err;
    }
    // Another organization's meeting is answered exactly like a missing one.
    if (meeting.organizationId !== user.organizationId) return notFound(meetingId);
    if (meeting.status !== 'in_progress') return { status: 409, code: 'MEETING_NOT_ACCEPTING_SEGMENTS', message: `meeting is ${meeting.status}; start it before recording` };
    return { meeting, user, pipeline: await deps.createPipeline(meeting, user.name) };
  }

  function session(ws: WebSocket, pipeline: RecordPipeline, meeting: Meeting, user: RecordUser): Promise<void> {
    const ackEvery = deps.ackEveryBytes ?? 32_000;
    const maxAheadMs = deps.maxAheadMs ?? 10_000;
    const startedAt = Date.now();
    const stream = `web:${user.userId}`;
    let bytes = 0;
    let nextAck = ackEvery;
    let paused = false;
    let ending: Promise<void> | null = null;
    const slog = log.child({ meetingId: meeting.id, userId: user.userId });
    const send = (msg: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const fail = (code: number, reason: string) => {
      slog.warn({ code, reason }, 'record socket closed by the server');
      finish();
      ws.close(code, reason);
    };
    const finish = () => (ending ??= pipeline.end().catch((err: unknown) => slog.error({ err }, 'record pipeline end failed')));

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (ending) return; // after a stop or an error nothing more is taken
      const buf = toBuffer(data);
      if (!isBinary) return void control(buf);
      if (buf.length > MAX_FRAME_BYTES) return fail(1009, `audio frame of ${buf.length} bytes; at most ${MAX_FRAME_BYTES}`);
      if (buf.length % 2 !== 0) return fail(1007, `audio frame of ${buf.length} bytes: 16-bit PCM needs an even count`);
      bytes += buf.length;
      if (bytes / BYTES_PER_MS > Date.now() - startedAt + maxAheadMs) return fail(1008, 'audio arrives faster than real time');
      const kept = pipeline.pushPcm(stream, toPcm(buf));
      if (!kept && !paused) send({ type: 'paused', reason: 'opted_out' });
      paused = !kept;
      if (bytes >= nextAck) {
        send({ type: 'ack', bytes });
        nextAck = bytes + ackEvery;
      }
    });

    function control(buf: Buffer): void {
      let msg: unknown;
      try {
        msg = JSON.parse(buf.toString('utf8'));
      } catch {
        return fail(1007, 'text frames are JSON');
      }
      if ((msg as { type?: unknown } | null)?.type !== 'stop') return fail(1008, 'unknown message; expected {"type":"stop"}');
      void finish().then(() => {
        send({ type: 'stopped', bytes });
        ws.close(1000, 'stopped');
      });
    }

    ws.on('error', (err) => slog.warn({ err }, 'record socket error'));
    slog.info('browser recording started');
    send({ type: 'ready' });
    return new Promise<void>((resolve) => {
      ws.on('close', () => {
        // A closed tab still gets what it said transcribed.
        void finish().then(() => {
          slog.info({ bytes, seconds: Math.round(bytes / BYTES_PER_MS / 1000) }, 'browser recording ended');
          resolve();
        });
      });
    });
  }

  return socketServerHandle({ wss, server, onUpgrade, open, markClosing: () => { closing = true; } });
}

function notFound(meetingId: string) {
  return { status: 404, code: 'MEETING_NOT_FOUND', message: `No meeting with id ${meetingId}` };
}

function originAllowed(req: IncomingMessage, allowed: readonly string[] | undefined): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser: no ambient cookies to abuse
  if (allowed) return allowed.some((o) => o.replace(/\/$/, '') === origin);
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Little-endian bytes → samples, copied (a Buffer may sit at an odd offset in its pool). */
function toPcm(buf: Buffer): Int16Array {
  const pcm = new Int16Array(buf.length >> 1);
  if (LITTLE_ENDIAN) new Uint8Array(pcm.buffer).set(buf);
  else for (let i = 0; i < pcm.length; i++) pcm[i] = buf.readInt16LE(i * 2);
  return pcm;
}
