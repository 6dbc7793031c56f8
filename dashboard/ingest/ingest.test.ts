import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { WebSocket } from 'ws';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { createLogger } from '../../core/logger.ts';
import { IngestTokens } from '../../core/meetings/ingestTokens.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { Insight } from '../../core/minutes/types.ts';
import { createStores, type Stores } from '../../core/store/index.ts';
import type { Organization } from '../../core/types.ts';
import { database } from '../../test/support/databases.ts';
import { LineTranscriber, LJSPEECH_PCM16 } from '../../test/support/speech.ts';
import { attachIngestServer, DEFAULT_MAX_FRAME_BYTES, encodeFrame, ingestPipelineFactory, KIND_PCM16, type IngestServer } from './index.ts';

const clip = LJSPEECH_PCM16;
const FRAME = 320; // 20 ms at 16 kHz

/** Silence, the clip (or its first `clipMs`), silence: as 20 ms PCM payloads. */
function speech(beforeMs: number, afterMs: number, clipMs = Infinity): Buffer[] {
  const part = clip.subarray(0, Math.min(clip.length, clipMs * 16));
  const audio = new Int16Array(beforeMs * 16 + part.length + afterMs * 16);
  audio.set(part, beforeMs * 16);
  const bytes = Buffer.from(audio.buffer);
  const frames: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += FRAME * 2) frames.push(bytes.subarray(i, i + FRAME * 2));
  return frames;
}

type Msg = { type: string; [k: string]: any };
interface Client {
  ws: WebSocket;
  got: Msg[];
  send(msg: object | Buffer): void;
  waitFor(pred: (m: Msg[]) => boolean, what: string): Promise<void>;
}

