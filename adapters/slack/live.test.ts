import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import type { Insight } from '../../core/minutes/types.ts';
import type { Meeting } from '../../core/types.ts';
import { describeEachBackend } from '../../test/support/databases.ts';
import { followLiveMeetings } from './live.ts';
import { createChannelsFor, setSubscribed, subscriptionsOf, type SlackChannelRef } from './subscriptions.ts';
import { FakeSlack } from './testing/FakeSlack.ts';

const links = { home: () => 'https://minutes.example/', meeting: (id: string, seg?: number) => `https://minutes.example/meetings/${id}${seg === undefined ? '' : `#seg-${seg}`}` };

function meeting(patch: Partial<Meeting> = {}): Meeting {
  return {
    id: randomUUID(), organizationId: 'org-1', platform: 'discord', externalIds: {}, title: 'Weekly <!channel> sync & plan', status: 'in_progress',
    scheduledAt: null, startedAt: new Date('2026-01-05T10:00:00Z'), endedAt: null, settings: {}, createdAt: new Date(), updatedAt: new Date(), ...patch,
  } as Meeting;
}

const insight = (kind: Insight['kind'], text: string, extra: Partial<Insight> = {}): Insight => ({ kind, key: `${kind}:${text}`, text, confidence: 0.9, evidenceSegmentIds: [7], ...extra });
const evidence = [{ id: 7, speaker: 'Ada <@U999>', startMs: 65_000, endMs: 70_000, text: 'We will ship on <https://evil.example|Friday> &c, tell <!here>' }];

describe('followLiveMeetings', () => {
  let fake: FakeSlack;
  let warnings: unknown[];
  const teams = [
    { id: 'T1', name: 'One', botToken: 'xoxb-one', botUserId: 'UB1' },
    { id: 'T2', name: 'Two', botToken: 'xoxb-two', botUserId: 'UB2' },
  ];
  beforeEach(async () => {
    warnings = [];
    fake = await FakeSlack.start({ teams, channels: [{ id: 'C1', teamId: 'T1', name: 'general' }, { id: 'C2', teamId: 'T2', name: 'ops' }] });
  });
  afterEach(() => fake.stop());

  function follow(subs: Record<string, SlackChannelRef[]>) {
    const bus = new InProcessEventBus();
    const follower = followLiveMeetings({
      bus,
      clientFor: (teamId) => {
        const team = teams.find((t) => t.id === teamId);
        return team ? new webApi.WebClient(team.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }) : null;
      },
      channelsFor: async (orgId) => subs[orgId] ?? [],
      links,
      logger: { warn: (o: unknown) => void warnings.push(o), debug: () => undefined },
    });
    return { bus, follower };
  }

  it('announces a meeting in each subscribed channel and threads its insights, escaped, in order, then says it ended', async () => {
    const { bus, follower } = follow({ 'org-1': [{ teamId: 'T1', channelId: 'C1' }, { teamId: 'T2', channelId: 'C2' }] });
    const m = meeting();
    await bus.publish({ type: 'meeting.started', meeting: m });
    await bus.publish({ type: 'insight.added', meetingId: m.id, insight: insight('decision', 'Ship on Friday <!channel>'), evidence });
    await bus.publish({ type: 'insight.added', meetingId: m.id, insight: insight('action_item', 'Ada writes the notes', { ownerName: 'Ada', dueDate: '2026-01-09' }), evidence });
    await bus.publish({ type: 'insight.added', meetingId: m.id, insight: insight('decision', 'Ship on Friday <!channel>'), evidence }); // seen again
    await bus.publish({ type: 'insight.added', meetingId: m.id, insight: insight('question', 'Who owns QA?'), evidence: [] });
    await bus.publish({ type: 'meeting.ended', meeting: { ...m, status: 'completed', endedAt: new Date('2026-01-05T10:42:00Z') } });
    await follower.idle();

    for (const channel of ['C1', 'C2']) {
      const [root, ...rest] = fake.messages(channel);
      expect(root!.text).to.include('Notes are being taken: *Weekly &lt;!channel&gt; sync &amp; plan* (on Discord)');
      expect(root!.text).to.include(`<https://minutes.example/meetings/${m.id}|live dashboard>`);
      const replies = fake.thread(channel, root!.ts);
      expect(replies).to.have.length(4);
      expect(rest).to.deep.equal(replies);
      const [decision, action, question, ended] = replies.map((r) => r.text);
      expect(decision).to.include(':pushpin: *Decision*: Ship on Friday &lt;!channel&gt;');
      expect(decision).to.include(`> <https://minutes.example/meetings/${m.id}#seg-7|01:05> *Ada &lt;@U999&gt;*: We will ship on &lt;https://evil.example|Friday&gt; &amp;c, tell &lt;!here&gt;`);
      expect(action).to.include('*Action item*: Ada writes the notes').and.include('Owner: Ada · due 2026-01-09');
      expect(question).to.include('*Open question*: Who owns QA?');
      expect(ended).to.include('The meeting ended after 42:00').and.include('1 decision, 1 action item, 1 open question');
      for (const text of replies.map((r) => r.text).concat(root!.text)) {
        expect(text).to.not.match(/<!(channel|here)>|<@U999>|<https:\/\/evil/);
      }
    }
    const posts = fake.callsTo('chat.postMessage');
    expect(posts.every((c) => c.body.link_names === 'false' || c.body.link_names === false)).to.equal(true);
  });

  it('ignores meetings of organizations nobody subscribed to, and insights of meetings it does not follow', async () => {
    const { bus, follower } = follow({ 'org-1': [{ teamId: 'T1', channelId: 'C1' }] });
    const other = meeting({ organizationId: 'org-2' });
    await bus.publish({ type: 'meeting.started', meeting: other });
    await bus.publish({ type: 'insight.added', meetingId: other.id, insight: insight('decision', 'x'), evidence });
    await bus.publish({ type: 'insight.added', meetingId: randomUUID(), insight: insight('decision', 'y'), evidence });
    await follower.idle();
    expect(fake.callsTo('chat.postMessage')).to.have.length(0);
  });

  it('logs Slack failures and never throws into the bus; a channel whose root post failed gets no replies', async () => {
    const { bus, follower } = follow({ 'org-1': [{ teamId: 'T1', channelId: 'C1' }, { teamId: 'T1', channelId: 'C404' }, { teamId: 'T9', channelId: 'C9' }] });
    const m = meeting();
    await bus.publish({ type: 'meeting.started', meeting: m });
    await follower.idle();
    fake.failNext('chat.postMessage', 'internal_error');
    await bus.publish({ type: 'insight.added', meetingId: m.id, insight: insight('blocker', 'The build is red'), evidence });
    await bus.publish({ type: 'insight.added', meetingId: m.id, insight: insight('decision', 'Revert it'), evidence });
    await bus.publish({ type: 'meeting.ended', meeting: { ...m, endedAt: new Date() } });
    await follower.idle();
    const [root] = fake.messages('C1');
    expect(fake.thread('C1', root!.ts).map((r) => r.text.split(':')[1])).to.deep.equal(['pushpin', 'stop_button']);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C404')).to.have.length(1); // the root only
    expect(warnings.length).to.equal(2); // channel_not_found root, the failed insight
    follower.stop();
  });
});

