import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import prism from 'prism-media';
import { AudioPipeline, BusConsent, muxOggOpus, oggCrc32, OggOpusWriter, recordingPolicy, type RecordingPolicyWarning } from '../../core/audio/index.ts';
import type { TranscribeRequest, Transcriber } from '../../core/asr/types.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import type { Attendee } from '../../core/types.ts';
import { encodeOpus, opusDecoderFactory } from './opus.ts';
import { createRecorder, purgeExpiredRecordings, recorderFor, speakerSlug } from './recordings.ts';
import { readWav16, upsample3 } from './wav.ts';

const clip = readWav16(fileURLToPath(new URL('../../test/fixtures/audio/ljspeech_LJ002-0020.wav', import.meta.url))).samples;
const pcm16 = new Int16Array(3000 * 16);
pcm16.set(clip, 500 * 16);
const PACKETS = encodeOpus(upsample3(pcm16), 1); // 150 packets of 20 ms

interface Page { flags: number; granule: bigint; serial: number; sequence: number; crcOk: boolean; segments: number[] }
function pages(file: Buffer): Page[] {
  const out: Page[] = [];
  for (let at = 0; at < file.length; ) {
    expect(file.toString('latin1', at, at + 4)).to.equal('OggS');
    const n = file[at + 26]!;
    const segments = [...file.subarray(at + 27, at + 27 + n)];
    const end = at + 27 + n + segments.reduce((a, b) => a + b, 0);
    const page = Buffer.from(file.subarray(at, end));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    out.push({ flags: file[at + 5]!, granule: file.readBigUInt64LE(at + 6), serial: file.readUInt32LE(at + 14), sequence: file.readUInt32LE(at + 18), crcOk: oggCrc32(page) === crc, segments });
    at = end;
  }
  return out;
}

async function demux(file: Buffer): Promise<{ head: Buffer; tags: Buffer; packets: Buffer[] }> {
  const demuxer = new prism.opus.OggDemuxer();
  let head: Buffer | null = null;
  let tags: Buffer | null = null;
  const packets: Buffer[] = [];
  demuxer.on('head', (h: Buffer) => (head = h));
  demuxer.on('tags', (t: Buffer) => (tags = t));
  demuxer.on('data', (p: Buffer) => packets.push(p));
  await new Promise<void>((resolve, reject) => {
    demuxer.on('end', resolve).on('error', reject);
    Readable.from([file]).pipe(demuxer);
  });
  return { head: head!, tags: tags!, packets };
}

/** Decodes with prism-media's Opus decoder at 48 kHz mono; returns the sample count. */
async function decodedSamples(file: Buffer): Promise<number> {
  const demuxer = new prism.opus.OggDemuxer();
  const decoder = new prism.opus.Decoder({ rate: 48_000, channels: 1, frameSize: 960 });
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    decoder.on('data', (b: Buffer) => (bytes += b.length)).on('end', resolve).on('error', reject);
    demuxer.on('error', reject);
    Readable.from([file]).pipe(demuxer).pipe(decoder);
  });
  return bytes / 2;
}

class StubTranscriber implements Transcriber {
  readonly name = 'stub';
  readonly quality = 'high' as const;
  async transcribe(r: TranscribeRequest) {
    return { engine: 'stub', segments: [{ text: 'words', startMs: 0, endMs: (r.pcm.length / 16000) * 1000, confidence: 0.9 }] };
  }
}

const attendee = (displayName: string, consent: Attendee['consent']): Attendee => ({ id: displayName, meetingId: 'm1', userId: null, displayName, consent, talkTimeMs: 0 });

