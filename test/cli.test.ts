import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The CLI and `npm start` as a user runs them: real processes, the embedded
 * PGlite database in a temporary data dir, no configuration.
 */
const root = new URL('..', import.meta.url).pathname;
const tsx = join(root, 'node_modules/.bin/tsx');
const fixture = (name: string) => join(root, 'test/fixtures/transcripts', name);

describe('command line (embedded PGlite)', function () {
  this.timeout(120_000);
  let dataDir: string;
  // LLM keys blanked: the minutes here are the offline analyzer's, and no test reaches a network.
  const noLlm = { ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', GEMINI_API_KEY: '', OPENAI_COMPATIBLE_BASE_URL: '' };
  const env = () => ({ ...process.env, ...noLlm, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '', PORT: '0' });
  const cli = (...args: string[]) => spawnSync(tsx, ['bot/cli.ts', ...args], { cwd: root, env: env(), encoding: 'utf8' });

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'minutes-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  // A failing assertion must not leave a started service running after the suite (it would hold a port and a data dir).
  const started: ChildProcess[] = [];
  after(() => { for (const child of started) if (child.exitCode === null) child.kill('SIGKILL'); });

  it('imports, lists, searches, shows and exports a meeting', () => {
    const imported = cli('import', fixture('ami-ES2002a-excerpt.json'), '--title', 'Kick-off');
    expect(imported.status, imported.stderr).to.equal(0);
    const id = /as meeting ([0-9a-f-]{36})/.exec(imported.stdout)?.[1];
    expect(id, imported.stdout).to.be.a('string');

    const list = cli('list');
    expect(list.stdout).to.contain(id).and.to.contain('Kick-off');

    const search = cli('search', 'project');
    expect(search.status, search.stderr).to.equal(0);
    expect(search.stdout).to.match(/«project»/i);
    expect(search.stdout).to.contain(`/meetings/${id}#seg-`);

    const show = cli('show', id!);
    expect(show.stdout).to.contain('Attendees:');

    const md = cli('export', id!, '--format', 'md');
    expect(md.status, md.stderr).to.equal(0);
    expect(md.stdout).to.match(/^# Kick-off/m);
    const vtt = cli('export', id!, '--format', 'vtt');
    expect(vtt.stdout.startsWith('WEBVTT')).to.equal(true);
  });

  it('writes minutes on import; summarize, ask and translate them', () => {
    const imported = cli('import', fixture('launch-planning.txt'), '--title', 'Launch planning');
    expect(imported.status, imported.stderr).to.equal(0);
    const id = /as meeting ([0-9a-f-]{36})/.exec(imported.stdout)?.[1];
    expect(imported.stdout).to.match(/minutes: 1 decision\(s\), 1 action item\(s\), \d+ question\(s\), 1 blocker\(s\) · by offline analyzer/);

    const summary = cli('summarize', id!);
    expect(summary.status, summary.stderr).to.equal(0);
    expect(summary.stdout).to.contain('written by: offline analyzer');
    for (const heading of ['Summary', 'Decisions', 'Action items', 'Open questions', 'Blockers']) expect(summary.stdout).to.match(new RegExp(`^${heading}$`, 'm'));
    expect(summary.stdout).to.contain('owner: Alice · due: ');
    // Evidence is quoted from the transcript with its time.
    expect(summary.stdout).to.contain('[01:33] Alice: "Yes, we agreed to keep the campaign budget as planned."');
    const again = cli('summarize', id!, '--regenerate');
    expect(again.status, again.stderr).to.equal(0);
    expect(again.stderr).to.contain('minutes written by offline analyzer');
    expect(again.stdout.match(/^ {2}1\. /gm)?.length).to.equal(summary.stdout.match(/^ {2}1\. /gm)?.length);

    const ask = cli('ask', id!, 'Who will fix the payment crash?');
    expect(ask.status, ask.stderr).to.equal(0);
    expect(ask.stdout).to.contain('Bob at 00:47 in "Launch planning": Agreed. I will fix the payment crash by Friday.');
    expect(ask.stdout).to.match(new RegExp(`/meetings/${id}#seg-\\d+`));
    const askAll = cli('ask', '--all', 'payment crash');
    expect(askAll.stdout).to.contain('I will fix the payment crash by Friday.');

    const translate = cli('translate', id!, 'German');
    expect(translate.status).to.equal(1);
    expect(translate.stderr).to.contain('NEEDS_LLM_PROVIDER');
  });

  it('reports bad input with a coded message and a non-zero exit', () => {
    const malformed = cli('import', fixture('bad-timestamp.vtt'));
    expect(malformed.status).to.equal(1);
    expect(malformed.stderr).to.match(/IMPORT_MALFORMED.*line 8/);
    const missing = cli('show', '00000000-0000-4000-8000-000000000000');
    expect(missing.status).to.equal(1);
    expect(missing.stderr).to.contain('MEETING_NOT_FOUND');
    const badFormat = cli('export', 'x', '--format', 'pdf');
    expect(badFormat.status).to.not.equal(0);
    expect(badFormat.stderr).to.match(/pdf/);
  });

  it('lists the schedules, runs one by hand, and names the known ones for an unknown task', () => {
    const list = cli('schedule', 'list');
    expect(list.status, list.stderr).to.equal(0);
    expect(list.stdout).to.match(/^digest\s+0 9 \* \* 1-5$/m).and.match(/^retention\s+30 3 \* \* \*$/m).and.match(/^stale-meetings\s/m);
    const run = cli('schedule', 'run', 'stale-meetings');
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^stale-meetings: stale 0, ended 0/m);
    const unknown = cli('schedule', 'run', 'nope');
    expect(unknown.status).to.equal(1);
    expect(unknown.stderr).to.match(/NOT_FOUND: No scheduled task named nope \(known: digest, reminders, retention, stale-meetings, missing-minutes\)/);
    expect(cli('jobs').stdout).to.match(/jobs run inside the service process/);
  });

  it('stops at startup naming a bad variable', () => {
    const r = spawnSync(tsx, ['bot/cli.ts', 'list'], { cwd: root, env: { ...env(), PORT: 'eighty' }, encoding: 'utf8' });
    expect(r.status).to.equal(78);
    expect(r.stderr).to.match(/PORT: expected/);
  });

  it('creates an administrator with a password from the environment, refusing a short one', () => {
    // A data dir of its own: the shared one must keep "no administrator has a password" for the npm start test.
    const own = mkdtempSync(join(tmpdir(), 'minutes-admin-'));
    const run = (password: string) => spawnSync(tsx, ['bot/cli.ts', 'admin', 'create', 'chair@example.org'], { cwd: root, env: { ...env(), DATA_DIR: own, MINUTES_ADMIN_PASSWORD: password }, encoding: 'utf8' });
    try {
      const short = run('short');
      expect(short.status).to.equal(1);
      expect(short.stderr).to.contain('REQUEST_INVALID');
      const ok = run('a long enough password');
      expect(ok.status, ok.stderr).to.equal(0);
      expect(ok.stdout).to.contain('administrator chair@example.org created');
      expect(run('another long password').status, 'the same email twice').to.equal(1);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('npm start serves /health on embedded defaults, says which adapters are off, and stops on SIGTERM', async () => {
    // A fresh data dir: what a newcomer's first start sees (the other tests here filled the shared one).
    const fresh = mkdtempSync(join(tmpdir(), 'minutes-start-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { cwd: root, env: { ...env(), DATA_DIR: fresh, LOG_LEVEL: 'info', LOG_FORMAT: 'json' } });
    child.once('exit', () => rmSync(fresh, { recursive: true, force: true }));
    started.push(child);
    let output = '';
    child.stderr.on('data', (d) => (output += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in:\n${output}`)), 60_000);
      child.stdout.on('data', (d) => {
        output += d;
        const m = /dashboard listening on (http:\/\/[^"\s]+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const health = await fetch(`${url}/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.include({ status: 'ok' });
    expect((await fetch(`${url}/ready`)).status).to.equal(200);
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status, 'metrics answer loopback without a session').to.equal(200);
    expect(await metrics.text()).to.contain('http_request_duration_seconds').and.contain('minutes_active_meetings');
    expect(output).to.contain('discord adapter off: set DISCORD_TOKEN and DISCORD_APPLICATION_ID to turn it on');
    expect(output).to.contain('slack adapter off');
    expect(output).to.contain('teams adapter off');
    expect(output).to.match(/minutes written by the offline analyzer; LLM providers off: set anthropic: ANTHROPIC_API_KEY, openai: OPENAI_API_KEY/);
    // A newcomer's first minute: the logged admin link signs in, the empty dashboard offers the sample, the sample has minutes.
    const link = new RegExp(`sign in to the dashboard as administrator: (${url}/auth/link/[A-Za-z0-9_-]+)`).exec(output)?.[1];
    expect(link, output).to.be.a('string');
    const signIn = await fetch(link!, { redirect: 'manual' });
    expect(signIn.status).to.equal(303);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /minutes_csrf=([^;]+)/.exec(cookie)![1]!;
    const home = await (await fetch(`${url}/`, { headers: { cookie } })).text();
    expect(home).to.contain('Import a sample meeting').and.contain('DISCORD_TOKEN');
    const imported = await fetch(`${url}/sample`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf}` });
    expect(imported.status).to.equal(303);
    const page = await (await fetch(new URL(imported.headers.get('location')!, url), { headers: { cookie } })).text();
    expect(page).to.contain('id="seg-').and.match(/Action items/);
    expect((await fetch(`${url}/`, { redirect: 'manual' })).status, 'signed-out visitors go to /login').to.equal(303);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).to.equal(0);
  });
});
