import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { PermissionFlagsBits } from 'discord.js';
import { parseTranscript } from '../../core/transcript/import/index.ts';
import { ALICE, APP, BOB, CAROL, CHAIR_ROLE, EMPTY_VOICE, GUILD, TEXT, VOICE, packets, payloadOf, until, world, type World } from './testing/adapterWorld.ts';
import type { RecordedCall } from './testing/types.ts';
import { opusTone } from './testing/voice/opusTone.ts';

const planning = parseTranscript(readFileSync(new URL('../../test/fixtures/transcripts/launch-planning.txt', import.meta.url)), { filename: 'launch-planning.txt' });

/** The text a user saw for an interaction: the immediate reply or the edit of a deferred one. */
async function replyTo(w: World, sent: { id: string; token: string }): Promise<{ content: string; ephemeral: boolean; call: RecordedCall }> {
  const call = await until(() => {
    const edit = w.fake.callsTo('PATCH', new RegExp(`^/webhooks/${APP}/${sent.token}/messages/@original$`)).at(-1);
    if (edit) return edit;
    const cb = w.fake.callsTo('POST', new RegExp(`^/interactions/${sent.id}/`)).find((c) => (c.body as { type: number }).type === 4 || (c.body as { type: number }).type === 8);
    return cb;
  }, 'a reply');
  const deferred = w.fake.callsTo('POST', new RegExp(`^/interactions/${sent.id}/`))[0]!;
  const flags = Number((payloadOf(deferred) as { flags?: number }).flags ?? 0);
  return { content: String(payloadOf(call).content ?? JSON.stringify(payloadOf(call))), ephemeral: (flags & 64) === 64, call };
}

const slash = (w: World, userId: string, subcommand: string, options: { name: string; type: number; value: string }[] = []) =>
  w.fake.slashCommand({ guildId: GUILD, channelId: TEXT, userId, name: 'minutes', subcommand, options });

