import { expect } from 'chai';
import { ChannelType } from 'discord.js';
import { COMMANDS, inviteUrl, registerCommands } from './commands.ts';
import { FakeDiscord } from './testing/FakeDiscord.ts';

describe('Discord slash command registration', function () {
  this.timeout(20_000);
  let fake: FakeDiscord;
  before(async () => {
    fake = await FakeDiscord.start({
      applicationId: '1100000000000000001', botUser: { id: '1100000000000000002', username: 'minutes', bot: true },
      guilds: [{ id: '1200000000000000001', name: 'G', channels: [{ id: '1300000000000000001', name: 'general', type: ChannelType.GuildText }], members: [] }],
    });
  });
  after(() => fake.stop());

  it('defines /minutes with every subcommand, autocomplete on meeting options, guild-only', () => {
    const [command] = COMMANDS();
    const subs = command!.options!.map((o) => o.name);
    expect(subs).to.deep.equal(['start', 'stop', 'status', 'summary', 'actions', 'search', 'ask', 'optout', 'optin', 'link']);
    const meetingOptions = command!.options!.flatMap((o) => ('options' in o ? ((o.options ?? []) as { name: string }[]) : [])).filter((o) => o.name === 'meeting');
    expect(meetingOptions.length).to.equal(3);
    for (const o of meetingOptions) expect(o).to.have.property('autocomplete', true);
    expect(command!.contexts).to.deep.equal([0]);
  });

  it('registers in one guild or globally through the real REST routes', async () => {
    const guild = await registerCommands({ token: 't', applicationId: '1100000000000000001', guildId: '1200000000000000001', api: fake.restApi });
    expect(guild).to.deep.equal({ scope: 'guild 1200000000000000001', count: 1 });
    const put = fake.callsTo('PUT', /^\/applications\/1100000000000000001\/guilds\/1200000000000000001\/commands$/)[0]!;
    expect((put.body as { name: string }[])[0]!.name).to.equal('minutes');
    expect(put.headers.authorization).to.equal('Bot t');
    const global = await registerCommands({ token: 't', applicationId: '1100000000000000001', api: fake.restApi });
    expect(global.scope).to.equal('global');
    expect(fake.callsTo('PUT', /^\/applications\/1100000000000000001\/commands$/)).to.have.length(1);
  });

  it('builds an invite URL with the bot and commands scopes and exactly the permissions checked at start', () => {
    const url = new URL(inviteUrl('123'));
    expect(url.searchParams.get('scope')).to.equal('bot applications.commands');
    // View, Send, Embed, Attach, Read history, Connect, Speak, Create public threads, Send in threads.
    expect(BigInt(url.searchParams.get('permissions')!)).to.equal(
      (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 15n) | (1n << 16n) | (1n << 20n) | (1n << 21n) | (1n << 35n) | (1n << 38n),
    );
  });
});