describe('media-ingest socket /ws/ingest', function () {
  this.timeout(30_000);
  let stores: Stores;
  let meetings: MeetingService;
  let tokens: IngestTokens;
  let bus: InProcessEventBus;
  let org: Organization;
  let server: Server;
  let ingest: IngestServer;
  let base: string;

  before(async () => {
    const db = await database('pglite');
    stores = createStores(db.knex);
    bus = new InProcessEventBus();
    const logger = createLogger({ level: 'silent' });
    meetings = new MeetingService({ stores, bus, logger });
    tokens = new IngestTokens(db.knex);
    org = await stores.organizations.ensure(`ingest-${randomUUID()}`);
    server = createServer((_req, res) => void res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    ingest = attachIngestServer(server, {
      tokens, meetings, bus, logger,
      createPipeline: ingestPipelineFactory({ bus, transcriber: () => new LineTranscriber(), logger }),
    });
  });

  after(async () => {
    await ingest.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const running = async () => meetings.startMeeting((await meetings.createMeeting({ organizationId: org.id, title: 'Teams call', platform: 'teams' })).id);

  function open(path: string, headers: Record<string, string> = {}): Promise<Client | { status: number }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base}${path}`, { headers });
      const got: Msg[] = [];
      const waiters: (() => void)[] = [];
      ws.on('message', (d, isBinary) => {
        if (!isBinary) got.push(JSON.parse(d.toString()));
        for (const w of [...waiters]) w();
      });
      const client: Client = {
        ws, got,
        send: (msg) => ws.send(Buffer.isBuffer(msg) ? msg : JSON.stringify(msg)),
        waitFor: (pred, what) => new Promise<void>((ok, fail) => {
          const timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}; got ${JSON.stringify(got.slice(-5))}`)), 10_000);
          const check = () => {
            if (!pred(got)) return;
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(check), 1);
            ok();
          };
          waiters.push(check);
          check();
        }),
      };
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      ws.once('error', reject);
    });
  }

  async function connect(meetingId: string, client = 'test-bot'): Promise<Client> {
    const c = (await open('/ws/ingest', { authorization: `Bearer ${await tokens.issue(meetingId)}` })) as Client;
    c.send({ type: 'hello', client });
    await c.waitFor((m) => m.some((x) => x.type === 'ready'), 'ready');
    return c;
  }
  const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const acks = (c: Client, speaker: string) => c.got.filter((m) => m.type === 'ack' && m.speaker === speaker);
  const errors = (c: Client) => c.got.filter((m) => m.type === 'error');
  async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    for (let i = 0; i < 100; i++) {
      const v = await read();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    return read();
  }

  it('refuses a missing, unknown or revoked token with 401 and a meeting not in progress with 409', async () => {
    const meeting = await running();
    expect(await open('/ws/ingest')).to.deep.equal({ status: 401 });
    expect(await open('/ws/ingest', { authorization: 'Bearer nope' })).to.deep.equal({ status: 401 });
    expect(await open('/ws/ingest?token=nope')).to.deep.equal({ status: 401 });
    const revoked = await tokens.issue(meeting.id);
    await tokens.revoke(revoked);
    expect(await open(`/ws/ingest?token=${revoked}`)).to.deep.equal({ status: 401 });
    const scheduled = await meetings.createMeeting({ organizationId: org.id, title: 'Later', platform: 'teams' });
    expect(await open(`/ws/ingest?token=${await tokens.issue(scheduled.id)}`)).to.deep.equal({ status: 409 });
    const ok = (await open(`/ws/ingest?token=${await tokens.issue(meeting.id)}`)) as Client;
    ok.send({ type: 'hello', client: 'query-bot' });
    await ok.waitFor((m) => m[0]?.type === 'ready', 'ready');
    expect(ok.got[0]).to.deep.equal({ type: 'ready', meetingId: meeting.id, sampleRate: 16000 });
    ok.ws.close();
  });

  it('two speakers stream PCM frames of real speech: acks per frame, segments for both stored and acknowledged', async () => {
    const meeting = await running();
    const c = await connect(meeting.id, 'teams-media-bot');
    c.send({ type: 'speaker', id: 'a', name: 'Ada' });
    c.send({ type: 'speaker', id: 'b', name: 'Bob' });
    const ada = speech(300, 1000);
    const bob = speech(800, 1000);
    for (let i = 0; i < Math.max(ada.length, bob.length); i++) {
      if (ada[i]) c.send(encodeFrame(KIND_PCM16, 'a', i, i * 20, ada[i]!));
      if (bob[i]) c.send(encodeFrame(KIND_PCM16, 'b', 1000 + i, i * 20, bob[i]!));
    }
    await c.waitFor(() => acks(c, 'a').length === ada.length && acks(c, 'b').length === bob.length, 'acks');
    expect(acks(c, 'a').map((m) => m.seq)).to.deep.equal(ada.map((_, i) => i));
    // The trailing second of silence ends each utterance: stored arrives while connected.
    const stored = (speaker: string) => c.got.filter((m) => m.type === 'stored' && m.upTo.speaker === speaker && m.segmentIds.length > 0);
    await c.waitFor(() => stored('a').length > 0 && stored('b').length > 0, 'stored for both speakers');
    expect(stored('a')[0]!.upTo.seq).to.be.a('number').within(0, ada.length - 1);
    const end = closed(c.ws);
    c.send({ type: 'end' });
    expect(await end).to.equal(1000);
    expect(c.got.at(-1)).to.deep.equal({ type: 'ended' });
    expect(errors(c)).to.deep.equal([]);
    const segments = await stores.transcripts.list(meeting.id);
    expect([...new Set(segments.map((s) => s.speaker))].sort()).to.deep.equal(['Ada', 'Bob']);
    expect(segments.every((s) => s.source === 'asr:line')).to.equal(true);
    const ids = c.got.filter((m) => m.type === 'stored').flatMap((m) => m.segmentIds as number[]);
    expect(ids.sort()).to.deep.equal(segments.map((s) => s.id).sort());
  });

  it('answers malformed frames with error frames, stores nothing for them, and keeps the connection working', async () => {
    const meeting = await running();
    const c = await connect(meeting.id);
    c.send({ type: 'speaker', id: 'a', name: 'Ada' });
    c.send({ type: 'speaker', id: 'b', name: 'Bob' });
    const words = speech(300, 1000);
    const bad: [Buffer, string][] = [
      [Buffer.from([1]), 'FRAME_MALFORMED'],
      [encodeFrame(KIND_PCM16, 'b', 1, 0, Buffer.alloc(0)), 'FRAME_MALFORMED'],
      [encodeFrame(7, 'b', 2, 0, words[20]!), 'FRAME_UNKNOWN_KIND'],
      [encodeFrame(KIND_PCM16, 'ghost', 3, 0, words[20]!), 'SPEAKER_UNDECLARED'],
      [encodeFrame(KIND_PCM16, 'b', 4, 0, Buffer.concat([words[20]!, Buffer.alloc(1)])), 'PCM_ODD_LENGTH'],
      [encodeFrame(KIND_PCM16, 'b', 5, 0, Buffer.alloc(DEFAULT_MAX_FRAME_BYTES)), 'FRAME_TOO_LARGE'],
    ];
    for (const [frame] of bad) c.send(frame);
    c.send(Buffer.from('not a frame'));
    c.ws.send('not json');
    c.send({ type: 'dance' });
    // Bob's whole speech, every frame one byte too long: all refused.
    words.forEach((w, i) => c.send(encodeFrame(KIND_PCM16, 'b', 100 + i, i * 20, Buffer.concat([w, Buffer.alloc(1)]))));
    await c.waitFor(() => errors(c).length === bad.length + 3 + words.length, 'error frames');
    expect(errors(c).slice(0, bad.length).map((m) => m.code)).to.deep.equal(bad.map(([, code]) => code));
    expect(errors(c)[2]!.frame).to.deep.equal({ index: 2, speaker: 'b', seq: 2 });
    expect(errors(c).slice(bad.length + 1, bad.length + 3).map((m) => m.code)).to.deep.equal(['MESSAGE_INVALID', 'MESSAGE_INVALID']);
    expect(c.ws.readyState).to.equal(WebSocket.OPEN);
    // Still working: Ada's speech goes through.
    words.forEach((w, i) => c.send(encodeFrame(KIND_PCM16, 'a', i, i * 20, w)));
    const end = closed(c.ws);
    c.send({ type: 'end' });
    expect(await end).to.equal(1000);
    expect(acks(c, 'a')).to.have.length(words.length);
    expect(acks(c, 'b')).to.have.length(0);
    const segments = await stores.transcripts.list(meeting.id);
    expect(segments.length).to.be.greaterThan(0);
    expect(segments.map((s) => s.speaker)).to.satisfy((names: string[]) => names.every((n) => n === 'Ada'));
  });

  it('a client that disconnects mid-utterance loses nothing it was acked for', async () => {
    const meeting = await running();
    const c = await connect(meeting.id);
    c.send({ type: 'speaker', id: 'a', name: 'Ada' });
    const frames = speech(300, 0, 1000); // cut off in the middle of the sentence
    frames.forEach((f, i) => c.send(encodeFrame(KIND_PCM16, 'a', i, i * 20, f)));
    await c.waitFor(() => acks(c, 'a').length === frames.length, 'acks');
    expect(c.got.filter((m) => m.type === 'stored')).to.deep.equal([]);
    c.ws.terminate(); // no close handshake
    const segments = await eventually(() => stores.transcripts.list(meeting.id), (s) => s.length > 0);
    expect(segments.map((s) => [s.speaker, s.source])).to.deep.equal([['Ada', 'asr:line']]);
    expect(segments[0]!.endMs - segments[0]!.startMs).to.be.greaterThan(500);
  });

  it('stores text segments once even when re-sent, and forwards the meeting\'s live insights', async () => {
    const meeting = await running();
    const c = await connect(meeting.id, 'browser-bot');
    c.send({ type: 'segments', segments: [{ speaker: 'a', startMs: 0, endMs: 900, text: 'too early', seq: 1 }] });
    c.send({ type: 'speaker', id: 'a', name: 'Ada' });
    const batch = { type: 'segments', segments: [{ speaker: 'a', startMs: 0, endMs: 900, text: 'Hello all.', seq: 1 }, { speaker: 'a', startMs: 1000, endMs: 2000, text: 'Ship it Friday.', seq: 2 }] };
    c.send(batch);
    c.send(batch); // a re-send after a lost `stored`
    c.send({ type: 'segments', segments: [{ speaker: 'a', startMs: 500, endMs: 100, text: 'backwards', seq: 3 }] });
    await c.waitFor((m) => m.filter((x) => x.type === 'stored').length === 2 && errors(c).length === 2, 'stored twice');
    const stored = c.got.filter((m) => m.type === 'stored');
    expect(stored[0]!.segmentIds).to.have.length(2);
    expect(stored[0]!.upTo).to.deep.equal({ speaker: 'a', seq: 2 });
    expect(stored[1]).to.deep.equal({ type: 'stored', segmentIds: [], upTo: { speaker: 'a', seq: 2 } });
    expect(errors(c).map((m) => m.code)).to.deep.equal(['SPEAKER_UNDECLARED', 'SEGMENT_INVALID']);
    const segments = await stores.transcripts.list(meeting.id);
    expect(segments.map((s) => [s.text, s.source, s.sourceSeq])).to.deep.equal([['Hello all.', 'ingest:browser-bot', 1], ['Ship it Friday.', 'ingest:browser-bot', 2]]);

    const insight: Insight = { kind: 'decision', key: 'ship-friday', text: 'Ship on Friday', confidence: 0.9, evidenceSegmentIds: [segments[1]!.id] };
    await bus.publish({ type: 'insight.added', meetingId: randomUUID(), insight: { ...insight, key: 'other' }, evidence: [] });
    await bus.publish({ type: 'insight.added', meetingId: meeting.id, insight, evidence: [] });
    await c.waitFor((m) => m.some((x) => x.type === 'insight'), 'insight');
    expect(c.got.filter((m) => m.type === 'insight')).to.deep.equal([{ type: 'insight', insight }]);
    c.ws.close();
  });
  it('answers a text batch the database could not store with INTERNAL, and stores it when re-sent', async () => {
    const meeting = await running();
    const c = await connect(meeting.id, 'retry-bot');
    c.send({ type: 'speaker', id: 'a', name: 'Ada' });
    const append = stores.transcripts.append;
    stores.transcripts.append = async () => {
      stores.transcripts.append = append;
      throw new Error('disk full');
    };
    const batch = { type: 'segments', segments: [{ speaker: 'a', startMs: 0, endMs: 900, text: 'Kept anyway.', seq: 7 }] };
    c.send(batch);
    await c.waitFor(() => errors(c).length === 1, 'an error for the failed write');
    expect(errors(c)[0]!.code).to.equal('INTERNAL');
    c.send(batch);
    await c.waitFor((m) => m.some((x) => x.type === 'stored'), 'stored after the re-send');
    expect((await stores.transcripts.list(meeting.id)).map((s) => s.text)).to.deep.equal(['Kept anyway.']);
    c.ws.close();
  });
  it('on shutdown drains each connection: mid-utterance audio and in-flight text are stored and acknowledged before the 1001 close', async () => {
    // A server of its own: closing it must not close the one the other tests use.
    const own = createServer((_req, res) => void res.writeHead(404).end());
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const ownIngest = attachIngestServer(own, {
      tokens, meetings, bus, logger: createLogger({ level: 'silent' }),
      createPipeline: ingestPipelineFactory({ bus, transcriber: () => new LineTranscriber() }),
    });
    const meeting = await running();
    const ws = new WebSocket(`ws://127.0.0.1:${(own.address() as { port: number }).port}/ws/ingest`, { headers: { authorization: `Bearer ${await tokens.issue(meeting.id)}` } });
    const got: Msg[] = [];
    ws.on('message', (d, isBinary) => void (isBinary || got.push(JSON.parse(d.toString()))));
    await new Promise((resolve) => ws.once('open', resolve));
    const wait = async (pred: () => boolean, what: string) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
      if (!pred()) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(got.slice(-4))}`);
    };
    ws.send(JSON.stringify({ type: 'hello', client: 'drain-bot' }));
    ws.send(JSON.stringify({ type: 'speaker', id: 'a', name: 'Ada' }));
    // Speech with no trailing silence: the utterance is still open when the server shuts down.
    const frames = speech(200, 0, 1500);
    frames.forEach((f, i) => ws.send(encodeFrame(KIND_PCM16, 'a', i, i * 20, f)));
    ws.send(JSON.stringify({ type: 'segments', segments: [{ speaker: 'a', startMs: 0, endMs: 500, text: 'Typed while we go down.', seq: 1 }] }));
    await wait(() => got.filter((m) => m.type === 'ack').length === frames.length, 'every frame acked');
    const code = new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    await ownIngest.close();
    expect(await code).to.equal(1001);
    const stored = got.filter((m) => m.type === 'stored');
    const audioUpTo = Math.max(...stored.filter((m) => m.upTo.speaker === 'a' && m.upTo.seq !== null).map((m) => m.upTo.seq as number));
    expect(audioUpTo, 'every acked frame is acknowledged as stored before the close').to.equal(frames.length - 1);
    const segments = await stores.transcripts.list(meeting.id);
    expect(segments.map((s) => s.source).sort()).to.deep.equal(['asr:line', 'ingest:drain-bot']);
    const ids = stored.flatMap((m) => m.segmentIds as number[]).sort();
    expect(ids).to.deep.equal(segments.map((s) => s.id).sort());
    await new Promise<void>((resolve) => own.close(() => resolve()));
  });
});
