import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { createLogger } from '../../core/logger.ts';
import { MinutesService } from '../../core/meetings/MinutesService.ts';
import type { ParsedTranscript } from '../../core/types.ts';
import { describeEachBackend } from '../../test/support/databases.ts';
import { stubAnalyzer } from '../testApp.ts';
import { createWebRouter, type WebUser } from './router.ts';
import { InProcessJobQueue } from '../../core/jobs/InProcessJobQueue.ts';
import { UnrecoverableJobError } from '../../core/jobs/JobQueue.ts';

const samplePath = fileURLToPath(new URL('../../test/fixtures/transcripts/ami-ES2006c-excerpt.json', import.meta.url));
const XSS = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';

const transcript: ParsedTranscript = {
  format: 'text',
  segments: [
    { speaker: 'Alice', startMs: 2_000, endMs: 6_000, text: 'We decided to delay the launch by one week.' },
    { speaker: 'Bob', startMs: 65_000, endMs: 70_000, text: `I will fix the payment crash ${XSS} by Friday.` },
    { speaker: IMG, startMs: 71_000, endMs: 72_000, text: 'Launch notes go to support.' },
  ],
};

/** Every tag of a page: no inline script, no event-handler or style attributes, no unescaped payload. */
function expectSafe(html: string, where: string): void {
  expect(html, where).to.not.contain(XSS);
  expect(html, where).to.not.contain('<img src=x');
  for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
    // Attribute values are always double-quoted and escaped: only names outside the quotes count.
    const names = tag.replace(/"[^"]*"/g, '""');
    expect(names, where).to.not.match(/\son[a-z]+\s*=/i);
    expect(names, where).to.not.match(/\sstyle\s*=/i);
    expect(names, where).to.not.match(/'/);
  }
  for (const script of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? []) {
    expect(script, where).to.match(/^<script src="\/static\/[^"]+" defer><\/script>$/);
  }
}

