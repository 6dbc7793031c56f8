/**
 * The record page in a real Chromium with the fake microphone playing the
 * LJSpeech clip. Served by a minimal stand-in (the real /record page and JSON
 * API are someone else's): an Express app with the page shell, the
 * /api/meetings flow on a real MeetingService (PGlite), the record socket with
 * a fake transcriber, and a tiny live socket relaying `segment.added`.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { WebSocketServer } from 'ws';
import type { TranscribeRequest, Transcriber } from '../../core/asr/types.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { MinutesError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import { createStores, type Stores } from '../../core/store/index.ts';
import type { Organization, Segment } from '../../core/types.ts';
import { attachRecordServer, recordPipelineFactory, type RecordServer } from '../../dashboard/record/index.ts';
import { database } from '../support/databases.ts';
import { ensureChromium, launchBrowser, makeFakeMicWav, pageErrors, removeDir, screenshot, startTestServer, type LaunchedBrowser, type TestServer } from './harness.ts';

const PUBLIC_DIR = fileURLToPath(new URL('../../dashboard/web/public/', import.meta.url));
const XSS = '<img src=x onerror="window.__xss=1">';
const SPEAKER = 'Ada Lovelace';
const CSRF = 'csrf-token-for-the-test';

class FixedLineTranscriber implements Transcriber {
  readonly name = 'fixed';
  readonly quality = 'high' as const;
  calls: number[] = [];
  async transcribe(r: TranscribeRequest) {
    this.calls.push(r.pcm.length);
    return { engine: 'fixed', segments: [{ text: `Line ${this.calls.length} ${XSS}`, startMs: 0, endMs: (r.pcm.length / 16000) * 1000, confidence: 0.9 }] };
  }
}

/** The page shell the real dashboard renders at /record, with the same strict CSP (no inline script or style). */
const SHELL = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Record</title></head>
<body><main><h1>Record a meeting</h1><section id="recorder" data-meeting-id=""></section></main>
<script src="/static/record.js" defer></script></body></html>`;

function standIn(stores: Stores, meetings: MeetingService, org: Organization) {
  const app = express();
  app.use((_req, res, next) => {
    res.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws:; media-src 'self' blob:; worker-src 'self'; object-src 'none'");
    next();
  });
  app.use('/static', express.static(PUBLIC_DIR));
  app.get('/favicon.ico', (_req, res) => void res.status(204).end());
  app.get('/record', (_req, res) => {
    res.cookie('session', 'ok', { httpOnly: true, sameSite: 'strict' });
    res.cookie('minutes_csrf', CSRF, { sameSite: 'strict' });
    res.type('html').send(SHELL);
  });
  app.use(express.json());
  app.use('/api', (req, res, next) => {
    if (!/session=ok/.test(req.headers.cookie ?? '')) return void res.status(401).json({ error: { code: 'AUTH_REQUIRED', message: 'sign in' } });
    if (req.method !== 'GET' && req.get('x-csrf-token') !== CSRF) return void res.status(403).json({ error: { code: 'CSRF_MISSING', message: 'csrf' } });
    next();
  });
  app.post('/api/meetings', async (req, res) => {
    res.status(201).json(await meetings.createMeeting({ organizationId: org.id, title: String(req.body.title), platform: req.body.platform ?? 'web' }));
  });
  for (const action of ['start', 'end'] as const) {
    app.post(`/api/meetings/:id/${action}`, async (req, res) => {
      const m = await stores.meetings.find(req.params.id);
      if (!m || m.organizationId !== org.id) return void res.status(404).json({ error: { code: 'MEETING_NOT_FOUND', message: 'no such meeting' } });
      try {
        res.json(await (action === 'start' ? meetings.startMeeting(m.id) : meetings.endMeeting(m.id)));
      } catch (err) {
        res.status(err instanceof MinutesError ? 409 : 500).json({ error: { code: (err as MinutesError).code, message: (err as Error).message } });
      }
    });
  }
  return app;
}

describe('browser: record page (fake microphone → record socket → transcript)', function () {
  this.timeout(120_000);
  let browser: LaunchedBrowser | null = null;
  let server: TestServer;
  let record: RecordServer;
  let live: WebSocketServer;
  let wav: string;
  let stores: Stores;
  let meetings: MeetingService;
  let org: Organization;
  const asr = new FixedLineTranscriber();

  before(async function () {
    const chromium = ensureChromium();
    if (!chromium.ok) {
      console.log(`      skipped: ${chromium.reason}`);
      return this.skip();
    }
    const db = await database('pglite');
    stores = createStores(db.knex);
    const bus = new InProcessEventBus();
    const logger = createLogger({ level: 'silent' });
    meetings = new MeetingService({ stores, bus, logger });
    org = await stores.organizations.ensure(`record-browser-${randomUUID()}`);
    server = await startTestServer(standIn(stores, meetings, org));
    record = attachRecordServer(server.server, {
      authenticate: (req) => (/session=ok/.test(req.headers.cookie ?? '') ? { userId: 'u-ada', organizationId: org.id, name: SPEAKER } : null),
      meetings,
      createPipeline: recordPipelineFactory({ meetings, bus, transcriber: () => asr, logger }),
      logger,
    });
    // Stand-in for the live socket: relays segment.added of the meeting in the path.
    live = new WebSocketServer({ noServer: true });
    server.server.on('upgrade', (req, socket, head) => {
      const m = /^\/ws\/meetings\/([^/?]+)/.exec(req.url ?? '');
      if (!m) return;
      live.handleUpgrade(req, socket, head, (ws) => {
        const off = bus.subscribe('segment.added', (e) => {
          if (e.meetingId === m[1]) ws.send(JSON.stringify({ type: 'segment.added', segments: e.segments.map((s: Segment) => ({ id: s.id, speaker: s.speaker, startMs: s.startMs, text: s.text })) }));
        });
        ws.on('close', off);
      });
    });
    wav = makeFakeMicWav();
    browser = await launchBrowser({ fakeAudioWav: wav });
  });

  after(async () => {
    await browser?.close();
    await record?.close();
    live?.close();
    await server?.close();
    if (wav) removeDir(dirname(wav));
  });

  it('records from the fake microphone: segments stored for the meeting, shown escaped, meeting ended', async () => {
    const context = await browser!.newContext(server.base);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await page.goto(`${server.base}/record`);
    await page.fill('#recorder-title', 'Browser standup');
    await page.click('#recorder-start');
    await page.waitForSelector('#recorder[data-state="recording"]', { timeout: 20_000 });
    const meetingId = await page.getAttribute('#recorder', 'data-meeting-id');
    expect(meetingId).to.be.a('string').and.not.equal('');
    expect((await stores.meetings.get(meetingId!)).status).to.equal('in_progress');

    // The clip loops every 4.5 s; the first utterance closes ≈ 0.7 s after its speech ends.
    await page.waitForSelector('#recorder-transcript li.segment', { timeout: 30_000 });
    await page.waitForFunction(() => Number(document.getElementById('recorder')!.dataset.bytes ?? 0) >= 32_000, null, { timeout: 10_000 });
    await screenshot(page, 'record-page-recording');
    await page.click('#recorder-stop');
    await page.waitForSelector('#recorder[data-state="ended"]', { timeout: 30_000 });
    await screenshot(page, 'record-page-ended');

    const meeting = await stores.meetings.get(meetingId!);
    expect(meeting.status).to.equal('completed');
    expect(meeting.title).to.equal('Browser standup');
    expect(meeting.platform).to.equal('web');
    const segments = await stores.transcripts.list(meetingId!);
    expect(segments.length).to.be.at.least(1);
    expect(segments.length).to.equal(asr.calls.length);
    for (const s of segments) {
      expect(s.speaker).to.equal(SPEAKER);
      expect(s.text).to.match(/^Line \d+ <img/);
      expect(s.source).to.equal('asr:fixed');
    }
    // Each utterance is about the clip's 1.45 s of speech (plus pre-roll), not a fragment or a run-on.
    for (const n of asr.calls) expect(n / 16).to.be.within(900, 2600);
    const first = segments[0]!;
    expect(first.endMs - first.startMs).to.be.within(900, 2600);

    // Rendered from the live socket as text: the payload is shown, never run.
    const texts = await page.$$eval('#recorder-transcript .segment-text', (els) => els.map((e) => e.textContent));
    expect(texts[0]).to.equal(segments[0]!.text);
    expect(await page.$$('#recorder-transcript img')).to.have.length(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).to.equal(undefined);
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
