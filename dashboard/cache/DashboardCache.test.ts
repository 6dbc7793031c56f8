import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { RedisCache } from '../../adapters/redis/RedisCache.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { InProcessCache } from '../../core/cache/index.ts';
import type { Cache } from '../../core/cache/Cache.ts';
import { createLogger } from '../../core/logger.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import { MinutesService } from '../../core/meetings/MinutesService.ts';
import type { Analyzer, Minutes, MinutesInput } from '../../core/minutes/types.ts';
import { describeEachBackend, type StoreContext } from '../../test/support/databases.ts';
import { createDashboard } from '../app.ts';
import { sampleTranscript } from '../testApp.ts';
import { cacheStats, DashboardCache } from './index.ts';

const logger = createLogger({ level: 'silent' });

/** Minutes whose abstract counts the runs, so a rewrite is visible. */
function countingAnalyzer(): Analyzer {
  let run = 0;
  return {
    name: 'counting',
    async analyze(input: MinutesInput): Promise<Minutes> {
      run++;
      const [a] = input.segments;
      return {
        summary: { abstract: `Run ${run} of the minutes.`, sections: [] },
        actionItems: [{ text: 'Fix the crash', ownerAttendeeId: null, ownerName: 'Bob', dueDate: '2026-03-06', priority: 'high', confidence: 0.9, evidenceSegmentIds: a ? [a.id] : [] }],
        decisions: [], questions: [], blockers: [], provenance: { analyzer: 'offline' },
      };
    },
  };
}

