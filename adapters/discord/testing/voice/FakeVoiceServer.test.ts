import { X509Certificate } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { expect } from 'chai';
import { WebSocket } from 'ws';
import { FakeVoiceServer, VoiceOpcode } from './FakeVoiceServer.ts';
import { selfSignedCert } from './selfSignedCert.ts';
import { trustCertificate } from './trust.ts';

type Message = { op: number; d: Record<string, unknown>; seq?: number };

/** A raw voice WebSocket client, to look at the wire without @discordjs/voice in between. */
async function open(fake: FakeVoiceServer): Promise<{ ws: WebSocket; messages: Message[]; next: (op: number) => Promise<Message> }> {
  const ws = new WebSocket(`wss://${fake.endpoint}?v=8`);
  const messages: Message[] = [];
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw)) as Message));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = async (op: number): Promise<Message> => {
    for (let waited = 0; waited < 2_000; waited += 5) {
      const found = messages.find((m) => m.op === op);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`no op ${op}`);
  };
  return { ws, messages, next };
}

describe('FakeVoiceServer', () => {
  let fake: FakeVoiceServer;
  let udp: Socket;
  let untrust = (): void => {};

  beforeEach(async () => {
    fake = await FakeVoiceServer.start({ heartbeatIntervalMs: 5_000 });
    udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    untrust();
    udp.close();
    await fake.stop();
  });

  it('makes a valid self-signed certificate for 127.0.0.1 without openssl', () => {
    const cert = new X509Certificate(selfSignedCert().cert);
    expect(cert.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(cert.verify(cert.publicKey)).to.equal(true);
    expect(Date.parse(cert.validTo)).to.be.above(Date.now());
  });

  it('is reachable over wss only where the test trusts its certificate', async () => {
    const refused = await open(fake).then(({ ws }) => (ws.close(), null), (err: Error) => err);
    expect(refused?.message).to.match(/self.signed|unable to verify/i);
    untrust = trustCertificate(fake, fake.certificate);
    const { ws, next } = await open(fake);
    expect((await next(VoiceOpcode.Hello)).d).to.deep.equal({ heartbeat_interval: 5_000 });
    ws.close();
  });

  it('answers IP discovery with the address it saw', async () => {
    const request = Buffer.alloc(74);
    request.writeUInt16BE(1, 0);
    request.writeUInt16BE(70, 2);
    request.writeUInt32BE(42, 4);
    const reply = new Promise<Buffer>((resolve) => udp.once('message', resolve));
    udp.send(request, fake.udpPort, '127.0.0.1');
    const response = await reply;
    expect(response.length).to.equal(74);
    expect([response.readUInt16BE(0), response.readUInt16BE(2), response.readUInt32BE(4)]).to.deep.equal([2, 70, 42]);
    expect(response.subarray(8, response.indexOf(0, 8)).toString()).to.equal('127.0.0.1');
    expect(response.readUInt16BE(72)).to.equal(udp.address().port);
  });

  it('numbers its messages (v8) and re-sends the missed ones on resume', async () => {
    untrust = trustCertificate(fake, fake.certificate);
    const first = await open(fake);
    first.ws.send(JSON.stringify({ op: VoiceOpcode.Identify, d: { server_id: 'g', user_id: 'u', session_id: 's', token: 't', max_dave_protocol_version: 0 } }));
    expect((await first.next(VoiceOpcode.Ready)).seq).to.equal(1);
    first.ws.send(JSON.stringify({ op: VoiceOpcode.SelectProtocol, d: { protocol: 'udp', data: { address: '127.0.0.1', port: udp.address().port, mode: 'aead_aes256_gcm_rtpsize' } } }));
    const description = await first.next(VoiceOpcode.SessionDescription);
    expect(description.seq).to.equal(2);
    expect(description.d).to.include({ mode: 'aead_aes256_gcm_rtpsize', dave_protocol_version: 0 });
    expect(description.d.secret_key).to.have.length(32);
    first.ws.terminate();
    await new Promise((resolve) => setTimeout(resolve, 20));

    await fake.speak('alice', [], { announceMs: 0 }); // announced while the client is away
    const second = await open(fake);
    second.ws.send(JSON.stringify({ op: VoiceOpcode.Resume, d: { server_id: 'g', session_id: 's', token: 't', seq_ack: 2 } }));
    await second.next(VoiceOpcode.Speaking);
    expect(second.messages.map((m) => [m.op, m.seq])).to.deep.equal([
      [VoiceOpcode.Hello, undefined],
      [VoiceOpcode.Resumed, undefined],
      [VoiceOpcode.ClientsConnect, 3],
      [VoiceOpcode.Speaking, 4],
    ]);
    second.ws.close();
  });
});
