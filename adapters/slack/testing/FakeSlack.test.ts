import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ExpressReceiver, type Logger, MemoryInstallationStore, isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import { ErrorCode, LogLevel, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { FakeSlack } from './FakeSlack.ts';
import {
  SLACK_DEFAULTS, appHomeOpenedEvent, blockActionsBody, eventBody, fileSharedEvent, messageEvent, postSigned, signSlack,
  slashCommandBody,
} from './requests.ts';
import { BLOCK_LIMITS, validateBlocks, validateView } from './blockLimits.ts';

const T1 = { id: 'T0000TEAM1', name: 'Acme', botToken: 'xoxb-team1-token', botUserId: 'U0000BOT01' };
const T2 = { id: 'T0000TEAM2', name: 'Globex', botToken: 'xoxb-team2-token', botUserId: 'U0000BOT02' };
const ALICE = { id: 'U0000ALICE', teamId: T1.id, name: 'alice', realName: 'Alice Liddell', tz: 'Europe/Paris' };
const BOB = { id: 'U00000BOB1', teamId: T2.id, name: 'bob' };
const GENERAL = { id: 'C0000GENRL', teamId: T1.id, name: 'general' };
const OTHER = { id: 'C0000OTHER', teamId: T2.id, name: 'random' };

function platformError(err: unknown): string {
  expect(err).to.have.property('code', ErrorCode.PlatformError);
  return (err as WebAPIPlatformError).data.error;
}

async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('FakeSlack with a real WebClient', function () {
  this.timeout(15_000);
  let fake: FakeSlack;
  let client: WebClient;

  before(async () => {
    fake = await FakeSlack.start({ teams: [T1, T2], users: [ALICE, BOB], channels: [GENERAL, OTHER] });
    client = new WebClient(T1.botToken, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
  });
  after(() => fake.stop());

  it('serves the API under /api/ and answers auth.test for a bot token', async () => {
    expect(fake.apiUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const res = await client.auth.test();
    expect(res).to.include({ ok: true, team_id: T1.id, user_id: T1.botUserId, team: 'Acme', url: 'https://acme.slack.com/' });
    expect(res.bot_id).to.match(/^B/);
    const call = fake.callsTo('auth.test').at(-1)!;
    expect(call.token).to.equal(T1.botToken);
  });

  it('rejects a wrong or absent token with invalid_auth and an unknown method with unknown_method', async () => {
    const bad = new WebClient('xoxb-nope', { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    expect(platformError(await rejects(bad.chat.postMessage({ channel: GENERAL.id, text: 'x' })))).to.equal('invalid_auth');
    const none = new WebClient(undefined, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    expect(platformError(await rejects(none.auth.test()))).to.equal('invalid_auth');
    expect(platformError(await rejects(client.apiCall('no.such.method')))).to.equal('unknown_method');
  });

  it('posts, threads, updates and links messages; records parsed blocks', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Minutes*' } }];
    const posted = await client.chat.postMessage({ channel: GENERAL.id, text: 'Minutes', blocks });
    expect(posted.ok).to.equal(true);
    expect(posted.channel).to.equal(GENERAL.id);
    expect(posted.ts).to.match(/^\d{10}\.\d{6}$/);
    expect(posted.message).to.deep.include({ text: 'Minutes', user: T1.botUserId, blocks });

    const call = await fake.waitFor('chat.postMessage', (c) => c.body.text === 'Minutes');
    expect(call.body.blocks).to.deep.equal(blocks);
    expect(call.token).to.equal(T1.botToken);

    const reply = await client.chat.postMessage({ channel: GENERAL.id, text: 'details', thread_ts: posted.ts! });
    const updated = await client.chat.update({ channel: GENERAL.id, ts: posted.ts!, text: 'Minutes (v2)', blocks: [] });
    expect(updated).to.include({ ok: true, ts: posted.ts, text: 'Minutes (v2)' });

    const msgs = fake.messages(GENERAL.id);
    const parent = msgs.find((m) => m.ts === posted.ts)!;
    expect(parent).to.include({ text: 'Minutes (v2)', user: T1.botUserId });
    expect(parent.blocks).to.deep.equal([]);
    expect(msgs.find((m) => m.ts === reply.ts)).to.include({ thread_ts: posted.ts, text: 'details' });
    expect(fake.thread(GENERAL.id, posted.ts!).map((m) => m.text)).to.deep.equal(['details']);

    const link = await client.chat.getPermalink({ channel: GENERAL.id, message_ts: posted.ts! });
    expect(link.permalink).to.equal(`https://acme.slack.com/archives/${GENERAL.id}/p${posted.ts!.replace('.', '')}`);
    const replyLink = await client.chat.getPermalink({ channel: GENERAL.id, message_ts: reply.ts! });
    expect(replyLink.permalink).to.contain(`?thread_ts=${posted.ts}&cid=${GENERAL.id}`);

    expect(platformError(await rejects(client.chat.update({ channel: GENERAL.id, ts: '1.000001', text: 'x' })))).to.equal('message_not_found');
    // blocks that break Block Kit limits are rejected like Slack does, with the violations listed
    const tooLong = await rejects(client.chat.postMessage({ channel: GENERAL.id, text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] }));
    expect(platformError(tooLong)).to.equal('invalid_blocks');
    expect((tooLong as WebAPIPlatformError).data.response_metadata?.messages?.[0]).to.match(/^\[ERROR\] blocks\[0\]\.text\.text: 151 chars > 150/);
    const badView = await rejects(client.views.publish({ user_id: ALICE.id, view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }] } }));
    expect(platformError(badView)).to.equal('invalid_arguments');
    expect(platformError(await rejects(client.chat.postMessage({ channel: 'C0000NOPE0', text: 'x' })))).to.equal('channel_not_found');
    // a workspace's token cannot reach another workspace's channel
    expect(platformError(await rejects(client.chat.postMessage({ channel: OTHER.id, text: 'x' })))).to.equal('channel_not_found');
  });

  it('posts to a user id as a DM and keeps ephemerals apart', async () => {
    const dm = await client.chat.postMessage({ channel: ALICE.id, text: 'your link' });
    expect(dm.channel).to.match(/^D/);
    expect(fake.messages(ALICE.id).map((m) => m.text)).to.include('your link');
    expect(fake.messages(dm.channel!).map((m) => m.text)).to.include('your link');

    const eph = await client.chat.postEphemeral({ channel: GENERAL.id, user: ALICE.id, text: 'only you' });
    expect(eph.message_ts).to.match(/^\d+\.\d+$/);
    expect(fake.ephemerals(GENERAL.id)).to.deep.include({ channel: GENERAL.id, user: ALICE.id, message_ts: eph.message_ts, text: 'only you' });
    expect(fake.messages(GENERAL.id).map((m) => m.text)).not.to.include('only you');
  });

  it('serves files.info and url_private only with the bot token of the file’s workspace', async () => {
    const content = Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n');
    const added = fake.addFile({ id: 'F0000FILE1', name: 'standup.vtt', mimetype: 'text/vtt', filetype: 'vtt', content, teamId: T1.id, channels: [GENERAL.id] });
    const info = await client.files.info({ file: 'F0000FILE1' });
    expect(info.file).to.include({ id: 'F0000FILE1', name: 'standup.vtt', mimetype: 'text/vtt', filetype: 'vtt', size: content.length, url_private: added.url_private });
    expect(info.file!.channels).to.deep.equal([GENERAL.id]);

    const ok = await fetch(info.file!.url_private!, { headers: { Authorization: `Bearer ${T1.botToken}` } });
    expect(ok.status).to.equal(200);
    expect(ok.headers.get('content-type')).to.equal('text/vtt');
    expect(Buffer.from(await ok.arrayBuffer()).equals(content)).to.equal(true);
    const dl = await fetch(info.file!.url_private_download!, { headers: { Authorization: `Bearer ${T1.botToken}` } });
    expect(Buffer.from(await dl.arrayBuffer()).equals(content)).to.equal(true);

    // without (or with another workspace's) token Slack redirects to its sign-in page
    const anon = await fetch(added.url_private, { redirect: 'manual' });
    expect(anon.status).to.equal(302);
    const followed = await fetch(added.url_private, { headers: { Authorization: `Bearer ${T2.botToken}` } });
    expect(followed.headers.get('content-type')).to.contain('text/html');

    const other = new WebClient(T2.botToken, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    expect(platformError(await rejects(other.files.info({ file: 'F0000FILE1' })))).to.equal('file_not_found');
  });

  it('accepts files.uploadV2 into a thread and keeps the bytes', async () => {
    const parent = await client.chat.postMessage({ channel: GENERAL.id, text: 'Minutes' });
    const bytes = Buffer.from('Alice: hello\nBob: hi\n');
    const res = await client.filesUploadV2({ channel_id: GENERAL.id, thread_ts: parent.ts!, file: bytes, filename: 'transcript.txt', title: 'Transcript', initial_comment: 'Full transcript' });
    expect(res.ok).to.equal(true);
    const up = fake.uploads().at(-1)!;
    expect(up).to.include({ name: 'transcript.txt', title: 'Transcript', threadTs: parent.ts, initialComment: 'Full transcript' });
    expect(up.content.equals(bytes)).to.equal(true);
    const shared = fake.thread(GENERAL.id, parent.ts!);
    expect(shared).to.have.length(1);
    expect(shared[0]!.files).to.deep.equal([{ id: up.id, name: 'transcript.txt', title: 'Transcript' }]);
    const info = await client.files.info({ file: up.id });
    expect(info.file).to.include({ name: 'transcript.txt', mimetype: 'text/plain', size: bytes.length });
    const text = await client.filesUploadV2({ channel_id: GENERAL.id, content: 'plain text body', filename: 'notes.md' });
    expect(text.ok).to.equal(true);
    expect(fake.uploads().at(-1)!.content.toString('utf8')).to.equal('plain text body');
  });

  it('publishes the App Home and opens modals', async () => {
    const view = { type: 'home' as const, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Your actions' } }] };
    const res = await client.views.publish({ user_id: ALICE.id, view });
    expect(res.view).to.include({ type: 'home', team_id: T1.id });
    expect(res.view!.blocks).to.deep.equal(view.blocks);
    expect(fake.homeView(ALICE.id)?.blocks).to.deep.equal(view.blocks);
    const call = fake.callsTo('views.publish').at(-1)!;
    expect(call.body.view).to.deep.equal(view);

    const again = await client.views.publish({ user_id: ALICE.id, view: { type: 'home', blocks: [] } });
    expect(again.view!.id).to.equal(res.view!.id);

    const modal = await client.views.open({
      trigger_id: '1234567890123.1234567890123.abcdef0123456789abcdef0123456789',
      view: { type: 'modal', title: { type: 'plain_text', text: 'Reassign' }, blocks: [] },
    });
    expect(modal.view).to.include({ type: 'modal' });
    expect(fake.modals()).to.have.length(1);
  });

  it('answers users.info, conversations.info/join and team.info', async () => {
    const u = await client.users.info({ user: ALICE.id });
    expect(u.user).to.include({ id: ALICE.id, name: 'alice', real_name: 'Alice Liddell', tz: 'Europe/Paris', team_id: T1.id, is_bot: false });
    expect(u.user!.profile).to.include({ real_name: 'Alice Liddell', display_name: 'alice' });
    expect(platformError(await rejects(client.users.info({ user: BOB.id })))).to.equal('user_not_found');

    const c = await client.conversations.info({ channel: GENERAL.id });
    expect(c.channel).to.include({ id: GENERAL.id, name: 'general', is_channel: true, is_member: true });
    const j = await client.conversations.join({ channel: GENERAL.id });
    expect(j.channel).to.include({ id: GENERAL.id });

    const t = await client.team.info();
    expect(t.team).to.include({ id: T1.id, name: 'Acme', domain: 'acme' });
  });

  it('oauth.v2.access: good-code installs the first team, anything else is invalid_code', async () => {
    const anon = new WebClient(undefined, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    const res = await anon.oauth.v2.access({ client_id: '123.456', client_secret: 'shh', code: 'good-code' });
    expect(res).to.include({ ok: true, access_token: T1.botToken, bot_user_id: T1.botUserId, token_type: 'bot', is_enterprise_install: false });
    expect(res.team).to.deep.equal({ id: T1.id, name: 'Acme' });
    expect(res.enterprise).to.equal(null);
    expect(res.authed_user?.id).to.equal(ALICE.id);
    expect(res.scope).to.contain('chat:write');
    expect(res.app_id).to.equal(SLACK_DEFAULTS.apiAppId);
    expect(platformError(await rejects(anon.oauth.v2.access({ client_id: '1', client_secret: 's', code: 'bad' })))).to.equal('invalid_code');

    const code = fake.installCode(T2.id);
    const second = await anon.oauth.v2.access({ client_id: '1', client_secret: 's', code });
    expect(second.team?.id).to.equal(T2.id);
    expect(platformError(await rejects(anon.oauth.v2.access({ client_id: '1', client_secret: 's', code })))).to.equal('invalid_code');
  });

  it('failNext: errors once, and ratelimited is a 429 with Retry-After the WebClient honours', async () => {
    fake.failNext('chat.postMessage', 'not_in_channel');
    expect(platformError(await rejects(client.chat.postMessage({ channel: GENERAL.id, text: 'x' })))).to.equal('not_in_channel');

    const strict = new WebClient(T1.botToken, { slackApiUrl: fake.apiUrl, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
    fake.failNext('chat.postMessage', 'ratelimited');
    const err = await rejects(strict.chat.postMessage({ channel: GENERAL.id, text: 'x' }));
    expect(err).to.have.property('code', ErrorCode.RateLimitedError);
    expect(err).to.have.property('retryAfter', 1);

    fake.failNext('chat.postMessage', 'ratelimited');
    const before = fake.callsTo('chat.postMessage').length;
    const started = Date.now();
    const res = await client.chat.postMessage({ channel: GENERAL.id, text: 'after the limit' });
    expect(res.ok).to.equal(true);
    expect(Date.now() - started).to.be.greaterThanOrEqual(900);
    expect(fake.callsTo('chat.postMessage').length - before).to.equal(2);
  });

  it('records response_url posts', async () => {
    const url = fake.responseUrl();
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text: 'done', blocks: [] }) });
    expect(r.status).to.equal(200);
    expect(fake.responses(url)).to.deep.equal([{ response_type: 'ephemeral', text: 'done', blocks: [] }]);
    expect(fake.responses(fake.responseUrl())).to.deep.equal([]);
  });

  it('applies replace_original / in_channel / ephemeral posts to a bound response_url like Slack', async () => {
    const posted = await client.chat.postMessage({ channel: GENERAL.id, text: 'item: open' });
    const url = fake.responseUrl({ channel: GENERAL.id, messageTs: posted.ts!, userId: ALICE.id });
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await post({ replace_original: true, text: 'item: done', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'done' } }] });
    expect(fake.messages(GENERAL.id).find((m) => m.ts === posted.ts)).to.include({ text: 'item: done' });
    await post({ response_type: 'in_channel', text: 'for everyone' });
    expect(fake.messages(GENERAL.id).at(-1)).to.include({ text: 'for everyone', user: T1.botUserId });
    await post({ text: 'just for alice' });
    expect(fake.ephemerals(GENERAL.id).at(-1)).to.include({ user: ALICE.id, text: 'just for alice' });
    await post({ delete_original: true });
    expect(fake.messages(GENERAL.id).find((m) => m.ts === posted.ts)).to.equal(undefined);
    expect(fake.responses(url)).to.have.length(4);
  });

  it('waitFor resolves on a later call and times out with a useful message', async () => {
    const waiting = fake.waitFor('chat.postMessage', (c) => c.body.text === 'later');
    setTimeout(() => void client.chat.postMessage({ channel: GENERAL.id, text: 'later' }), 20);
    expect((await waiting).body.channel).to.equal(GENERAL.id);
    const err = await rejects(fake.waitFor('views.open', (c) => c.body.nope === 1, 50));
    expect(String(err)).to.contain('no matching views.open call');
  });
});

