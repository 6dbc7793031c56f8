/**
 * A whole Discord deployment on loopback for the adapter's tests: the core on
 * PGlite, a FakeDiscord (gateway + REST), a FakeVoiceServer, and a real
 * DiscordAdapter connected to both. Transcription is scripted (one line per
 * utterance) so insights are predictable; everything else is the real path.
 */
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import { testCore } from '../../../test/support/core.ts';
import type { Transcriber } from '../../../core/asr/types.ts';
import { AudioPipeline } from '../../../core/audio/AudioPipeline.ts';
import { BusConsent } from '../../../core/audio/consent.ts';
import { createLogger } from '../../../core/logger.ts';
import { AutoMinutes } from '../../../core/meetings/AutoMinutes.ts';
import { LiveCopilot } from '../../../core/meetings/LiveCopilot.ts';
import { MeetingService } from '../../../core/meetings/MeetingService.ts';
import { answerOffline } from '../../../core/meetings/ask.ts';
import { OfflineLiveAnalyzer } from '../../../core/minutes/offline/index.ts';
import { type Stores } from '../../../core/store/index.ts';
import type { OpusDecoder } from '../../../core/audio/types.ts';
import { DiscordAdapter } from '../DiscordAdapter.ts';
import type { DiscordCore } from '../types.ts';
import { FakeDiscord } from './FakeDiscord.ts';
import type { FakeMessage, RecordedCall } from './types.ts';
import { FakeVoiceServer } from './voice/FakeVoiceServer.ts';
import { trustCertificate } from './voice/trust.ts';
import { createVoiceLink } from '../voice/VoiceLink.ts';
import { createRequire } from 'node:module';

