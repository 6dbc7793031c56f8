import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { answer } from '../../core/meetings/answer.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import { type Stores } from '../../core/store/index.ts';
import { database } from '../../test/support/databases.ts';
import { VERB } from './cards.ts';
import { FakeConnector } from './testing/FakeConnector.ts';
import { FakeGraph } from './testing/FakeGraph.ts';
import { FakeIdentity } from './testing/FakeIdentity.ts';
import { actionExecuteActivity, meetingEndActivity, meetingStartActivity, messageActivity, participantsJoinActivity, postActivity, teamsMeetingId } from './testing/activities.ts';
import { createTeamsAdapter, type TeamsAdapter } from './TeamsAdapter.ts';
import { testCore, until as waitUntil } from '../../test/support/core.ts';

const VTT = `WEBVTT

1/1-0
00:00:01.000 --> 00:00:05.000
<v Alice Smith>Good morning, let's review the launch plan.</v>

1/2-0
00:00:05.500 --> 00:00:10.000
<v Bob Jones>We decided to ship the beta on Monday.</v>

1/3-0
00:00:10.500 --> 00:00:15.000
<v Alice Smith>Bob, please send the release notes to the team by Friday.</v>

1/4-0
00:00:15.500 --> 00:00:19.000
<v Bob Jones>Sure, I will send the release notes by Friday.</v>

1/5-0
00:00:19.500 --> 00:00:24.000
<v Alice Smith>Action item: Alice will update the *pricing* page <at>everyone</at> tomorrow.</v>
`;

interface World {
  identity: FakeIdentity; connector: FakeConnector; graph: FakeGraph; adapter: TeamsAdapter; stores: Stores; meetings: MeetingService;
  url: string; tenantId: string; conversationId: string; meetingId: string; organizerId: string; graphMeetingId: string;
  base: { serviceUrl: string; appId: string; conversationId: string; tenantId: string; meetingId: string };
  alice: { id: string; name: string; aadObjectId: string };
  token(opts?: Parameters<FakeIdentity['channelToken']>[0]): Promise<string>;
  stop(): Promise<void>;
}

const until = <T>(check: () => T | Promise<T>, what: string, timeoutMs = 8000) => waitUntil(check, what, timeoutMs);

