import { getVoiceConnection } from '@discordjs/voice';
import { expect } from 'chai';
import { rejection } from '../../../test/support/rejection.ts';
import { FakeVoiceServer, VoiceOpcode, type FakeVoicePacket } from '../testing/voice/FakeVoiceServer.ts';
import { fakeGateway, type FakeGateway } from '../testing/voice/gatewayAdapter.ts';
import { opusTone } from '../testing/voice/opusTone.ts';
import { trustCertificate } from '../testing/voice/trust.ts';
import { readRtpHeader } from './rtpTap.ts';
import {
  assertTransition,
  canTransition,
  VOICE_LINK_TRANSITIONS,
  VoiceLink,
  VoiceLinkError,
  type VoiceLinkOptions,
  type VoiceLinkState,
  type VoiceLinkTransition,
  type VoicePacket,
} from './VoiceLink.ts';

const GUILD = '200000000000000001';
const CHANNEL = '300000000000000001';
const ALICE = '400000000000000001';
const BOB = '400000000000000002';
const CAROL = '400000000000000003';
const STATES: VoiceLinkState[] = ['idle', 'connecting', 'ready', 'reconnecting', 'destroyed'];

const codeOf = (err: unknown): string | undefined => (err instanceof VoiceLinkError ? err.code : undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** RTP numbering as a Discord client would produce it: +1 seq and +960 samples per 20 ms, both wrapping. */
function numbered(frames: Buffer[], seq: number, timestamp: number, silence?: { after: number; samples: number }): FakeVoicePacket[] {
  return frames.map((data, i) => ({
    seq: (seq + i) & 0xffff,
    timestamp: (timestamp + i * 960 + (silence && i > silence.after ? silence.samples : 0)) >>> 0,
    data,
  }));
}

const pairs = (transitions: VoiceLinkTransition[]): string[] => transitions.map((t) => `${t.from}→${t.to}`);

describe('VoiceLink state table', () => {
  it('allows exactly idle→connecting→ready⇄reconnecting, and destroyed from anywhere', () => {
    expect(VOICE_LINK_TRANSITIONS).to.deep.equal({
      idle: ['connecting', 'destroyed'],
      connecting: ['ready', 'destroyed'],
      ready: ['reconnecting', 'destroyed'],
      reconnecting: ['ready', 'destroyed'],
      destroyed: [],
    });
    expect(Object.isFrozen(VOICE_LINK_TRANSITIONS) && Object.isFrozen(VOICE_LINK_TRANSITIONS.ready)).to.equal(true);
  });

  it('throws VOICE_ILLEGAL_TRANSITION for every other pair', () => {
    for (const from of STATES) {
      for (const to of STATES) {
        const legal = VOICE_LINK_TRANSITIONS[from].includes(to);
        expect(canTransition(from, to), `${from}→${to}`).to.equal(legal);
        if (legal) expect(() => assertTransition(from, to)).not.to.throw();
        else expect(() => assertTransition(from, to), `${from}→${to}`).to.throw(VoiceLinkError).with.property('code', 'VOICE_ILLEGAL_TRANSITION');
      }
    }
  });

  it('a link destroyed before joining stays destroyed', async () => {
    const link = new VoiceLink({ guildId: GUILD, channelId: CHANNEL, adapterCreator: () => ({ sendPayload: () => true, destroy() {} }), onPacket() {}, shouldCapture: () => true });
    const seen: VoiceLinkTransition[] = [];
    link.on('state', (t) => seen.push(t));
    link.destroy('never mind');
    link.destroy('twice'); // idempotent
    expect(seen).to.deep.equal([{ from: 'idle', to: 'destroyed', reason: 'never mind' }]);
    expect(codeOf(await rejection(link.join()))).to.equal('VOICE_ILLEGAL_TRANSITION');
  });
});

describe('readRtpHeader', () => {
  it('reads seq, timestamp and SSRC from a version-2 header', () => {
    const header = Buffer.from([0x90, 0x78, 0xff, 0xfe, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x27, 0x10]);
    expect(readRtpHeader(header)).to.deep.equal({ seq: 65534, timestamp: 0xffffff00, ssrc: 10_000 });
    expect(readRtpHeader(Buffer.from([0x00, ...header.subarray(1)]))).to.equal(null);
    expect(readRtpHeader(header.subarray(0, 11))).to.equal(null);
  });
});

describe('VoiceLink over @discordjs/voice and a loopback voice server', function () {
  this.timeout(15_000);
  let fake: FakeVoiceServer;
  let untrust: () => void;
  let gateway: FakeGateway;
  let links: VoiceLink[];
  let received: Map<string, VoicePacket[]>;
  let consent: Map<string, boolean>;
  let transitions: VoiceLinkTransition[];
  let speaking: string[];

  beforeEach(async () => {
    fake = await FakeVoiceServer.start();
    untrust = trustCertificate(fake, fake.certificate);
    gateway = fakeGateway({ endpoint: fake.endpoint });
    links = [];
    received = new Map();
    consent = new Map();
    transitions = [];
    speaking = [];
  });

  afterEach(async () => {
    for (const link of links) link.destroy('test over');
    untrust();
    await fake.stop();
  });

  function makeLink(overrides: Partial<VoiceLinkOptions> = {}): VoiceLink {
    const link = new VoiceLink({
      guildId: GUILD,
      channelId: CHANNEL,
      adapterCreator: gateway.creator,
      onPacket: (userId, packet) => received.set(userId, [...(received.get(userId) ?? []), packet]),
      shouldCapture: (userId) => consent.get(userId) ?? true,
      connectTimeoutMs: 5_000,
      reconnectTimeoutMs: 3_000,
      ...overrides,
    });
    link.on('state', (t) => transitions.push(t));
    link.on('speaking', (userId) => speaking.push(userId));
    links.push(link);
    return link;
  }

  const got = (userId: string): VoicePacket[] => received.get(userId) ?? [];
  const stamps = (packets: { seq: number; timestamp: number }[]): [number, number][] => packets.map((p) => [p.seq, p.timestamp]);

  function expectSame(userId: string, sent: FakeVoicePacket[]): void {
    expect(stamps(got(userId)), userId).to.deep.equal(stamps(sent));
    got(userId).forEach((p, i) => expect(Buffer.from(p.data).equals(Buffer.from(sent[i]!.data)), `${userId} payload ${i}`).to.equal(true));
  }

  it('joins: idle → connecting → ready through the real voice handshake', async () => {
    const link = makeLink();
    expect(link.state).to.equal('idle');
    await link.join();
    expect(link.state).to.equal('ready');
    expect(pairs(transitions)).to.deep.equal(['idle→connecting', 'connecting→ready']);
    expect(gateway.payloads[0]).to.deep.equal({ op: 4, d: { guild_id: GUILD, channel_id: CHANNEL, self_deaf: false, self_mute: true } });
    expect(fake.handshakes[0]).to.match(/[?&]v=8\b/);
    const identify = fake.opsReceived.find((m) => m.op === VoiceOpcode.Identify)?.d as Record<string, unknown>;
    expect(identify).to.include({ server_id: GUILD, session_id: 'fake-session', token: 'voice-token-1' });
    expect(identify.max_dave_protocol_version, 'DAVE offered').to.be.at.least(1);
    const select = fake.opsReceived.find((m) => m.op === VoiceOpcode.SelectProtocol)?.d as { protocol: string; data: { mode: string } };
    expect(select.protocol).to.equal('udp');
    expect(select.data.mode).to.equal('aead_aes256_gcm_rtpsize');
  });

  it('hands over each speaker\'s packets with the RTP seq and timestamp they were sent with', async () => {
    await makeLink().join();
    // Alice: seq and timestamp both wrap, and one second of silence sits after her 4th frame.
    const alice = numbered(opusTone(440, 8), 65_532, 0xffff_f000, { after: 3, samples: 48_000 });
    const bob = numbered(opusTone(660, 8), 100, 5_000);
    await Promise.all([fake.speak(ALICE, alice, { intervalMs: 5 }), fake.speak(BOB, bob, { intervalMs: 5 })]);
    await until(() => got(ALICE).length === 8 && got(BOB).length === 8, 'both speakers');
    expectSame(ALICE, alice);
    expectSame(BOB, bob);
    expect((got(ALICE)[4]!.timestamp - got(ALICE)[3]!.timestamp) >>> 0, 'the silence survives, across the 32-bit wrap').to.equal(960 + 48_000);
    expect(speaking).to.have.members([ALICE, BOB]);
  });

  it('never subscribes a user who has not consented', async () => {
    consent.set(CAROL, false);
    const link = makeLink();
    await link.join();
    await Promise.all([fake.speak(CAROL, numbered(opusTone(300, 6), 1, 1), { intervalMs: 5 }), fake.speak(ALICE, numbered(opusTone(440, 6), 1, 1), { intervalMs: 5 })]);
    await until(() => got(ALICE).length === 6, 'Alice');
    await sleep(30);
    expect(got(CAROL)).to.have.length(0);
    expect(link.capturing).to.deep.equal([ALICE]);
    expect(getVoiceConnection(GUILD)?.receiver.subscriptions.has(CAROL)).to.equal(false);
    expect(speaking, 'speaking is metadata and still reported').to.include(CAROL);
  });

  it('stops capture mid-stream when consent is withdrawn, and resumes when it is given back', async () => {
    const link = makeLink();
    await link.join();
    const sent = numbered(opusTone(440, 80), 7, 1_000);
    const speech = fake.speak(ALICE, sent, { intervalMs: 4 });
    await until(() => got(ALICE).length >= 5, 'first packets');
    consent.set(ALICE, false);
    link.refreshCapture();
    const atRevoke = got(ALICE).length;
    expect(link.capturing).to.deep.equal([]);
    await sleep(40);
    expect(got(ALICE), 'nothing after the revocation').to.have.length(atRevoke);
    expect(getVoiceConnection(GUILD)?.receiver.subscriptions.has(ALICE)).to.equal(false);

    consent.set(ALICE, true);
    link.refreshCapture(); // she is still talking: no new 'start' will come, refresh picks her up
    await until(() => got(ALICE).length > atRevoke + 3, 'capture to resume');
    // Withdrawn and given back in one tick: the dying stream is waited for, not reused.
    consent.set(ALICE, false);
    link.refreshCapture();
    consent.set(ALICE, true);
    link.refreshCapture();
    const before = got(ALICE).length;
    await until(() => got(ALICE).length > before + 3, 'capture after a quick re-grant');
    await speech;

    const seqs = got(ALICE).map((p) => p.seq);
    expect(seqs.length).to.be.below(sent.length);
    expect(seqs, 'in order, no duplicates').to.deep.equal([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).to.equal(seqs.length);
    for (const p of got(ALICE)) expect(p.timestamp).to.equal(1_000 + (p.seq - 7) * 960);
  });

  it('a throwing state or speaking listener breaks neither join() nor capture', async () => {
    const link = makeLink();
    link.prependListener('state', () => {
      throw new Error('listener bug');
    });
    link.prependListener('speaking', () => {
      throw new Error('listener bug');
    });
    const started = Date.now();
    await link.join();
    expect(Date.now() - started, 'join() resolved at ready, not at its 5 s timeout').to.be.below(2_000);
    await fake.speak(ALICE, numbered(opusTone(440, 3), 1, 1), { intervalMs: 5 });
    await until(() => got(ALICE).length === 3, 'packets');
  });

  it('keeps capturing when onPacket throws', async () => {
    let calls = 0;
    await makeLink({ onPacket: (userId, packet) => {
      calls++;
      if (calls === 1) throw new Error('consumer bug');
      received.set(userId, [...got(userId), packet]);
    } }).join();
    await fake.speak(ALICE, numbered(opusTone(440, 5), 1, 1), { intervalMs: 5 });
    await until(() => got(ALICE).length === 4, 'the packets after the failing one');
  });

  it('resumes after the voice WebSocket drops, and packets flow again', async () => {
    const link = makeLink();
    await link.join();
    fake.dropConnection(); // TCP cut: the client sees 1006 and resumes
    await until(() => pairs(transitions).includes('reconnecting→ready'), 'resume');
    expect(pairs(transitions)).to.deep.equal(['idle→connecting', 'connecting→ready', 'ready→reconnecting', 'reconnecting→ready']);
    expect(transitions[2]!.reason).to.equal('voice websocket lost, resuming');
    const resume = fake.opsReceived.find((m) => m.op === VoiceOpcode.Resume)?.d as Record<string, unknown>;
    expect(resume).to.include({ server_id: GUILD, session_id: 'fake-session', token: 'voice-token-1' });
    expect(resume.seq_ack, 'v8 seq_ack of READY and SESSION_DESCRIPTION').to.equal(2);
    const sent = numbered(opusTone(440, 5), 40, 96_000);
    await fake.speak(ALICE, sent, { intervalMs: 5 });
    await until(() => got(ALICE).length === 5, 'packets after the resume');
    expectSame(ALICE, sent);
    expect(link.state).to.equal('ready');
  });

  it('identifies again when the voice server ends the session (close 4006)', async () => {
    const link = makeLink();
    await link.join();
    fake.dropConnection(4006);
    await until(() => pairs(transitions).includes('reconnecting→ready'), 'a fresh session');
    expect(transitions[2]!.reason).to.equal('rejoining the voice channel');
    expect(fake.opsReceived.filter((m) => m.op === VoiceOpcode.Identify)).to.have.length(2);
    expect(gateway.payloads.filter((p) => p.d.channel_id === CHANNEL)).to.have.length(2);
    const sent = numbered(opusTone(440, 4), 9, 9_000);
    await fake.speak(BOB, sent, { intervalMs: 5 });
    await until(() => got(BOB).length === 4, 'packets on the new session');
    expectSame(BOB, sent);
    expect(link.state).to.equal('ready');
  });

  it('rejoins after a 4014 disconnect, and gives up after maxReconnects', async () => {
    const link = makeLink({ reconnectTimeoutMs: 150, maxReconnects: 2 });
    await link.join();
    fake.dropConnection(4014); // "disconnected": the library waits for us to decide
    await until(() => pairs(transitions).includes('reconnecting→ready'), 'the first rejoin');
    expect(transitions[2]!.reason).to.equal('disconnected (WebSocketClose, close code 4014)');
    expect(gateway.payloads.filter((p) => p.d.channel_id === CHANNEL)).to.have.length(2);

    gateway.answering = false;
    fake.dropConnection(4014);
    await until(() => link.state === 'destroyed', 'giving up', 3_000);
    expect(transitions.at(-1)).to.deep.include({ from: 'reconnecting', to: 'destroyed', reason: 'voice connection not re-established after 2 rejoin attempt(s)' });
    const joins = gateway.payloads.filter((p) => p.d.channel_id === CHANNEL);
    expect(joins, 'join + first rejoin + 2 unanswered rejoins').to.have.length(4);
    expect(gateway.payloads.at(-1)?.d.channel_id, 'left the channel').to.equal(null);
    expect(getVoiceConnection(GUILD)).to.equal(undefined);
  });

  it('join() rejects with VOICE_CONNECT_TIMEOUT when the gateway never answers', async () => {
    gateway.answering = false;
    const link = makeLink({ connectTimeoutMs: 150 });
    const err = await rejection(link.join());
    expect(codeOf(err)).to.equal('VOICE_CONNECT_TIMEOUT');
    expect(link.state).to.equal('destroyed');
    expect(pairs(transitions)).to.deep.equal(['idle→connecting', 'connecting→destroyed']);
  });

  it('refuses a second link in a guild that already has a live one', async () => {
    await makeLink().join();
    const second = makeLink();
    expect(codeOf(await rejection(second.join()))).to.equal('VOICE_ALREADY_JOINED');
    expect(second.state).to.equal('idle');
  });

  it('destroy() leaves the channel and is terminal', async () => {
    const link = makeLink();
    await link.join();
    link.destroy('meeting ended');
    expect(link.state).to.equal('destroyed');
    expect(transitions.at(-1)).to.deep.equal({ from: 'ready', to: 'destroyed', reason: 'meeting ended' });
    expect(gateway.payloads.at(-1)?.d.channel_id).to.equal(null);
    expect(gateway.destroyed).to.equal(true);
    expect(getVoiceConnection(GUILD)).to.equal(undefined);
    const count = transitions.length;
    link.destroy('again');
    link.refreshCapture();
    expect(codeOf(await rejection(link.join()))).to.equal('VOICE_ILLEGAL_TRANSITION');
    expect(transitions).to.have.length(count);
  });
});
