import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSlack } from '../adapters/slack/testing/FakeSlack.ts';
import { eventBody, fileSharedEvent, postSigned, slashCommandBody } from '../adapters/slack/testing/requests.ts';
import { createContainer, type Container } from '../bot/container.ts';
import { startServer, type RunningServer } from '../bot/server.ts';
import { startSlack } from '../bot/slack.ts';
import { setSubscribed } from '../adapters/slack/subscriptions.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';

const SECRET = 'slack-signing-secret-for-tests';
const TEAM = { id: 'T0WIRE', name: 'Wiring', botToken: 'xoxb-wiring', botUserId: 'U0BOT' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The production wiring (bot/slack.ts, bot/server.ts): Slack's requests reach
 * the adapter on the dashboard's own HTTP server, ahead of sign-in and body
 * parsing, and a shared transcript becomes a meeting with minutes in its thread.
 */
describe('bot wiring: Slack on the production server', function () {
  this.timeout(120_000);
  let dataDir: string;
  let c: Container;
  let fake: FakeSlack;
  let running: RunningServer;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'minutes-slack-'));
    fake = await FakeSlack.start({ teams: [TEAM], users: [{ id: 'U1', teamId: TEAM.id, name: 'ada' }], channels: [{ id: 'C1', teamId: TEAM.id, name: 'general' }, { id: 'C2', teamId: TEAM.id, name: 'minutes' }] });
    c = await createContainer(loadConfig({
      DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', JOB_BACKOFF_MS: '50', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TEAM.botToken, ASR_ENGINE: 'pocketsphinx',
    }), createLogger({ level: 'silent' }));
    startSlack(c, { clientOptions: { slackApiUrl: fake.apiUrl } });
    running = await startServer(c);
  });
  after(async () => {
    await running?.stop();
    await c?.close();
    await fake?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a signed /minutes through response_url, refuses a forged one with 401, and turns a shared transcript into minutes in its thread', async () => {
    const url = `${running.url}/slack/events`;
    const responseUrl = fake.responseUrl();
    const help = await postSigned(url, slashCommandBody({ teamId: TEAM.id, channelId: 'C1', userId: 'U1', text: 'help', responseUrl }), { secret: SECRET, contentType: 'application/x-www-form-urlencoded' });
    expect(help.status).to.equal(200);
    for (let i = 0; i < 100 && fake.responses(responseUrl).length === 0; i++) await sleep(50);
    expect(JSON.stringify(fake.responses(responseUrl))).to.contain('/minutes');

    const forged = await postSigned(url, slashCommandBody({ teamId: TEAM.id, channelId: 'C1', userId: 'U1', text: 'list', responseUrl: fake.responseUrl() }), { secret: SECRET, contentType: 'application/x-www-form-urlencoded', forgeSignature: true });
    expect(forged.status).to.equal(401);

    const file = fake.addFile({ id: 'F1', name: 'launch.vtt', mimetype: 'text/vtt', filetype: 'vtt', content: readFileSync(new URL('./fixtures/transcripts/teams.vtt', import.meta.url)), teamId: TEAM.id, channels: ['C1'] });
    const event = await postSigned(url, eventBody({ teamId: TEAM.id, event: fileSharedEvent({ fileId: file.id, userId: 'U1', channelId: 'C1' }) }), { secret: SECRET, contentType: 'application/json' });
    expect(event.status).to.equal(200);
    let meetings = await c.meetings.listMeetings({});
    for (let i = 0; i < 200 && meetings.total === 0; i++, await sleep(50)) meetings = await c.meetings.listMeetings({});
    expect(meetings.items[0]!.externalIds).to.include({ slackFileId: 'F1' });
    const posted = await fake.waitFor('chat.postMessage', (call) => JSON.stringify(call.body).includes('Minutes') || JSON.stringify(call.body).includes('minutes'), 15_000);
    expect(posted.body.channel).to.equal('C1');
    // In the thread of the message that shared the file.
    const shareTs = fake.messages('C1').find((m) => m.user === 'U1')!.ts;
    expect(posted.body.thread_ts).to.equal(shareTs);
    // The dashboard itself still requires sign-in: Slack's route is the only door opened.
    expect((await fetch(`${running.url}/api/meetings`)).status).to.equal(401);
  });

  it('minutes of a subscribed organization reach its channel through a job, retried when Slack fails once', async () => {
    // The workspace is mapped to the organization by the first test's requests.
    const subscribed = await setSubscribed(c.stores.workspaces, TEAM.id, 'C2', true);
    expect(subscribed).to.include('C2');
    const organizationId = (await c.stores.workspaces.find('slack', TEAM.id))!.organizationId;
    fake.failNext('chat.postMessage', 'internal_error');
    const { meeting } = await c.meetings.importTranscript({
      organizationId, title: 'Subscribed sync',
      transcript: { format: 'text', segments: [{ speaker: 'Ada', startMs: 0, endMs: 4000, text: 'We decided to ship on Friday. Ada will write the notes by Thursday.' }] },
    });
    const post = await fake.waitFor('chat.postMessage', (call) => call.body.channel === 'C2' && call.response.ok === true, 20_000);
    expect(JSON.stringify(post.body)).to.contain('Subscribed sync');
    const failures = fake.callsTo('chat.postMessage').filter((call) => call.body.channel === 'C2' && call.response.ok === false);
    expect(failures, 'the first attempt failed and the job tried again').to.have.length(1);
    for (let i = 0; i < 40 && !(await c.meetings.getMeeting(meeting.id)).externalIds[`slack:${TEAM.id}:C2`]; i++) await sleep(50);
    expect((await c.meetings.getMeeting(meeting.id)).externalIds[`slack:${TEAM.id}:C2`], 'the posted message is remembered for edits').to.equal(post.response.ts);
    expect(fake.callsTo('chat.postMessage').filter((call) => call.body.channel === 'C2' && call.response.ok === true && !call.body.thread_ts), 'posted once').to.have.length(1);
    expect((await c.jobs.counts()).failed).to.equal(0);
  });
});
