import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { REST } from 'discord.js';
import { buildDigest, itemLink, type OpenItem } from '../../core/schedule/digest.ts';
import { DigestTask } from '../../core/schedule/DigestTask.ts';
import { testCore } from '../../test/support/core.ts';
import { digestMessage, DiscordNotifier } from './notifier.ts';
import { LIMITS } from './render.ts';
import { FakeDiscord, type FakeMessage } from './testing/FakeDiscord.ts';

const HOSTILE = 'Ship it @everyone <@&777> tell <@123> **now** [click](https://evil.example) @here';
const DASH = 'https://dash.example';

const noRaw = (message: FakeMessage | undefined) => {
  expect(message, 'message').to.not.equal(undefined);
  const embeds = (message!.embeds ?? []).flatMap((e) => [e.title, e.description, ...(e.fields ?? []).flatMap((f) => [f.name, f.value])]);
  const s = [message!.content, ...embeds].join('\n');
  for (const bad of ['@everyone', '@here', '<@&777>', '<@123>', '**now**']) expect(s, bad).to.not.contain(bad);
  // The said masked link stays escaped text: `\[click](…)` renders as brackets, not a link.
  expect(s).to.not.match(/(?<!\\)\[click\]\(/);
  expect(message!.allowed_mentions).to.deep.equal({ parse: [] });
};

const embedText = (m: FakeMessage | undefined) => JSON.stringify(m?.embeds ?? []);
const snowflakeish = () => `${randomInt(1, 9)}${String(randomInt(0, 2 ** 47)).padStart(15, '0')}`;

describe('DiscordNotifier against a loopback Discord (PGlite core)', function () {
  this.timeout(30_000);
  let fake: FakeDiscord;
  let rest: REST;
  let ids: { guild: string; alice: string; bob: string };

  beforeEach(async () => {
    ids = { guild: snowflakeish(), alice: snowflakeish(), bob: snowflakeish() };
    fake = await FakeDiscord.start({
      applicationId: snowflakeish(), botUser: { id: snowflakeish(), username: 'minutes' },
      guilds: [{
        id: ids.guild, name: 'Acme', channels: [{ id: snowflakeish(), name: 'general', type: 0 }],
        members: [{ user: { id: ids.alice, username: 'alice' } }, { user: { id: ids.bob, username: 'bob' } }],
      }],
    });
    rest = new REST({ version: '10', api: fake.restApi, retries: 0, hashSweepInterval: 0, handlerSweepInterval: 0 }).setToken('test-token');
  });
  afterEach(() => fake?.stop());

  async function setup() {
    const core = await testCore('discord-notifier');
    const { stores, org } = core;
    const alice = await stores.organizations.createUser({ organizationId: org.id, displayName: 'Alice' });
    const bob = await stores.organizations.createUser({ organizationId: org.id, displayName: 'Bob' });
    const carol = await stores.organizations.createUser({ organizationId: org.id, displayName: 'Carol' });
    // Alice was linked in a guild (a meeting), Bob through a guild-less sign-in: both reach a DM.
    await stores.organizations.linkIdentity({ userId: alice.id, platform: 'discord', externalUserId: ids.alice, externalTeamId: ids.guild });
    await stores.organizations.linkIdentity({ userId: bob.id, platform: 'discord', externalUserId: ids.bob });
    const meeting = await stores.meetings.insert({ organizationId: org.id, platform: 'discord', title: `Launch ${HOSTILE}`, status: 'completed' });
    const items = await stores.minutes.addActionItems([
      { meetingId: meeting.id, description: `Write notes ${HOSTILE}`, ownerUserId: alice.id, ownerName: 'Alice', dueDate: '2031-12-01', priority: 'critical' },
      { meetingId: meeting.id, description: 'Book the room', ownerUserId: bob.id, ownerName: 'Bob', dueDate: '2031-12-12' },
      { meetingId: meeting.id, description: 'Order snacks', ownerUserId: bob.id, ownerName: 'Bob' },
      { meetingId: meeting.id, description: 'Call the venue', ownerUserId: carol.id, ownerName: 'Carol', dueDate: '2031-12-11' },
    ]);
    const notifier = new DiscordNotifier({ rest, db: core.db.knex, logger: core.logger });
    const task = new DigestTask({ db: core.db.knex, notifiers: [notifier], publicUrl: DASH, logger: core.logger, organizations: async () => [org] });
    return { ...core, alice, bob, carol, meeting, items, notifier, task };
  }

  it('DMs each linked owner only their own items, escaped and pinging nobody, and sends each once per period', async () => {
    const { task, meeting, items } = await setup();
    const report = await task.run(new Date(2031, 11, 10, 9, 0));
    expect(report).to.include({ sent: 2, failed: 0, duplicates: 0, ownersWithoutAccount: 1 });

    expect(fake.callsTo('POST', /^\/users\/@me\/channels$/).map((c) => (c.body as { recipient_id: string }).recipient_id).sort()).to.deep.equal([ids.alice, ids.bob].sort());
    const [toAlice, ...moreAlice] = fake.directMessages(ids.alice);
    expect(moreAlice).to.deep.equal([]);
    noRaw(toAlice);
    expect(embedText(toAlice)).to.contain('Write notes').and.contain('Overdue').and.contain(itemLink(DASH, meeting.id, items[0]!.id))
      .and.not.contain('Book the room').and.not.contain('Order snacks').and.not.contain('Call the venue');
    expect(toAlice!.content).to.contain('1 overdue, 0 due this week, 0 without a due date');

    const [toBob] = fake.directMessages(ids.bob);
    noRaw(toBob);
    expect(embedText(toBob)).to.contain('Book the room').and.contain('Order snacks').and.contain('Due this week').and.contain('No due date')
      .and.not.contain('Write notes').and.not.contain('Call the venue');
    for (const call of fake.callsTo('POST', /^\/channels\/\d+\/messages$/)) expect((call.body as { allowed_mentions: unknown }).allowed_mentions).to.deep.equal({ parse: [] });

    expect(await task.run(new Date(2031, 11, 10, 11, 0))).to.include({ sent: 0, duplicates: 2, ownersWithoutAccount: 1 });
    expect(fake.directMessages(ids.alice)).to.have.length(1);
    expect(fake.directMessages(ids.bob)).to.have.length(1);
  });

  it('counts an owner whose DMs are closed as failed, still DMs the others, and retries them later in the period', async () => {
    const { task } = await setup();
    fake.refuseDirectMessages(ids.alice);
    expect(await task.run(new Date(2031, 11, 10, 9, 0))).to.include({ sent: 1, failed: 1, ownersWithoutAccount: 1 });
    const refused = fake.callsTo('POST', new RegExp(`^/channels/${fake.dmChannelOf(ids.alice)}/messages$`));
    expect(refused.map((c) => c.status)).to.deep.equal([403]);
    expect(fake.directMessages(ids.alice)).to.deep.equal([]);
    expect(fake.directMessages(ids.bob)).to.have.length(1);

    fake.refuseDirectMessages(ids.alice, false);
    expect(await task.run(new Date(2031, 11, 10, 11, 0))).to.include({ sent: 1, duplicates: 1, failed: 0 });
    expect(fake.directMessages(ids.alice)).to.have.length(1);
    expect(fake.directMessages(ids.bob)).to.have.length(1);
  });

  it('reminds a linked owner by DM; false without a Discord account or with DMs closed; throws on other failures', async () => {
    const { org, alice, carol, meeting, items, notifier } = await setup();
    const base = { meetingId: meeting.id, meetingTitle: meeting.title, ownerName: null, priority: 'high' as const, organizationId: org.id, dueDate: '2031-12-11' };
    const reminder = { ...base, id: items[0]!.id, description: `Write notes ${HOSTILE}`, ownerUserId: alice.id, link: itemLink(DASH, meeting.id, items[0]!.id) };
    expect(await notifier.remind(org.id, reminder)).to.equal(true);
    const [dm] = fake.directMessages(ids.alice);
    noRaw(dm);
    expect(dm!.content).to.contain('Due 2031-12-11').and.contain('Write notes').and.contain(`(<${reminder.link}>)`).and.contain('**high**').and.contain('From _Launch');

    const opened = fake.callsTo('POST', /^\/users\/@me\/channels$/).length;
    expect(await notifier.remind(org.id, { ...base, id: items[3]!.id, description: 'Call', ownerUserId: carol.id, link: DASH })).to.equal(false);
    expect(fake.callsTo('POST', /^\/users\/@me\/channels$/)).to.have.length(opened);

    fake.refuseDirectMessages(ids.alice);
    expect(await notifier.remind(org.id, reminder)).to.equal(false);
    fake.refuseDirectMessages(ids.alice, false);
    fake.failNext('POST', /^\/channels\/\d+\/messages$/, 403);
    let failed: unknown = null;
    await notifier.remind(org.id, reminder).catch((err: unknown) => (failed = err));
    expect(failed).to.have.property('code', 50013);
    expect(fake.directMessages(ids.alice)).to.have.length(1);
  });
});

describe('Discord digestMessage', () => {
  it('keeps a huge digest within embed limits and points to the dashboard for the rest', () => {
    const items: OpenItem[] = Array.from({ length: 400 }, (_, i) => ({
      id: `i${i}`, meetingId: 'm', meetingTitle: 'T'.repeat(200), description: `${'long [x] '.repeat(60)}${i}`, ownerUserId: 'u', ownerName: 'Dana', dueDate: i % 2 ? '2031-12-01' : null, priority: 'medium',
    }));
    const message = digestMessage(buildDigest('org', items, new Date(2031, 11, 10, 9), DASH));
    const embed = message.embeds![0]!;
    const total = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).to.be.at.most(LIMITS.embedTotal);
    expect(embed.fields!.length).to.be.at.most(LIMITS.fields);
    for (const f of embed.fields!) expect(f.value.length).to.be.at.most(LIMITS.fieldValue);
    expect(embed.fields!.at(-1)!.value).to.contain('More items than fit here').and.contain(`${DASH}/actions`);
    expect(message.allowed_mentions).to.deep.equal({ parse: [] });
  });
});
