import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import { encodeOpus } from '../adapters/audio/opus.ts';
import { readWav16, upsample3 } from '../adapters/audio/wav.ts';
import { FakeDiscord } from '../adapters/discord/testing/FakeDiscord.ts';
import { FakeVoiceServer } from '../adapters/discord/testing/voice/FakeVoiceServer.ts';
import { trustCertificate } from '../adapters/discord/testing/voice/trust.ts';
import { createContainer, type Container } from '../bot/container.ts';
import { startDiscord } from '../bot/discord.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import type { DiscordAdapter } from '../adapters/discord/index.ts';

const APP = '1100000000000000001';
const GUILD = '1200000000000000009';
const TEXT = '1300000000000000011';
const VOICE = '1300000000000000012';
const ALICE = { id: '1400000000000000011', username: 'alice' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The production wiring (bot/discord.ts): the container's services, the real
 * Opus decoder, the offline pocketsphinx engine and the live copilot, driven
 * by a loopback Discord with real speech sent over RTP.
 */
describe('bot wiring: Discord adapter on the production container with offline ASR', function () {
  this.timeout(120_000);
  let dataDir: string;
  let c: Container;
  let fake: FakeDiscord;
  let voice: FakeVoiceServer;
  let adapter: DiscordAdapter | null;
  let untrust: () => void;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'minutes-discord-'));
    c = await createContainer(loadConfig({
      DATA_DIR: dataDir, LOG_LEVEL: 'silent', DISCORD_TOKEN: 'fake-token', DISCORD_APPLICATION_ID: APP, ASR_ENGINE: 'pocketsphinx', PUBLIC_URL: 'https://minutes.example.org',
    }), createLogger({ level: (process.env.TEST_LOG as 'info') ?? 'silent' }));
    voice = await FakeVoiceServer.start();
    untrust = trustCertificate(voice, voice.certificate);
    fake = await FakeDiscord.start({
      applicationId: APP, botUser: { id: '1100000000000000002', username: 'minutes', bot: true }, heartbeatIntervalMs: 1000, voiceEndpoint: () => voice.endpoint,
      guilds: [{
        id: GUILD, name: 'Wiring', botPermissions: PermissionFlagsBits.Administrator,
        channels: [{ id: TEXT, name: 'general', type: ChannelType.GuildText }, { id: VOICE, name: 'Call', type: ChannelType.GuildVoice }],
        members: [{ user: ALICE, nick: 'Alice' }], voiceStates: [{ userId: ALICE.id, channelId: VOICE }],
      }],
    });
    adapter = await startDiscord(c, { restApi: fake.restApi, liveCadenceMs: 200 });
  });

  after(async () => {
    await adapter?.stop();
    await c?.close();
    await fake?.stop();
    await voice?.stop();
    untrust?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('speech in the call is transcribed by pocketsphinx into the meeting, and the minutes link to PUBLIC_URL', async () => {
    expect(adapter).to.not.equal(null);
    fake.slashCommand({ guildId: GUILD, channelId: TEXT, userId: ALICE.id, name: 'minutes', subcommand: 'start' });
    await voice.connected;
    let meetingId = '';
    for (let i = 0; i < 200 && !meetingId; i++, await sleep(50)) meetingId = (await c.meetings.listMeetings({ status: 'in_progress', platform: 'discord' })).items[0]?.id ?? '';
    expect(meetingId).to.not.equal('');
    for (let i = 0; i < 200 && adapter!.runner.get(meetingId)?.participants.size !== 1; i++) await sleep(25);
    const clip = readWav16(fileURLToPath(new URL('./fixtures/audio/ljspeech_LJ002-0020.wav', import.meta.url))).samples;
    const padded = new Int16Array(clip.length + 16 * 1000);
    padded.set(clip);
    const frames = encodeOpus(upsample3(padded), 1);
    await voice.speak(ALICE.id, frames.map((data, i) => ({ seq: (500 + i) & 0xffff, timestamp: (90_000 + i * 960) >>> 0, data })));
    let segments = await c.stores.transcripts.list(meetingId);
    for (let i = 0; i < 600 && segments.length === 0; i++, await sleep(50)) segments = await c.stores.transcripts.list(meetingId);
    expect(segments.length).to.be.greaterThan(0);
    expect(segments[0]!.speaker).to.equal('Alice');
    expect(segments[0]!.source).to.equal('asr:pocketsphinx');
    expect(segments.map((s) => s.text).join(' ').toLowerCase()).to.match(/eighteen|thirteen|in/);
    fake.slashCommand({ guildId: GUILD, channelId: TEXT, userId: ALICE.id, name: 'minutes', subcommand: 'stop' });
    let summary;
    for (let i = 0; i < 400 && !summary; i++, await sleep(50)) summary = fake.messages(TEXT).find((m) => m.embeds?.length);
    expect(summary!.embeds[0]!.url).to.equal(`https://minutes.example.org/meetings/${meetingId}`);
    expect(summary!.embeds[0]!.footer!.text).to.contain('pocketsphinx (offline, lower accuracy)');
  });
});
