import { expect } from 'chai';
import { ALICE, APP, BOB, CAROL, GUILD, TEXT, VOICE, allPosts, packets, payloadOf, until, world, type World } from './testing/adapterWorld.ts';
import { opusTone } from './testing/voice/opusTone.ts';

describe('DiscordAdapter end to end against a loopback Discord (gateway, REST, voice)', function () {
  this.timeout(60_000);
  let w: World;
  afterEach(async () => {
    await w?.stop();
  });

  it('/minutes start → consent notice, thread, live edits and insights from two speakers; an opted-out user is never captured; /minutes stop → summary embed and Markdown file', async () => {
    w = await world();
    const { fake } = w;
    // Carol opts out before the meeting: her standing choice must hold in it.
    fake.slashCommand({ guildId: GUILD, channelId: TEXT, userId: CAROL.id, name: 'minutes', subcommand: 'optout' });
    await until(() => fake.callsTo('PATCH', /\/webhooks\/.*\/messages\/@original$/).find((c) => String(payloadOf(c).content).includes('will not be recorded')), 'opt-out reply');

    const start = fake.slashCommand({ guildId: GUILD, channelId: TEXT, userId: ALICE.id, name: 'minutes', subcommand: 'start', options: [{ name: 'title', type: 3, value: 'Beta launch' }] });
    const thread = await until(() => fake.threads.find((t) => t.parentId === TEXT), 'thread');
    await w.voice.connected;
    const meeting = await until(async () => (await w.meetings.listMeetings({ platform: 'discord', status: 'in_progress' })).items.find((m) => m.title === 'Beta launch'), 'meeting in progress');
    expect(meeting.externalIds).to.include({ guildId: GUILD, voiceChannelId: VOICE, channelId: TEXT, threadId: thread.id });
    const notice = fake.callsTo('PATCH', new RegExp(`/webhooks/${APP}/${start.token}/messages/@original$`))[0]!;
    expect(String(payloadOf(notice).content)).to.contain('optout').and.contain('30 days');
    expect(fake.gatewayOps.some((o) => o.op === 4 && (o.d as { channel_id: string }).channel_id === VOICE)).to.equal(true);
    const liveId = await until(() => fake.messages(thread.id)[0]?.id, 'live message');

    await until(() => w.adapter.runner.get(meeting.id)?.participants.size === 3, 'participants admitted');
    // Alice, then Bob, then Carol (opted out), each a second of real Opus over RTP.
    await w.voice.speak(ALICE.id, packets(opusTone(440, 50), 100, 1000));
    await until(() => w.transcriber.calls >= 1, 'first utterance');
    await w.voice.speak(BOB.id, packets(opusTone(660, 50), 65_500, 4_294_960_000));
    await until(() => w.transcriber.calls >= 2, 'second utterance');
    await w.voice.speak(CAROL.id, packets(opusTone(520, 50), 7, 7));
    await w.voice.speak(ALICE.id, packets(opusTone(440, 50), 200, 200_000));
    await until(() => w.transcriber.calls >= 3, 'third utterance');
    await w.voice.speak(BOB.id, packets(opusTone(660, 50), 100, 300_000));
    await until(() => w.transcriber.calls >= 4, 'fourth utterance');
    await until(async () => (await w.stores.transcripts.list(meeting.id)).length >= 4, 'segments stored');
    expect(w.captured.get(CAROL.id) ?? 0, 'opted-out audio left the receiver').to.equal(0);
    expect(w.captured.get(ALICE.id)).to.be.greaterThan(0);
    const segments = await w.stores.transcripts.list(meeting.id);
    expect([...new Set(segments.map((s) => s.speaker))].sort()).to.deep.equal(['Alice', 'Bob']);

    // The live message is edited in place with the rolling transcript.
    await until(() => fake.messages(thread.id).find((m) => m.id === liveId)?.content.includes('release notes'), 'live edit with the transcript');
    expect(fake.callsTo('PATCH', new RegExp(`/channels/${thread.id}/messages/${liveId}$`)).length).to.be.greaterThan(0);
    // Insights are their own posts in the thread, citing the lines.
    const insightPost = await until(() => fake.messages(thread.id).find((m) => /Action item|Decision/.test(m.content)), 'an insight post');
    expect(insightPost.content).to.match(/#seg-\d+/);

    fake.slashCommand({ guildId: GUILD, channelId: TEXT, userId: ALICE.id, name: 'minutes', subcommand: 'stop' });
    const summary = await until(() => fake.messages(TEXT).find((m) => m.embeds?.[0]?.title?.includes('Minutes: Beta launch')), 'summary embed', 20_000);
    const summaryCall = fake.callsTo('POST', new RegExp(`^/channels/${TEXT}/messages$`)).find((c) => (payloadOf(c).embeds as unknown[] | undefined)?.length)!;
    expect(summaryCall.files).to.have.length(1);
    expect(summaryCall.files[0]!.filename).to.match(/^minutes-.*\.md$/);
    const md = summaryCall.files[0]!.data.toString('utf8');
    expect(md).to.contain('release notes').and.contain('Alice');
    const fields = summary.embeds[0]!.fields!.map((f) => f.name);
    expect(fields.join(' ')).to.contain('Action items').and.contain('Attendees');
    const buttons = JSON.stringify(summary.components);
    expect(buttons).to.contain('Open in dashboard').and.contain(`minutes:regen:${meeting.id}`);
    expect((await w.meetings.getMeeting(meeting.id)).status).to.equal('completed');
    // Recorded after Discord answered the post: the message can be seen a moment before its id is stored.
    expect(await until(async () => (await w.meetings.getMeeting(meeting.id)).externalIds.summaryMessageId, 'the summary id stored')).to.equal(summary.id);
    // Leaving voice: an op 4 with no channel.
    await until(() => fake.gatewayOps.some((o) => o.op === 4 && (o.d as { channel_id: string | null }).channel_id === null), 'left voice');

    // Mentions: every payload states allowed_mentions; said "@everyone" and role mentions never ping.
    let checked = 0;
    for (const call of allPosts(fake)) {
      const body = payloadOf(call);
      if (!('content' in body) && !('embeds' in body)) continue;
      checked++;
      expect(body.allowed_mentions, `${call.method} ${call.path}`).to.be.an('object');
      expect((body.allowed_mentions as { parse: string[] }).parse, `${call.method} ${call.path}`).to.deep.equal([]);
      expect((body.allowed_mentions as { roles?: string[] }).roles ?? []).to.deep.equal([]);
      expect(JSON.stringify(body)).to.not.match(/@everyone|<@&1500000000000000001>/);
    }
    // The notice, the live message and its edits, insights, the stop reply and the summary at least.
    expect(checked).to.be.greaterThan(6);
    expect(JSON.stringify(fake.messages(thread.id))).to.contain('@\u200beveryone');
  });
});
