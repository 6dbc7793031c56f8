import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { answer } from '../../core/meetings/answer.ts';
import { database } from '../../test/support/databases.ts';
import { validateBlocks } from './testing/blockLimits.ts';
import { FakeSlack } from './testing/FakeSlack.ts';
import { blockActionsBody, envelopePayload, slashCommandBody } from './testing/requests.ts';
import { createSlackAdapter, type SlackAdapter } from './SlackAdapter.ts';
import type { SlackAdapterOptions } from './types.ts';
import { testCore, until } from '../../test/support/core.ts';


/** A real core on PGlite and the adapter in Socket Mode, connected to a loopback fake Slack (Web API + WebSocket); no HTTP endpoint. */
async function socketWorld(overrides: Partial<SlackAdapterOptions> = {}) {
  const id = randomBytes(4).toString('hex').toUpperCase();
  const teamId = `T${id}`; const channel = `C${id}`; const alice = `UA${id}`;
  const appToken = `xapp-1-A${id}-${randomBytes(8).toString('hex')}`;
  const fake = await FakeSlack.start({
    teams: [{ id: teamId, name: 'Acme', domain: `acme-${id.toLowerCase()}`, botToken: `xoxb-${id}`, botUserId: `UBOT${id}` }],
    users: [{ id: alice, teamId, name: 'alice', realName: 'Alice' }],
    channels: [{ id: channel, teamId, name: 'general' }],
    appToken,
  });
  const { stores, logger, bus, meetings, minutes, org } = await testCore('slack-socket');
  const adapter: SlackAdapter = createSlackAdapter({
    // No signing secret: nothing arrives over HTTP.
    socketMode: { appToken, clientPingTimeout: 600 }, botToken: `xoxb-${id}`, logger, clientOptions: { slackApiUrl: fake.apiUrl },
    core: {
      meetings, minutes, stores, bus,
      ask: (q) => answer({ stores, orchestrator: null }, q),
      organizationFor: async (team) => (await stores.workspaces.resolve('slack', team.id, team.name, async () => org.id)).organizationId,
      slackTeamsOf: async () => [teamId],
      links: { home: () => 'https://dash.example/', meeting: (m) => `https://dash.example/meetings/${m}` },
    },
    ...overrides,
  });
  const command = (text: string) => {
    const responseUrl = fake.responseUrl();
    const payload = envelopePayload(slashCommandBody({ teamId, channelId: channel, userId: alice, text, responseUrl, teamDomain: `acme-${id.toLowerCase()}` }));
    return { responseUrl, ack: fake.sendEnvelope('slash_commands', payload) };
  };
  async function seed() {
    const meeting = await meetings.createMeeting({ organizationId: org.id, platform: 'discord', title: 'Launch sync' });
    await meetings.startMeeting(meeting.id);
    await meetings.appendSegments(meeting.id, [{ speaker: 'Bob', startMs: 0, endMs: 4000, text: 'I will write the release notes by Friday', source: 'test', sourceSeq: 1 }]);
    await meetings.endMeeting(meeting.id);
    const items = await stores.minutes.addActionItems([{ meetingId: meeting.id, description: 'Write the release notes', ownerName: 'Bob', dueDate: '2030-05-01' }]);
    await stores.minutes.addSummary({ meetingId: meeting.id, kind: 'abstract', text: 'The team planned the launch.' });
    return items;
  }
  return { fake, adapter, stores, teamId, channel, alice, appToken, command, seed, stop: async () => { await adapter.stop(); await fake.stop(); } };
}

describe('SlackAdapter in Socket Mode against a loopback Slack WebSocket (PGlite core)', function () {
  this.timeout(30_000);
  let w: Awaited<ReturnType<typeof socketWorld>> | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it('connects with the app-level token, acks /minutes help over the socket and answers through the response_url', async () => {
    w = await socketWorld();
    await w.adapter.start();
    const open = w.fake.callsTo('apps.connections.open');
    expect(open).to.have.length(1);
    expect(open[0]!.token).to.equal(w.appToken);
    expect(w.fake.openSockets).to.equal(1);
    expect(w.adapter.router.stack, 'no HTTP routes in Socket Mode').to.have.length(0);
    const started = Date.now();
    const { responseUrl, ack } = w.command('help');
    const acked = await ack;
    expect(Date.now() - started, 'acked within 3 s').to.be.below(3000);
    expect(acked.envelope_id).to.be.a('string');
    const reply = await until(() => w!.fake.responses(responseUrl)[0], 'the help answer');
    expect(reply.response_type).to.equal('ephemeral');
    expect(String(reply.text)).to.contain('`summary');
    expect(validateBlocks(reply.blocks as unknown[], 'message')).to.deep.equal([]);
  });

  it('a Mark done click (interactive envelope) completes the item in the database and updates the message in place', async () => {
    w = await socketWorld();
    await w.adapter.start();
    const [item] = await w.seed();
    await w.command('summary').ack;
    const post = await w.fake.waitFor('chat.postMessage', (c) => !c.body.thread_ts);
    const ts = String(post.response.ts);
    const message = w.fake.messages(w.channel).find((m) => m.ts === ts)!;
    const payload = envelopePayload(blockActionsBody({
      teamId: w.teamId, userId: w.alice, channelId: w.channel, messageTs: ts, actions: [{ action_id: 'minutes_done', value: item!.id }],
      responseUrl: w.fake.responseUrl(), messageBlocks: message.blocks!, messageText: message.text,
    }));
    const acked = await w.fake.sendEnvelope('interactive', payload);
    expect(acked.payload ?? {}).to.deep.equal({});
    const update = await w.fake.waitFor('chat.update');
    expect(update.body).to.include({ channel: w.channel, ts });
    expect((await w.stores.minutes.getActionItem(item!.id)).status).to.equal('completed');
    expect(JSON.stringify(update.body.blocks)).to.contain('☑️');
  });

  it('reconnects with a fresh URL after Slack sends `disconnect`, and keeps answering', async () => {
    w = await socketWorld();
    await w.adapter.start();
    w.fake.disconnectSocket('refresh_requested');
    await w.fake.waitForSocket(2);
    expect(w.fake.callsTo('apps.connections.open'), 'a new URL for the new connection').to.have.length(2);
    await until(() => w!.fake.openSockets === 1, 'the old connection closed');
    const { responseUrl, ack } = w.command('help');
    await ack;
    await until(() => w!.fake.responses(responseUrl)[0], 'the help answer over the new connection');
  });

  it('a wrong app-level token fails start(); no signing secret and no Socket Mode is refused', async () => {
    w = await socketWorld({ socketMode: { appToken: 'xapp-1-wrong', clientPingTimeout: 600 } });
    let error: unknown;
    await w.adapter.start().catch((err: unknown) => { error = err; });
    expect(String((error as { data?: { error?: string } })?.data?.error)).to.equal('invalid_auth');
    expect(w.fake.openSockets).to.equal(0);
    expect(() => createSlackAdapter({ ...w!.adapter.options, socketMode: undefined })).to.throw(/signing secret/);
  });
});