async function world(): Promise<World> {
  const identity = await FakeIdentity.start();
  const connector = await FakeConnector.start({ identity });
  const graph = await FakeGraph.start({ identity });
  const { stores, logger, bus, meetings, minutes, org } = await testCore('teams-test');
  const adapter = createTeamsAdapter({
    appId: identity.appId, appPassword: identity.appSecret, logger,
    overrides: { openIdMetadataUrl: identity.openIdMetadataUrl, tokenUrl: `${identity.baseUrl}/{tenant}/oauth2/v2.0/token`, graphUrl: graph.baseUrl },
    transcriptRetry: { initialDelayMs: 20, factor: 2, maxDelayMs: 100, attempts: 8 },
    core: {
      meetings, minutes, stores, bus,
      ask: (q) => answer({ stores, orchestrator: null }, q),
      organizationFor: async (t) => (await stores.workspaces.resolve('teams', t.id, t.name, async () => org.id)).organizationId,
      links: { home: () => 'https://dash.example/', meeting: (m, s) => `https://dash.example/meetings/${m}${s === undefined ? '' : `#seg-${s}`}` },
    },
  });
  await adapter.start();
  const app = express();
  app.use(adapter.router);
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  const tenantId = identity.tenantId;
  const conversationId = `19:meeting_${randomUUID().replace(/-/g, '')}@thread.v2`;
  const meetingId = teamsMeetingId(conversationId);
  const organizerId = randomUUID();
  const graphMeetingId = `MSo${randomUUID()}`;
  connector.setMeeting(meetingId, {
    details: { id: meetingId, msGraphResourceId: graphMeetingId, title: 'Launch sync', joinUrl: 'https://teams.microsoft.com/l/meetup-join/x' },
    conversation: { id: conversationId }, organizer: { id: '29:org', aadObjectId: organizerId, tenantId },
  });
  return {
    identity, connector, graph, adapter, stores, meetings, url, tenantId, conversationId, meetingId, organizerId, graphMeetingId,
    base: { serviceUrl: connector.serviceUrl, appId: identity.appId, conversationId, tenantId, meetingId },
    alice: { id: '29:alice', name: 'Alice Smith', aadObjectId: randomUUID() },
    token: (opts = {}) => identity.channelToken({ serviceUrl: connector.serviceUrl, ...opts }),
    async stop() {
      await adapter.stop();
      await new Promise((r) => server.close(r));
      await Promise.all([identity.stop(), connector.stop(), graph.stop()]);
    },
  };
}

describe('Teams adapter', function () {
  this.timeout(30_000);
  let w: World;
  before(async () => { w = await world(); });
  after(async () => { await w?.stop(); });

  const teamsMeetings = async () => (await w.meetings.listMeetings({ platform: 'teams', externalIds: { meetingId: w.meetingId } })).items;

  describe('inbound token validation', () => {
    it('refuses unsigned, wrong-audience, expired, foreign-signed, wrong-issuer and missing tokens with 401 and does nothing', async () => {
      const activity = meetingStartActivity({ ...w.base, title: 'Should not exist' });
      const bad = [
        await w.token({ unsigned: true }),
        await w.token({ audience: randomUUID() }),
        await w.token({ expiresInSec: -600 }), // beyond Bot Framework's 5-minute clock skew
        await w.token({ signWithForeignKey: true }),
        await w.token({ issuer: 'https://evil.example' }),
        await w.token({ serviceUrl: 'https://elsewhere.example/teams/' }),
        undefined,
        'not-a-jwt',
      ];
      for (const token of bad) {
        const res = await postActivity(w.url, activity, token);
        expect(res.status, `token ${String(token).slice(0, 20)}`).to.equal(401);
      }
      expect(await teamsMeetings()).to.have.length(0);
      expect(w.connector.activities).to.have.length(0);
      expect(w.connector.requests).to.have.length(0);
      expect(w.identity.fetches.jwks).to.be.greaterThan(0);
    });

    it('accepts a valid channel token', async () => {
      const res = await postActivity(w.url, messageActivity({ ...w.base, from: w.alice, text: 'help' }), await w.token());
      expect(res.status).to.equal(200);
      const reply = await w.connector.waitFor((a) => a.method === 'POST' && String(a.activity?.text ?? '').includes('summary'));
      expect(reply.conversationId).to.equal(w.conversationId);
      // Outbound with a client-credentials token for the Bot Connector.
      expect(w.identity.tokenRequests.some((t) => t.scope === 'https://api.botframework.com/.default' && t.clientId === w.identity.appId)).to.equal(true);
    });
  });

  describe('meeting flow', () => {
    let notesCardId = '';
    it('meetingStart creates and starts the meeting and posts the notes card', async () => {
      const res = await postActivity(w.url, meetingStartActivity({ ...w.base, title: 'Launch sync', from: w.alice }), await w.token());
      expect(res.status).to.equal(200);
      const [meeting] = await teamsMeetings();
      expect(meeting?.status).to.equal('in_progress');
      expect(meeting?.externalIds).to.include({ tenantId: w.tenantId, conversationId: w.conversationId, meetingId: w.meetingId, organizerId: w.organizerId, graphMeetingId: w.graphMeetingId });
      const posted = await w.connector.waitFor((a) => a.method === 'POST' && a.activity?.attachments?.[0]?.content?.body?.[0]?.text?.includes('Notes are being taken'));
      notesCardId = posted.activityId!;
      const card = posted.activity.attachments[0];
      expect(card.contentType).to.equal('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(card.content)).to.include('optout').and.to.include(`https://dash.example/meetings/${meeting!.id}`);
      expect((await w.meetings.getMeeting(meeting!.id)).externalIds.noticeActivityId).to.equal(posted.activityId);
      // Redelivery does not create a second meeting.
      await postActivity(w.url, meetingStartActivity({ ...w.base, title: 'Launch sync' }), await w.token());
      expect(await teamsMeetings()).to.have.length(1);
      expect(notesCardId).to.be.a('string');
    });

    it('participant joins become attendees', async () => {
      const res = await postActivity(w.url, participantsJoinActivity({ ...w.base, members: [w.alice, { id: '29:bob', name: 'Bob Jones', aadObjectId: randomUUID() }] }), await w.token());
      expect(res.status).to.equal(200);
      const [meeting] = await teamsMeetings();
      const names = (await w.stores.attendees.list(meeting!.id)).map((a) => a.displayName);
      expect(names).to.include.members(['Alice Smith', 'Bob Jones']);
    });

    it('meetingEnd ends it, fetches the transcript after retries and posts the minutes card with action items', async () => {
      w.graph.addTranscript({ organizerId: w.organizerId, meetingId: w.graphMeetingId, vtt: VTT, readyAfter: 2, failFirst: 1 });
      const res = await postActivity(w.url, meetingEndActivity({ ...w.base, title: 'Launch sync' }), await w.token());
      expect(res.status).to.equal(200);
      const [ended] = await teamsMeetings();
      expect(ended?.status).to.equal('completed');
      const posted = await w.connector.waitFor((a) => a.method === 'POST' && String(a.activity?.attachments?.[0]?.content?.body?.[0]?.text ?? '').startsWith('Minutes'), 15_000);
      // Two empty lists, one 404 on the content, then the file.
      const graphCalls = w.graph.requests.filter((r) => r.path.includes('/transcripts'));
      expect(graphCalls.filter((r) => r.path.endsWith('/content')).map((r) => r.status)).to.deep.equal([404, 200]);
      expect(graphCalls.filter((r) => r.path.endsWith('/transcripts')).length).to.be.greaterThanOrEqual(3);
      expect(w.identity.tokenRequests.some((t) => t.scope === 'https://graph.microsoft.com/.default' && t.tenant === w.tenantId)).to.equal(true);
      const segments = await w.stores.transcripts.list(ended!.id);
      expect(segments.length).to.equal(5);
      expect(segments.every((s) => s.source === 'teams:transcript')).to.equal(true);
      expect(segments.map((s) => s.speaker)).to.include.members(['Alice Smith', 'Bob Jones']);
      const bundle = await w.meetings.getBundle(ended!.id);
      expect(bundle.actionItems.length).to.be.greaterThan(0);
      const content = JSON.stringify(posted.activity.attachments[0].content);
      for (const item of bundle.actionItems) expect(content).to.include(item.id);
      expect(content).to.include(VERB.done).and.to.include(VERB.reassign).and.to.include('Action.Execute');
      // Transcript text is inert: no raw markdown emphasis or <at> mention survives.
      expect(content).not.to.include('<at>');
      await until(async () => (await w.meetings.getMeeting(ended!.id)).externalIds.minutesActivityId === posted.activityId, 'the posted card id stored');
    });

    it('Action.Execute mark-done updates the database, answers with the refreshed card and updates the posted one', async () => {
      const [meeting] = await teamsMeetings();
      const bundle = await w.meetings.getBundle(meeting!.id);
      const item = bundle.actionItems[0]!;
      const posted = meeting!.externalIds.minutesActivityId!;
      const res = await postActivity(w.url, actionExecuteActivity({ ...w.base, from: w.alice, replyToId: posted, verb: VERB.done, data: { actionItemId: item.id } }), await w.token());
      expect(res.status).to.equal(200);
      const body = await res.json() as { statusCode: number; type: string; value: unknown };
      expect(body.statusCode).to.equal(200);
      expect(body.type).to.equal('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(body.value)).to.include(VERB.reopen);
      expect((await w.stores.minutes.getActionItem(item.id)).status).to.equal('completed');
      const put = await w.connector.waitFor((a) => a.method === 'PUT' && a.activityId === posted);
      expect(JSON.stringify(put.activity.attachments[0].content)).to.include(VERB.reopen);
    });

    it('Action.Execute reassign sets the new owner; an item of another organization is not reachable', async () => {
      const [meeting] = await teamsMeetings();
      const bundle = await w.meetings.getBundle(meeting!.id);
      const item = bundle.actionItems[bundle.actionItems.length - 1]!;
      const bob = bundle.attendees.find((a) => a.displayName === 'Bob Jones')!;
      const res = await postActivity(w.url, actionExecuteActivity({ ...w.base, from: w.alice, replyToId: meeting!.externalIds.minutesActivityId!, verb: VERB.reassign, data: { actionItemId: item.id, ownerAttendeeId: bob.id } }), await w.token());
      expect(res.status).to.equal(200);
      expect((await w.stores.minutes.getActionItem(item.id)).ownerName).to.equal('Bob Jones');
      // Another tenant (another organization) pressing a button with this item's id.
      const other = { ...w.base, tenantId: randomUUID() };
      const before = await w.stores.minutes.getActionItem(item.id);
      const res2 = await postActivity(w.url, actionExecuteActivity({ ...other, from: w.alice, replyToId: 'x', verb: VERB.done, data: { actionItemId: item.id } }), await w.token());
      expect(res2.status).to.equal(200);
      const after = await w.stores.minutes.getActionItem(item.id);
      expect(after.status).to.equal(before.status);
    });

    it('answers summary, actions, search and link when mentioned', async () => {
      const send = async (text: string) => {
        const n = w.connector.activities.length;
        const res = await postActivity(w.url, messageActivity({ ...w.base, from: w.alice, text }), await w.token());
        expect(res.status).to.equal(200);
        return until(() => w.connector.activities.slice(n).find((a) => a.method === 'POST'), `reply to ${text}`);
      };
      const summary = await send('summary');
      expect(String(summary.activity.attachments?.[0]?.content?.body?.[0]?.text)).to.match(/^Minutes/);
      const actions = await send('actions');
      expect(actions.activity.text).to.include('Open action items');
      const search = await send('search release notes');
      expect(search.activity.text).to.include('release notes').and.to.include('https://dash.example/meetings/');
      const link = await send('link');
      expect(link.activity.text).to.include('https://dash.example/');
    });
  });
});
