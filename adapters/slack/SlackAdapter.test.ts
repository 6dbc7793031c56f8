import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { answer } from '../../core/meetings/answer.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import { MinutesService } from '../../core/meetings/MinutesService.ts';
import { type Stores } from '../../core/store/index.ts';
import type { ActionItem, Meeting } from '../../core/types.ts';
import { database } from '../../test/support/databases.ts';
import { validateBlocks, validateView } from './testing/blockLimits.ts';
import { FakeSlack } from './testing/FakeSlack.ts';
import { appHomeOpenedEvent, appMentionEvent, blockActionsBody, eventBody, homeBlockActionsBody, postSigned, signSlack, slashCommandBody } from './testing/requests.ts';
import { createSlackAdapter, type SlackAdapter } from './SlackAdapter.ts';
import type { SlackAdapterOptions } from './types.ts';
import { MemoryInstallationStore } from '@slack/bolt';
import { testCore, until } from '../../test/support/core.ts';

export const SECRET = 'test-signing-secret-0123456789';
export const HOSTILE = 'We ship Friday <!channel> & tell <@U123> <https://evil.example|here> >_<';

export interface World {
  fake: FakeSlack; adapter: SlackAdapter; stores: Stores; meetings: MeetingService; minutes: MinutesService; bus: InProcessEventBus;
  url: string; teamId: string; channel: string; alice: string; bob: string; orgId: string; signIns: unknown[];
  command(text: string, as?: { userId?: string; channelId?: string }): Promise<{ status: number; responses: () => Record<string, unknown>[]; responseUrl: string }>;
  event(event: Record<string, unknown>, options?: { eventId?: string; retryNum?: number }): Promise<number>;
  seed(title?: string): Promise<{ meeting: Meeting; items: ActionItem[] }>;
  stop(): Promise<void>;
}

export { until };

