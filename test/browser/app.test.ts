/**
 * The whole real app in Chromium: the service container on a temp DATA_DIR
 * (embedded PGlite) and startServer (dashboard, JSON API, sign-in, live and
 * record sockets), driven by playwright-core through Debian's Chromium with
 * the fake microphone playing the LJSpeech clip. The steps run in order and
 * share state (one signed-in admin, one member, the sample meeting); each
 * saves a screenshot under test-artifacts/app-*.png.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { announceAdminLink } from '../../bot/auth.ts';
import { createContainer, type Container } from '../../bot/container.ts';
import { startServer, type RunningServer } from '../../bot/server.ts';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { ensureChromium, launchBrowser, makeFakeMicWav, pageErrors, removeDir, screenshot, type LaunchedBrowser } from './harness.ts';

/** Every wait in this file is bounded by this. */
const WAIT = 15_000;
const SCRIPT_XSS = '<script>window.__xss=1</script>';
const IMG_XSS = '<img src=x onerror="window.__xss=1">';
/** A word found only in the XSS meeting, to search for it. */
const XSS_WORD = 'quokkaberry';

/** A free loopback port, so PUBLIC_URL can name the exact origin the browser uses before the server starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Console errors that are CSP violations (a strict CSP blocks inline script and style; our code must not need them). */
const cspErrors = (errors: string[]) => errors.filter((e) => /Content Security Policy|Refused to (execute|apply|load|connect)/i.test(e));

