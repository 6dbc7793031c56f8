import { expect } from 'chai';
import { once } from 'node:events';
import { joinVoiceChannel } from '@discordjs/voice';
import {
  AttachmentBuilder, ChannelType, Client, DiscordAPIError, Events, GatewayIntentBits, MessageFlags, PermissionFlagsBits,
  type ChatInputCommandInteraction, type GatewayDispatchPayload, type Interaction, type TextChannel, type VoiceState,
} from 'discord.js';
import { FakeDiscord } from './FakeDiscord.ts';

const APP = '1100000000000000001';
const BOT = { id: '1100000000000000002', username: 'minutes-bot', bot: true };
const ALICE = { id: '1400000000000000001', username: 'alice' };
const BOB = { id: '1400000000000000002', username: 'bob' };
const GUILD = '1200000000000000001';
const MOD_ROLE = '1500000000000000001';
const CATEGORY = '1300000000000000001';
const TEXT = '1300000000000000002';
const VOICE = '1300000000000000003';
const BURST = '1300000000000000004';
const LOCKED = '1300000000000000005';

function nextInteraction(client: Client): Promise<Interaction> {
  return once(client, Events.InteractionCreate).then(([i]) => i as Interaction);
}

function nextRaw(client: Client, t: string): Promise<GatewayDispatchPayload> {
  return new Promise((resolve) => {
    const onRaw = (packet: GatewayDispatchPayload) => {
      if (packet.t !== t) return;
      client.off(Events.Raw, onRaw);
      resolve(packet);
    };
    client.on(Events.Raw, onRaw);
  });
}