describe('signed Slack requests', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';

  it('matches Slack’s documented example signature', () => {
    // Example from Slack's "Verifying requests from Slack" guide.
    const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = signSlack(secret, body, 1531420618);
    expect(headers).to.deep.equal({
      'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'X-Slack-Request-Timestamp': '1531420618',
    });
  });

  it('passes Bolt’s own verifySlackRequest, and forged/old ones fail it', () => {
    const body = slashCommandBody({ teamId: T1.id, channelId: GENERAL.id, userId: ALICE.id, text: 'list', responseUrl: 'http://x/commands/1' });
    const h = signSlack(secret, body);
    const verify = (headers: Record<string, string>, b = body) => isValidSlackRequest({
      signingSecret: secret, body: b,
      headers: { 'x-slack-signature': headers['X-Slack-Signature']!, 'x-slack-request-timestamp': Number(headers['X-Slack-Request-Timestamp']) },
    });
    expect(() => verifySlackRequest({
      signingSecret: secret, body,
      headers: { 'x-slack-signature': h['X-Slack-Signature']!, 'x-slack-request-timestamp': Number(h['X-Slack-Request-Timestamp']) },
    })).not.to.throw();
    expect(verify(h)).to.equal(true);
    expect(verify(h, `${body}&x=1`)).to.equal(false);
    expect(verify(signSlack('wrong', body))).to.equal(false);
    expect(verify(signSlack(secret, body, Math.floor(Date.now() / 1000) - 6 * 60))).to.equal(false);
  });

  it('builds slash command, event and block_actions bodies in Slack’s wire format', () => {
    const form = new URLSearchParams(slashCommandBody({
      teamId: T1.id, channelId: GENERAL.id, userId: ALICE.id, text: 'summary standup', responseUrl: 'http://x/r', apiAppId: 'A1',
    }));
    expect(Object.fromEntries(form)).to.include({
      team_id: T1.id, channel_id: GENERAL.id, user_id: ALICE.id, command: '/minutes', text: 'summary standup',
      response_url: 'http://x/r', api_app_id: 'A1',
    });
    for (const k of ['token', 'team_domain', 'channel_name', 'user_name', 'trigger_id']) expect(form.get(k)).to.be.a('string').and.not.equal('');
    expect(form.get('trigger_id')).to.match(/^\d+\.\d+\.[0-9a-f]+$/);

    const ev = JSON.parse(eventBody({ teamId: T1.id, event: appHomeOpenedEvent({ userId: ALICE.id }), eventId: 'Ev1' })) as Record<string, unknown>;
    expect(ev).to.include({ type: 'event_callback', team_id: T1.id, event_id: 'Ev1', api_app_id: SLACK_DEFAULTS.apiAppId });
    expect(ev.event_time).to.be.a('number');
    expect(ev.authorizations).to.deep.equal([{ enterprise_id: null, team_id: T1.id, user_id: SLACK_DEFAULTS.botUserId, is_bot: true, is_enterprise_install: false }]);
    expect(ev.event).to.include({ type: 'app_home_opened', user: ALICE.id, tab: 'home' });

    const shared = messageEvent({ channelId: GENERAL.id, userId: ALICE.id, text: '', files: [{ id: 'F1' }] });
    expect(shared).to.include({ type: 'message', subtype: 'file_share', channel_type: 'channel' });
    expect(fileSharedEvent({ fileId: 'F1', userId: ALICE.id, channelId: GENERAL.id })).to.deep.include({ type: 'file_shared', file_id: 'F1', file: { id: 'F1' } });

    const blocks = [{ type: 'actions', block_id: 'ai:42', elements: [
      { type: 'button', action_id: 'action_done', text: { type: 'plain_text', text: 'Mark done' }, value: '42', style: 'primary' },
      { type: 'static_select', action_id: 'action_snooze', placeholder: { type: 'plain_text', text: 'Snooze' }, options: [
        { text: { type: 'plain_text', text: '1 day' }, value: '1d' }] },
    ] }];
    const body = blockActionsBody({
      teamId: T1.id, userId: ALICE.id, channelId: GENERAL.id, messageTs: '1700000000.000100', responseUrl: 'http://x/r',
      messageBlocks: blocks, actions: [{ action_id: 'action_done' }, { action_id: 'action_snooze', selected_option: { value: '1d' } }],
    });
    expect(body.startsWith('payload=')).to.equal(true);
    const payload = JSON.parse(new URLSearchParams(body).get('payload')!) as Record<string, any>;
    expect(payload.type).to.equal('block_actions');
    expect(payload.user).to.include({ id: ALICE.id, team_id: T1.id });
    expect(payload.team).to.include({ id: T1.id });
    expect(payload.channel).to.include({ id: GENERAL.id });
    expect(payload.container).to.include({ type: 'message', message_ts: '1700000000.000100', channel_id: GENERAL.id });
    expect(payload.message).to.include({ ts: '1700000000.000100' });
    expect(payload.message.blocks).to.deep.equal(blocks);
    expect(payload.response_url).to.equal('http://x/r');
    expect(payload.trigger_id).to.match(/^\d+\.\d+\.[0-9a-f]+$/);
    expect(payload.actions[0]).to.include({ action_id: 'action_done', block_id: 'ai:42', type: 'button', value: '42' });
    expect(payload.actions[0].text).to.deep.equal({ type: 'plain_text', text: 'Mark done' });
    expect(payload.actions[1]).to.include({ action_id: 'action_snooze', block_id: 'ai:42', type: 'static_select' });
    expect(payload.actions[1].selected_option).to.deep.equal({ text: { type: 'plain_text', text: '1 day' }, value: '1d' });
  });

  it('postSigned sends what Slack sends, with retry headers and forged signatures on request', async () => {
    const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.end('');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
      const body = eventBody({ teamId: T1.id, event: messageEvent({ channelId: GENERAL.id, userId: ALICE.id, text: 'hi' }) });
      await postSigned(url, body, { secret, contentType: 'application/json', retryNum: 1 });
      await postSigned(url, body, { secret, contentType: 'application/json', forgeSignature: true });
      const [first, forged] = seen;
      expect(first!.body).to.equal(body);
      expect(first!.headers['content-type']).to.equal('application/json');
      expect(first!.headers['x-slack-retry-num']).to.equal('1');
      expect(first!.headers['x-slack-retry-reason']).to.equal('http_timeout');
      const check = (h: IncomingMessage['headers']) => isValidSlackRequest({
        signingSecret: secret, body,
        headers: { 'x-slack-signature': String(h['x-slack-signature']), 'x-slack-request-timestamp': Number(h['x-slack-request-timestamp']) },
      });
      expect(check(first!.headers)).to.equal(true);
      expect(forged!.headers['x-slack-signature']).to.match(/^v0=[0-9a-f]{64}$/);
      expect(check(forged!.headers)).to.equal(false);
      expect(forged!.headers['x-slack-retry-num']).to.equal(undefined);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('validateBlocks', () => {
  const section = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'section', text: { type: 'mrkdwn', text }, ...extra });
  const button = (action_id: string, text = 'Go', extra: Record<string, unknown> = {}) => ({ type: 'button', action_id, text: { type: 'plain_text', text }, ...extra });
  const one = (errors: string[], pattern: RegExp) => {
    expect(errors, JSON.stringify(errors)).to.have.length(1);
    expect(errors[0]).to.match(pattern);
  };

  it('accepts a well-formed minutes message', () => {
    expect(validateBlocks([
      { type: 'header', text: { type: 'plain_text', text: 'Standup — minutes', emoji: true } },
      section('*Summary*', { block_id: 'summary' }),
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Owner*\n<@U1>' }, { type: 'mrkdwn', text: '*Due*\nFri' }] },
      { type: 'actions', block_id: 'ai:1', elements: [button('done', 'Mark done', { value: '1', style: 'primary' }), button('snooze')] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Attendees: 3' }] },
      { type: 'divider' },
    ], 'message')).to.deep.equal([]);
  });

  it('caps the number of blocks per surface', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    one(validateBlocks(blocks, 'message'), /51 blocks > 50/);
    expect(validateBlocks(blocks, 'home')).to.deep.equal([]);
    one(validateBlocks([...blocks, ...blocks], 'modal'), /102 blocks > 100/);
  });

  it('catches section, field, header and context limits', () => {
    one(validateBlocks([section('x'.repeat(BLOCK_LIMITS.sectionText + 1))], 'message'), /blocks\[0\]\.text\.text: 3001 chars > 3000/);
    expect(validateBlocks([section('x'.repeat(3000))], 'message')).to.deep.equal([]);
    const field = (t: string) => ({ type: 'mrkdwn', text: t });
    one(validateBlocks([{ type: 'section', fields: Array.from({ length: 11 }, () => field('a')) }], 'message'), /11 fields > 10/);
    one(validateBlocks([{ type: 'section', fields: [field('a'.repeat(2001))] }], 'message'), /fields\[0\]\.text: 2001 chars > 2000/);
    one(validateBlocks([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }], 'message'), /151 chars > 150/);
    one(validateBlocks([{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], 'message'), /must be 'plain_text'/);
    one(validateBlocks([{ type: 'context', elements: Array.from({ length: 11 }, () => field('c')) }], 'message'), /11 elements > 10/);
    one(validateBlocks([{ type: 'section' }], 'message'), /needs text or fields/);
  });

  it('catches actions and button limits', () => {
    const many = Array.from({ length: 26 }, (_, i) => button(`a${i}`));
    one(validateBlocks([{ type: 'actions', elements: many }], 'message'), /26 elements > 25/);
    one(validateBlocks([{ type: 'actions', elements: [button('a', 'b'.repeat(76))] }], 'message'), /76 chars > 75 \(button text\)/);
    one(validateBlocks([{ type: 'actions', elements: [button('a', 'ok', { value: 'v'.repeat(2001) })] }], 'message'), /2001 chars > 2000 \(button value\)/);
    one(validateBlocks([{ type: 'actions', elements: [button('a'.repeat(256))] }], 'message'), /action_id: 256 chars > 255/);
    one(validateBlocks([{ type: 'actions', elements: [button('dup'), button('dup')] }], 'message'), /duplicate action_id "dup"/);
    // the same action_id in different blocks is fine
    expect(validateBlocks([{ type: 'actions', elements: [button('dup')] }, { type: 'actions', elements: [button('dup')] }], 'message')).to.deep.equal([]);
    one(validateBlocks([section('x', { accessory: button('a', 'ok', { style: 'green' }) })], 'message'), /style/);
    one(validateBlocks([{ type: 'actions', elements: [{ ...button('a'), text: { type: 'mrkdwn', text: '*b*' } }] }], 'message'), /must be 'plain_text'/);
  });

  it('catches block_id length and uniqueness, and invalid text objects', () => {
    one(validateBlocks([section('x', { block_id: 'b'.repeat(256) })], 'message'), /block_id: 256 chars > 255/);
    one(validateBlocks([section('x', { block_id: 'same' }), section('y', { block_id: 'same' })], 'message'), /duplicate block_id "same"/);
    one(validateBlocks([{ type: 'section', text: { type: 'markdown', text: 'x' } }], 'message'), /must be 'plain_text' or 'mrkdwn'/);
    one(validateBlocks([{ type: 'section', text: { type: 'mrkdwn', text: '' } }], 'message'), /non-empty/);
    one(validateBlocks([{ type: 'section', text: { type: 'mrkdwn', text: 'x', emoji: true } }], 'message'), /emoji: only allowed on plain_text/);
    one(validateBlocks([{ type: 'section', text: 'plain string' }], 'message'), /must be a text object/);
    one(validateBlocks([{ type: 'banner' }], 'message'), /unknown block type/);
  });

  it('validateView checks modal chrome too', () => {
    expect(validateView({ type: 'modal', title: { type: 'plain_text', text: 'Reassign' }, blocks: [] })).to.deep.equal([]);
    one(validateView({ type: 'modal', title: { type: 'plain_text', text: 't'.repeat(25) }, blocks: [] }), /view\.title\.text: 25 chars > 24/);
    one(validateView({ type: 'home', blocks: [section('x'.repeat(3001))] }), /view\.blocks\[0\]\.text\.text/);
  });
});

// Bolt logs the (expected) failed OAuth callback at error level; keep test output clean.
const quiet: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {},
  setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {},
};

