import { expect } from 'chai';
import type { Server } from 'node:http';
import { describeEachBackend } from '../test/support/databases.ts';
import { InProcessEventBus } from '../core/bus/InProcessEventBus.ts';
import { createLogger } from '../core/logger.ts';
import { MinutesService } from '../core/meetings/MinutesService.ts';
import type { Analyzer, Minutes, MinutesInput } from '../core/minutes/types.ts';
import type { ParsedTranscript } from '../core/types.ts';
import { createDashboard } from './app.ts';

const transcript: ParsedTranscript = {
  format: 'text',
  segments: [
    { speaker: 'Alice', startMs: 2_000, endMs: 6_000, text: 'We decided to delay the launch by one week.' },
    { speaker: 'Bob', startMs: 65_000, endMs: 70_000, text: 'I will fix the <b>payment</b> crash by Friday.' },
  ],
};

/** Minutes whose text carries markup, to prove the page escapes what an analyzer writes. */
const analyzer: Analyzer = {
  name: 'stub',
  async analyze(input: MinutesInput): Promise<Minutes> {
    const [a, b] = input.segments;
    return {
      summary: { abstract: 'Launch moved <script>alert(1)</script>.', sections: [{ title: 'Launch', text: 'Delayed a week.', evidenceSegmentIds: [a!.id] }] },
      actionItems: [{ text: 'Fix the <img src=x onerror=alert(1)> crash', ownerAttendeeId: null, ownerName: 'Bob', dueDate: '2026-03-06', priority: 'high', confidence: 0.9, evidenceSegmentIds: [b!.id] }],
      decisions: [{ text: 'Delay the launch by a week', confidence: 0.8, evidenceSegmentIds: [a!.id] }],
      questions: [{ text: 'Who tells support?', confidence: 0.6, evidenceSegmentIds: [b!.id] }],
      blockers: [],
      provenance: { analyzer: 'offline', fallbackReason: 'PROVIDER_TIMEOUT: every provider timed out' },
    };
  },
};

