import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { describeEachBackend } from '../test/support/databases.ts';
import { sampleTranscript, startTestApi, type TestApi } from './testApp.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';

describeEachBackend('dashboard: JSON API', (ctx) => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi(ctx);
  });
  afterEach(() => api.close());

  const json = async (res: Response, status: number) => {
    const body = res.status === 204 ? null : await res.json();
    expect(res.status, JSON.stringify(body)).to.equal(status);
    return body;
  };
  const expectError = async (res: Response, status: number, code: string) => {
    const body = await json(res, status);
    expect(body.error, JSON.stringify(body)).to.include({ code });
    expect(body.error.message).to.be.a('string');
  };
  const importMeeting = async (lines = 2, organizationId = ctx.org.id) =>
    (await ctx.service.importTranscript({ organizationId, transcript: sampleTranscript(lines), title: 'Launch sync' })).meeting.id;

  it('creates, reads, renames, runs, ends and deletes a meeting', async () => {
    const created = await json(await api.send('POST', '/api/meetings', { title: ' Weekly ', scheduledAt: '2026-03-02T10:00:00Z' }), 201);
    expect(created).to.include({ title: 'Weekly', status: 'scheduled', platform: 'web', organizationId: ctx.org.id, scheduledAt: '2026-03-02T10:00:00.000Z' });
    const path = `/api/meetings/${created.id}`;
    expect((await json(await api.send('PATCH', path, { title: 'Weekly sync' }), 200)).title).to.equal('Weekly sync');
    expect((await json(await api.send('POST', `${path}/start`), 200)).status).to.equal('in_progress');
    const segments = [{ speaker: 'Ann', startMs: 0, endMs: 900, text: 'Hello all.', sourceSeq: 1 }, { speaker: 'Ben', startMs: 1000, endMs: 1900, text: 'Hi.', sourceSeq: 2 }];
    const appended = await json(await api.send('POST', `${path}/segments`, { segments }), 201);
    expect(appended.inserted.map((s: { text: string }) => s.text)).to.deep.equal(['Hello all.', 'Hi.']);
    expect((await json(await api.send('POST', `${path}/segments`, { segments }), 201))).to.include({ duplicates: 2 });
    expect((await json(await api.send('POST', `${path}/end`, {}), 200)).status).to.equal('completed');
    await expectError(await api.send('POST', `${path}/segments`, { segments }), 409, 'MEETING_NOT_ACCEPTING_SEGMENTS');
    await expectError(await api.send('POST', `${path}/start`), 409, 'MEETING_ILLEGAL_TRANSITION');
    const detail = await json(await api.get(path), 200);
    expect(detail.meeting).to.include({ title: 'Weekly sync', status: 'completed' });
    expect(detail).to.include({ segmentCount: 2 });
    expect(detail.attendees.map((a: { displayName: string }) => a.displayName).sort()).to.deep.equal(['Ann', 'Ben']);
    await json(await api.send('DELETE', path), 204);
    await expectError(await api.get(path), 404, 'MEETING_NOT_FOUND');
    expect(await ctx.stores.transcripts.count(created.id)).to.equal(0);
    await expectError(await api.send('DELETE', path), 404, 'MEETING_NOT_FOUND');
  });

  it('cancels a meeting, with a reason', async () => {
    const { id } = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'web', title: 'Retro' });
    expect((await json(await api.send('POST', `/api/meetings/${id}/cancel`, { reason: 'holiday' }), 200)).status).to.equal('cancelled');
    await expectError(await api.send('POST', `/api/meetings/${id}/cancel`, {}), 409, 'MEETING_ILLEGAL_TRANSITION');
  });

  it('pages and filters meetings: 50 per page by default, with the total', async () => {
    await ctx.stores.meetings.insert({ organizationId: ctx.org.id, platform: 'slack', title: 'Slack standup', status: 'completed' });
    for (let i = 0; i < 54; i++) await ctx.stores.meetings.insert({ organizationId: ctx.org.id, platform: 'web', title: `Meeting ${i}` });
    const first = await json(await api.get('/api/meetings'), 200);
    expect(first).to.include({ total: 55, limit: 50, offset: 0 });
    expect(first.items).to.have.length(50);
    const second = await json(await api.get('/api/meetings?offset=50'), 200);
    expect(second.items).to.have.length(5);
    expect(new Set([...first.items, ...second.items].map((m: { id: string }) => m.id)).size).to.equal(55);
    expect((await json(await api.get('/api/meetings?limit=200'), 200)).items).to.have.length(55);
    expect((await json(await api.get('/api/meetings?platform=slack'), 200)).items.map((m: { title: string }) => m.title)).to.deep.equal(['Slack standup']);
    expect((await json(await api.get('/api/meetings?status=completed'), 200)).total).to.equal(1);
    expect((await json(await api.get('/api/meetings?q=meeting%201'), 200)).total).to.equal(11);
  });

  it('pages a transcript by segment id', async () => {
    const id = await importMeeting(7);
    const all = (await ctx.stores.transcripts.list(id)).map((s) => s.id);
    const seen: number[] = [];
    let after: number | null = null;
    for (let guard = 0; guard < 5; guard++) {
      const page: { items: { id: number }[]; next: number | null } = await json(await api.get(`/api/meetings/${id}/transcript?limit=3${after === null ? '' : `&after=${after}`}`), 200);
      seen.push(...page.items.map((s) => s.id));
      after = page.next;
      if (after === null) break;
    }
    expect(seen).to.deep.equal(all);
    const whole = await json(await api.get(`/api/meetings/${id}/transcript`), 200);
    expect(whole.items).to.have.length(7);
    expect(whole.next).to.equal(null);
    await expectError(await api.get(`/api/meetings/${id}/transcript?limit=501`), 400, 'REQUEST_INVALID');
  });

  it('exports in every format', async () => {
    const id = await importMeeting();
    for (const [format, type] of [['md', 'text/markdown'], ['json', 'application/json'], ['vtt', 'text/vtt'], ['srt', 'application/x-subrip']]) {
      const res = await api.get(`/api/meetings/${id}/export?format=${format}`);
      expect(res.status, format).to.equal(200);
      expect(res.headers.get('content-type'), format).to.contain(type);
      expect(res.headers.get('content-disposition'), format).to.contain(`meeting-${id}.${format}`);
      expect(await res.text(), format).to.contain('delay the launch');
    }
    await expectError(await api.get(`/api/meetings/${id}/export?format=doc`), 400, 'REQUEST_INVALID');
  });

  it('writes minutes and lists decisions', async () => {
    const id = await importMeeting();
    expect(await json(await api.get(`/api/meetings/${id}/minutes`), 200)).to.include({ exists: false });
    const view = await json(await api.send('POST', `/api/meetings/${id}/minutes`, {}), 200);
    expect(view).to.include({ exists: true, abstract: 'The team met.' });
    const decisions = await json(await api.get(`/api/meetings/${id}/decisions`), 200);
    expect(decisions.items.map((d: { text: string }) => d.text)).to.deep.equal(['Delay the launch']);
  });

  it('adds, edits, filters and pages action items', async () => {
    const id = await importMeeting();
    const [seg] = await ctx.stores.transcripts.list(id);
    const item = await json(await api.send('POST', `/api/meetings/${id}/action-items`, { description: 'Book the room', ownerName: 'Ann', dueDate: '2020-01-01', evidenceSegmentIds: [seg!.id] }), 201);
    expect(item).to.include({ description: 'Book the room', status: 'pending', priority: 'medium', ownerName: 'Ann', dueDate: '2020-01-01', source: 'manual' });
    const patched = await json(await api.send('PATCH', `/api/action-items/${item.id}`, { status: 'in_progress', priority: 'high', ownerName: 'Ben', dueDate: null, description: 'Book a room' }), 200);
    expect(patched).to.include({ status: 'in_progress', priority: 'high', ownerName: 'Ben', dueDate: null, description: 'Book a room' });
    await json(await api.send('PATCH', `/api/action-items/${item.id}`, { dueDate: '2020-01-01' }), 200);

    const [user] = await ctx.db.knex('users').insert({ organization_id: ctx.org.id, display_name: 'Cy' }).returning('id');
    const other = await importMeeting();
    await ctx.stores.minutes.addActionItems([{ meetingId: other, description: 'Cy owes this', ownerUserId: user.id, status: 'completed' }]);
    await ctx.stores.minutes.addActionItems(Array.from({ length: 53 }, (_, i) => ({ meetingId: other, description: `Chore ${i}`, dueDate: '2999-01-01' })));
    const list = async (query: string) => json(await api.get(`/api/action-items${query}`), 200);
    const first = await list('');
    expect(first).to.include({ total: 55, limit: 50, offset: 0 });
    expect(first.items).to.have.length(50);
    expect((await list('?offset=50')).items).to.have.length(5);
    expect((await list('?overdue=true')).items.map((a: { id: string }) => a.id)).to.deep.equal([item.id]);
    expect((await list(`?meeting=${id}`)).total).to.equal(1);
    expect((await list(`?owner=${user.id}`)).items.map((a: { description: string }) => a.description)).to.deep.equal(['Cy owes this']);
    expect((await list('?status=completed,in_progress')).total).to.equal(2);
  });

  it('searches and answers questions within the organization', async () => {
    const id = await importMeeting();
    const result = await json(await api.get('/api/search?q=launch'), 200);
    expect(result.hits).to.have.length.greaterThan(0);
    expect(result.hits[0].snippet).to.contain('<mark>');
    const answer = await json(await api.send('POST', '/api/ask', { question: 'Who fixes the payment crash?', meetingId: id }), 200);
    expect(answer.citations[0]).to.include({ meetingId: id, speaker: 'Bob' });
  });

  it('answers 404 for another organization\'s meeting and action item, and never lists them', async () => {
    const otherOrg = await ctx.stores.organizations.ensure(`other-${randomUUID()}`);
    const theirs = await importMeeting(2, otherOrg.id);
    const [item] = await ctx.stores.minutes.addActionItems([{ meetingId: theirs, description: 'Secret' }]);
    const m = `/api/meetings/${theirs}`;
    const requests: [string, string, unknown?][] = [
      ['GET', m], ['PATCH', m, { title: 'Mine now' }], ['DELETE', m], ['POST', `${m}/start`, {}], ['POST', `${m}/end`, {}], ['POST', `${m}/cancel`, {}],
      ['GET', `${m}/transcript`], ['POST', `${m}/segments`, { segments: [{ speaker: 'X', startMs: 0, endMs: 1, text: 'x' }] }], ['GET', `${m}/export?format=json`],
      ['GET', `${m}/minutes`], ['POST', `${m}/minutes`, {}], ['GET', `${m}/decisions`], ['POST', `${m}/action-items`, { description: 'Sneak' }],
      ['POST', '/api/ask', { question: 'secret?', meetingId: theirs }],
    ];
    for (const [method, path, body] of requests) await expectError(await api.send(method, path, body), 404, 'MEETING_NOT_FOUND');
    await expectError(await api.send('PATCH', `/api/action-items/${item!.id}`, { status: 'completed' }), 404, 'ACTION_ITEM_NOT_FOUND');
    expect((await ctx.stores.meetings.get(theirs)).title).to.equal('Launch sync');
    expect((await json(await api.get('/api/meetings'), 200)).total).to.equal(0);
    expect((await json(await api.get(`/api/action-items?meeting=${theirs}`), 200)).total).to.equal(0);
    expect((await json(await api.get('/api/search?q=launch'), 200)).hits).to.have.length(0);
  });

  it('rejects bad input with 400 and a code', async () => {
    const id = await importMeeting();
    const [item] = await ctx.stores.minutes.addActionItems([{ meetingId: id, description: 'Write notes' }]);
    const cases: [string, string, unknown, string?][] = [
      ['GET', '/api/meetings?limit=201', undefined], ['GET', '/api/meetings?status=done', undefined], ['GET', '/api/meetings?offset=-1', undefined],
      ['POST', '/api/meetings', { title: '' }], ['POST', '/api/meetings', { title: 'x', platform: 'zoom' }], ['POST', '/api/meetings', '{not json'],
      ['POST', '/api/meetings', { title: 'x' }, 'text/plain'], ['PATCH', `/api/meetings/${id}`, { title: 7 }],
      ['GET', `/api/meetings/${id}/transcript?after=abc`, undefined],
      ['POST', `/api/meetings/${id}/segments`, { segments: [] }], ['POST', `/api/meetings/${id}/segments`, { segments: [{ speaker: 'A', startMs: 5, endMs: 1, text: 'x' }] }],
      ['GET', '/api/action-items?status=done', undefined], ['GET', '/api/action-items?owner=nope', undefined], ['GET', '/api/action-items?overdue=maybe', undefined],
      ['POST', `/api/meetings/${id}/action-items`, { description: 'x', dueDate: 'tomorrow' }], ['POST', `/api/meetings/${id}/action-items`, { description: 'x', evidenceSegmentIds: [2_000_000_000] }],
      ['PATCH', `/api/action-items/${item!.id}`, {}], ['PATCH', `/api/action-items/${item!.id}`, { status: 'finished' }],
      ['GET', '/api/search', undefined], ['GET', '/api/search?q=x&from=yesterday', undefined], ['POST', '/api/ask', { question: ' ' }],
    ];
    for (const [method, path, body, type] of cases) {
      const res = await api.send(method, path, body, type);
      const payload = await res.json();
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(payload)}`).to.equal(400);
      expect(payload.error.code, path).to.equal('REQUEST_INVALID');
    }
    await expectError(await api.send('PATCH', `/api/action-items/${MISSING}`, { status: 'completed' }), 404, 'ACTION_ITEM_NOT_FOUND');
    await expectError(await api.get('/api/nothing-here'), 404, 'NOT_FOUND');
  });

  it('answers 413 with a code for an oversized body', async () => {
    const { id } = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'web', title: 'Big' });
    await ctx.service.startMeeting(id);
    const huge = Array.from({ length: 200 }, (_, i) => ({ speaker: 'A', startMs: i, endMs: i + 1, text: 'word '.repeat(1_100) }));
    await expectError(await api.send('POST', `/api/meetings/${id}/segments`, { segments: huge }), 413, 'REQUEST_TOO_LARGE');
    await expectError(await api.send('POST', '/api/ask', { question: 'q'.repeat(20_000) }), 413, 'REQUEST_TOO_LARGE');
    await expectError(await api.send('POST', '/api/meetings', { title: 't'.repeat(20_000) }), 413, 'REQUEST_TOO_LARGE');
    expect(await ctx.stores.transcripts.count(id)).to.equal(0);
  });
});
