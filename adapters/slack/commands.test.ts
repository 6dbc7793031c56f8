import { expect } from 'chai';
import { validateBlocks } from './testing/blockLimits.ts';
import { until, world, type World } from './SlackAdapter.test.ts';

type Response = Record<string, unknown> & { text?: string; blocks?: unknown[]; response_type?: string };

/** The escaped-only rule, on the JSON Slack receives. */
function inert(payload: unknown): string {
  const s = JSON.stringify(payload);
  for (const bad of ['<!channel>', '<@U123>', '<https://evil.example']) expect(s, bad).to.not.contain(bad);
  return s;
}

describe('/minutes subcommands over signed HTTP against a loopback Slack (PGlite core)', function () {
  this.timeout(30_000);
  let w: World;
  afterEach(async () => w?.stop());

  /** Runs a command: acked at once (200, empty body), then answered through the response_url. */
  async function run(text: string, as: { userId?: string } = {}): Promise<Response> {
    const started = Date.now();
    const { status, responses } = await w.command(text, as);
    expect(status).to.equal(200);
    expect(Date.now() - started, 'acknowledged within 3 s').to.be.below(3000);
    const answer = (await until(() => responses()[0], `answer to /minutes ${text}`)) as Response;
    if (answer.blocks) expect(validateBlocks(answer.blocks, 'message'), text).to.deep.equal([]);
    inert(answer);
    return answer;
  }

  it('help, unknown subcommand, list, search, ask and link answer ephemerally', async () => {
    w = await world();
    const { meeting } = await w.seed('Launch sync');
    const help = await run('');
    expect(help.response_type).to.equal('ephemeral');
    expect(help.text).to.contain('`summary');
    expect((await run('frobnicate')).text).to.contain('I don\'t know `frobnicate`');
    const list = await run('list');
    expect(list.response_type).to.equal('ephemeral');
    expect(JSON.stringify(list.blocks)).to.contain(`https://dash.example/meetings/${meeting.id}|Launch sync`).and.contain(meeting.id);
    const search = await run('search release notes');
    expect(search.response_type).to.equal('ephemeral');
    expect(JSON.stringify(search.blocks)).to.match(/#seg-\d+\|Launch sync 00:05/).and.contain('release notes');
    expect((await run('search')).text).to.contain('Usage');
    const ask = await run('ask when do we ship friday?');
    expect(ask.response_type).to.equal('ephemeral');
    const asked = inert(ask.blocks);
    expect(asked).to.contain('when do we ship').and.contain('#seg-').and.contain('&lt;!channel&gt;');
    const link = await run('link');
    expect(link.response_type).to.equal('ephemeral');
    expect(link.text).to.contain('<https://dash.example/auth/link/secret-token|sign in>');
    expect(w.signIns).to.deep.equal([{ organizationId: w.orgId, platform: 'slack', externalUserId: w.alice, externalTeamId: w.teamId, displayName: 'Alice' }]);
  });

  it('summary posts Block Kit minutes in the channel with details in the thread; by title words or id; unknown → ephemeral error', async () => {
    w = await world();
    const { meeting } = await w.seed('Launch sync');
    await w.seed('Budget review');
    const { status } = await w.command('summary launch');
    expect(status).to.equal(200);
    const main = await w.fake.waitFor('chat.postMessage', (c) => !c.body.thread_ts);
    expect(main.body).to.include({ channel: w.channel, link_names: 'false', unfurl_links: 'false' });
    const blocks = main.body.blocks as { type: string; text?: { text: string } }[];
    expect(validateBlocks(blocks, 'message')).to.deep.equal([]);
    expect(blocks[0]!.text!.text).to.equal('📝 Minutes: Launch sync');
    const s = inert(blocks);
    expect(s).to.contain('&lt;!channel&gt;').and.contain('&lt;@U123&gt;').and.contain('&amp;').and.contain('Write the release notes')
      .and.contain('minutes_done').and.contain('minutes_reassign').and.contain('minutes_snooze').and.contain('Alice').and.contain('Decisions');
    const ts = String(main.response.ts);
    const thread = await until(() => w.fake.thread(w.channel, ts)[0], 'thread reply');
    expect(validateBlocks(thread.blocks!, 'message')).to.deep.equal([]);
    expect(inert(thread.blocks)).to.contain('Transcript excerpts');
    expect((await w.meetings.getMeeting(meeting.id)).externalIds[`slack:${w.teamId}:${w.channel}`]).to.equal(ts);
    await w.command(`summary ${meeting.id}`);
    // Asked again within a minute: the same message is refreshed rather than posted twice.
    await w.fake.waitFor('chat.update', (c) => c.body.ts === ts);
    const missing = await run('summary no such meeting');
    expect(missing.response_type).to.equal('ephemeral');
    expect(missing.text).to.contain('does not exist');
  });

  it('actions: open and overdue in the channel, mine ephemeral (by Slack name), @user by mention', async () => {
    w = await world();
    await w.seed('Launch sync');
    const open = await run('actions');
    expect(open.response_type).to.equal('in_channel');
    expect(JSON.stringify(open.blocks)).to.contain('Open action items').and.contain('Book the launch room').and.contain('release notes');
    const overdue = await run('actions overdue');
    expect(JSON.stringify(overdue.blocks)).to.contain('Book the launch room').and.not.contain('release notes');
    const mine = await run('actions mine');
    expect(mine.response_type).to.equal('ephemeral');
    expect(JSON.stringify(mine.blocks)).to.contain('Your open action items').and.contain('Book the launch room').and.not.contain('release notes');
    const bobs = await run(`actions <@${w.bob}|bob>`);
    expect(JSON.stringify(bobs.blocks)).to.contain('release notes').and.not.contain('Book the launch room');
    const byName = await run('actions @ali');
    expect(JSON.stringify(byName.blocks)).to.contain('Book the launch room');
    expect((await run('actions sideways')).text).to.contain('Usage');
  });

  it('subscribe stores the channel; minutes.ready of any platform posts there; unsubscribe stops it', async () => {
    w = await world();
    const { meeting } = await w.seed('Launch sync');
    const sub = await run('subscribe');
    expect(sub.response_type).to.equal('in_channel');
    expect((await w.stores.workspaces.find('slack', w.teamId))!.settings).to.deep.equal({ slack: { subscriptions: [w.channel] } });
    expect((await run('subscribe')).text).to.contain('already');
    await w.minutes.generate(meeting.id);
    const post = await w.fake.waitFor('chat.postMessage', (c) => c.body.channel === w.channel && !c.body.thread_ts);
    expect(validateBlocks(post.body.blocks as unknown[], 'message')).to.deep.equal([]);
    inert(post.body.blocks);
    // Regenerated minutes update the same message.
    await w.minutes.generate(meeting.id);
    await w.fake.waitFor('chat.update', (c) => c.body.ts === post.response.ts);
    expect(w.fake.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts)).to.have.length(1);
    const unsub = await run('unsubscribe');
    expect(unsub.text).to.contain('unsubscribed');
    expect((await w.stores.workspaces.find('slack', w.teamId))!.settings).to.deep.equal({ slack: { subscriptions: [] } });
    const other = await w.seed('Retro');
    const before = w.fake.calls.length;
    await w.minutes.generate(other.meeting.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.fake.calls.slice(before).filter((c) => c.method === 'chat.postMessage')).to.have.length(0);
  });
});