describeEachBackend('dashboard: minutes and Q&A', (ctx) => {
  let server: Server;
  let base: string;
  let meetingId: string;
  let segmentIds: number[];

  beforeEach(async () => {
    const logger = createLogger({ level: 'silent' });
    const minutes = new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger, analyzer });
    const app = createDashboard({ meetings: ctx.service, minutes, orchestrator: null, stores: ctx.stores, organizationId: ctx.org.id, logger });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    meetingId = (await ctx.service.importTranscript({ organizationId: ctx.org.id, transcript, title: 'Launch sync' })).meeting.id;
    segmentIds = (await ctx.stores.transcripts.list(meetingId)).map((s) => s.id);
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('generates minutes on POST and serves them as JSON', async () => {
    expect(await (await fetch(`${base}/api/meetings/${meetingId}/minutes`)).json()).to.include({ exists: false });
    const created = await post(`/api/meetings/${meetingId}/minutes`, '{}');
    expect(created.status).to.equal(200);
    const view = await (await fetch(`${base}/api/meetings/${meetingId}/minutes`)).json();
    expect(view).to.include({ exists: true, writtenBy: 'offline analyzer (LLM fallback: PROVIDER_TIMEOUT: every provider timed out)' });
    expect(view.decisions[0]).to.include({ text: 'Delay the launch by a week' });
    expect(view.topics).to.deep.equal([{ title: 'Launch', text: 'Delayed a week.', evidenceSegmentIds: [segmentIds[0]] }]);
    const missing = await fetch(`${base}/api/meetings/00000000-0000-4000-8000-000000000000/minutes`);
    expect(missing.status).to.equal(404);
    expect((await missing.json()).error.code).to.equal('MEETING_NOT_FOUND');
  });

  it('shows the minutes on the meeting page, escaped, each item linking its evidence in the transcript', async () => {
    await post(`/api/meetings/${meetingId}/minutes`, '{}');
    const html = await (await fetch(`${base}/meetings/${meetingId}`)).text();
    expect(html).to.contain('written by: offline analyzer (LLM fallback: PROVIDER_TIMEOUT');
    for (const heading of ['Summary', 'Topics', 'Decisions', 'Action items', 'Open questions', 'Blockers']) expect(html).to.contain(`<h3>${heading}</h3>`);
    expect(html).to.match(new RegExp(`Delay the launch by a week <span class="evidence muted">\\[<a class="cite" href="[^"]*#seg-${segmentIds[0]}">00:02</a>\\]</span>`));
    expect(html).to.match(new RegExp(`<a class="cite" href="[^"]*#seg-${segmentIds[1]}">01:05</a>`));
    for (const id of segmentIds) expect(html).to.contain(`id="seg-${id}"`);
    // Action items are editable in place: owner, due date and status are form fields with the stored values.
    expect(html).to.match(/value="Bob"/).and.match(/value="2026-03-06"/).and.match(/<option value="pending" selected>/);
    expect(html).to.not.match(/<script>alert|<img src=x|<b>payment/);
    expect(html).to.contain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('accepts POSTs only as JSON, so a cross-site form cannot trigger them', async () => {
    for (const path of [`/api/meetings/${meetingId}/minutes`, '/api/ask']) {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"question":"launch?"}' });
      expect(res.status, path).to.equal(400);
      expect((await res.json()).error.code).to.equal('REQUEST_INVALID');
    }
    expect((await (await fetch(`${base}/api/meetings/${meetingId}/minutes`)).json()).exists).to.equal(false);
  });

  it('answers questions over JSON with cited passages, and rejects bad requests with a code', async () => {
    const res = await post('/api/ask', JSON.stringify({ question: 'Who fixes the payment crash?', meetingId }));
    expect(res.status).to.equal(200);
    const body = await res.json();
    expect(body).to.include({ mode: 'offline' });
    expect(body.citations[0]).to.include({ segmentId: segmentIds[1], speaker: 'Bob', meetingTitle: 'Launch sync' });
    for (const [payload, status, code] of [
      ['{"question": ""}', 400, 'REQUEST_INVALID'],
      ['{not json', 400, 'REQUEST_INVALID'],
      [JSON.stringify({ question: 'launch?', meetingId: '00000000-0000-4000-8000-000000000000' }), 404, 'MEETING_NOT_FOUND'],
    ] as const) {
      const bad = await post('/api/ask', payload);
      expect(bad.status, payload).to.equal(status);
      expect((await bad.json()).error.code, payload).to.equal(code);
    }
  });
});

describeEachBackend('dashboard: request ids', (ctx) => {
  it('gives every request an id (a sane X-Request-Id is kept), and logs a 500 with it', async () => {
    const lines: Record<string, unknown>[] = [];
    const { Writable } = await import('node:stream');
    const logger = createLogger({ level: 'info', destination: new Writable({ write(chunk, _e, done) { lines.push(JSON.parse(String(chunk))); done(); } }) });
    const minutes = new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger, analyzer });
    const broken = Object.assign(Object.create(ctx.service) as typeof ctx.service, { listMeetings: async () => Promise.reject(new Error('disk on fire')) });
    const app = createDashboard({ meetings: broken, minutes, orchestrator: null, stores: ctx.stores, organizationId: ctx.org.id, logger });
    const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const fresh = await fetch(`${base}/health`);
      expect(fresh.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      expect((await fetch(`${base}/health`, { headers: { 'x-request-id': 'lb-42.a' } })).headers.get('x-request-id')).to.equal('lb-42.a');
      expect((await fetch(`${base}/health`, { headers: { 'x-request-id': 'bad id <script>' } })).headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      const failed = await fetch(`${base}/api/meetings`, { headers: { 'x-request-id': 'req-500' } });
      expect(failed.status).to.equal(500);
      expect(((await failed.json()) as { error: { details: { requestId: string } } }).error.details.requestId).to.equal('req-500');
      const logged = lines.find((l) => l.msg === 'request failed');
      expect(logged).to.include({ requestId: 'req-500', method: 'GET', path: '/api/meetings' });
      expect(JSON.stringify(logged)).to.contain('disk on fire');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