describe('FakeDiscord with a real discord.js Client', function () {
  this.timeout(20_000);
  let fake: FakeDiscord;
  let client: Client;

  before(async () => {
    fake = await FakeDiscord.start({
      applicationId: APP, botUser: BOT, heartbeatIntervalMs: 1000,
      guilds: [{
        id: GUILD, name: 'Standup',
        channels: [
          { id: CATEGORY, name: 'Meetings', type: ChannelType.GuildCategory },
          { id: TEXT, name: 'minutes', type: ChannelType.GuildText, parent_id: CATEGORY },
          { id: VOICE, name: 'Daily', type: ChannelType.GuildVoice, parent_id: CATEGORY },
          { id: BURST, name: 'burst', type: ChannelType.GuildText },
          { id: LOCKED, name: 'locked', type: ChannelType.GuildText },
        ],
        members: [{ user: ALICE, roles: [MOD_ROLE], nick: 'Al' }, { user: BOB }],
        roles: [{ id: MOD_ROLE, name: 'mod', permissions: PermissionFlagsBits.ManageGuild.toString() }],
        voiceStates: [{ userId: ALICE.id, channelId: VOICE }],
      }],
    });
    client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates], rest: { api: fake.restApi } });
    const ready = once(client, Events.ClientReady);
    await client.login('fake-token');
    await ready;
    await fake.identified;
  });

  after(async () => {
    await client?.destroy();
    await fake?.stop();
  });

  it('connects through GET /gateway/bot and IDENTIFY, and caches the guild from GUILD_CREATE', () => {
    expect(fake.callsTo('GET', /^\/gateway\/bot$/)).to.have.length(1);
    expect(fake.calls[0]!.headers.authorization).to.equal('Bot fake-token');
    const identify = fake.gatewayOps.find((o) => o.op === 2)!.d as { intents: number; compress: boolean };
    expect(identify.intents).to.equal(GatewayIntentBits.Guilds | GatewayIntentBits.GuildVoiceStates);
    expect(identify.compress).to.equal(false);
    expect(client.user!.id).to.equal(BOT.id);
    expect(client.application!.id).to.equal(APP);
    const guild = client.guilds.cache.get(GUILD)!;
    expect(guild.available).to.equal(true);
    expect([...guild.channels.cache.keys()]).to.have.members([CATEGORY, TEXT, VOICE, BURST, LOCKED]);
    expect(guild.channels.cache.get(TEXT)!.parentId).to.equal(CATEGORY);
    expect(guild.members.me!.id).to.equal(BOT.id);
    // Without the presence intent only the bot and members in voice come with GUILD_CREATE.
    expect([...guild.members.cache.keys()]).to.have.members([BOT.id, ALICE.id]);
    expect(guild.memberCount).to.equal(3);
    expect(guild.voiceStates.cache.get(ALICE.id)!.channelId).to.equal(VOICE);
    expect(guild.roles.everyone.id).to.equal(GUILD);
    expect(guild.roles.cache.get(MOD_ROLE)!.name).to.equal('mod');
    expect(guild.members.me!.permissionsIn(TEXT).has(PermissionFlagsBits.SendMessages)).to.equal(true);
  });

  it('delivers a slash command with subcommand and options, and records an ephemeral reply', async () => {
    const received = nextInteraction(client);
    const sent = fake.slashCommand({
      guildId: GUILD, channelId: TEXT, userId: ALICE.id, name: 'meeting', subcommand: 'start',
      options: [{ name: 'title', type: 3, value: 'Standup' }, { name: 'minutes', type: 4, value: 15 }],
    });
    const interaction = (await received) as ChatInputCommandInteraction;
    expect(interaction.isChatInputCommand()).to.equal(true);
    expect(interaction.id).to.equal(sent.id);
    expect(interaction.commandName).to.equal('meeting');
    expect(interaction.options.getSubcommand()).to.equal('start');
    expect(interaction.options.getString('title')).to.equal('Standup');
    expect(interaction.options.getInteger('minutes')).to.equal(15);
    expect(interaction.member!.user.id).to.equal(ALICE.id);
    expect(interaction.memberPermissions!.has(PermissionFlagsBits.ManageGuild)).to.equal(true);
    expect(interaction.appPermissions.has(PermissionFlagsBits.SendMessages)).to.equal(true);
    expect(interaction.channelId).to.equal(TEXT);

    await interaction.reply({ content: 'Recording started', flags: MessageFlags.Ephemeral });
    const call = await fake.waitForCall('POST', new RegExp(`^/interactions/${sent.id}/`));
    expect(call.body).to.deep.include({ type: 4 });
    expect((call.body as { data: object }).data).to.include({ content: 'Recording started', flags: MessageFlags.Ephemeral });
    const reply = fake.messages(TEXT).at(-1)!;
    expect(reply.content).to.equal('Recording started');
    expect(reply.flags).to.equal(MessageFlags.Ephemeral);
    expect(reply.interaction_metadata!.id).to.equal(sent.id);
    // A second initial response is refused by discord.js itself; the fake would answer 40060.
    expect(await interaction.reply('again').catch((e: Error) => e.name)).to.match(/InteractionAlreadyReplied/);
  });

  it('supports deferReply, editReply and a followUp with a file (multipart)', async () => {
    const received = nextInteraction(client);
    const sent = fake.slashCommand({ guildId: GUILD, channelId: TEXT, userId: BOB.id, name: 'minutes' });
    const interaction = (await received) as ChatInputCommandInteraction;
    await interaction.deferReply();
    expect(fake.messages(TEXT).at(-1)!.flags).to.equal(MessageFlags.Loading);
    const edited = await interaction.editReply({ content: 'Here are the minutes', embeds: [{ title: 'Standup', description: 'All good' }] });
    expect(edited.content).to.equal('Here are the minutes');
    const original = fake.messages(TEXT).find((m) => m.id === edited.id)!;
    expect(original.flags).to.equal(0);
    expect(original.embeds[0]).to.include({ title: 'Standup', type: 'rich' });
    expect(fake.callsTo('PATCH', new RegExp(`^/webhooks/${APP}/${sent.token}/messages/@original$`))).to.have.length(1);

    const file = new AttachmentBuilder(Buffer.from('# Minutes\n- ship it\n'), { name: 'minutes.md', description: 'the minutes' });
    const followUp = await interaction.followUp({ content: 'Full text attached', files: [file] });
    const call = fake.callsTo('POST', new RegExp(`^/webhooks/${APP}/${sent.token}$`))[0]!;
    expect(call.files).to.have.length(1);
    expect(call.files[0]).to.include({ name: 'files[0]', filename: 'minutes.md' });
    expect(call.files[0]!.data.toString()).to.equal('# Minutes\n- ship it\n');
    expect((call.body as { content: string }).content).to.equal('Full text attached');
    expect(followUp.attachments.first()!.name).to.equal('minutes.md');
    expect(followUp.attachments.first()!.description).to.equal('the minutes');
    const download = await fetch(followUp.attachments.first()!.url);
    expect(await download.text()).to.equal('# Minutes\n- ship it\n');
  });

  it('delivers autocomplete and button interactions', async () => {
    let received = nextInteraction(client);
    fake.autocomplete({
      guildId: GUILD, channelId: TEXT, userId: ALICE.id, name: 'meeting', subcommand: 'show',
      options: [{ name: 'id', type: 3, value: 'stand' }], focused: 'id',
    });
    const auto = await received;
    if (!auto.isAutocomplete()) throw new Error('expected autocomplete');
    expect(auto.options.getFocused(true)).to.include({ name: 'id', value: 'stand' });
    await auto.respond([{ name: 'Standup', value: 'm1' }]);
    expect(fake.callsTo('POST', new RegExp(`^/interactions/${auto.id}/`))[0]!.body).to.deep.equal({ type: 8, data: { choices: [{ name: 'Standup', value: 'm1' }] } });

    const channel = client.channels.cache.get(TEXT) as TextChannel;
    const posted = await channel.send({ content: 'Consent?', components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'consent:yes', label: 'Yes' }] }] });
    received = nextInteraction(client);
    fake.button({ guildId: GUILD, channelId: TEXT, userId: BOB.id, customId: 'consent:yes', messageId: posted.id });
    const button = await received;
    if (!button.isButton()) throw new Error('expected button');
    expect(button.customId).to.equal('consent:yes');
    expect(button.message.id).to.equal(posted.id);
    await button.update({ content: 'Thanks, Bob', components: [] });
    expect(fake.messages(TEXT).find((m) => m.id === posted.id)).to.include({ content: 'Thanks, Bob' });
  });

  it('records channel.send, message.edit and thread creation (THREAD_CREATE reaches the client)', async () => {
    const channel = client.channels.cache.get(TEXT) as TextChannel;
    const message = await channel.send({ content: 'Meeting started', allowedMentions: { parse: [] } });
    await message.edit('Meeting ended');
    const stored = fake.messages(TEXT).find((m) => m.id === message.id)!;
    expect(stored.content).to.equal('Meeting ended');
    expect(stored.allowed_mentions).to.deep.equal({ parse: [] });
    expect(stored.edited_timestamp).to.be.a('string');

    const fromMessage = await message.startThread({ name: 'Minutes thread' });
    expect(fromMessage.id).to.equal(message.id);
    expect(fromMessage.parentId).to.equal(TEXT);
    const standalone = await channel.threads.create({ name: 'Action items' });
    expect(standalone.type).to.equal(ChannelType.PublicThread);
    expect(fake.threads.map((t) => t.name)).to.deep.equal(['Minutes thread', 'Action items']);
    expect(fake.threads[0]!.messageId).to.equal(message.id);
    await standalone.send('first item');
    expect(fake.messages(standalone.id)[0]!.content).to.equal('first item');
    expect(client.channels.cache.get(standalone.id)?.isThread()).to.equal(true);
  });

  it('answers a rate-limited route with real headers, which discord.js respects', async () => {
    const bucket = fake.rateLimit(new RegExp(`^/channels/${BURST}/messages$`), { limit: 5, windowMs: 1000 });
    const channel = client.channels.cache.get(BURST) as TextChannel;
    const started = Date.now();
    const sent = await Promise.all(Array.from({ length: 8 }, (_, i) => channel.send(`line ${i}`)));
    expect(sent.map((m) => m.content)).to.deep.equal(Array.from({ length: 8 }, (_, i) => `line ${i}`));
    expect(fake.messages(BURST)).to.have.length(8);
    expect(bucket.violations).to.equal(0);
    expect(bucket.served).to.equal(8);
    expect(fake.violations).to.have.length(0);
    expect(fake.rateLimited.length).to.be.at.most(1);
    expect(Date.now() - started).to.be.at.least(900); // the last three waited for the window
  });

  it('answers 429 with Retry-After to a client that ignores the bucket, counting violations', async () => {
    const bucket = fake.rateLimit(/^\/guilds\/\d+\/channels$/, { limit: 1, windowMs: 5000 });
    const get = () => fetch(`${fake.restApi}/v10/guilds/${GUILD}/channels`, { headers: { authorization: 'Bot fake-token' } });
    const first = await get();
    expect(first.status).to.equal(200);
    expect(first.headers.get('x-ratelimit-remaining')).to.equal('0');
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).to.be.within(4, 5);
    const second = await get();
    expect(second.status).to.equal(429);
    expect(Number(second.headers.get('retry-after'))).to.equal(5);
    expect(await second.json()).to.include({ message: 'You are being rate limited.', global: false });
    expect(bucket).to.include({ served: 1, limited: 1, violations: 1 });
    expect(fake.violations.at(-1)!.path).to.equal(`/guilds/${GUILD}/channels`);

    const unknown = await fetch(`${fake.restApi}/v10/nowhere`, { headers: { authorization: 'Bot fake-token' } });
    expect(unknown.status).to.equal(404);
    expect(await unknown.json()).to.deep.equal({ message: '404: Not Found', code: 0 });
    expect(fake.callsTo('GET', /^\/nowhere$/)).to.have.length(1);
  });

  it('returns the callback resource with withResponse, and supports fetchReply and deleteReply', async () => {
    const received = nextInteraction(client);
    fake.slashCommand({ guildId: GUILD, channelId: TEXT, userId: BOB.id, name: 'meeting' });
    const interaction = (await received) as ChatInputCommandInteraction;
    const response = await interaction.reply({ content: 'With response', withResponse: true });
    expect(response.resource!.message!.content).to.equal('With response');
    expect((await interaction.fetchReply()).id).to.equal(response.resource!.message!.id);
    await interaction.deleteReply();
    expect(fake.messages(TEXT).some((m) => m.id === response.resource!.message!.id)).to.equal(false);
    expect(fake.gatewayOps.some((o) => o.op === 1)).to.equal(true); // heartbeats (1 s interval here)
  });

  it('fails the next matching call with a Discord error, and enforces channel permissions', async () => {
    const channel = client.channels.cache.get(TEXT) as TextChannel;
    fake.failNext('POST', new RegExp(`^/channels/${TEXT}/messages$`), 403);
    const error = await channel.send('nope').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).to.equal(50013);
    await channel.send('works again');

    const locked = client.channels.cache.get(LOCKED) as TextChannel;
    const updated = once(client, Events.ChannelUpdate);
    fake.setBotPermissions(GUILD, LOCKED, PermissionFlagsBits.ViewChannel);
    await updated;
    expect(client.guilds.cache.get(GUILD)!.members.me!.permissionsIn(LOCKED).bitfield).to.equal(PermissionFlagsBits.ViewChannel);
    const denied = await locked.send('hi').catch((e: unknown) => e);
    expect((denied as DiscordAPIError).code).to.equal(50013);
    const received = nextInteraction(client);
    fake.slashCommand({ guildId: GUILD, channelId: LOCKED, userId: ALICE.id, name: 'meeting' });
    expect((await received).appPermissions!.bitfield).to.equal(PermissionFlagsBits.ViewChannel);
  });

  it('dispatches human voice state changes', async () => {
    const update = once(client, Events.VoiceStateUpdate);
    fake.setVoiceState(GUILD, BOB.id, VOICE);
    const [before, after] = (await update) as [VoiceState, VoiceState];
    expect(before.channelId).to.equal(null);
    expect(after.channelId).to.equal(VOICE);
    expect(after.member!.user.username).to.equal('bob');
    expect(client.guilds.cache.get(GUILD)!.channels.cache.get(VOICE)!.members).to.satisfy((m: Map<string, unknown>) => m.has(BOB.id));
  });

  it('answers joinVoiceChannel (op 4) with VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE for the bot', async () => {
    const guild = client.guilds.cache.get(GUILD)!;
    const server = nextRaw(client, 'VOICE_SERVER_UPDATE');
    const connection = joinVoiceChannel({ guildId: GUILD, channelId: VOICE, adapterCreator: guild.voiceAdapterCreator, selfDeaf: false });
    const packet = (await server) as { d: { guild_id: string; endpoint: string; token: string } };
    expect(packet.d.guild_id).to.equal(GUILD);
    expect(packet.d.endpoint).to.match(/^127\.0\.0\.1:\d+$/);
    const op4 = fake.gatewayOps.find((o) => o.op === 4)!.d as { guild_id: string; channel_id: string; self_deaf: boolean };
    expect(op4).to.include({ guild_id: GUILD, channel_id: VOICE, self_deaf: false });
    expect(guild.voiceStates.cache.get(BOT.id)?.channelId).to.equal(VOICE);
    // Leaving sends op 4 with channel_id null; no voice server is involved here.
    const left = nextRaw(client, 'VOICE_STATE_UPDATE');
    connection.destroy();
    expect(((await left) as { d: { channel_id: string | null } }).d.channel_id).to.equal(null);
  });

  it('resumes after a gateway disconnect and replays what was missed', async () => {
    const resumed = once(client, Events.ShardResume);
    fake.disconnectGateway();
    fake.setVoiceState(GUILD, BOB.id, null); // dispatched while the socket is down
    await resumed;
    expect(fake.gatewayOps.some((o) => o.op === 6)).to.equal(true);
    expect(fake.gatewayStats).to.deep.equal({ identifies: 1, resumes: 1 });
    expect(client.guilds.cache.get(GUILD)!.voiceStates.cache.get(BOB.id)?.channelId ?? null).to.equal(null);
    const received = nextInteraction(client);
    fake.slashCommand({ guildId: GUILD, channelId: TEXT, userId: ALICE.id, name: 'meeting' });
    expect((await received).isChatInputCommand()).to.equal(true);
  });
});