describeEachBackend('Slack subscriptions', (ctx) => {
  it('reads the subscribed channels of every Slack workspace of an organization', async () => {
    const [t1, t2, t3] = [randomUUID(), randomUUID(), randomUUID()];
    await ctx.stores.workspaces.resolve('slack', t1, 'One', async () => ctx.org.id);
    await ctx.stores.workspaces.resolve('slack', t2, 'Two', async () => ctx.org.id);
    await ctx.stores.workspaces.resolve('discord', t3, 'Guild', async () => ctx.org.id);
    await ctx.stores.workspaces.updateSettings('slack', t1, { slack: { homeTab: true } });
    expect(await setSubscribed(ctx.stores.workspaces, t1, 'C111', true)).to.deep.equal(['C111']);
    await setSubscribed(ctx.stores.workspaces, t1, 'C222', true);
    await setSubscribed(ctx.stores.workspaces, t1, 'C111', true);
    await setSubscribed(ctx.stores.workspaces, t2, 'G333', true);
    await ctx.stores.workspaces.updateSettings('discord', t3, { slack: { subscriptions: ['C999'] } });
    const channelsFor = createChannelsFor(ctx.db.knex);
    const got = await channelsFor(ctx.org.id);
    expect(got).to.have.deep.members([{ teamId: t1, channelId: 'C111' }, { teamId: t1, channelId: 'C222' }, { teamId: t2, channelId: 'G333' }]);
    expect((await ctx.stores.workspaces.find('slack', t1))!.settings.slack).to.deep.equal({ homeTab: true, subscriptions: ['C111', 'C222'] });
    await setSubscribed(ctx.stores.workspaces, t1, 'C111', false);
    expect((await channelsFor(ctx.org.id)).map((c) => c.channelId).sort()).to.deep.equal(['C222', 'G333']);
    expect(await setSubscribed(ctx.stores.workspaces, randomUUID(), 'C1', true)).to.equal(null);
    expect(subscriptionsOf({ slack: { subscriptions: ['C1', 42, '<!channel>', 'C1'] } })).to.deep.equal(['C1']);
  });
});
