import { refuseUpgrade, socketServerHandle } from '../sockets.ts';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EventBus } from '../../core/bus/EventBus.ts';
import { MinutesError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { IngestTokenVerifier } from '../../core/meetings/ingestTokens.ts';
import type { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { Attendee, Meeting, SegmentInput } from '../../core/types.ts';
import type { IngestPipeline, IngestPipelineHooks } from './pipeline.ts';
import {
  CLIENT_NAME, DEFAULT_MAX_FRAME_BYTES, FrameError, KIND_OPUS, MAX_SEGMENTS_PER_MESSAGE, MAX_SPEAKER_ID_BYTES, MAX_SPEAKER_NAME,
  MAX_SPEAKERS, MAX_TEXT_BYTES, SAMPLE_RATE, parseFrame, toPcm, type AudioFrame, type IngestErrorCode,
} from './protocol.ts';

export interface IngestServerDeps {
  tokens: IngestTokenVerifier;
  meetings: Pick<MeetingService, 'getMeeting' | 'appendSegments' | 'addAttendee'>;
  bus: EventBus;
  createPipeline(meeting: Meeting, hooks: IngestPipelineHooks): IngestPipeline | Promise<IngestPipeline>;
  logger: Logger;
  /** Largest binary frame; default 64 KB. */
  maxFrameBytes?: number;
  /** A speaker's PCM may run ahead of real time by this much; default 60 s (room for re-sends after a reconnect). */
  maxAheadMs?: number;
}

export interface IngestServer {
  readonly wss: WebSocketServer;
  readonly connections: number;
  /** Ends every connection (their acked audio is still transcribed and stored) and stops taking upgrades. */
  close(): Promise<void>;
}

const PATH = /^\/ws\/ingest\/?$/;
type Speaker = {
  id: string; name: string; attendee: Attendee; lastSeq: number; storedSeq: number | null; pcmMs: number;
  /** Acked frames not yet covered by a `stored`. */
  frames: { seq: number; endMs: number }[];
};

/**
 * The open media-ingest socket, `/ws/ingest` (protocol: docs/media-ingest.md).
 * Authenticated on upgrade with a per-meeting ingest token (`Authorization:
 * Bearer` or `?token=`): 401 when missing or invalid, 409 unless the meeting
 * is in progress. Audio frames go into the pipeline, text segments straight
 * to the meeting; the client is told what was accepted (`ack`) and what is
 * committed (`stored`). A bad message gets an error message and nothing else:
 * the connection survives. On close, acked audio is still transcribed and stored.
 */
export function attachIngestServer(server: Server, deps: IngestServerDeps): IngestServer {
  const maxFrameBytes = deps.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(4 * maxFrameBytes, MAX_TEXT_BYTES), perMessageDeflate: false });
  const open = new Set<Promise<void>>();
  /** Per connection: drain it and send its final acknowledgements before the server closes it. */
  const drainers = new Set<() => Promise<void>>();
  let closing = false;
  const log = deps.logger.child({ component: 'ingest-socket' });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!PATH.test(url.pathname)) return;
    void admit(req, url).then((result) => {
      if ('status' in result) return refuseUpgrade(socket, result.status, result.code, result.message);
      if (closing || socket.destroyed) return refuseUpgrade(socket, 503, 'SHUTTING_DOWN', 'server shutting down');
      wss.handleUpgrade(req, socket, head, (ws) => {
        const done = session(ws, result.meeting);
        open.add(done);
        void done.finally(() => open.delete(done));
      });
    }, (err: unknown) => {
      log.error({ err }, 'ingest upgrade failed');
      refuseUpgrade(socket, 500, 'INTERNAL', 'could not open the ingest socket');
    });
  };
  server.on('upgrade', onUpgrade);

  async function admit(req: IncomingMessage, url: URL): Promise<{ meeting: Meeting } | { status: number; code: string; message: string }> {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? url.searchParams.get('token');
    if (!token) return { status: 401, code: 'AUTH_REQUIRED', message: 'an ingest token is required (Authorization: Bearer or ?token=)' };
    let meetingId: string;
    try {
      meetingId = await deps.tokens.verify(token);
    } catch (err) {
      if (err instanceof MinutesError && err.code.startsWith('AUTH_')) return { status: 401, code: 'AUTH_INVALID', message: 'the ingest token is not valid' };
      throw err;
    }
    const meeting = await deps.meetings.getMeeting(meetingId).catch((err: unknown) => {
      if (err instanceof MinutesError && err.code === 'MEETING_NOT_FOUND') return null;
      throw err;
    });
    if (!meeting) return { status: 401, code: 'AUTH_INVALID', message: 'the ingest token is not valid' };
    if (meeting.status !== 'in_progress') return { status: 409, code: 'MEETING_NOT_ACCEPTING_SEGMENTS', message: `meeting is ${meeting.status}` };
    return { meeting };
  }

  function session(ws: WebSocket, meeting: Meeting): Promise<void> {
    const slog = log.child({ meetingId: meeting.id });
    const speakers = new Map<string, Speaker>();
    const byName = new Map<string, Speaker>();
    const pending = new Set<Promise<unknown>>();
    let client: string | null = null;
    let pipeline: Promise<IngestPipeline> | null = null;
    let pcmOffsetMs: number | null = null;
    let frameIndex = 0;
    let ended = false;
    let chain: Promise<unknown> = Promise.resolve();
    const startedAt = Date.now();

    const send = (msg: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const error = (code: IngestErrorCode, message: string, frame?: object) => send({ type: 'error', code, message, ...(frame ? { frame } : {}) });
    const track = <T>(p: Promise<T>) => {
      pending.add(p);
      void p.finally(() => pending.delete(p)).catch(() => undefined);
      return p;
    };
    const unsubscribe = deps.bus.subscribe('insight.added', (e) => {
      if (e.meetingId === meeting.id) send({ type: 'insight', insight: e.insight });
    });

    const hooks: IngestPipelineHooks = {
      displayName: (stream) => speakers.get(stream)?.name ?? stream,
      append: async (segments) => {
        let result;
        try {
          result = await deps.meetings.appendSegments(meeting.id, segments);
        } catch (err) {
          if (err instanceof MinutesError && err.code === 'MEETING_NOT_ACCEPTING_SEGMENTS') error(err.code, err.message);
          throw err;
        }
        const s = byName.get(segments[0]?.speaker ?? '');
        if (!s) return result;
        // Every frame of this speaker that ends by the last word is now transcribed and stored.
        const endMs = Math.max(...segments.map((g) => g.endMs));
        while (s.frames.length && s.frames[0]!.endMs <= endMs + 20) s.storedSeq = s.frames.shift()!.seq;
        send({ type: 'stored', segmentIds: result.inserted.map((g) => g.id), upTo: { speaker: s.id, seq: s.storedSeq } });
        return result;
      },
    };
    // Created on the first audio frame: a client that only sends text needs no transcriber.
    const ensurePipeline = () => (pipeline ??= Promise.resolve(deps.createPipeline(meeting, hooks)).then((p) => {
      for (const s of speakers.values()) p.speaker?.(s.id, s.attendee);
      return p;
    }));

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const index = isBinary ? frameIndex++ : -1;
      chain = chain.then(() => (isBinary ? audio(buf, index) : text(buf))).catch((err: unknown) => {
        slog.error({ err }, 'ingest message failed');
        error('INTERNAL', 'the message could not be processed');
      });
    });

    async function audio(buf: Buffer, index: number): Promise<void> {
      if (ended) return;
      if (!client) return error('HELLO_REQUIRED', 'send {"type":"hello","client":"..."} first', { index });
      let frame: AudioFrame;
      try {
        frame = parseFrame(buf, maxFrameBytes);
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        return error(err.code, err.message, { index, ...err.frame });
      }
      const at = { index, speaker: frame.speaker, seq: frame.seq };
      const s = speakers.get(frame.speaker);
      if (!s) return error('SPEAKER_UNDECLARED', `speaker ${JSON.stringify(frame.speaker)} was not declared`, at);
      // Re-sent within this connection: already in the pipeline.
      if (s.lastSeq >= 0 && frame.seq <= s.lastSeq) return send({ type: 'ack', speaker: s.id, seq: frame.seq, duplicate: true });
      const p = await ensurePipeline();
      let kept: boolean;
      let endMs: number;
      if (frame.kind === KIND_OPUS) {
        try {
          kept = p.push(s.id, { seq: frame.seq & 0xffff, timestamp: frame.timestamp, data: frame.payload });
        } catch (err) {
          return error('AUDIO_UNSUPPORTED_FORMAT', (err as Error).message, at);
        }
        endMs = p.now?.() ?? Date.now() - startedAt;
      } else {
        const pcm = toPcm(frame.payload);
        const durMs = pcm.length / (SAMPLE_RATE / 1000);
        if (s.pcmMs + durMs > Date.now() - startedAt + (deps.maxAheadMs ?? 60_000)) return error('AUDIO_TOO_FAST', 'audio arrives faster than real time', at);
        // Client timestamps keep their spacing; one offset per connection maps them onto the meeting clock.
        const now = p.now?.() ?? Date.now() - startedAt;
        pcmOffsetMs ??= now - durMs - frame.timestamp;
        const arrivalMs = Math.max(0, frame.timestamp + pcmOffsetMs);
        try {
          kept = p.pushPcm(s.id, pcm, arrivalMs);
        } catch (err) {
          return error('AUDIO_UNSUPPORTED_FORMAT', (err as Error).message, at);
        }
        s.pcmMs += durMs;
        endMs = arrivalMs + durMs;
      }
      s.lastSeq = frame.seq;
      if (kept) s.frames.push({ seq: frame.seq, endMs });
      send({ type: 'ack', speaker: s.id, seq: frame.seq, ...(kept ? {} : { optedOut: true }) });
    }

    async function text(buf: Buffer): Promise<void> {
      if (ended) return;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(buf.toString('utf8'));
        if (!msg || typeof msg !== 'object' || Array.isArray(msg)) throw new TypeError();
      } catch {
        return error('MESSAGE_INVALID', 'text messages are JSON objects');
      }
      if (msg.type === 'hello') {
        if (client) return error('MESSAGE_INVALID', 'hello was already sent');
        if (typeof msg.client !== 'string' || !CLIENT_NAME.test(msg.client)) return error('MESSAGE_INVALID', 'client is 1-64 characters of A-Z a-z 0-9 . _ -');
        client = msg.client;
        slog.info({ client }, 'media ingest client connected');
        return send({ type: 'ready', meetingId: meeting.id, sampleRate: SAMPLE_RATE });
      }
      if (!client) return error('HELLO_REQUIRED', 'send {"type":"hello","client":"..."} first');
      if (msg.type === 'speaker') return declare(msg.id, msg.name);
      if (msg.type === 'segments') return void track(segments(msg.segments));
      if (msg.type === 'end') {
        return void finish().then(() => {
          acknowledgeAll();
          send({ type: 'ended' });
          ws.close(1000, 'ended');
        });
      }
      return error('MESSAGE_INVALID', `unknown message type ${JSON.stringify(msg.type)}`);
    }

    async function declare(id: unknown, name: unknown): Promise<void> {
      if (typeof id !== 'string' || !id || Buffer.byteLength(id) > MAX_SPEAKER_ID_BYTES) return error('MESSAGE_INVALID', `speaker id is 1-${MAX_SPEAKER_ID_BYTES} bytes`);
      if (typeof name !== 'string' || !name.trim() || name.length > MAX_SPEAKER_NAME) return error('MESSAGE_INVALID', `speaker name is 1-${MAX_SPEAKER_NAME} characters`);
      const clean = name.trim();
      const known = speakers.get(id);
      if (known) return known.name === clean ? undefined : error('SPEAKER_CONFLICT', `speaker ${id} is already ${known.name}`);
      if (byName.has(clean)) return error('SPEAKER_CONFLICT', `${clean} is already speaker ${byName.get(clean)!.id}; give each person a distinct name`);
      if (speakers.size >= MAX_SPEAKERS) return error('TOO_MANY_SPEAKERS', `at most ${MAX_SPEAKERS} speakers per connection`);
      const attendee = await deps.meetings.addAttendee(meeting.id, clean);
      const s: Speaker = { id, name: clean, attendee, lastSeq: -1, storedSeq: null, pcmMs: 0, frames: [] };
      speakers.set(id, s);
      byName.set(clean, s);
      if (pipeline) (await pipeline).speaker?.(id, attendee);
    }

    async function segments(list: unknown): Promise<void> {
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_SEGMENTS_PER_MESSAGE) return error('SEGMENT_INVALID', `segments is an array of 1-${MAX_SEGMENTS_PER_MESSAGE}`);
      const inputs: SegmentInput[] = [];
      const upTo = new Map<string, number>();
      for (const [i, g] of list.entries()) {
        const s = speakers.get((g as { speaker?: unknown })?.speaker as string);
        if (!s) return error('SPEAKER_UNDECLARED', `segment ${i}: speaker was not declared`);
        const { startMs, endMs, text, seq } = g as Record<string, unknown>;
        if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return error('SEGMENT_INVALID', `segment ${i}: seq is a non-negative integer`);
        inputs.push({ speaker: s.name, startMs: startMs as number, endMs: endMs as number, text: text as string, source: `ingest:${client}`, sourceSeq: seq });
        upTo.set(s.id, Math.max(upTo.get(s.id) ?? 0, seq));
      }
      try {
        const result = await deps.meetings.appendSegments(meeting.id, inputs);
        for (const [speaker, seq] of upTo) {
          const name = speakers.get(speaker)!.name;
          send({ type: 'stored', segmentIds: result.inserted.filter((g) => g.speaker === name).map((g) => g.id), upTo: { speaker, seq } });
        }
      } catch (err) {
        if (err instanceof MinutesError && (err.code === 'SEGMENT_INVALID' || err.code === 'MEETING_NOT_ACCEPTING_SEGMENTS')) return error(err.code, err.message);
        // Runs outside the message chain (tracked, not awaited), so its catch would never see this:
        // answer here, or the client waits for a `stored` that never comes instead of resending.
        slog.error({ err }, 'storing ingest segments failed');
        return error('INTERNAL', 'the segments could not be stored; send them again');
      }
    }

    // Drained: every acked frame is transcribed, whatever was silence included.
    function acknowledgeAll(): void {
      for (const s of speakers.values()) if (s.lastSeq >= 0) send({ type: 'stored', segmentIds: [], upTo: { speaker: s.id, seq: s.lastSeq } });
    }
    // Shutdown: what was acked is stored and said so while the socket is still open, so the client
    // resends nothing twice after it reconnects to another (or the restarted) server.
    const drainer = () => finish().then(() => {
      acknowledgeAll();
      ws.close(1001, 'server shutting down');
    });
    drainers.add(drainer);

    // Drains everything accepted so far: queued messages, the pipeline, text appends.
    let finishing: Promise<void> | null = null;
    function finish(): Promise<void> {
      return (finishing ??= (async () => {
        await chain.catch(() => undefined);
        ended = true;
        if (pipeline) await (await pipeline).end().catch((err: unknown) => slog.error({ err }, 'ingest pipeline end failed'));
        await Promise.allSettled([...pending]);
      })());
    }

    ws.on('error', (err) => slog.warn({ err }, 'ingest socket error'));
    return new Promise<void>((resolve) => {
      ws.on('close', () => {
        drainers.delete(drainer);
        // Acked audio is transcribed and stored even when the client vanished.
        void finish().then(() => {
          unsubscribe();
          slog.info({ client, speakers: speakers.size, frames: frameIndex }, 'media ingest client disconnected');
          resolve();
        });
      });
    });
  }

  return socketServerHandle({
    wss, server, onUpgrade, open, markClosing: () => { closing = true; },
    drain: async () => void (await Promise.allSettled([...drainers].map((d) => d()))),
  });
}

