import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { WebSocket } from 'ws';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { createLogger } from '../../core/logger.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import { createStores, type Stores } from '../../core/store/index.ts';
import type { Organization } from '../../core/types.ts';
import { database } from '../../test/support/databases.ts';
import { LineTranscriber, LJSPEECH_PCM16 } from '../../test/support/speech.ts';
import { attachRecordServer, MAX_FRAME_BYTES, recordPipelineFactory, type RecordServer } from './index.ts';

const clip = LJSPEECH_PCM16;

type Msg = { type: string; bytes?: number };
type Outcome = { status: number } | { ws: WebSocket; got: Msg[] };
function connect(base: string, path: string, headers: Record<string, string> = { cookie: 'user=ada' }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}${path}`, { headers });
    // Collected from the start: `ready` can arrive with the handshake, before `open` resolves.
    const got: Msg[] = [];
    ws.on('message', (d, isBinary) => void (isBinary || got.push(JSON.parse(d.toString()))));
    ws.once('open', () => resolve({ ws, got }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}
const closed = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

describe('record socket /ws/record/:meetingId', function () {
  this.timeout(30_000);
  let stores: Stores;
  let meetings: MeetingService;
  let org: Organization;
  let other: Organization;
  let server: Server;
  let record: RecordServer;
  let base: string;
  const asr = new LineTranscriber();

  before(async () => {
    const db = await database('pglite');
    stores = createStores(db.knex);
    const bus = new InProcessEventBus();
    const logger = createLogger({ level: 'silent' });
    meetings = new MeetingService({ stores, bus, logger });
    org = await stores.organizations.ensure(`record-${randomUUID()}`);
    other = await stores.organizations.ensure(`record-other-${randomUUID()}`);
    server = createServer((_req, res) => void res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    record = attachRecordServer(server, {
      authenticate: (req) => (req.headers.cookie === 'user=ada' ? { userId: 'u1', organizationId: org.id, name: 'Ada' } : null),
      meetings,
      createPipeline: recordPipelineFactory({ meetings, bus, transcriber: () => asr, logger }),
      logger,
      ackEveryBytes: 16_000,
    });
  });

  after(async () => {
    await record.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const running = async (organizationId = org.id) => meetings.startMeeting((await meetings.createMeeting({ organizationId, title: 'Standup', platform: 'web' })).id);

  it('refuses like an API: 401 without a user, 404 for a missing or foreign meeting, 409 unless in progress, 403 cross-origin', async () => {
    const mine = await running();
    expect(await connect(base, `/ws/record/${mine.id}`, {})).to.deep.equal({ status: 401 });
    expect(await connect(base, `/ws/record/${randomUUID()}`)).to.deep.equal({ status: 404 });
    expect(await connect(base, '/ws/record/not-a-uuid')).to.deep.equal({ status: 404 });
    expect(await connect(base, `/ws/record/${(await running(other.id)).id}`)).to.deep.equal({ status: 404 });
    const scheduled = await meetings.createMeeting({ organizationId: org.id, title: 'Later', platform: 'web' });
    expect(await connect(base, `/ws/record/${scheduled.id}`)).to.deep.equal({ status: 409 });
    expect(await connect(base, `/ws/record/${mine.id}`, { cookie: 'user=ada', origin: 'https://evil.example' })).to.deep.equal({ status: 403 });
    const ok = await connect(base, `/ws/record/${mine.id}`, { cookie: 'user=ada', origin: base });
    expect(ok).to.have.property('ws');
    (ok as { ws: WebSocket }).ws.close();
  });

  it('takes PCM frames, acks, and on stop answers once the speech is transcribed and stored', async () => {
    const meeting = await running();
    const { ws, got } = (await connect(base, `/ws/record/${meeting.id}`)) as { ws: WebSocket; got: Msg[] };
    const end = closed(ws);
    const audio = new Int16Array(16000 * 3);
    audio.set(clip, 8000); // 0.5 s of silence, the clip, silence
    const bytes = Buffer.from(audio.buffer);
    for (let i = 0; i < bytes.length; i += 640) ws.send(bytes.subarray(i, i + 640));
    ws.send(JSON.stringify({ type: 'stop' }));
    expect(await end).to.deep.equal({ code: 1000, reason: 'stopped' });
    expect(got[0]).to.deep.equal({ type: 'ready' });
    expect(got.filter((m) => m.type === 'ack').map((m) => m.bytes)).to.deep.equal([16_000, 32_000, 48_000, 64_000, 80_000, 96_000]);
    expect(got.at(-1)).to.deep.equal({ type: 'stopped', bytes: bytes.length });
    const segments = await stores.transcripts.list(meeting.id);
    expect(segments.map((s) => [s.speaker, s.source])).to.deep.equal([['Ada', 'asr:line']]);
  });

  it('closes 1007 on an odd byte count, 1009 on an oversized frame, 1008 on an unknown message', async () => {
    const meeting = await running();
    const cases: [Buffer | string, number, RegExp][] = [
      [Buffer.alloc(641), 1007, /even/],
      [Buffer.alloc(MAX_FRAME_BYTES + 2), 1009, /at most 65536/],
      [JSON.stringify({ type: 'dance' }), 1008, /unknown message/],
      ['not json', 1007, /JSON/],
    ];
    for (const [frame, code, reason] of cases) {
      const { ws } = (await connect(base, `/ws/record/${meeting.id}`)) as { ws: WebSocket };
      const end = closed(ws);
      ws.send(frame);
      const c = await end;
      expect(c.code, String(reason)).to.equal(code);
      expect(c.reason).to.match(reason);
    }
  });

  it('a second recording of the same meeting (a reload) stores its utterances too, not as re-sends', async () => {
    const meeting = await running();
    for (let run = 0; run < 2; run++) {
      const { ws } = (await connect(base, `/ws/record/${meeting.id}`)) as { ws: WebSocket };
      const end = closed(ws);
      const audio = new Int16Array(16000 * 3);
      audio.set(clip, 8000);
      const bytes = Buffer.from(audio.buffer);
      for (let i = 0; i < bytes.length; i += 640) ws.send(bytes.subarray(i, i + 640));
      ws.close(); // a closed tab: what was sent is still transcribed
      await end;
    }
    for (let i = 0; i < 50 && (await stores.transcripts.count(meeting.id)) < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await stores.transcripts.count(meeting.id)).to.equal(2);
  });
});