describe('browser: the whole app (container + startServer) in Chromium', function () {
  this.timeout(90_000);
  let dataDir = '';
  let c: Container | null = null;
  let running: RunningServer | null = null;
  let browser: LaunchedBrowser | null = null;
  let wav = '';
  let origin = '';
  // Context A: the administrator; context B: a member of the same organization.
  let ctxA: BrowserContext;
  let ctxB: BrowserContext;
  let pageA: Page;
  let pageB: Page;
  let meetingId = '';
  let citedSegment = 0;
  let createdItem = '';

  before(async function () {
    const chromium = ensureChromium();
    if (!chromium.ok) {
      console.log(`      skipped: ${chromium.reason}`);
      return this.skip();
    }
    dataDir = mkdtempSync(join(tmpdir(), 'minutes-app-browser-'));
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: origin, ASR_ENGINE: 'pocketsphinx' });
    c = await createContainer(config, createLogger({ level: 'silent' }));
    running = await startServer(c);
    expect(running.url).to.equal(origin);
    wav = makeFakeMicWav();
    browser = await launchBrowser({ fakeAudioWav: wav });
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close().catch(() => undefined);
    await running?.stop().catch(() => undefined);
    await c?.close().catch(() => undefined);
    if (wav) removeDir(dirname(wav));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  // The steps build on each other: after a failure the rest would only time out one by one.
  let failed: string | null = null;
  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed ??= this.currentTest.title;
  });
  beforeEach(function () {
    if (failed && !this.currentTest?.title.startsWith('no page logged')) {
      console.log(`      skipped: an earlier step failed (${failed})`);
      this.skip();
    }
  });

  /** Console errors and uncaught exceptions of every page opened, by page. */
  const errors = new Map<Page, string[]>();
  async function open(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    page.setDefaultNavigationTimeout(WAIT);
    errors.set(page, pageErrors(page));
    return page;
  }

  it('signs in with a one-time link: the administrator in context A, a member of the same organization in context B', async () => {
    const adminUrl = await announceAdminLink(c!, c!.auth);
    expect(adminUrl).to.be.a('string').and.match(new RegExp(`^${origin.replace(/[.]/g, '\\.')}/auth/link/`));
    ctxA = await browser!.newContext(origin);
    // Scripts, styles and PWA files load for anyone (the sign-in page needs them too), with their own types.
    for (const [asset, type] of [['/static/app.css', /css/], ['/static/app.js', /javascript/], ['/sw.js', /javascript/], ['/manifest.webmanifest', /manifest\+json|json/]] as const) {
      const res = await ctxA.request.get(`${origin}${asset}`);
      expect(res.status(), `GET ${asset} before sign-in`).to.equal(200);
      expect(res.headers()['content-type'], `GET ${asset}`).to.match(type);
    }
    pageA = await open(ctxA);
    await pageA.goto(adminUrl!);
    expect(new URL(pageA.url()).pathname).to.equal('/');
    expect(await pageA.textContent('header .who')).to.contain('Administrator').and.contain('admin');
    const signedInAsset = await ctxA.request.get(`${origin}/static/live.js`);
    expect(signedInAsset.status(), 'GET /static/live.js signed in').to.equal(200);
    await screenshot(pageA, 'app-01-signed-in-admin');

    const member = await c!.auth.issueSignInLink({ organizationId: c!.defaultOrganization.id, platform: 'discord', externalUserId: 'member-grace', externalTeamId: 'guild-1', displayName: 'Grace Hopper' });
    expect(member.user.organizationId).to.equal(c!.defaultOrganization.id);
    ctxB = await browser!.newContext(origin);
    pageB = await open(ctxB);
    await pageB.goto(`${origin}${member.path}`);
    expect(new URL(pageB.url()).pathname).to.equal('/');
    expect(await pageB.textContent('header .who')).to.contain('Grace Hopper').and.contain('member');
    await screenshot(pageB, 'app-01-signed-in-member');

    // A used link does not sign anyone in again.
    const again = await ctxB.request.get(`${origin}${member.path}`, { maxRedirects: 0, failOnStatusCode: false });
    expect(again.status()).to.be.oneOf([400, 401, 403, 410]);
  });

  it('empty state → "Import a sample meeting" → the meeting page with its minutes', async () => {
    await pageA.goto(`${origin}/`);
    await pageA.waitForSelector('section.empty');
    expect(await pageA.$$eval('.platforms li', (els) => els.length)).to.be.at.least(1);
    await screenshot(pageA, 'app-02-empty-state');
    await Promise.all([pageA.waitForURL(/\/meetings\/[0-9a-f-]+$/), pageA.click('form.sample button[type=submit]')]);
    meetingId = new URL(pageA.url()).pathname.split('/').pop()!;
    await pageA.waitForSelector('#minutes .abstract');
    expect(await pageA.textContent('h1')).to.contain('Sample');
    expect(await pageA.$$eval('#transcript .seg', (els) => els.length)).to.be.at.least(10);
    expect(await pageA.textContent('.attribution')).to.contain('CC BY 4.0');
    // Real minutes on arrival: the offline analyzer finds the decisions and the task split in the sample.
    expect(await pageA.$$eval('#minutes table.actions tr.action', (els) => els.length)).to.be.at.least(1);
    // The talk-time chart is drawn by the kept chart library, under the strict CSP.
    await pageA.waitForSelector('.talk-chart.drawn svg');
    await screenshot(pageA, 'app-02-sample-meeting');
  });

  it('adds an action item by hand, citing a transcript line, through the JSON API', async () => {
    // The cited line is far down the transcript, so following the link has to scroll.
    const segmentIds = await pageA.$$eval('#transcript .seg', (els) => els.map((e) => Number(e.id.slice('seg-'.length))));
    citedSegment = segmentIds[segmentIds.length - 3]!;
    const created = await pageA.evaluate(async ({ id, seg }) => {
      const csrf = decodeURIComponent(/(?:^|;\s*)minutes_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '');
      const res = await fetch(`/api/meetings/${id}/action-items`, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ description: 'Send the remote control requirements to the team', ownerName: 'Laura', evidenceSegmentIds: [seg] }),
      });
      return { status: res.status, body: await res.json() };
    }, { id: meetingId, seg: citedSegment });
    expect(created.status).to.equal(201);
    createdItem = created.body.id;
    await pageA.reload();
    await pageA.waitForSelector(`#minutes table.actions tr.action[data-action-id="${created.body.id}"]`);
  });

  it("clicking an action item's evidence link highlights the cited transcript line and scrolls it into view", async () => {
    const cite = pageA.locator(`#minutes table.actions tr.action[data-action-id="${createdItem}"] .evidence a.cite`).first();
    const href = await cite.getAttribute('href');
    expect(href).to.match(/^#seg-\d+$/);
    const lineId = href!.slice(1);
    expect(lineId).to.equal(`seg-${citedSegment}`);
    // Start from the top so the line has to scroll into view.
    await pageA.evaluate(() => window.scrollTo(0, 0));
    await cite.click();
    await pageA.waitForFunction((id) => document.getElementById(id)?.classList.contains('cited'), lineId, { timeout: WAIT });
    expect(new URL(pageA.url()).hash).to.equal(href);
    expect(await pageA.$$eval('#transcript .seg.cited', (els) => els.map((e) => e.id))).to.deep.equal([lineId]);
    // Smooth scrolling: wait until the line is (and stays) inside the viewport.
    await pageA.waitForFunction((id) => {
      const r = document.getElementById(id)!.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    }, lineId, { timeout: WAIT });
    // The highlight is visible: the cited line's background differs from an uncited line's.
    const [cited, plain] = await pageA.$$eval('#transcript .seg', (els, id) => {
      const other = els.find((e) => e.id !== id)!;
      return [getComputedStyle(document.getElementById(id)!).backgroundColor, getComputedStyle(other).backgroundColor];
    }, lineId);
    expect(cited).to.not.equal(plain);
    const full = await screenshot(pageA, 'app-03-evidence-cited');
    await pageA.screenshot({ path: full.replace(/\.png$/, '-viewport.png') });

    // Opening the link directly (a shared URL) gives the CSS :target highlight too.
    await pageA.goto(`${origin}/meetings/${meetingId}${href}`);
    expect(await pageA.evaluate((id) => document.getElementById(id)!.matches(':target'), lineId)).to.equal(true);
    await pageA.waitForFunction((id) => document.getElementById(id)!.classList.contains('cited'), lineId, { timeout: WAIT });
  });

  it('marks an action item done in context A and context B sees it change live; the database has it completed', async () => {
    await pageB.goto(`${origin}/meetings/${meetingId}`);
    await pageA.goto(`${origin}/meetings/${meetingId}`);
    // Both connected to the live socket: each sees the other in "Viewing now".
    for (const [page, other] of [[pageA, 'Grace Hopper'], [pageB, 'Administrator']] as const) {
      await page.waitForFunction((name) => [...document.querySelectorAll('#live .viewer')].some((v) => v.textContent === name), other, { timeout: WAIT });
    }
    const row = 'tr.action:not(:has(select[data-field="status"] option[value="completed"]:checked))';
    const actionId = (await pageA.getAttribute(`#minutes table.actions ${row}`, 'data-action-id'))!;
    expect(actionId).to.match(/^[0-9a-f-]+$/);
    const sel = `tr[data-action-id="${actionId}"] select[data-field="status"]`;
    expect(await pageB.$eval(sel, (s) => (s as HTMLSelectElement).value)).to.not.equal('completed');
    const navigations: string[] = [];
    pageB.on('framenavigated', (f) => { if (f === pageB.mainFrame()) navigations.push(f.url()); });
    await pageB.evaluate(() => { (window as unknown as { __noReload: boolean }).__noReload = true; });

    await pageA.selectOption(sel, 'completed');
    await pageA.waitForSelector(`tr[data-action-id="${actionId}"] .save-state.ok`);
    await pageB.waitForFunction((s) => (document.querySelector(s) as HTMLSelectElement | null)?.value === 'completed', sel, { timeout: WAIT });
    expect(await pageB.$eval(`tr[data-action-id="${actionId}"]`, (r) => r.classList.contains('flash'))).to.equal(true);
    // Same document: no reload happened in B.
    expect(navigations).to.deep.equal([]);
    expect(await pageB.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).to.equal(true);
    await screenshot(pageA, 'app-04-done-in-A');
    await screenshot(pageB, 'app-04-live-in-B');

    const stored = await c!.db.knex('action_items').where({ id: actionId }).first('status');
    expect(stored.status).to.equal('completed');
  });

  it('search shows highlighted <mark> snippets linking to the meeting', async () => {
    await pageB.goto(`${origin}/search?q=${encodeURIComponent('project')}`);
    await pageB.waitForSelector('ol.hits li.hit');
    const hits = await pageB.$$eval('ol.hits li.hit', (els) => els.map((li) => ({
      marks: [...li.querySelectorAll('.snippet mark')].map((m) => m.textContent!.toLowerCase()),
      href: li.querySelector('a.ts')!.getAttribute('href'),
    })));
    expect(hits.length).to.be.at.least(1);
    for (const h of hits) {
      expect(h.marks.length).to.be.at.least(1);
      for (const m of h.marks) expect(m).to.match(/^project/);
      expect(h.href).to.match(new RegExp(`^/meetings/${meetingId}#seg-\\d+$`));
    }
    await screenshot(pageB, 'app-05-search');
    // A hit opens the meeting at the cited line.
    await Promise.all([pageB.waitForURL(new RegExp(`/meetings/${meetingId}#seg-\\d+$`)), pageB.click('ol.hits li.hit a.ts >> nth=0')]);
    const lineId = new URL(pageB.url()).hash.slice(1);
    await pageB.waitForFunction((id) => document.getElementById(id)?.classList.contains('cited'), lineId, { timeout: WAIT });
  });

  it('records from the fake microphone: live transcript lines on the page, segments stored, Stop ends the meeting', async () => {
    await pageA.goto(`${origin}/record`);
    await pageA.waitForSelector('#recorder-start');
    await pageA.fill('#recorder-title', 'Browser recording test');
    await pageA.click('#recorder-start');
    await pageA.waitForSelector('#recorder[data-state="recording"]', { timeout: WAIT });
    const recordedId = (await pageA.getAttribute('#recorder', 'data-meeting-id'))!;
    expect(recordedId).to.match(/^[0-9a-f-]+$/);
    expect((await c!.stores.meetings.get(recordedId)).status).to.equal('in_progress');
    // pocketsphinx's words for the clip are not predictable: at least one line must appear.
    await pageA.waitForSelector('#recorder-transcript li.segment', { timeout: WAIT });
    await screenshot(pageA, 'app-06-recording');
    await pageA.click('#recorder-stop');
    await pageA.waitForSelector('#recorder[data-state="ended"]', { timeout: WAIT });
    await screenshot(pageA, 'app-06-recording-ended');

    const meeting = await c!.stores.meetings.get(recordedId);
    expect(meeting.status).to.equal('completed');
    expect(meeting.title).to.equal('Browser recording test');
    const segments = await c!.stores.transcripts.list(recordedId);
    expect(segments.length).to.be.at.least(1);
    for (const s of segments) {
      expect(s.speaker).to.equal('Administrator');
      expect(s.source).to.match(/^asr:/);
      expect(s.text.trim()).to.not.equal('');
    }
    const shown = await pageA.$$eval('#recorder-transcript li.segment', (els) => els.map((e) => e.getAttribute('data-segment-id')));
    for (const id of shown) expect(segments.map((s) => String(s.id))).to.include(id);
  });

  it('an XSS payload in transcript text and speaker name is shown as text and never runs (meeting page and search)', async () => {
    const payload = `${SCRIPT_XSS} ${IMG_XSS}`;
    const { meeting } = await c!.meetings.importTranscript({
      organizationId: c!.defaultOrganization.id,
      title: `XSS ${IMG_XSS}`,
      platform: 'import',
      transcript: {
        format: 'json',
        segments: [
          { speaker: `Mallory ${IMG_XSS}`, startMs: 0, endMs: 4000, text: `${XSS_WORD} says ${payload}` },
          { speaker: `Eve ${SCRIPT_XSS}`, startMs: 4000, endMs: 8000, text: `We will ship the ${XSS_WORD} ${SCRIPT_XSS} release on Friday.` },
        ],
      },
    });
    const page = await open(ctxB);
    await page.goto(`${origin}/meetings/${meeting.id}`);
    await page.waitForSelector('#transcript .seg');
    const texts = await page.$$eval('#transcript .seg', (els) => els.map((e) => ({ spk: e.querySelector('.spk')!.textContent, text: e.querySelector('.text')!.textContent })));
    expect(texts[0]).to.deep.equal({ spk: `Mallory ${IMG_XSS}`, text: `${XSS_WORD} says ${payload}` });
    expect(texts[1]!.spk).to.equal(`Eve ${SCRIPT_XSS}`);
    expect(await page.textContent('h1')).to.equal(`XSS ${IMG_XSS}`);
    expect(await page.$$('main img, main script')).to.have.length(0);
    await screenshot(page, 'app-07-xss-meeting');

    await page.goto(`${origin}/search?q=${XSS_WORD}`);
    await page.waitForSelector('ol.hits li.hit');
    const snippets = await page.$$eval('ol.hits li.hit', (els) => els.map((li) => ({
      snippet: li.querySelector('.snippet')!.textContent,
      marks: [...li.querySelectorAll('.snippet mark')].map((m) => m.textContent),
      spk: li.querySelector('.spk')!.textContent,
      href: li.querySelector('a.ts')!.getAttribute('href'),
    })));
    expect(snippets.length).to.equal(2);
    // Postgres's ts_headline drops what its parser takes for HTML tags from snippets; the rest is escaped text.
    const mallory = snippets.find((s) => s.spk === `Mallory ${IMG_XSS}`)!;
    expect(mallory.snippet!.toLowerCase()).to.contain(`${XSS_WORD} says`);
    expect(mallory.marks.map((m) => m!.toLowerCase())).to.include(XSS_WORD);
    expect(mallory.href).to.match(new RegExp(`^/meetings/${meeting.id}#seg-\\d+$`));
    expect(await page.$$('main img, main script')).to.have.length(0);
    await screenshot(page, 'app-07-xss-search');

    for (const p of [page, pageA, pageB]) {
      expect(await p.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).to.equal(undefined);
    }
    expect(cspErrors(errors.get(page)!)).to.deep.equal([]);
    await page.close();
  });

  it('no page logged a CSP violation, a console error or an uncaught exception', () => {
    const all = [...errors.values()].flat();
    expect(cspErrors(all)).to.deep.equal([]);
    expect(all).to.deep.equal([]);
  });
});