describe('Discord adapter: commands, permissions, limits and recovery', function () {
  this.timeout(60_000);
  let w: World;
  afterEach(async () => {
    await w?.stop();
  });

  it('a missing voice permission gets a clear ephemeral reply naming it, and nothing starts', async () => {
    const F = PermissionFlagsBits;
    w = await world({ botPermissions: F.ViewChannel | F.SendMessages | F.EmbedLinks | F.AttachFiles | F.CreatePublicThreads | F.SendMessagesInThreads | F.ReadMessageHistory | F.Connect | F.Speak });
    w.fake.setBotPermissions(GUILD, VOICE, PermissionFlagsBits.ViewChannel);
    await until(() => !w.adapter.client.guilds.cache.get(GUILD)!.channels.cache.get(VOICE)!.permissionsFor(BOT_ID(w))!.has(PermissionFlagsBits.Connect), 'overwrite applied');
    const reply = await replyTo(w, slash(w, ALICE.id, 'start'));
    expect(reply.ephemeral).to.equal(true);
    expect(reply.content).to.contain('missing these permissions').and.contain('Connect').and.contain('Speak');
    expect((await w.meetings.listMeetings({ organizationId: w.organizationId })).total).to.equal(0);
    expect(w.fake.gatewayOps.some((o) => o.op === 4)).to.equal(false);
  });

  it('asks the invoker to join voice first, and only lets configured roles start when roles are set', async () => {
    w = await world({ voiceStates: [{ userId: BOB.id, channelId: VOICE }], managerRoles: ['Chairs'] });
    expect((await replyTo(w, slash(w, ALICE.id, 'start'))).content).to.contain('Join a voice channel first');
    const refused = await replyTo(w, slash(w, BOB.id, 'start'));
    expect(refused.ephemeral).to.equal(true);
    expect(refused.content).to.contain('Chairs');
    expect((await w.meetings.listMeetings({ organizationId: w.organizationId })).total).to.equal(0);
    expect(CHAIR_ROLE).to.be.a('string');
  });

  it('ends the meeting when everyone leaves, and respects Discord rate limits while posting (no request beyond the bucket)', async () => {
    w = await world();
    // Discord's buckets are per route and channel: here, posts into the meeting's thread.
    const bucket = w.fake.rateLimit(new RegExp(`^/channels/(?!${TEXT})\\d+/messages$`), { limit: 1, windowMs: 1500 });
    slash(w, ALICE.id, 'start');
    const meeting = await until(async () => (await w.meetings.listMeetings({ organizationId: w.organizationId, status: 'in_progress' })).items[0], 'meeting');
    await w.voice.connected;
    await until(() => w.adapter.runner.get(meeting.id)?.participants.size === 3, 'participants');
    for (let i = 0; i < 4; i++) {
      await w.voice.speak(i % 2 ? BOB.id : ALICE.id, packets(opusTone(440 + i * 50, 40), 1000 * i, 100_000 * i));
      await until(() => w.transcriber.calls > i, `utterance ${i}`);
    }
    for (const u of [ALICE, BOB, CAROL]) w.fake.setVoiceState(GUILD, u.id, null);
    await until(async () => (await w.meetings.getMeeting(meeting.id)).status === 'completed', 'meeting ended after everyone left');
    await until(() => w.fake.messages(TEXT).find((m) => m.embeds?.length), 'summary posted', 20_000);
    expect(bucket.violations, 'requests sent after the bucket said Remaining: 0').to.equal(0);
    expect(bucket.served).to.be.at.least(3);
    const posts = w.fake.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${w.fake.threads[0]!.id}/messages`).map((c) => c.at);
    // One post per 1.5 s window: the client waited for each reset instead of bursting.
    for (let i = 1; i < posts.length; i++) expect(posts[i]! - posts[i - 1]!).to.be.at.least(1000);
    // The live message is edited at a steady cadence, never in bursts.
    const thread = w.fake.threads[0]!;
    const edits = w.fake.callsTo('PATCH', new RegExp(`^/channels/${thread.id}/messages/\\d+$`)).map((c) => c.at).slice(0, -1); // the last is the final "ended" edit
    expect(edits.length).to.be.greaterThan(1);
    for (let i = 1; i < edits.length; i++) expect(edits[i]! - edits[i - 1]!).to.be.at.least(100);
  });

  it('after a restart, resumes a meeting whose call is still going and finalises one whose call is over', async () => {
    const ids: Record<string, string> = {};
    w = await world({
      setup: async ({ meetings, organizationId }) => {
        for (const [key, voiceChannelId] of [['live', VOICE], ['over', EMPTY_VOICE]] as const) {
          const m = await meetings.createMeeting({ organizationId, platform: 'discord', title: `Left ${key}`, externalIds: { guildId: GUILD, voiceChannelId, channelId: TEXT, voiceRun: '1' } });
          await meetings.startMeeting(m.id);
          await meetings.appendSegments(m.id, [{ speaker: 'Alice', text: 'We decided to keep the launch date.', startMs: 0, endMs: 2000, source: 'asr:scripted', sourceSeq: 4_294_967_552 }]);
          ids[key] = m.id;
        }
      },
    });
    expect((await w.meetings.getMeeting(ids.over!)).status).to.equal('completed');
    expect((await w.meetings.getMeeting(ids.live!)).status).to.equal('in_progress');
    expect(w.adapter.runner.get(ids.live!)).to.not.equal(undefined);
    expect(w.fake.gatewayOps.some((o) => o.op === 4 && (o.d as { channel_id: string }).channel_id === VOICE)).to.equal(true);
    await until(() => w.fake.messages(TEXT).some((m) => m.content.includes('Resumed taking notes')), 'resume notice');
    expect((await w.meetings.getMeeting(ids.live!)).externalIds.voiceRun).to.equal('2');
    // The resumed run's segments are new, not taken for re-sends of the first run's.
    await w.voice.connected;
    await until(() => w.adapter.runner.get(ids.live!)?.participants.size === 3, 'participants');
    await w.voice.speak(ALICE.id, packets(opusTone(440, 40), 1, 1));
    await until(async () => (await w.stores.transcripts.list(ids.live!)).length === 2, 'a new segment after the resume');
    await until(() => w.fake.messages(TEXT).find((m) => m.embeds?.[0]?.title?.includes('Left over')), 'minutes of the finalised meeting', 20_000);
  });

  it('answers status, summary, actions, search, ask, link and autocomplete from the organization\'s history; the select menu marks an item done and updates the message', async () => {
    w = await world();
    const { meeting } = await w.meetings.importTranscript({ organizationId: w.organizationId, transcript: planning, title: 'Launch planning' });
    await until(async () => (await w.stores.minutes.listActionItems({ meetingId: meeting.id })).length > 0, 'minutes of the imported meeting');

    expect((await replyTo(w, slash(w, ALICE.id, 'status'))).content).to.contain('No meeting is being recorded');
    const search = await replyTo(w, slash(w, ALICE.id, 'search', [{ name: 'query', type: 3, value: 'launch' }]));
    expect(search.ephemeral).to.equal(true);
    expect(search.content).to.contain('Launch planning').and.contain(`http://dash.test/meetings/${meeting.id}#seg-`);
    const ask = await replyTo(w, slash(w, ALICE.id, 'ask', [{ name: 'question', type: 3, value: 'When is the launch?' }]));
    expect(ask.content).to.contain('**Q:** When is the launch?').and.contain('#seg-');
    const link = await replyTo(w, slash(w, BOB.id, 'link'));
    expect(link.ephemeral).to.equal(true);
    expect(link.content).to.contain('http://dash.test/');
    const actions = await replyTo(w, slash(w, ALICE.id, 'actions'));
    expect(actions.content).to.contain('Open action items').and.contain('Launch planning');

    const ac = w.fake.autocomplete({ guildId: GUILD, channelId: TEXT, userId: ALICE.id, name: 'minutes', subcommand: 'summary', focused: 'meeting', options: [{ name: 'meeting', type: 3, value: 'launch' }] });
    const choices = await until(() => w.fake.callsTo('POST', new RegExp(`^/interactions/${ac.id}/`))[0], 'autocomplete answer');
    expect((choices.body as { data: { choices: { value: string }[] } }).data.choices.map((c) => c.value)).to.include(meeting.id);

    const summary = slash(w, ALICE.id, 'summary', [{ name: 'meeting', type: 3, value: meeting.id }]);
    const posted = await replyTo(w, summary);
    expect(posted.ephemeral).to.equal(false);
    const body = payloadOf(posted.call) as { embeds: { title: string }[]; components: { components: { custom_id?: string; options?: { value: string }[] }[] }[] };
    expect(body.embeds[0]!.title).to.contain('Launch planning');
    expect(posted.call.files[0]!.filename).to.match(/\.md$/);
    const select = body.components.flatMap((r) => r.components).find((c) => c.custom_id === `minutes:done:${meeting.id}`)!;
    const itemId = select.options![0]!.value;
    const message = w.fake.messages(TEXT).at(-1)!;
    w.fake.button({ guildId: GUILD, channelId: TEXT, userId: BOB.id, customId: `minutes:done:${meeting.id}`, messageId: message.id, values: [itemId] });
    await until(async () => (await w.stores.minutes.getActionItem(itemId)).status === 'completed', 'item completed in the database');
    await until(() => w.fake.messages(TEXT).find((m) => m.id === message.id)?.embeds?.[0]?.fields?.some((f) => f.value.includes('☑️')), 'message updated in place');
    // An item of another organization cannot be reached through a forged menu value.
    const other = await w.stores.organizations.ensure(`other-${Date.now()}`);
    const foreign = await w.meetings.createMeeting({ organizationId: other.id, platform: 'import', title: 'Secret' });
    const [theirs] = await w.stores.minutes.addActionItems([{ meetingId: foreign.id, description: 'Their task' }]);
    const forged = w.fake.button({ guildId: GUILD, channelId: TEXT, userId: BOB.id, customId: `minutes:done:${meeting.id}`, messageId: message.id, values: [theirs!.id] });
    await until(() => w.fake.callsTo('POST', new RegExp(`^/webhooks/${APP}/${forged.token}$`))[0], 'error follow-up');
    expect((await w.stores.minutes.getActionItem(theirs!.id)).status).to.equal('pending');
  });
});

const BOT_ID = (w: World) => w.adapter.client.user!.id;