describe('FakeSlack + requests drive a real Bolt app', function () {
  this.timeout(20_000);
  const secret = 'bolt-signing-secret';
  let fake: FakeSlack;
  let server: Server;
  let base: string;
  let app: App;
  const retries: (number | undefined)[] = [];

  before(async () => {
    fake = await FakeSlack.start({ teams: [T1, T2], users: [ALICE, BOB], channels: [GENERAL, OTHER] });
    const receiver = new ExpressReceiver({
      signingSecret: secret, processBeforeResponse: true, logger: quiet,
      clientId: '123.456', clientSecret: 'client-secret', stateSecret: 'state-secret', scopes: ['chat:write', 'commands'],
      installationStore: new MemoryInstallationStore(),
      installerOptions: { clientOptions: { slackApiUrl: fake.apiUrl }, directInstall: false },
    });
    app = new App({ receiver, clientOptions: { slackApiUrl: fake.apiUrl }, logger: quiet });
    app.command('/minutes', async ({ ack, respond, command }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: `you asked: ${command.text}` });
    });
    app.action('action_done', async ({ ack, body, client }) => {
      await ack();
      const b = body as { channel?: { id: string }; message?: { ts: string } };
      await client.chat.update({ channel: b.channel!.id, ts: b.message!.ts, text: 'done ✓', blocks: [] });
    });
    app.event('app_home_opened', async ({ event, client, context }) => {
      retries.push(context.retryNum);
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Home' } }] } });
    });
    server = await new Promise<Server>((resolve) => {
      const s = receiver.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await fake.stop();
  });

  it('installs through /slack/install → oauth.v2.access(good-code) → auth.test with the state cookie', async () => {
    const install = await fetch(`${base}/slack/install`);
    expect(install.status).to.equal(200);
    const cookie = install.headers.get('set-cookie')!.split(';')[0]!;
    const html = await install.text();
    const state = /state=([^"&]+)/.exec(html)![1]!;
    const noCookie = await fetch(`${base}/slack/oauth_redirect?code=good-code&state=${state}`);
    expect(noCookie.status).to.be.greaterThanOrEqual(400);
    const done = await fetch(`${base}/slack/oauth_redirect?code=good-code&state=${state}`, { headers: { cookie } });
    expect(done.status).to.equal(200);
    const access = fake.callsTo('oauth.v2.access').at(-1)!;
    expect(access.body).to.include({ code: 'good-code', client_id: '123.456', client_secret: 'client-secret' });
    expect(access.response.ok).to.equal(true);
    expect(fake.callsTo('auth.test').some((c) => c.token === T1.botToken)).to.equal(true);
  });

  it('answers url_verification and rejects a forged signature', async () => {
    const challenge = await postSigned(`${base}/slack/events`, JSON.stringify({ token: 'x', challenge: 'abc', type: 'url_verification' }), { secret, contentType: 'application/json' });
    expect(await challenge.text()).to.contain('abc');
    const forged = await postSigned(`${base}/slack/events`, slashCommandBody({ teamId: T1.id, channelId: GENERAL.id, userId: ALICE.id, text: 'list', responseUrl: fake.responseUrl() }), {
      secret, contentType: 'application/x-www-form-urlencoded', forgeSignature: true,
    });
    expect(forged.status).to.equal(401);
    const old = await postSigned(`${base}/slack/events`, slashCommandBody({ teamId: T1.id, channelId: GENERAL.id, userId: ALICE.id, text: 'list', responseUrl: fake.responseUrl() }), {
      secret, contentType: 'application/x-www-form-urlencoded', timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(old.status).to.equal(401);
  });

  it('runs a slash command with respond() landing on the fake response_url', async () => {
    const responseUrl = fake.responseUrl();
    const res = await postSigned(`${base}/slack/events`, slashCommandBody({ teamId: T1.id, channelId: GENERAL.id, userId: ALICE.id, text: 'summary standup', responseUrl }), {
      secret, contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).to.equal(200);
    expect(fake.responses(responseUrl)).to.deep.equal([{ response_type: 'ephemeral', text: 'you asked: summary standup' }]);
  });

  it('runs a block_actions click that updates the message in place', async () => {
    const client = new WebClient(T1.botToken, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    const blocks = [{ type: 'actions', block_id: 'ai:7', elements: [{ type: 'button', action_id: 'action_done', text: { type: 'plain_text', text: 'Done' }, value: '7' }] }];
    const posted = await client.chat.postMessage({ channel: GENERAL.id, text: 'action item', blocks });
    const res = await postSigned(`${base}/slack/events`, blockActionsBody({
      teamId: T1.id, userId: ALICE.id, channelId: GENERAL.id, messageTs: posted.ts!, messageBlocks: blocks,
      actions: [{ action_id: 'action_done' }], responseUrl: fake.responseUrl(),
    }), { secret, contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).to.equal(200);
    await fake.waitFor('chat.update', (c) => c.body.ts === posted.ts);
    expect(fake.messages(GENERAL.id).find((m) => m.ts === posted.ts)).to.include({ text: 'done ✓' });
  });

  it('delivers events with the installed workspace token and exposes X-Slack-Retry-Num', async () => {
    const body = eventBody({ teamId: T1.id, event: appHomeOpenedEvent({ userId: ALICE.id }), eventId: 'Ev0RETRY01' });
    const res = await postSigned(`${base}/slack/events`, body, { secret, contentType: 'application/json', retryNum: 1 });
    expect(res.status).to.equal(200);
    const call = await fake.waitFor('views.publish', (c) => c.body.user_id === ALICE.id);
    expect(call.token).to.equal(T1.botToken);
    expect(retries).to.deep.equal([1]);
    expect(fake.homeView(ALICE.id)?.blocks).to.have.length(1);
  });
});