/** A real core on PGlite, the adapter's router on 127.0.0.1 and a loopback fake Slack its WebClient talks to. */
export async function world(options: Partial<Pick<SlackAdapterOptions, 'mentionOwners' | 'installationStore' | 'claimEvent'>> & { noToken?: boolean } = {}): Promise<World> {
  const id = randomBytes(4).toString('hex').toUpperCase();
  const teamId = `T${id}`; const channel = `C${id}`; const alice = `UA${id}`; const bob = `UB${id}`;
  const fake = await FakeSlack.start({
    teams: [{ id: teamId, name: 'Acme', domain: `acme-${id.toLowerCase()}`, botToken: `xoxb-${id}`, botUserId: `UBOT${id}` }],
    users: [{ id: alice, teamId, name: 'alice', realName: 'Alice' }, { id: bob, teamId, name: 'bob', realName: 'Bob' }],
    channels: [{ id: channel, teamId, name: 'general' }],
  });
  const { db, stores, logger, bus, meetings, minutes, org } = await testCore('slack-test');
  const signIns: unknown[] = [];
  const adapter = createSlackAdapter({
    signingSecret: SECRET, ...(options.noToken ? {} : { botToken: `xoxb-${id}` }), logger, clientOptions: { slackApiUrl: fake.apiUrl },
    ...(options.mentionOwners ? { mentionOwners: true } : {}), ...(options.installationStore ? { installationStore: options.installationStore } : {}),
    ...(options.claimEvent ? { claimEvent: options.claimEvent } : {}),
    core: {
      meetings, minutes, stores, bus,
      ask: (q) => answer({ stores, orchestrator: null }, q),
      organizationFor: async (team) => (await stores.workspaces.resolve('slack', team.id, team.name, async () => org.id)).organizationId,
      slackTeamsOf: async (organizationId) => (await db.knex('platform_workspaces').where({ platform: 'slack', organization_id: organizationId }).pluck('external_id')) as string[],
      links: { home: () => 'https://dash.example/', meeting: (m, s) => `https://dash.example/meetings/${m}${s === undefined ? '' : `#seg-${s}`}` },
      signInLink: async (input) => {
        signIns.push(input);
        return 'https://dash.example/auth/link/secret-token';
      },
    },
  });
  await adapter.start();
  const app = express();
  app.use(adapter.router);
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  const w: World = {
    fake, adapter, stores, meetings, minutes, bus, url, teamId, channel, alice, bob, orgId: org.id, signIns,
    async command(text, as = {}) {
      const responseUrl = fake.responseUrl();
      const body = slashCommandBody({ teamId, channelId: as.channelId ?? channel, userId: as.userId ?? alice, text, responseUrl, teamDomain: `acme-${id.toLowerCase()}` });
      const res = await postSigned(url, body, { secret: SECRET, contentType: 'application/x-www-form-urlencoded' });
      return { status: res.status, responses: () => fake.responses(responseUrl), responseUrl };
    },
    async event(event, opts = {}) {
      const body = eventBody({ teamId, event, botUserId: `UBOT${id}`, ...(opts.eventId ? { eventId: opts.eventId } : {}) });
      const res = await postSigned(url, body, { secret: SECRET, contentType: 'application/json', ...(opts.retryNum ? { retryNum: opts.retryNum } : {}) });
      return res.status;
    },
    async seed(title = 'Launch sync') {
      const meeting = await meetings.createMeeting({ organizationId: org.id, platform: 'discord', title });
      await meetings.startMeeting(meeting.id);
      await meetings.appendSegments(meeting.id, [
        { speaker: 'Alice', startMs: 0, endMs: 4000, text: HOSTILE, source: 'test', sourceSeq: 1 },
        { speaker: 'Bob', startMs: 5000, endMs: 9000, text: 'I will write the release notes by Friday', source: 'test', sourceSeq: 2 },
      ]);
      await meetings.endMeeting(meeting.id);
      const [, bobAttendee] = await stores.attendees.list(meeting.id);
      const segs = await stores.transcripts.list(meeting.id);
      const items = await stores.minutes.addActionItems([
        { meetingId: meeting.id, description: `Write the release notes ${HOSTILE}`, ownerAttendeeId: bobAttendee?.id ?? null, ownerName: 'Bob', dueDate: '2030-05-01', evidenceSegmentIds: [segs[1]!.id] },
        { meetingId: meeting.id, description: 'Book the launch room', ownerName: 'Alice', dueDate: '2020-01-01' },
      ]);
      await stores.minutes.addDecisions([{ meetingId: meeting.id, text: `Ship on Friday ${HOSTILE}`, evidenceSegmentIds: [segs[0]!.id] }]);
      await stores.minutes.addSummary({ meetingId: meeting.id, kind: 'abstract', text: `The team planned the launch. ${HOSTILE}` });
      return { meeting: await meetings.getMeeting(meeting.id), items };
    },
    async stop() {
      await adapter.stop();
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await fake.stop();
    },
  };
  return w;
}

const noRaw = (payload: unknown) => {
  const s = JSON.stringify(payload);
  for (const bad of ['<!channel>', '<@U123>', '<https://evil.example']) expect(s, bad).to.not.contain(bad);
};

describe('SlackAdapter over signed HTTP against a loopback Slack (PGlite core)', function () {
  this.timeout(30_000);
  let w: World;
  afterEach(async () => w?.stop());

  it('rejects a forged signature, an old timestamp and a replay of an old request with 401, and does no work', async () => {
    w = await world();
    const responseUrl = w.fake.responseUrl();
    const body = slashCommandBody({ teamId: w.teamId, channelId: w.channel, userId: w.alice, text: 'list', responseUrl });
    const form = 'application/x-www-form-urlencoded' as const;
    expect((await postSigned(w.url, body, { secret: SECRET, contentType: form, forgeSignature: true })).status).to.equal(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postSigned(w.url, body, { secret: SECRET, contentType: form, timestamp: old })).status).to.equal(401);
    // A request captured six minutes ago, replayed byte for byte with its (valid) signature.
    const captured = signSlack(SECRET, body, old);
    const replay = await fetch(w.url, { method: 'POST', headers: { 'Content-Type': form, ...captured }, body });
    expect(replay.status).to.equal(401);
    expect((await postSigned(w.url, body, { secret: SECRET, contentType: form, headers: { 'X-Slack-Signature': '' } })).status).to.equal(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(w.fake.calls, 'no Web API call').to.deep.equal([]);
    expect(w.fake.responses(responseUrl), 'no answer').to.deep.equal([]);
    expect(await w.stores.workspaces.find('slack', w.teamId), 'no workspace created').to.equal(null);
    // The same request, signed now, works.
    expect((await postSigned(w.url, body, { secret: SECRET, contentType: form })).status).to.equal(200);
    await until(() => w.fake.responses(responseUrl).length, 'the answer');
  });

  it('a retry that another instance already claimed is dropped here; an unanswered claim is handled here', async () => {
    const claimed = new Set<string>(['EvTAKEN']);
    w = await world({ claimEvent: async (id) => (id === 'EvDOWN' ? Promise.reject(new Error('redis down')) : !claimed.has(id)) });
    await w.seed();
    const event = appMentionEvent({ channelId: w.channel, userId: w.alice, text: `<@UBOT${w.teamId.slice(1)}> when do we ship?` });
    w.fake.addMessage(w.channel, { user: w.alice, text: String(event.text), ts: String(event.ts) });
    expect(await w.event(event, { eventId: 'EvTAKEN', retryNum: 1 })).to.equal(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.fake.callsTo('chat.postMessage'), 'the instance holding the event answers it').to.have.length(0);
    expect(await w.event(event, { eventId: 'EvDOWN' })).to.equal(200);
    await w.fake.waitFor('chat.postMessage');
  });

  it('a retried event (X-Slack-Retry-Num, same event_id) is handled once', async () => {
    w = await world();
    await w.seed();
    const event = appMentionEvent({ channelId: w.channel, userId: w.alice, text: `<@UBOT${w.teamId.slice(1)}> when do we ship?` });
    w.fake.addMessage(w.channel, { user: w.alice, text: String(event.text), ts: String(event.ts) });
    const eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
    expect(await w.event(event, { eventId })).to.equal(200);
    expect(await w.event(event, { eventId, retryNum: 1 })).to.equal(200);
    expect(await w.event(event, { eventId, retryNum: 2 })).to.equal(200);
    const post = await w.fake.waitFor('chat.postMessage');
    await new Promise((r) => setTimeout(r, 300));
    expect(w.fake.callsTo('chat.postMessage')).to.have.length(1);
    expect(post.body.thread_ts).to.equal(event.ts);
    expect(validateBlocks(post.body.blocks as unknown[], 'message')).to.deep.equal([]);
    noRaw(post.body.blocks);
    expect(JSON.stringify(post.body.blocks)).to.contain('#seg-');
  });

  it('buttons: mark done, snooze and reassign change the item in the database and update the message in place', async () => {
    w = await world();
    const { items } = await w.seed();
    const first = await w.command('summary');
    expect(first.status).to.equal(200);
    const post = await w.fake.waitFor('chat.postMessage', (c) => !c.body.thread_ts);
    const ts = String(post.response.ts);
    const click = async (action: { action_id: string; value?: string; block_id?: string; selected_option?: { value: string } }) => {
      const message = w.fake.messages(w.channel).find((m) => m.ts === ts)!;
      const before = w.fake.callsTo('chat.update').length;
      const body = blockActionsBody({ teamId: w.teamId, userId: w.alice, channelId: w.channel, messageTs: ts, actions: [action], responseUrl: w.fake.responseUrl(), messageBlocks: message.blocks!, messageText: message.text });
      expect((await postSigned(w.url, body, { secret: SECRET, contentType: 'application/x-www-form-urlencoded' })).status).to.equal(200);
      await until(() => w.fake.callsTo('chat.update').length > before, 'chat.update');
      return w.fake.callsTo('chat.update').at(-1)!;
    };
    const id = items[0]!.id;
    const snoozed = await click({ action_id: 'minutes_snooze', value: id });
    expect((await w.stores.minutes.getActionItem(id)).dueDate).to.equal('2030-05-08');
    expect(JSON.stringify(snoozed.body.blocks)).to.contain('due 2030-05-08');
    const [aliceAttendee] = await w.stores.attendees.list(items[0]!.meetingId);
    await click({ action_id: 'minutes_reassign', block_id: `ai:${id}:m`, selected_option: { value: aliceAttendee!.id } });
    expect(await w.stores.minutes.getActionItem(id)).to.include({ ownerAttendeeId: aliceAttendee!.id, ownerName: 'Alice' });
    const done = await click({ action_id: 'minutes_done', value: id });
    expect((await w.stores.minutes.getActionItem(id)).status).to.equal('completed');
    expect(done.body).to.include({ channel: w.channel, ts });
    const blocks = done.body.blocks as { block_id?: string }[];
    expect(validateBlocks(blocks, 'message')).to.deep.equal([]);
    expect(blocks.some((b) => b.block_id === `ai:${id}:m`), 'done item has no buttons').to.equal(false);
    expect(JSON.stringify(blocks)).to.contain('☑️');
    noRaw(blocks);
  });

  it('a button can never reach another organization\'s action item', async () => {
    w = await world();
    const other = await w.stores.organizations.ensure(`other-${randomUUID()}`);
    const m = await w.meetings.createMeeting({ organizationId: other.id, platform: 'web', title: 'Elsewhere' });
    const [foreign] = await w.stores.minutes.addActionItems([{ meetingId: m.id, description: 'Not yours' }]);
    const responseUrl = w.fake.responseUrl();
    const blocks = [{ type: 'actions', block_id: `ai:${foreign!.id}:m`, elements: [{ type: 'button', action_id: 'minutes_done', value: foreign!.id, text: { type: 'plain_text', text: 'Done' } }] }];
    w.fake.addMessage(w.channel, { user: `UBOT${w.teamId.slice(1)}`, text: 'x', ts: '1700000000.000001', blocks });
    const body = blockActionsBody({ teamId: w.teamId, userId: w.alice, channelId: w.channel, messageTs: '1700000000.000001', actions: [{ action_id: 'minutes_done', value: foreign!.id }], responseUrl, messageBlocks: blocks });
    expect((await postSigned(w.url, body, { secret: SECRET, contentType: 'application/x-www-form-urlencoded' })).status).to.equal(200);
    const reply = await until(() => w.fake.responses(responseUrl)[0], 'an error reply');
    expect(String(reply.text)).to.contain('no longer exists');
    expect((await w.stores.minutes.getActionItem(foreign!.id)).status).to.equal('pending');
    expect(w.fake.callsTo('chat.update')).to.have.length(0);
  });

  it('App Home: publishes the user\'s open items (linked user and name match) with the same buttons; a click re-publishes', async () => {
    w = await world();
    const { items } = await w.seed();
    // Bob is linked to a core user who owns item 0 through his attendee record; Alice owns item 1 by name only.
    const bobUser = await w.stores.organizations.createUser({ organizationId: w.orgId, displayName: 'Robert' });
    await w.stores.organizations.linkIdentity({ userId: bobUser.id, platform: 'slack', externalUserId: w.bob, externalTeamId: w.teamId });
    await w.stores.workspaces.resolve('slack', w.teamId, 'Acme', async () => w.orgId);
    await w.stores.minutes.updateActionItem(items[0]!.id, { ownerUserId: bobUser.id });
    expect(await w.event(appHomeOpenedEvent({ userId: w.bob }))).to.equal(200);
    const bobHome = await w.fake.waitFor('views.publish', (c) => c.body.user_id === w.bob);
    const view = bobHome.body.view as { type: string; blocks: { block_id?: string }[] };
    expect(validateView(view)).to.deep.equal([]);
    expect(view.blocks.filter((b) => b.block_id?.startsWith('ai:') && !b.block_id.endsWith(':l')).map((b) => b.block_id)).to.deep.equal([`ai:${items[0]!.id}`]);
    noRaw(view);
    expect(await w.event(appHomeOpenedEvent({ userId: w.alice }))).to.equal(200);
    const aliceHome = await w.fake.waitFor('views.publish', (c) => c.body.user_id === w.alice);
    const aliceBlocks = (aliceHome.body.view as { blocks: unknown[] }).blocks;
    expect(JSON.stringify(aliceBlocks)).to.contain('Book the launch room').and.contain('overdue').and.not.contain('release notes');
    const body = homeBlockActionsBody({ teamId: w.teamId, userId: w.alice, actions: [{ action_id: 'minutes_done', value: items[1]!.id }], viewBlocks: aliceBlocks });
    expect((await postSigned(w.url, body, { secret: SECRET, contentType: 'application/x-www-form-urlencoded' })).status).to.equal(200);
    await until(() => w.fake.callsTo('views.publish').filter((c) => c.body.user_id === w.alice).length === 2, 'home re-published');
    expect((await w.stores.minutes.getActionItem(items[1]!.id)).status).to.equal('completed');
    const again = w.fake.callsTo('views.publish').filter((c) => c.body.user_id === w.alice).at(-1)!;
    expect(JSON.stringify(again.body.view)).to.contain('Nothing open');
  });

  it('buttons on an ephemeral list confirm through the response_url', async () => {
    w = await world();
    const { items } = await w.seed();
    const { responses } = await w.command('actions mine');
    const list = await until(() => responses()[0], 'the ephemeral list') as { blocks: unknown[] };
    const responseUrl = w.fake.responseUrl();
    const body = blockActionsBody({
      teamId: w.teamId, userId: w.alice, channelId: w.channel, messageTs: '1700000000.000002', isEphemeral: true, responseUrl,
      actions: [{ action_id: 'minutes_done', value: items[1]!.id }], messageBlocks: list.blocks,
    });
    expect((await postSigned(w.url, body, { secret: SECRET, contentType: 'application/x-www-form-urlencoded' })).status).to.equal(200);
    const reply = await until(() => w.fake.responses(responseUrl)[0], 'a confirmation');
    expect(reply).to.include({ response_type: 'ephemeral', replace_original: false });
    expect(String(reply.text)).to.equal('☑️ Marked done: *Book the launch room*');
    expect((await w.stores.minutes.getActionItem(items[1]!.id)).status).to.equal('completed');
    // Ephemeral messages carry no blocks in the payload Slack sends; nothing to splice, and never a chat.update.
    expect(w.fake.callsTo('chat.update')).to.have.length(0);
  });

  it('multi-workspace: tokens come from the installation store per team', async () => {
    const store = new MemoryInstallationStore();
    const id = 'MW';
    w = await world({ noToken: true, installationStore: store });
    const token = (w.fake as unknown as { teams: { botToken: string; botUserId: string }[] }).teams[0]!;
    await store.storeInstallation({
      team: { id: w.teamId, name: 'Acme' }, enterprise: undefined, user: { id: w.alice, token: undefined, scopes: undefined },
      bot: { token: token.botToken, userId: token.botUserId, id: `B${id}`, scopes: ['chat:write'] }, tokenType: 'bot', isEnterpriseInstall: false, appId: 'A1',
    } as never);
    await w.seed();
    await w.command('summary');
    const post = await w.fake.waitFor('chat.postMessage');
    expect(post.token).to.equal(token.botToken);
  });
});
