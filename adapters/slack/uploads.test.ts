import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { webApi } from '@slack/bolt';
import { encodeWav } from '../../core/asr/wav.ts';
import type { Transcriber } from '../../core/asr/types.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { createLogger } from '../../core/logger.ts';
import { MinutesService } from '../../core/meetings/MinutesService.ts';
import { OfflineAnalyzer } from '../../core/minutes/offline/index.ts';
import { describeEachBackend } from '../../test/support/databases.ts';
import { FakeSlack } from './testing/FakeSlack.ts';
import { classifyFile, handleFileShared, transcribeWith, type UploadDeps } from './uploads.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/transcripts/${name}`, import.meta.url));
const links = { home: () => 'https://minutes.example/', meeting: (id: string) => `https://minutes.example/meetings/${id}` };
const TEAM = { id: 'T0UP', name: 'Uploads', botToken: 'xoxb-uploads', botUserId: 'U0BOT' };

describe('classifyFile', () => {
  it('knows transcripts and recordings, by name first', () => {
    expect(classifyFile({ name: 'call.vtt', mimetype: 'text/vtt' })).to.equal('transcript');
    expect(classifyFile({ name: 'notes.TXT', mimetype: 'text/plain' })).to.equal('transcript');
    expect(classifyFile({ name: 'call.m4a', mimetype: 'audio/mp4' })).to.equal('audio');
    expect(classifyFile({ name: 'screen', mimetype: 'video/webm' })).to.equal('audio');
    expect(classifyFile({ name: 'deck.pdf', mimetype: 'application/pdf', filetype: 'pdf' })).to.equal(null);
  });
});