describe('Ogg/Opus recording', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'recordings-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('OggOpusWriter', () => {
    it('computes the Ogg CRC-32 (poly 0x04C11DB7, init 0, no reflection, no final xor)', () => {
      expect(oggCrc32(Buffer.from('123456789'))).to.equal(0x89a1897f);
      expect(oggCrc32(Buffer.alloc(0))).to.equal(0);
    });

    it('muxes packets that prism-media demuxes back unchanged and decodes to the right length', async () => {
      const file = muxOggOpus(PACKETS, { serial: 0x1234abcd, pageSamples: 48_000 });
      const { head, tags, packets } = await demux(file);
      expect(head.toString('latin1', 0, 8)).to.equal('OpusHead');
      expect([head[8], head[9], head.readUInt16LE(10), head.readUInt32LE(12), head.readInt16LE(16), head[18]]).to.deep.equal([1, 1, 312, 48_000, 0, 0]);
      expect(tags.toString('latin1', 0, 8)).to.equal('OpusTags');
      expect(packets.length).to.equal(PACKETS.length);
      packets.forEach((p, i) => expect(p.equals(PACKETS[i]!), `packet ${i}`).to.equal(true));

      const ps = pages(file);
      expect(ps.every((p) => p.crcOk)).to.equal(true);
      expect(ps.map((p) => p.sequence)).to.deep.equal(ps.map((_, i) => i));
      expect(new Set(ps.map((p) => p.serial))).to.deep.equal(new Set([0x1234abcd]));
      expect(ps[0]!.flags).to.equal(0x02); // BOS, OpusHead alone
      expect(ps[1]!.granule).to.equal(0n); // OpusTags
      expect(ps.slice(2, -1).every((p) => p.flags === 0)).to.equal(true);
      expect(ps.at(-1)!.flags).to.equal(0x04); // EOS
      expect(ps.length).to.equal(2 + 3); // 3 s of audio in ≤ 1 s pages
      expect(ps.at(-1)!.granule).to.equal(BigInt(312 + PACKETS.length * 960));
      const granules = ps.slice(2).map((p) => Number(p.granule));
      expect(granules).to.deep.equal([...granules].sort((a, b) => a - b));

      expect(await decodedSamples(file)).to.equal(PACKETS.length * 960);
    });

    it('splits a page at 255 lacing values and writes to a sink', () => {
      const big = Buffer.alloc(600, 0); // TOC 0: SILK 10 ms, 1 frame; 3 lacing values each
      const chunks: Buffer[] = [];
      let ended = false;
      const w = new OggOpusWriter({ serial: 7, sink: { write: (b) => chunks.push(b), end: () => (ended = true) } });
      for (let i = 0; i < 100; i++) expect(w.write(big).every((b) => Buffer.isBuffer(b))).to.equal(true);
      w.end();
      expect(ended).to.equal(true);
      const ps = pages(Buffer.concat(chunks));
      expect(ps.every((p) => p.crcOk && p.segments.length <= 255)).to.equal(true);
      expect(ps.slice(2).reduce((n, p) => n + p.segments.length, 0)).to.equal(300);
      expect(ps.at(-1)!.granule).to.equal(BigInt(312 + 100 * 480));
      expect(() => w.write(big)).to.throw(/after end/);
    });

    it('is accepted by ffmpeg with CRC checking, with the duration the granule says', function () {
      if (spawnSync('ffprobe', ['-version'], { stdio: 'ignore' }).status !== 0) this.skip();
      const path = join(dir, 'x.opus');
      writeFileSync(path, muxOggOpus(PACKETS));
      const check = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-err_detect', 'crccheck', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' });
      expect(check.status).to.equal(0);
      expect(check.stderr.trim()).to.equal('');
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' });
      expect(Number(probe.stdout.trim())).to.be.closeTo((PACKETS.length * 960) / 48_000, 0.03);
    });
  });

  describe('recordingPolicy', () => {
    it('keeps no audio by default', () => {
      expect(recordingPolicy({})).to.deep.equal({ keepAudio: false, retentionDays: 30 });
      expect(recordingPolicy(undefined)).to.deep.equal({ keepAudio: false, retentionDays: 30 });
      expect(recordingPolicy({ recording: { keepAudio: true, retentionDays: 7 } })).to.deep.equal({ keepAudio: true, retentionDays: 7 });
      expect(recorderFor(recordingPolicy({}), { dir, meetingId: 'm1' })).to.equal(undefined);
    });

    it('falls back to the defaults on invalid values, with coded warnings', () => {
      const warnings: RecordingPolicyWarning[] = [];
      const policy = recordingPolicy({ recording: { keepAudio: 'yes', retentionDays: -3 } }, (w) => warnings.push(w));
      expect(policy).to.deep.equal({ keepAudio: false, retentionDays: 30 });
      expect(warnings.map((w) => [w.code, w.field])).to.deep.equal([['RECORDING_POLICY_INVALID', 'keepAudio'], ['RECORDING_POLICY_INVALID', 'retentionDays']]);
      warnings.length = 0;
      expect(recordingPolicy({ recording: true }, (w) => warnings.push(w))).to.deep.equal({ keepAudio: false, retentionDays: 30 });
      expect(warnings.map((w) => w.field)).to.deep.equal(['recording']);
    });
  });

  describe('recorder in the pipeline', () => {
    async function meeting(optOutCarolAt: number | null) {
      const bus = new InProcessEventBus();
      const consent = new BusConsent(bus, 'm1', [attendee('Bob', 'opted_out')]);
      const names: Record<string, string> = { b: 'Bob', c: 'Carol Ünal', d: 'Dave' };
      let now = 0;
      const pipeline = new AudioPipeline({
        transcriber: new StubTranscriber(), append: async () => undefined, decoder: opusDecoderFactory(), consent, now: () => now, tickMs: 0,
        displayName: (id) => names[id]!, recorder: recorderFor({ keepAudio: true, retentionDays: 30 }, { dir, meetingId: 'm1' }),
      });
      for (let i = 0; i < PACKETS.length; i++) {
        if (i === optOutCarolAt) await bus.publish({ type: 'attendee.updated', meetingId: 'm1', attendee: attendee('Carol Ünal', 'opted_out') });
        now = i * 20 + 5;
        for (const id of ['b', 'c', 'd']) pipeline.push(id, { seq: i, timestamp: i * 960, data: PACKETS[i]! }, now);
      }
      await pipeline.end();
      consent.close();
      return pipeline;
    }

    it('writes a valid Ogg/Opus file per consenting speaker and nothing for an opted-out one', async () => {
      await meeting(null);
      expect(readdirSync(join(dir, 'm1')).sort()).to.deep.equal(['carol-unal.opus', 'dave.opus']);
      for (const f of ['carol-unal.opus', 'dave.opus']) {
        const file = readFileSync(join(dir, 'm1', f));
        const { packets } = await demux(file);
        expect(packets.length).to.equal(PACKETS.length);
        expect(pages(file).every((p) => p.crcOk)).to.equal(true);
        expect(await decodedSamples(file)).to.equal(PACKETS.length * 960);
      }
      expect(existsSync(join(dir, 'm1', 'bob.opus'))).to.equal(false);
    });

    it('deletes a speaker\'s recording when they opt out mid-meeting and keeps the others', async () => {
      const p = await meeting(60);
      expect(readdirSync(join(dir, 'm1'))).to.deep.equal(['dave.opus']);
      expect(p.stats().consentDropped).to.equal(PACKETS.length + (PACKETS.length - 60));
      expect(statSync(join(dir, 'm1', 'dave.opus')).size).to.be.greaterThan(1000);
    });

    it('never overwrites: a second stream with the same slug gets its own file; discard removes an emptied folder', async () => {
      const a = createRecorder({ dir, meetingId: 'm2', displayName: 'Ann B' });
      const b = createRecorder({ dir, meetingId: 'm2', displayName: 'ann-b' });
      expect([a.path, b.path].map((p) => p.slice(dir.length + 1))).to.deep.equal(['m2/ann-b.opus', 'm2/ann-b-2.opus']);
      a.write({ seq: 0, data: PACKETS[0]! });
      a.write({ seq: 1, data: Buffer.alloc(0) }); // unreadable: skipped, file stays valid
      await a.close();
      expect(a.stats).to.deep.equal({ packets: 1, skipped: 1 });
      await b.discard();
      await a.discard();
      expect(existsSync(join(dir, 'm2'))).to.equal(false);
      expect(speakerSlug('  ')).to.equal('speaker');
      expect(() => createRecorder({ dir, meetingId: '../x', displayName: 'A' })).to.throw(/directory name/);
    });
  });

  describe('purgeExpiredRecordings', () => {
    it('deletes only meeting folders older than their retention and says what it deleted', async () => {
      const now = Date.parse('2025-06-30T00:00:00Z');
      const day = 86_400_000;
      const make = (name: string, ageDays: number) => {
        mkdirSync(join(dir, name));
        const f = join(dir, name, 'alice.opus');
        writeFileSync(f, 'x');
        const t = new Date(now - ageDays * day);
        utimesSync(f, t, t);
        utimesSync(join(dir, name), t, t);
      };
      make('old', 31);
      make('recent', 29);
      make('long-kept', 100);
      make('unknown', 400);
      mkdirSync(join(dir, 'touched'));
      writeFileSync(join(dir, 'touched', 'bob.opus'), 'x'); // folder old, file written just now
      utimesSync(join(dir, 'touched'), new Date(now - 90 * day), new Date(now - 90 * day));
      const retention: Record<string, number> = { old: 30, recent: 30, 'long-kept': 365, touched: 30 };
      const purged = await purgeExpiredRecordings({ dir, now: new Date(now), retentionDaysFor: (id) => retention[id] ?? null });
      expect(purged.map((p) => [p.meetingId, p.files, p.retentionDays])).to.deep.equal([['old', ['alice.opus'], 30]]);
      expect(purged[0]!.lastWriteAt.getTime()).to.equal(now - 31 * day);
      expect(readdirSync(dir).sort()).to.deep.equal(['long-kept', 'recent', 'touched', 'unknown']);
      expect(await purgeExpiredRecordings({ dir: join(dir, 'absent'), now, retentionDaysFor: () => 1 })).to.deep.equal([]);
    });
  });
});