export const APP = '1100000000000000001';
export const BOT = { id: '1100000000000000002', username: 'minutes-bot', bot: true };
export const ALICE = { id: '1400000000000000001', username: 'alice' };
export const BOB = { id: '1400000000000000002', username: 'bob' };
export const CAROL = { id: '1400000000000000003', username: 'carol' };
export const GUILD = '1200000000000000001';
export const TEXT = '1300000000000000002';
export const VOICE = '1300000000000000003';
export const EMPTY_VOICE = '1300000000000000004';
export const CHAIR_ROLE = '1500000000000000002';
export const logger = createLogger({ level: 'silent' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** 16 kHz mono decoder over opusscript (the production one lives in adapters/audio, which this adapter may not import). */
function decoderFactory(): () => OpusDecoder {
  const require = createRequire(import.meta.url);
  const OpusScript = require('opusscript') as new (rate: number, ch: number) => { decode(b: Buffer): Buffer; delete(): void };
  return () => {
    const codec = new OpusScript(16_000, 1);
    return {
      channels: 1, sampleRate: 16_000,
      decode: (p) => { const b = codec.decode(Buffer.from(p)); return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); },
      release: () => codec.delete(),
    };
  };
}

/** Returns the next scripted line for each utterance, in the order they arrive. */
export class ScriptedTranscriber implements Transcriber {
  readonly name = 'scripted';
  readonly quality = 'high' as const;
  calls = 0;
  constructor(private readonly lines: string[]) {}
  async transcribe(req: { pcm: Int16Array }) {
    const text = this.lines[this.calls++] ?? 'and so on';
    return { engine: 'scripted', segments: [{ text, startMs: 0, endMs: Math.round(req.pcm.length / 16), confidence: 0.9 }] };
  }
}

export interface World {
  organizationId: string;
  fake: FakeDiscord;
  voice: FakeVoiceServer;
  adapter: DiscordAdapter;
  stores: Stores;
  meetings: MeetingService;
  transcriber: ScriptedTranscriber;
  captured: Map<string, number>;
  untrust: () => void;
  stop(): Promise<void>;
}

export const LINES = [
  'Morning everyone, let us plan the beta launch.',
  'We decided to ship the beta on Friday. @everyone <@&1500000000000000001> please note.',
  'Bob, can you send the release notes to the team by Thursday?',
  'Sure, I will send the release notes by Thursday.',
];

export interface WorldOptions {
  voiceStates?: { userId: string; channelId: string }[];
  botPermissions?: bigint;
  managerRoles?: string[];
  /** Runs before the adapter connects (e.g. meetings a "previous run" left in progress). */
  setup?: (ctx: { stores: Stores; meetings: MeetingService; organizationId: string }) => Promise<void>;
}

export async function world(options: WorldOptions = {}): Promise<World> {
  const { stores, bus, meetings, minutes, org } = await testCore('discord-e2e');
  const autoMinutes = new AutoMinutes({ bus, minutes, logger }).start();
  const copilot = new LiveCopilot({ bus, logger, getMeeting: (id) => meetings.getMeeting(id), createAnalyzer: (m, attendees) => new OfflineLiveAnalyzer({ attendees, meetingStart: m?.startedAt ?? null }) }).start();
  const voice = await FakeVoiceServer.start();
  const untrust = trustCertificate(voice, voice.certificate);
  const fake = await FakeDiscord.start({
    applicationId: APP, botUser: BOT, heartbeatIntervalMs: 1000, voiceEndpoint: () => voice.endpoint,
    guilds: [{
      id: GUILD, name: 'Launch team',
      channels: [
        { id: TEXT, name: 'general', type: ChannelType.GuildText },
        { id: VOICE, name: 'Daily', type: ChannelType.GuildVoice },
        { id: EMPTY_VOICE, name: 'Quiet room', type: ChannelType.GuildVoice },
      ],
      members: [{ user: ALICE, nick: 'Alice' }, { user: BOB, nick: 'Bob' }, { user: CAROL, nick: 'Carol' }],
      roles: [{ id: CHAIR_ROLE, name: 'Chairs', permissions: '0' }],
      voiceStates: options.voiceStates ?? [{ userId: ALICE.id, channelId: VOICE }, { userId: BOB.id, channelId: VOICE }, { userId: CAROL.id, channelId: VOICE }],
      botPermissions: options.botPermissions ?? PermissionFlagsBits.Administrator,
    }],
  });
  const transcriber = new ScriptedTranscriber(LINES);
  const captured = new Map<string, number>();
  const decoder = decoderFactory();
  const core: DiscordCore = {
    meetings, minutes, stores, bus,
    ask: (q) => answerOffline(stores, q),
    organizationFor: async () => org.id,
    links: { home: () => 'http://dash.test/', meeting: (id, seg) => `http://dash.test/meetings/${id}${seg ? `#seg-${seg}` : ''}` },
    retention: () => ({ text: '30 days', keepAudio: false }),
    createAudio: ({ meeting, displayName, firstOrdinal }) => {
      const consent = new BusConsent(bus, meeting.id);
      const started = Date.now();
      const pipeline = new AudioPipeline({ transcriber, decoder, consent, displayName, firstOrdinal, append: (s) => meetings.appendSegments(meeting.id, s), now: () => Date.now() - started, tickMs: 20, frontEnd: { silenceMs: 300 } });
      return { push: (s, p) => pipeline.push(s, p), isDelayed: (s) => pipeline.isDelayed(s), end: async () => { await pipeline.end(); consent.close(); } };
    },
  };
  const adapter = new DiscordAdapter({
    token: 'fake-token', applicationId: APP, core, logger, restApi: fake.restApi, liveCadenceMs: 150, aloneGraceMs: 300,
    managerRoles: options.managerRoles ?? [],
    // The real voice link; the spy counts what leaves the receiver per user.
    voiceLink: (o) => createVoiceLink({ ...o, onPacket: (userId, packet) => { captured.set(userId, (captured.get(userId) ?? 0) + 1); o.onPacket(userId, packet); } }),
  });
  await options.setup?.({ stores, meetings, organizationId: org.id });
  await adapter.start();
  return {
    organizationId: org.id,
    fake, voice, adapter, stores, meetings, transcriber, captured, untrust,
    async stop() {
      await adapter.stop();
      // Paused meetings stay in progress by design; end this world's so the next world's recovery does not see them.
      for (const m of (await meetings.listMeetings({ organizationId: org.id, status: 'in_progress' })).items) await meetings.endMeeting(m.id);
      await autoMinutes.idle();
      await autoMinutes.stop();
      copilot.stop();
      await fake.stop();
      await voice.stop();
      untrust();
    },
  };
}

export const allPosts = (fake: FakeDiscord): RecordedCall[] => fake.calls.filter((c) => ['POST', 'PATCH'].includes(c.method) && /\/messages|\/callback|\/webhooks/.test(c.path) && c.body && typeof c.body === 'object' && ('content' in (c.body as object) || 'embeds' in (c.body as object) || 'data' in (c.body as object)));
export const payloadOf = (c: RecordedCall): Record<string, unknown> => ((c.body as { data?: unknown }).data ?? c.body) as Record<string, unknown>;
export const packets = (frames: Buffer[], seq: number, ts: number) => frames.map((data, i) => ({ seq: (seq + i) & 0xffff, timestamp: (ts + i * 960) >>> 0, data }));

