import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import express from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { App, ExpressAdapter } from '@microsoft/teams.apps';
import { PUBLIC, withOverrides } from '@microsoft/teams.api';
import type { ILogger } from '@microsoft/teams.common';
import { FakeIdentity, BOT_FRAMEWORK_ISSUER } from './FakeIdentity.ts';
import { FakeConnector } from './FakeConnector.ts';
import { FakeGraph } from './FakeGraph.ts';
import {
  actionExecuteActivity,
  meetingEndActivity,
  meetingStartActivity,
  messageActivity,
  participantsJoinActivity,
  postActivity,
  teamsMeetingId,
} from './activities.ts';

const VTT = `WEBVTT

00:00:00.000 --> 00:00:04.000
<v Ada Lovelace>Let's ship the release on Friday.</v>

00:00:04.000 --> 00:00:07.500
<v Alan Turing>I'll write the migration notes by Thursday.</v>
`;

describe('teams loopback fakes', function () {
  this.timeout(20_000);
  let identity: FakeIdentity;
  let connector: FakeConnector;
  let graph: FakeGraph;

  before(async () => {
    identity = await FakeIdentity.start({ appId: '11111111-2222-3333-4444-555555555555', tenantId: 'tenant-1' });
    connector = await FakeConnector.start({ identity });
    graph = await FakeGraph.start({ identity });
  });
  after(async () => {
    await graph?.stop();
    await connector?.stop();
    await identity?.stop();
  });

  describe('FakeIdentity', () => {
    it('serves Bot Framework-style OpenID metadata and a JWKS with msteams endorsements', async () => {
      const meta = (await (await fetch(identity.openIdMetadataUrl)).json()) as Record<string, any>;
      assert.equal(meta.issuer, BOT_FRAMEWORK_ISSUER);
      assert.equal(meta.jwks_uri, identity.jwksUrl);
      assert.deepEqual(meta.id_token_signing_alg_values_supported, ['RS256']);
      const jwks = (await (await fetch(identity.jwksUrl)).json()) as { keys: Record<string, any>[] };
      assert.equal(jwks.keys.length, 1);
      const key = jwks.keys[0]!;
      assert.equal(key.kty, 'RSA');
      assert.equal(key.use, 'sig');
      assert.ok(key.kid && key.n && key.e);
      assert.equal(key.d, undefined, 'no private parts');
      assert.deepEqual(key.endorsements, ['msteams']);
    });

    it('channel tokens verify against the JWKS; foreign-key, expired, unsigned and wrong-audience variants fail', async () => {
      const jwks = createRemoteJWKSet(new URL(identity.jwksUrl));
      const opts = { issuer: BOT_FRAMEWORK_ISSUER, audience: identity.appId, algorithms: ['RS256'] };
      const good = await identity.channelToken({ serviceUrl: connector.serviceUrl });
      const { payload, protectedHeader } = await jwtVerify(good, jwks, opts);
      assert.equal(payload.serviceurl, connector.serviceUrl);
      assert.equal(payload.aud, identity.appId);
      assert.equal(protectedHeader.alg, 'RS256');

      await assert.rejects(jwtVerify(await identity.channelToken({ signWithForeignKey: true }), jwks, opts), /signature verification failed/);
      await assert.rejects(jwtVerify(await identity.channelToken({ expiresInSec: -600 }), jwks, opts), /"exp" claim/);
      await assert.rejects(jwtVerify(await identity.channelToken({ unsigned: true }), jwks, opts));
      await assert.rejects(jwtVerify(await identity.channelToken({ audience: 'someone-else' }), jwks, opts), /"aud" claim/);
      await assert.rejects(jwtVerify(await identity.channelToken({ issuer: 'https://evil.example' }), jwks, opts), /"iss" claim/);
    });

    it('issues client-credential tokens and refuses a wrong secret', async () => {
      const before = identity.tokenRequests.length;
      const res = await fetch(identity.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: identity.appId,
          client_secret: identity.appSecret,
          scope: 'https://api.botframework.com/.default',
        }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { token_type: string; expires_in: number; access_token: string };
      assert.equal(body.token_type, 'Bearer');
      assert.ok(body.expires_in > 0);
      const claims = await identity.verifyAccessToken(body.access_token, ['https://api.botframework.com']);
      assert.equal(claims.appid, identity.appId);
      assert.deepEqual(identity.tokenRequests.slice(before).map((r) => [r.clientId, r.scope]), [[identity.appId, 'https://api.botframework.com/.default']]);

      const bad = await fetch(identity.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: identity.appId, client_secret: 'nope', scope: 'https://api.botframework.com/.default' }),
      });
      assert.equal(bad.status, 401);
      assert.equal(((await bad.json()) as { error: string }).error, 'invalid_client');
    });
  });

  describe('FakeConnector', () => {
    const conversationId = '19:meeting_abc@thread.v2';

    it('refuses calls without a token from the identity', async () => {
      const url = `${connector.serviceUrl}v3/conversations/${conversationId}/activities`;
      const body = JSON.stringify({ type: 'message', text: 'hi' });
      const none = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(none.status, 401);
      // A channel token (aud = app id) is not a connector token.
      const wrongAud = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await identity.channelToken()}` }, body });
      assert.equal(wrongAud.status, 401);
      const graphToken = await identity.fetchToken('https://graph.microsoft.com/.default');
      const wrongScope = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${graphToken}` }, body });
      assert.equal(wrongScope.status, 401);
      assert.equal(connector.activities.length, 0);
    });

    it('records POST/PUT, serves members and meeting info', async () => {
      const token = await identity.fetchToken('https://api.botframework.com/.default');
      const h = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
      // Double slash as produced by the SDK with a trailing-slash serviceUrl.
      const posted = await fetch(`${connector.serviceUrl}/v3/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ type: 'message', text: 'hello' }),
      });
      assert.equal(posted.status, 201);
      const { id } = (await posted.json()) as { id: string };
      const rec = await connector.waitFor((a) => a.method === 'POST' && a.activity.text === 'hello');
      assert.equal(rec.conversationId, conversationId);
      assert.equal(rec.activityId, id);

      const put = await fetch(`${connector.serviceUrl}v3/conversations/${conversationId}/activities/${id}`, {
        method: 'PUT',
        headers: h,
        body: JSON.stringify({ type: 'message', text: 'updated' }),
      });
      assert.equal(put.status, 200);
      const upd = await connector.waitFor((a) => a.method === 'PUT');
      assert.equal(upd.activityId, id);
      assert.equal(upd.activity.text, 'updated');

      connector.setMembers(conversationId, [{ id: '29:ada', name: 'Ada', aadObjectId: 'aad-ada' }]);
      const members = (await (await fetch(`${connector.serviceUrl}v3/conversations/${conversationId}/members`, { headers: h })).json()) as unknown[];
      assert.equal(members.length, 1);

      const meetingId = teamsMeetingId(conversationId);
      connector.setMeeting(meetingId, {
        details: { id: meetingId, joinUrl: 'https://teams.microsoft.com/l/meetup-join/x', msGraphResourceId: 'graph-meeting-1', title: 'Sync', type: 'Scheduled' },
        organizer: { id: '29:ada', aadObjectId: 'aad-ada', tenantId: identity.tenantId },
      });
      const info = (await (await fetch(`${connector.serviceUrl}v1/meetings/${encodeURIComponent(meetingId)}`, { headers: h })).json()) as any;
      assert.equal(info.details.msGraphResourceId, 'graph-meeting-1');
      assert.equal(info.organizer.aadObjectId, 'aad-ada');
    });
  });

  describe('FakeGraph', () => {
    it('requires a Graph token', async () => {
      const res = await fetch(`${graph.baseUrl}/v1.0/users/u/onlineMeetings/m/transcripts`);
      assert.equal(res.status, 401);
      const botToken = await identity.fetchToken('https://api.botframework.com/.default');
      const wrong = await fetch(`${graph.baseUrl}/v1.0/users/u/onlineMeetings/m/transcripts`, { headers: { authorization: `Bearer ${botToken}` } });
      assert.equal(wrong.status, 401);
    });

    it('follows the readyAfter / failFirst sequence and serves VTT', async () => {
      const token = await identity.fetchToken('https://graph.microsoft.com/.default');
      const h = { authorization: `Bearer ${token}` };
      const joinWebUrl = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b'Tid'%7d";
      const { transcriptId } = graph.addTranscript({ organizerId: 'org-1', meetingId: 'MSo-meeting==', joinWebUrl, vtt: VTT, readyAfter: 2, failFirst: 1 });

      const filter = encodeURIComponent(`JoinWebUrl eq '${joinWebUrl.replace(/'/g, "''")}'`);
      const lookup = (await (await fetch(`${graph.baseUrl}/v1.0/users/org-1/onlineMeetings?$filter=${filter}`, { headers: h })).json()) as any;
      assert.equal(lookup.value[0].id, 'MSo-meeting==');

      const list = async () => (await (await fetch(`${graph.baseUrl}/v1.0/users/org-1/onlineMeetings/${encodeURIComponent('MSo-meeting==')}/transcripts`, { headers: h })).json()) as any;
      assert.equal((await list()).value.length, 0);
      assert.equal((await list()).value.length, 0);
      const third = await list();
      assert.equal(third.value.length, 1);
      assert.equal(third.value[0].id, transcriptId);

      const contentUrl = `${graph.baseUrl}/v1.0/users/org-1/onlineMeetings/${encodeURIComponent('MSo-meeting==')}/transcripts/${transcriptId}/content?$format=text/vtt`;
      const first = await fetch(contentUrl, { headers: h });
      assert.equal(first.status, 404);
      const second = await fetch(contentUrl, { headers: h });
      assert.equal(second.status, 200);
      assert.match(second.headers.get('content-type') ?? '', /text\/vtt/);
      assert.equal(await second.text(), VTT);
      // OData key syntax works too.
      const odata = await fetch(`${graph.baseUrl}/v1.0/users('org-1')/onlineMeetings('MSo-meeting==')/transcripts`, { headers: h });
      assert.equal(((await odata.json()) as any).value.length, 1);
      assert.ok(graph.requests.some((r) => r.path.endsWith('/content') && r.status === 404));
    });
  });

  describe('the real Teams SDK App against the fakes', () => {
    let server: http.Server;
    let endpoint: string;
    let app: App;
    const handled: string[] = [];

    before(async () => {
      const web = express();
      app = new App({
        clientId: identity.appId,
        // MSAL (used for clientSecret) only accepts https authorities, so outbound tokens come
        // from a token factory that runs the same client-credentials grant against the fake.
        token: (scope, tenantId) => identity.fetchToken(Array.isArray(scope) ? scope[0]! : scope, { tenant: tenantId }),
        cloud: withOverrides(PUBLIC, {
          openIdMetadataUrl: identity.openIdMetadataUrl, // JWKS = …/keys (derived by the SDK)
          loginEndpoint: identity.baseUrl,
          graphScope: `${graph.baseUrl}/.default`, // the SDK derives app.graph's base URL from this
        }),
        serviceUrl: connector.serviceUrl, // base for app.api / proactive app.send (env SERVICE_URL)
        httpServerAdapter: new ExpressAdapter(web),
        logger: quietLogger(),
      });
      app.on('message', async ({ activity, send }) => {
        handled.push(`message:${activity.text}`);
        await send(`echo: ${activity.text}`);
      });
      app.on('meetingStart', async ({ activity, send }) => {
        handled.push(`meetingStart:${activity.value.Title}`);
        await send('Taking notes');
      });
      app.on('meetingParticipantJoin', async ({ activity }) => {
        handled.push(`join:${activity.value.members.map((m) => m.user.name).join(',')}`);
      });
      app.on('card.action', async ({ activity }) => {
        handled.push(`action:${activity.value.action.verb}`);
        return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'ok' };
      });
      await app.initialize();
      server = await new Promise<http.Server>((resolve) => {
        const s = web.listen(0, '127.0.0.1', () => resolve(s));
      });
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
    });
    after(async () => {
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    });

    const conversationId = '19:meeting_sdk@thread.v2';
    const base = () => ({ serviceUrl: connector.serviceUrl, appId: identity.appId, conversationId, tenantId: identity.tenantId, meetingId: teamsMeetingId(conversationId) });
    const ada = { id: '29:ada', name: 'Ada', aadObjectId: 'aad-ada' };

    it('accepts a valid channel token and replies through the connector with a client-credential token', async () => {
      const activity = messageActivity({ ...base(), from: ada, text: 'summary', mentionBot: false });
      const token = await identity.channelToken({ serviceUrl: connector.serviceUrl });
      const res = await postActivity(endpoint, activity, token);
      assert.equal(res.status, 200);
      const reply = await connector.waitFor((a) => a.activity?.text === 'echo: summary');
      assert.equal(reply.method, 'POST');
      assert.equal(reply.conversationId, conversationId);
      assert.ok(identity.tokenRequests.some((r) => r.scope === 'https://api.botframework.com/.default' && r.tenant === 'botframework.com'));
      assert.ok(identity.fetches.jwks >= 1, 'the SDK fetched the JWKS from the fake');
    });

    it('routes meeting events and Action.Execute invokes', async () => {
      const token = await identity.channelToken({ serviceUrl: connector.serviceUrl });
      assert.equal((await postActivity(endpoint, meetingStartActivity({ ...base(), title: 'Weekly sync' }), token)).status, 200);
      await connector.waitFor((a) => a.activity?.text === 'Taking notes');
      assert.equal((await postActivity(endpoint, participantsJoinActivity({ ...base(), members: [ada] }), token)).status, 200);
      const inv = await postActivity(endpoint, actionExecuteActivity({ ...base(), from: ada, replyToId: '1', verb: 'markDone', data: { id: 'a1' } }), token);
      assert.equal(inv.status, 200);
      assert.deepEqual(((await inv.json()) as any).statusCode, 200);
      assert.ok(handled.includes('meetingStart:Weekly sync'));
      assert.ok(handled.includes('join:Ada'));
      assert.ok(handled.includes('action:markDone'));
      // meetingEnd shape is accepted too
      assert.equal((await postActivity(endpoint, meetingEndActivity({ ...base() }), token)).status, 200);
    });

    it('rejects bad tokens with 401 and runs no handler', async () => {
      const count = handled.length;
      const sent = connector.activities.length;
      const activity = messageActivity({ ...base(), from: ada, text: 'must-not-run', mentionBot: false });
      const variants: Record<string, string | undefined> = {
        missing: undefined,
        foreignKey: await identity.channelToken({ serviceUrl: connector.serviceUrl, signWithForeignKey: true }),
        expired: await identity.channelToken({ serviceUrl: connector.serviceUrl, expiresInSec: -3600 }),
        unsigned: await identity.channelToken({ serviceUrl: connector.serviceUrl, unsigned: true }),
        wrongAudience: await identity.channelToken({ serviceUrl: connector.serviceUrl, audience: 'another-bot' }),
        wrongIssuer: await identity.channelToken({ serviceUrl: connector.serviceUrl, issuer: 'https://sts.windows.net/x/' }),
        wrongServiceUrl: await identity.channelToken({ serviceUrl: 'https://smba.trafficmanager.net/evil/' }),
      };
      for (const [name, token] of Object.entries(variants)) {
        const res = await postActivity(endpoint, activity, token);
        assert.equal(res.status, 401, `${name} → ${res.status}`);
      }
      assert.equal(handled.length, count);
      assert.equal(connector.activities.length, sent);
    });

    it('app.api reads meeting info from the fake connector (GET /v1/meetings/:id)', async () => {
      const meetingId = teamsMeetingId('19:meeting_info@thread.v2');
      connector.setMeeting(meetingId, {
        details: { id: meetingId, msGraphResourceId: 'graph-id-9', joinUrl: 'https://teams.microsoft.com/l/meetup-join/y', title: 'Info', type: 'Scheduled' },
        organizer: { id: '29:ada', aadObjectId: 'aad-ada', tenantId: identity.tenantId },
      });
      const info = await app.api.meetings.getById(meetingId);
      assert.equal(info.details?.msGraphResourceId, 'graph-id-9');
      assert.equal(info.organizer?.aadObjectId, 'aad-ada');
      const sent = await app.send('19:meeting_info@thread.v2', 'proactive hello');
      const rec = await connector.waitFor((a) => a.activity?.text === 'proactive hello');
      assert.equal(rec.activityId, sent.id);
    });

    it('app.graph reaches the fake Graph with an app token', async () => {
      graph.addTranscript({ organizerId: 'org-sdk', meetingId: 'm-sdk', vtt: VTT });
      const res = await app.graph.http.get(`/users/org-sdk/onlineMeetings/m-sdk/transcripts`);
      assert.equal((res.data as any).value.length, 1);
      assert.ok(identity.tokenRequests.some((r) => r.scope === `${graph.baseUrl}/.default`));
    });
  });
});

function quietLogger(): ILogger {
  const noop = () => {};
  const logger: ILogger = { debug: noop, info: noop, warn: noop, error: noop, log: noop, child: () => logger } as unknown as ILogger;
  return logger;
}