describeEachBackend('dashboard web pages', (ctx) => {
  let server: Server;
  let base: string;
  let user: WebUser | null;
  let jobs: InProcessJobQueue;

  beforeEach(async () => {
    user = null;
    jobs = new InProcessJobQueue({ defaultBackoffMs: 1 });
    const minutes = new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger: createLogger({ level: 'silent' }), analyzer: stubAnalyzer });
    const app = express();
    app.use(createWebRouter({
      meetings: ctx.service, minutes, stores: ctx.stores, orgOf: () => ctx.org.id, userOf: () => user,
      sampleTranscriptPath: samplePath, llmProviders: ['openai'], jobs,
      platforms: [
        { name: 'discord', enabled: false, missing: ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID'] },
        { name: 'slack', enabled: true, missing: [] },
      ],
    }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterEach(async () => {
    await jobs.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
  const html = async (path: string, status = 200) => {
    const res = await get(path);
    expect(res.status, path).to.equal(status);
    expect(res.headers.get('content-type'), path).to.match(/^text\/html/);
    return res.text();
  };
  const importMeeting = async () => {
    const { meeting } = await ctx.service.importTranscript({ organizationId: ctx.org.id, transcript, title: `Launch sync ${XSS}` });
    return meeting.id;
  };

  it('shows how to connect each platform when empty, and imports the sample meeting with its minutes', async () => {
    const res = await get('/', { cookie: 'minutes_csrf=tok-123' });
    const page = await res.text();
    expect(page).to.contain('<code>DISCORD_TOKEN</code>').and.contain('<code>DISCORD_APPLICATION_ID</code>').and.contain('connected');
    expect(page).to.contain('<form method="post" action="/sample"').and.contain('name="_csrf" value="tok-123"');
    const posted = await fetch(`${base}/sample`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=tok-123' });
    expect(posted.status).to.equal(303);
    const location = posted.headers.get('location')!;
    expect(location).to.match(/^\/meetings\/[0-9a-f-]{36}$/);
    const detail = await html(location);
    expect(detail).to.contain('written by: offline analyzer').and.contain('CC BY 4.0').and.contain('design meeting');
    expect(detail).to.match(/<a class="cite" href="#seg-\d+">/);
    const list = await html('/');
    expect(list).to.contain('Sample: AMI ES2006c').and.not.contain('Import a sample meeting');
  });

  it('pages the meetings list 50 at a time and filters it', async () => {
    for (let i = 0; i < 51; i++) {
      await ctx.stores.meetings.insert({ organizationId: ctx.org.id, platform: i === 0 ? 'slack' : 'discord', title: `Standup ${i}`, status: 'completed', startedAt: new Date(Date.UTC(2026, 0, 1, 0, i)) });
    }
    const first = await html('/');
    expect(first.match(/<td><a href="\/meetings\//g)).to.have.length(50);
    expect(first).to.contain('Page 1 of 2').and.contain('href="/?page=2"').and.contain('51 meeting(s)');
    const second = await html('/?page=2');
    expect(second.match(/<td><a href="\/meetings\//g)).to.have.length(1);
    expect(second).to.contain('Standup 0').and.contain('href="/"');
    const slack = await html('/?platform=slack');
    expect(slack).to.contain('Standup 0').and.contain('1 meeting(s)');
    expect(await html('/?title=Standup%205')).to.contain('Standup 50').and.contain('2 meeting(s)');
  });

  it('renders the meeting page: anchors, speaker classes, evidence links, chart data, live region, everything escaped', async () => {
    const id = await importMeeting();
    await new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger: createLogger({ level: 'silent' }), analyzer: stubAnalyzer }).ensure(id);
    const segs = (await ctx.stores.transcripts.list(id)).map((s) => s.id);
    const page = await html(`/meetings/${id}`);
    for (const seg of segs) expect(page).to.contain(`id="seg-${seg}"`);
    expect(page).to.contain(`<div class="seg spk-0" id="seg-${segs[0]}"><a class="ts" href="#seg-${segs[0]}">00:02</a><span class="spk">Alice</span>`);
    expect(page).to.contain(`<div class="seg spk-1" id="seg-${segs[1]}">`).and.contain(`<div class="seg spk-2" id="seg-${segs[2]}">`);
    expect(page).to.contain(`Delay the launch <span class="evidence muted">[<a class="cite" href="#seg-${segs[0]}">00:02</a>]</span>`);
    expect(page).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;').and.contain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).to.match(/data-talk-time="\[\{&quot;name&quot;:&quot;Bob&quot;,&quot;ms&quot;:5000\}/);
    expect(page).to.contain(`<section id="live" data-meeting-id="${id}"`).and.contain(`/api/meetings/${id}/export?format=vtt`);
    for (const src of ['/static/vendor/chartist.js', '/static/app.js', '/static/live.js', '/static/actions.js']) expect(page).to.contain(`<script src="${src}" defer></script>`);
    expect(page).to.match(/<tr class="action" id="item-([0-9a-f-]{36})" data-action-id="\1">/);
    expectSafe(page, 'meeting');
    expect(await html('/meetings/00000000-0000-4000-8000-000000000000', 404)).to.contain('MEETING_NOT_FOUND');
    const other = await ctx.stores.organizations.ensure(`other-${id}`);
    const foreign = await ctx.stores.meetings.insert({ organizationId: other.id, platform: 'web', title: 'Not yours' });
    expect(await html(`/meetings/${foreign.id}`, 404)).to.not.contain('Not yours');
  });

  it('never outputs the payload unescaped on any page, and no page carries inline script or handlers', async () => {
    const id = await importMeeting();
    await ctx.stores.minutes.addActionItems([{ meetingId: id, description: `Ship ${XSS} ${IMG}`, ownerName: IMG, dueDate: '2020-01-01' }]);
    user = { id: (await ctx.stores.organizations.createUser({ organizationId: ctx.org.id, displayName: XSS, role: 'admin' })).id, displayName: XSS, role: 'admin' };
    await ctx.stores.organizations.updateSettings(ctx.org.id, { channels: [{ platform: 'slack', channel: XSS }] });
    for (const path of ['/', `/meetings/${id}`, '/search?q=alert', `/search?q=${encodeURIComponent(XSS)}`, '/actions', '/actions?tab=owner', '/actions?tab=overdue', '/actions?tab=mine', '/settings', '/record', `/meetings/${encodeURIComponent(XSS)}`]) {
      const res = await get(path);
      expectSafe(await res.text(), path);
    }
  });

  it('highlights search matches with <mark> only, and pages them', async () => {
    const id = await importMeeting();
    const page = await html(`/search?q=launch`);
    expect(page).to.match(/<mark>launch<\/mark>/i).and.contain(`href="/meetings/${id}#seg-`);
    expect(await html(`/search?q=crash`)).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(await html(`/search?q=${'x'.repeat(600)}`, 400)).to.contain('longer than 500');
    expect(await html('/search')).to.not.contain('match(es)');
  });

  it('action board: all open, mine (from userOf), overdue, by owner; rows are editable', async () => {
    const id = await importMeeting();
    const me = await ctx.stores.organizations.createUser({ organizationId: ctx.org.id, displayName: 'Carol' });
    await ctx.stores.minutes.addActionItems([
      { meetingId: id, description: 'Mine and late', ownerUserId: me.id, ownerName: 'Carol', dueDate: '2020-01-01' },
      { meetingId: id, description: 'Someone else later', ownerName: 'Dave', dueDate: '2999-01-01' },
      { meetingId: id, description: 'Finished already', ownerName: 'Dave', status: 'completed' },
    ]);
    const all = await html('/actions');
    expect(all).to.contain('Mine and late').and.contain('Someone else later').and.not.contain('Finished already');
    expect(all).to.contain('data-field="status"').and.contain('data-field="dueDate"').and.contain('value="2020-01-01"').and.contain('<script src="/static/actions.js" defer>');
    expect(await html('/actions?tab=mine')).to.contain('Sign in');
    user = { id: me.id, displayName: 'Carol', role: 'member' };
    const mine = await html('/actions?tab=mine');
    expect(mine).to.contain('Mine and late').and.not.contain('Someone else later');
    const overdue = await html('/actions?tab=overdue');
    expect(overdue).to.contain('Mine and late').and.not.contain('Someone else later');
    const owners = await html('/actions?tab=owner');
    expect(owners.indexOf('<h2 class="owner">Carol')).to.be.greaterThan(0).and.lessThan(owners.indexOf('<h2 class="owner">Dave'));
  });

  it('settings: admins only, shows provider names never keys, saves organizations.settings', async () => {
    await ctx.stores.organizations.updateSettings(ctx.org.id, { llm: { providers: ['openai'], apiKey: 'sk-secret-key' } });
    expect(await html('/settings', 403)).to.contain('Only organization admins');
    user = { id: 'u1', displayName: 'Member', role: 'member' };
    expect(await html('/settings', 403)).to.contain('FORBIDDEN');
    user = { id: 'u2', displayName: 'Admin', role: 'admin' };
    const form = await html('/settings');
    expect(form).to.contain('value="openai" checked').and.contain('value="anthropic"').and.not.contain('sk-secret');
    const post = (body: string) => fetch(`${base}/settings`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const bad = await post('retentionDays=0&channels=nowhere');
    expect(bad.status).to.equal(400);
    expect(await bad.text()).to.contain('Retention must be').and.contain('is not platform:channel');
    const ok = await post('_csrf=t&providers=anthropic&providers=gemini&consentPolicy=opt_in&retentionDays=90&keepAudio=on&audioRetentionDays=7&channels=slack%3AC123%0Adiscord%3A42');
    expect(ok.status).to.equal(303);
    const { settings } = await ctx.stores.organizations.get(ctx.org.id);
    expect(settings).to.deep.include({
      llm: { providers: ['anthropic', 'gemini'] }, consent: { policy: 'opt_in' }, retentionDays: 90,
      recording: { keepAudio: true, retentionDays: 7 }, channels: [{ platform: 'slack', channel: 'C123' }, { platform: 'discord', channel: '42' }],
    });
    expect(await html('/settings?saved=1')).to.contain('Settings saved').and.contain('slack:C123');
  });

  it('settings: admins see their organization\'s failed background jobs (escaped) and retry one; another organization\'s stays hidden', async () => {
    let runs = 0;
    jobs.handle<{ meetingId: string }>('minutes.generate', async () => {
      runs += 1;
      if (runs <= 2) throw new UnrecoverableJobError(`provider said ${XSS}`);
    });
    await jobs.start();
    await jobs.enqueue('minutes.generate', { meetingId: 'm-own', organizationId: ctx.org.id }, { jobId: 'own-job' });
    await jobs.enqueue('minutes.generate', { meetingId: 'm-other', organizationId: 'another-org' }, { jobId: 'other-job' });
    await jobs.drained(2000);
    user = { id: 'u2', displayName: 'Admin', role: 'admin' };
    const page = await html('/settings');
    expectSafe(page, 'settings with jobs');
    expect(page).to.contain('Background jobs').and.contain('failed 2').and.contain('own-job').and.contain('&lt;script&gt;');
    expect(page).to.not.contain('other-job').and.not.contain('m-other');
    const retry = (id: string) => fetch(`${base}/settings/jobs/retry`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=t&id=${id}` });
    const other = await retry('other-job');
    expect(other.headers.get('location')).to.equal('/settings?retried=no#jobs');
    const own = await retry('own-job');
    expect(own.headers.get('location')).to.equal('/settings?retried=yes#jobs');
    await jobs.drained(2000);
    expect(runs).to.equal(3);
    expect(await html('/settings?retried=yes')).to.contain('The job was queued again').and.not.contain('own-job');
    user = { id: 'u1', displayName: 'Member', role: 'member' };
    expect((await retry('other-job')).status).to.equal(403);
  });

  it('serves the record shell, manifest, service worker, icons and static assets with the right types', async () => {
    const record = await html('/record?meeting=abc');
    expect(record).to.contain('<section id="recorder" data-meeting-id="abc">').and.contain('<script src="/static/record.js" defer></script>');
    const manifest = await get('/manifest.webmanifest');
    expect(manifest.headers.get('content-type')).to.match(/^application\/manifest\+json/);
    expect(await manifest.json()).to.include({ name: 'Open Minutes', start_url: '/' });
    const sw = await get('/sw.js');
    expect(sw.headers.get('content-type')).to.match(/^text\/javascript|^application\/javascript/);
    expect(sw.headers.get('service-worker-allowed')).to.equal('/');
    expect(await sw.text()).to.contain("addEventListener('fetch'");
    const png = await get('/icon-192.png');
    expect(png.headers.get('content-type')).to.equal('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).to.equal('PNG');
    for (const [path, type] of [['/static/app.js', /javascript/], ['/static/app.css', /css/], ['/static/vendor/chartist.js', /javascript/], ['/static/vendor/chartist.css', /css/], ['/static/icon.svg', /svg/]] as const) {
      const res = await get(path);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get('content-type'), path).to.match(type);
      expect(res.headers.get('cache-control'), path).to.match(/max-age=\d+/);
    }
  });
});