describeEachBackend('Slack uploads → minutes', (ctx) => {
  let fake: FakeSlack;
  let client: InstanceType<typeof webApi.WebClient>;
  let parentTs: string;
  const logger = createLogger({ level: 'silent' });

  beforeEach(async () => {
    fake = await FakeSlack.start({ teams: [TEAM], users: [{ id: 'U1', teamId: TEAM.id, name: 'ada' }], channels: [{ id: 'C1', teamId: TEAM.id, name: 'general' }] });
    client = new webApi.WebClient(TEAM.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    parentTs = fake.addMessage('C1', { user: 'U1', text: 'here is the call' }).ts;
  });
  afterEach(() => fake.stop());

  function deps(patch: Partial<UploadDeps> = {}): UploadDeps {
    const minutes = new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger, analyzer: new OfflineAnalyzer() });
    return {
      meetings: ctx.service, minutes, organizationFor: async () => ctx.org.id, importMaxBytes: 1024 * 1024, audioMaxBytes: 8 * 1024 * 1024,
      links, logger, ...patch,
    };
  }
  const share = (fileId: string, more: { channelId?: string; threadTs?: string } = {}) =>
    ({ client, teamId: TEAM.id, fileId, channelId: more.channelId ?? 'C1', userId: 'U1', threadTs: more.threadTs ?? parentTs });
  const meetings = async () => (await ctx.service.listMeetings({ organizationId: ctx.org.id })).items;
  const replies = () => fake.thread('C1', parentTs).map((m) => m.text);

  it('turns a shared transcript into a meeting and posts its minutes in the thread, once per file', async () => {
    fake.addFile({ id: 'F1', name: 'launch-planning.txt', mimetype: 'text/plain', filetype: 'text', content: fixture('launch-planning.txt'), teamId: TEAM.id, channels: ['C1'] });
    const [a, b] = await Promise.all([handleFileShared(share('F1'), deps()), handleFileShared(share('F1'), deps())]);
    expect(a.status).to.equal('imported');
    expect(b).to.deep.equal({ status: 'duplicate', meetingId: a.status === 'imported' ? a.meetingId : null });
    expect(await handleFileShared(share('F1'), deps())).to.have.property('status', 'duplicate'); // a retried event, later
    const [meeting, ...more] = await meetings();
    expect(more).to.have.length(0);
    expect(meeting).to.deep.include({ title: 'launch-planning', platform: 'slack' });
    expect(meeting!.externalIds).to.include({ slackTeamId: TEAM.id, slackFileId: 'F1', slackChannelId: 'C1' });
    const posted = replies();
    expect(posted).to.have.length(1);
    expect(posted[0]).to.include(':memo: *Minutes: launch-planning*').and.include(`<https://minutes.example/meetings/${meeting!.id}|open in dashboard>`);
    expect(posted[0]).to.include('*Action items*');
    expect(fake.callsTo('files.info')[0]!.token).to.equal(TEAM.botToken);
  });

  it('answers a malformed transcript in the thread with its line, and stores nothing', async () => {
    fake.addFile({ id: 'F2', name: 'bad.vtt', mimetype: 'text/vtt', filetype: 'vtt', content: fixture('bad-timestamp.vtt'), teamId: TEAM.id, channels: ['C1'] });
    const out = await handleFileShared(share('F2'), deps());
    expect(out).to.include({ status: 'rejected', code: 'IMPORT_MALFORMED' });
    const [reply] = replies();
    expect(reply).to.include(':warning: I could not turn *bad.vtt* into minutes').and.include('line 8');
    expect(await meetings()).to.have.length(0);
  });

  it('refuses a file over the limit before downloading it, and stores nothing', async () => {
    fake.addFile({ id: 'F3', name: 'huge.txt', mimetype: 'text/plain', filetype: 'text', content: Buffer.alloc(4096, 'a'), teamId: TEAM.id, channels: ['C1'] });
    let downloads = 0;
    const counting: typeof fetch = (input, init) => { downloads++; return fetch(input, init); };
    const out = await handleFileShared(share('F3'), deps({ importMaxBytes: 1024, fetch: counting }));
    expect(out).to.include({ status: 'rejected', code: 'IMPORT_TOO_LARGE' });
    expect(replies()[0]).to.include('it is 4 KB; the limit for transcripts here is 1 KB (IMPORT_MAX_BYTES)');
    expect(downloads).to.equal(0);
    expect(await meetings()).to.have.length(0);
  });

  it('transcribes a shared recording with the injected engine and escapes what was said', async () => {
    const pcm = new Int16Array(16_000 * 2);
    fake.addFile({ id: 'F4', name: 'standup.wav', mimetype: 'audio/wav', filetype: 'wav', content: encodeWav(pcm, 16_000), teamId: TEAM.id, channels: ['C1'] });
    const engine: Transcriber = {
      name: 'stub-asr', quality: 'high',
      transcribe: async () => ({ engine: 'stub-asr', segments: [
        { startMs: 0, endMs: 900, text: 'We decided to ship on Friday <!channel> & tell <@U1>.', speaker: '1', confidence: 0.9 },
        { startMs: 1000, endMs: 1900, text: 'Bob will write the release notes by Thursday.', speaker: '2', confidence: 0.9 },
      ] }),
    };
    const out = await handleFileShared(share('F4'), deps({ transcribeFile: transcribeWith(engine, []) }));
    expect(out).to.include({ status: 'imported', segmentCount: 2 });
    const posted = replies();
    expect(posted[0]).to.include('Transcribing *standup.wav*');
    expect(posted[1]).to.include('*Minutes: standup*');
    for (const text of posted) expect(text).to.not.match(/<!channel>|<@U1>/);
    const [meeting] = await meetings();
    const bundle = await ctx.service.getBundle(meeting!.id);
    expect(bundle.attendees.map((a) => a.displayName).sort()).to.deep.equal(['Speaker 1', 'Speaker 2']);
  });

  it('says when recordings cannot be transcribed, uses the injected renderer, and ignores unrelated files in channels', async () => {
    fake.addFile({ id: 'F5', name: 'call.mp3', mimetype: 'audio/mpeg', filetype: 'mp3', content: Buffer.from('ID3'), teamId: TEAM.id, channels: ['C1'] });
    expect(await handleFileShared(share('F5'), deps())).to.include({ status: 'rejected', code: 'ASR_UNAVAILABLE' });
    expect(replies()[0]).to.include('no speech-to-text engine is configured');

    fake.addFile({ id: 'F6', name: 'deck.pdf', mimetype: 'application/pdf', filetype: 'pdf', content: Buffer.from('%PDF'), teamId: TEAM.id, channels: ['C1'] });
    expect(await handleFileShared(share('F6'), deps())).to.include({ status: 'ignored' });
    expect(replies()).to.have.length(1);

    fake.addFile({ id: 'F7', name: 'launch.txt', mimetype: 'text/plain', filetype: 'text', content: fixture('launch-planning.txt'), teamId: TEAM.id, channels: ['C1'] });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'custom' } }];
    await handleFileShared(share('F7'), deps({ renderMinutes: (bundle) => [{ text: `main ${bundle.meeting.title}`, blocks }, { text: 'thread part' }] }));
    const last = fake.thread('C1', parentTs).slice(-2);
    expect(last.map((m) => m.text)).to.deep.equal(['main launch', 'thread part']);
    expect(last[0]!.blocks).to.deep.equal(blocks);
    expect(await meetings()).to.have.length(1);
  });
});