interface Instance {
  base: string;
  meetings: MeetingService;
  minutes: MinutesService;
  cache: DashboardCache;
  /** getBundle calls: every miss of a meeting reads the store through it. */
  bundleReads: () => number;
  get(path: string): Promise<Response>;
  json(path: string): Promise<any>;
  send(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

async function start(ctx: StoreContext, options: { cache: Cache; organizationId?: string; bus?: InProcessEventBus | null }): Promise<Instance> {
  const bus = options.bus === undefined ? new InProcessEventBus() : options.bus;
  const eventBus = bus ?? new InProcessEventBus();
  const meetings = new MeetingService({ stores: ctx.stores, bus: eventBus, logger });
  const minutes = new MinutesService({ stores: ctx.stores, bus: eventBus, logger, analyzer: countingAnalyzer() });
  let reads = 0;
  const getBundle = meetings.getBundle.bind(meetings);
  meetings.getBundle = (id) => {
    reads++;
    return getBundle(id);
  };
  // The API's meeting detail reads the store directly (without the transcript): count those reads too.
  const attendees = ctx.stores.attendees;
  const stores = { ...ctx.stores, attendees: Object.assign(Object.create(attendees), { list: (id: string) => { reads++; return attendees.list(id); } }) };
  const cache = new DashboardCache({ cache: options.cache, bus, logger });
  const app = createDashboard({
    meetings, minutes, orchestrator: null, stores, organizationId: options.organizationId ?? ctx.org.id, logger, cache, rateLimitPerMinute: 10_000,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const get = (path: string) => fetch(`${base}${path}`);
  return {
    base, meetings, minutes, cache, bundleReads: () => reads, get,
    async json(path) {
      const res = await get(path);
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).to.equal(200);
      return body;
    },
    async send(method, path, body = {}) {
      const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      expect(res.status, text).to.be.below(300);
      return text ? JSON.parse(text) : null;
    },
    async close() {
      cache.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const page = async (app: Instance, id: string) => {
  const res = await app.get(`/meetings/${id}`);
  expect(res.status).to.equal(200);
  return res.text();
};

describeEachBackend('dashboard cache', (ctx) => {
  let app: Instance;
  beforeEach(async () => {
    app = await start(ctx, { cache: new InProcessCache() });
  });
  afterEach(() => app.close());

  const importMeeting = async (lines = 4) =>
    (await app.meetings.importTranscript({ organizationId: ctx.org.id, transcript: sampleTranscript(lines), title: 'Launch sync' })).meeting.id;

  it('serves a meeting, its page, its minutes and the list from the cache on the second read', async () => {
    const id = await importMeeting();
    await app.minutes.ensure(id);
    const before = cacheStats();
    const detail = await app.json(`/api/meetings/${id}`);
    expect(await app.json(`/api/meetings/${id}`)).to.deep.equal(detail);
    expect(detail).to.include({ segmentCount: 4 });
    expect(app.bundleReads()).to.equal(1);

    const html = await page(app, id);
    expect(await page(app, id)).to.equal(html);
    expect(html).to.include('Run 1 of the minutes.');
    expect(app.bundleReads()).to.equal(2);

    const minutes = await app.json(`/api/meetings/${id}/minutes`);
    expect(await app.json(`/api/meetings/${id}/minutes`)).to.deep.equal(minutes);
    const list = await app.json('/api/meetings');
    expect(await app.json('/api/meetings')).to.deep.equal(list);
    expect(list.items.map((m: { id: string }) => m.id)).to.deep.equal([id]);

    expect(app.cache.stats()).to.deep.equal({ hits: 4, misses: 4, hitRate: 0.5 });
    const after = cacheStats();
    expect(after.hits - before.hits).to.equal(4);
    expect(after.misses - before.misses).to.equal(4);
  });

  it('is fresh after an action item is changed through the API', async () => {
    const id = await importMeeting();
    await app.minutes.ensure(id);
    const detail = await app.json(`/api/meetings/${id}`);
    await app.json(`/api/meetings/${id}/minutes`);
    await page(app, id);
    const item = detail.actionItems[0];
    expect(item.status).to.equal('pending');

    await app.send('PATCH', `/api/action-items/${item.id}`, { status: 'completed', description: 'Fixed on Thursday' });
    expect((await app.json(`/api/meetings/${id}`)).actionItems[0]).to.include({ status: 'completed' });
    expect((await app.json(`/api/meetings/${id}/minutes`)).actionItems[0]).to.include({ status: 'completed' });
    expect(await page(app, id)).to.include('Fixed on Thursday');
  });

  it('is fresh after the minutes are regenerated', async () => {
    const id = await importMeeting();
    await app.minutes.ensure(id);
    expect((await app.json(`/api/meetings/${id}/minutes`)).abstract).to.equal('Run 1 of the minutes.');
    expect(await page(app, id)).to.include('Run 1 of the minutes.');

    const rewritten = await app.send('POST', `/api/meetings/${id}/minutes`);
    expect(rewritten.abstract).to.equal('Run 2 of the minutes.');
    expect((await app.json(`/api/meetings/${id}/minutes`)).abstract).to.equal('Run 2 of the minutes.');
    expect(await page(app, id)).to.include('Run 2 of the minutes.');

    // Written elsewhere (a bot, the auto-minutes job): the minutes.ready event invalidates.
    await app.minutes.ensure(id, { regenerate: true });
    expect((await app.json(`/api/meetings/${id}/minutes`)).abstract).to.equal('Run 3 of the minutes.');
  });

  it('is fresh after segments are appended, through the API or by a bot', async () => {
    const meeting = await app.meetings.createMeeting({ organizationId: ctx.org.id, title: 'Standup', platform: 'web' });
    await app.meetings.startMeeting(meeting.id);
    expect(await app.json(`/api/meetings/${meeting.id}`)).to.include({ segmentCount: 0 });
    await page(app, meeting.id);

    await app.send('POST', `/api/meetings/${meeting.id}/segments`, { segments: [{ speaker: 'Ann', startMs: 0, endMs: 900, text: 'Hello from the API.', sourceSeq: 1 }] });
    expect(await app.json(`/api/meetings/${meeting.id}`)).to.include({ segmentCount: 1 });
    expect(await page(app, meeting.id)).to.include('Hello from the API.');

    await app.meetings.appendSegments(meeting.id, [{ speaker: 'Ben', startMs: 1000, endMs: 1900, text: 'Hello from Discord.', sourceSeq: 2 }]);
    expect(await app.json(`/api/meetings/${meeting.id}`)).to.include({ segmentCount: 2 });
    expect(await page(app, meeting.id)).to.include('Hello from Discord.');
  });

  it('is fresh after a rename, and lists follow meetings created and ended', async () => {
    const id = await importMeeting();
    expect((await app.json('/api/meetings')).items.map((m: { title: string }) => m.title)).to.deep.equal(['Launch sync']);
    expect((await app.json(`/api/meetings?q=launch`)).total).to.equal(1);
    await app.send('PATCH', `/api/meetings/${id}`, { title: 'Launch review' });
    expect((await app.json('/api/meetings')).items.map((m: { title: string }) => m.title)).to.deep.equal(['Launch review']);
    expect((await app.json(`/api/meetings/${id}`)).meeting.title).to.equal('Launch review');

    const other = await app.meetings.createMeeting({ organizationId: ctx.org.id, title: 'Planning', platform: 'discord' });
    expect((await app.json('/api/meetings')).total).to.equal(2);
    await app.meetings.startMeeting(other.id);
    expect((await app.json('/api/meetings?status=in_progress')).items.map((m: { id: string }) => m.id)).to.deep.equal([other.id]);
    await app.meetings.endMeeting(other.id);
    expect((await app.json('/api/meetings?status=in_progress')).total).to.equal(0);

    await app.send('DELETE', `/api/meetings/${id}`);
    expect((await app.get(`/api/meetings/${id}`)).status).to.equal(404);
    expect((await app.json('/api/meetings')).total).to.equal(1);
  });

  it('never answers one organization from another organization\'s entries', async () => {
    const shared = new InProcessCache();
    const mine = await start(ctx, { cache: shared });
    const otherOrg = await ctx.stores.organizations.ensure(`test-org-${randomUUID()}`);
    const theirs = await start(ctx, { cache: shared, organizationId: otherOrg.id });
    try {
      const id = (await mine.meetings.importTranscript({ organizationId: ctx.org.id, transcript: sampleTranscript(2), title: 'Secret plans' })).meeting.id;
      await mine.json(`/api/meetings/${id}`);
      await page(mine, id);
      await mine.json(`/api/meetings/${id}/minutes`);
      expect((await mine.json('/api/meetings')).total).to.equal(1);

      expect((await theirs.get(`/api/meetings/${id}`)).status).to.equal(404);
      expect((await theirs.get(`/api/meetings/${id}/minutes`)).status).to.equal(404);
      const html = await (await theirs.get(`/meetings/${id}`)).text();
      expect(html).not.to.include('Secret plans');
      expect((await theirs.json('/api/meetings')).total).to.equal(0);
      // Twice, so a cached entry (if one had been written) would be the answer.
      expect((await theirs.get(`/api/meetings/${id}`)).status).to.equal(404);
      expect(theirs.cache.stats().hits).to.equal(0);
    } finally {
      await mine.close();
      await theirs.close();
    }
  });
});

describeEachBackend('dashboard cache shared on Redis', (ctx) => {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
  let client: Redis;
  let a: Instance;
  let b: Instance;
  before(() => {
    client = new Redis(url);
  });
  after(() => client.quit());
  beforeEach(async () => {
    const prefix = `test:${randomUUID()}:`;
    // Separate buses: what B learns of A's writes comes only through the shared generations in Redis.
    a = await start(ctx, { cache: new RedisCache({ client, prefix }) });
    b = await start(ctx, { cache: new RedisCache({ client, prefix }) });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('shares hits, and each instance sees the other\'s invalidations', async () => {
    const id = (await a.meetings.importTranscript({ organizationId: ctx.org.id, transcript: sampleTranscript(4), title: 'Launch sync' })).meeting.id;
    await a.minutes.ensure(id);
    const detail = await a.json(`/api/meetings/${id}`);
    expect(await b.json(`/api/meetings/${id}`)).to.deep.equal(detail);
    expect(b.bundleReads()).to.equal(0);
    expect(b.cache.stats().hits).to.equal(1);
    await b.json(`/api/meetings/${id}/minutes`);
    await b.json('/api/meetings');

    // A's write (API), B's read.
    await a.send('PATCH', `/api/action-items/${detail.actionItems[0].id}`, { status: 'completed' });
    expect((await b.json(`/api/meetings/${id}`)).actionItems[0]).to.include({ status: 'completed' });
    expect((await b.json(`/api/meetings/${id}/minutes`)).actionItems[0]).to.include({ status: 'completed' });

    // B's write (API), A's read.
    await a.json('/api/meetings');
    await b.send('PATCH', `/api/meetings/${id}`, { title: 'Launch review' });
    expect((await a.json('/api/meetings')).items[0]).to.include({ title: 'Launch review' });
    expect(await page(a, id)).to.include('Launch review');

    // A write outside the dashboard that only A's bus hears.
    await b.json(`/api/meetings/${id}/minutes`);
    await a.minutes.ensure(id, { regenerate: true });
    expect((await b.json(`/api/meetings/${id}/minutes`)).abstract).to.equal('Run 2 of the minutes.');
  });
});
