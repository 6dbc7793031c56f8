import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { WebClient } from '@slack/web-api';
import { buildDigest, itemLink, type OpenItem } from '../../core/schedule/digest.ts';
import { DigestTask } from '../../core/schedule/DigestTask.ts';
import { testCore } from '../../test/support/core.ts';
import { digestMessage, SlackNotifier } from './notifier.ts';
import { validateBlocks } from './testing/blockLimits.ts';
import { FakeSlack } from './testing/FakeSlack.ts';

const HOSTILE = 'Ship it <!channel> & tell <@U123> <https://evil.example|here> @here';
const DASH = 'https://dash.example';

const noRaw = (payload: unknown) => {
  const s = JSON.stringify(payload);
  for (const bad of ['<!channel>', '<@U123>', '<https://evil.example', ' @here']) expect(s, bad).to.not.contain(bad);
};

describe('SlackNotifier against a loopback Slack (PGlite core)', function () {
  this.timeout(30_000);
  let fake: FakeSlack;
  let ids: { teamId: string; channel: string; alice: string; bob: string; token: string };

  beforeEach(async () => {
    const id = randomBytes(4).toString('hex').toUpperCase();
    ids = { teamId: `T${id}`, channel: `C${id}`, alice: `UA${id}`, bob: `UB${id}`, token: `xoxb-${id}` };
    fake = await FakeSlack.start({
      teams: [{ id: ids.teamId, name: 'Acme', botToken: ids.token, botUserId: `UBOT${id}` }],
      users: [{ id: ids.alice, teamId: ids.teamId, name: 'alice' }, { id: ids.bob, teamId: ids.teamId, name: 'bob' }],
      channels: [{ id: ids.channel, teamId: ids.teamId, name: 'general' }],
    });
  });
  afterEach(() => fake.stop());

  async function setup() {
    const core = await testCore('slack-notifier');
    const { stores, org } = core;
    await stores.workspaces.resolve('slack', ids.teamId, 'Acme', async () => org.id);
    await stores.workspaces.updateSettings('slack', ids.teamId, { slack: { subscriptions: [ids.channel] } });
    const alice = await stores.organizations.createUser({ organizationId: org.id, displayName: 'Alice' });
    const carol = await stores.organizations.createUser({ organizationId: org.id, displayName: 'Carol' });
    await stores.organizations.linkIdentity({ userId: alice.id, platform: 'slack', externalUserId: ids.alice, externalTeamId: ids.teamId });
    const meeting = await stores.meetings.insert({ organizationId: org.id, platform: 'slack', title: `Launch ${HOSTILE}`, status: 'completed' });
    const items = await stores.minutes.addActionItems([
      { meetingId: meeting.id, description: `Write notes ${HOSTILE}`, ownerUserId: alice.id, ownerName: 'Alice', dueDate: '2031-12-01', priority: 'critical' },
      { meetingId: meeting.id, description: 'Book the room', ownerUserId: carol.id, ownerName: `Carol ${HOSTILE}`, dueDate: '2031-12-12' },
    ]);
    const client = new WebClient(undefined, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    const notifier = new SlackNotifier({ client, tokenFor: async () => ids.token, db: core.db.knex, logger: core.logger });
    return { ...core, alice, carol, meeting, items, notifier };
  }

  it('posts the digest to subscribed channels as valid, escaped Block Kit, DMs linked owners, and sends each once', async () => {
    const { db, org, logger, notifier, meeting, items } = await setup();
    const task = new DigestTask({ db: db.knex, notifiers: [notifier], publicUrl: DASH, logger, organizations: async () => [org] });
    const report = await task.run(new Date(2031, 11, 10, 9, 0));
    expect(report).to.include({ sent: 2, failed: 0, ownersWithoutAccount: 1 });

    const [posted, ...rest] = fake.messages(ids.channel);
    expect(rest).to.deep.equal([]);
    expect(validateBlocks(posted!.blocks!, 'message')).to.deep.equal([]);
    noRaw(posted);
    const text = JSON.stringify(posted!.blocks);
    expect(text).to.contain(`<${itemLink(DASH, meeting.id, items[0]!.id)}|Write notes`);
    expect(text).to.contain('Overdue').and.contain('Due this week').and.contain('Carol');
    expect(posted!.text).to.contain('1 overdue, 1 due this week');

    const open = fake.callsTo('conversations.open');
    expect(open.map((c) => c.body.users)).to.deep.equal([ids.alice]);
    const [dm] = fake.messages(ids.alice);
    expect(validateBlocks(dm!.blocks!, 'message')).to.deep.equal([]);
    noRaw(dm);
    expect(JSON.stringify(dm!.blocks)).to.contain('Write notes').and.not.contain('Book the room');

    expect(await task.run(new Date(2031, 11, 10, 11, 0))).to.include({ sent: 0, duplicates: 2 });
    expect(fake.messages(ids.channel)).to.have.length(1);
    expect(fake.messages(ids.alice)).to.have.length(1);
  });

  it('reminds a linked owner by DM and says false for an owner without a Slack account', async () => {
    const { org, alice, carol, meeting, items, notifier } = await setup();
    const base = { meetingId: meeting.id, meetingTitle: meeting.title, ownerName: null, priority: 'high' as const, organizationId: org.id, dueDate: '2031-12-11' };
    const sent = await notifier.remind(org.id, { ...base, id: items[0]!.id, description: `Write notes ${HOSTILE}`, ownerUserId: alice.id, link: itemLink(DASH, meeting.id, items[0]!.id) });
    expect(sent).to.equal(true);
    const [dm] = fake.messages(ids.alice);
    expect(validateBlocks(dm!.blocks!, 'message')).to.deep.equal([]);
    noRaw(dm);
    expect(JSON.stringify(dm!.blocks)).to.contain('Due 2031-12-11').and.contain(itemLink(DASH, meeting.id, items[0]!.id));
    expect(await notifier.remind(org.id, { ...base, id: items[1]!.id, description: 'Book', ownerUserId: carol.id, link: DASH })).to.equal(false);
    expect(fake.messages(ids.bob)).to.deep.equal([]);
  });

  it('throws from remind when Slack refuses, so the task retries', async () => {
    const { org, alice, meeting, items, notifier } = await setup();
    fake.failNext('chat.postMessage', 'cannot_dm_bot');
    const item = { meetingId: meeting.id, meetingTitle: 'x', ownerName: null, priority: 'low' as const, organizationId: org.id, dueDate: '2031-12-11', id: items[0]!.id, description: 'x', ownerUserId: alice.id, link: DASH };
    let failed = false;
    await notifier.remind(org.id, item).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});

describe('digestMessage', () => {
  it('keeps a huge digest within Block Kit limits and points to the dashboard for the rest', () => {
    const items: OpenItem[] = Array.from({ length: 400 }, (_, i) => ({
      id: `i${i}`, meetingId: 'm', meetingTitle: 'T'.repeat(200), description: `${'long '.repeat(80)}${i}`, ownerUserId: null, ownerName: 'Dana', dueDate: i % 2 ? '2031-12-01' : null, priority: 'medium',
    }));
    const message = digestMessage(buildDigest('org', items, new Date(2031, 11, 10, 9), DASH), { personal: false });
    expect(validateBlocks(message.blocks, 'message')).to.deep.equal([]);
    expect(JSON.stringify(message.blocks.at(-1))).to.contain('More items than fit here');
  });
});
