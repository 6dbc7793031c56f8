import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { describeEachBackend, type StoreContext } from './support/databases.ts';
import { parseTranscript } from '../core/transcript/import/index.ts';
import { exportMeeting } from '../core/transcript/export/index.ts';
import { isMinutesError } from '../core/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/transcripts/${name}`, import.meta.url));

/** Parses and imports a file the way the CLI and upload endpoints do. */
async function importFile(ctx: StoreContext, name: string, input: Buffer | string = fixture(name)) {
  const transcript = parseTranscript(input, { filename: name });
  return ctx.service.importTranscript({ organizationId: ctx.org.id, transcript, title: name });
}

async function storedMeetings(ctx: StoreContext): Promise<number> {
  return (await ctx.service.listMeetings({ organizationId: ctx.org.id })).total;
}

async function expectImportError(ctx: StoreContext, name: string, input: Buffer | string, code: string, line?: number) {
  const before = await storedMeetings(ctx);
  let error: unknown = null;
  try {
    await importFile(ctx, name, input);
  } catch (err) {
    error = err;
  }
  expect(isMinutesError(error), `expected a coded error, got ${String(error)}`).to.equal(true);
  expect((error as { code: string }).code).to.equal(code);
  if (line !== undefined) {
    expect((error as { details: { line?: number } }).details.line).to.equal(line);
    expect((error as Error).message).to.contain(`line ${line}`);
  }
  expect(await storedMeetings(ctx)).to.equal(before);
  return error as Error;
}

describeEachBackend('transcript import into the store', (ctx) => {
  for (const name of ['teams.vtt', 'zoom.vtt', 'meeting.srt', 'meeting.txt', 'meeting.json', 'ami-ES2002a-excerpt.json']) {
    it(`imports ${name} as a completed meeting with speakers as attendees`, async () => {
      const parsed = parseTranscript(fixture(name), { filename: name });
      const { meeting, segmentCount } = await importFile(ctx, name);
      expect(meeting.status).to.equal('completed');
      expect(segmentCount).to.equal(parsed.segments.length);
      const bundle = await ctx.service.getBundle(meeting.id);
      expect(bundle.segments.map((s) => s.text)).to.deep.equal([...parsed.segments].sort((a, b) => a.startMs - b.startMs).map((s) => s.text));
      expect(bundle.attendees.map((a) => a.displayName).sort()).to.deep.equal([...new Set(parsed.segments.map((s) => s.speaker))].sort());
      const talk = bundle.attendees.reduce((sum, a) => sum + a.talkTimeMs, 0);
      expect(talk).to.equal(parsed.segments.reduce((sum, s) => sum + (s.endMs - s.startMs), 0));
    });
  }

  it('makes imported words searchable', async () => {
    const { meeting } = await importFile(ctx, 'ami-ES2002a-excerpt.json');
    const word = (await ctx.service.getBundle(meeting.id)).segments.find((s) => /\bproject\b/i.test(s.text));
    expect(word, 'fixture mentions "project"').to.not.equal(undefined);
    const r = await ctx.stores.search.search({ q: 'project', meetingId: meeting.id });
    expect(r.hits.length).to.be.greaterThan(0);
  });

  it('round-trips: an exported VTT and SRT re-import to the same segments', async () => {
    const { meeting } = await importFile(ctx, 'teams.vtt');
    const original = (await ctx.service.getBundle(meeting.id)).segments.map((s) => [s.speaker, s.startMs, s.endMs, s.text]);
    for (const format of ['vtt', 'srt', 'json'] as const) {
      const body = exportMeeting(await ctx.service.getBundle(meeting.id), format).body;
      const again = await importFile(ctx, `again.${format}`, body);
      const copy = (await ctx.service.getBundle(again.meeting.id)).segments.map((s) => [s.speaker, s.startMs, s.endMs, s.text]);
      expect(copy, format).to.deep.equal(original);
    }
  });

  describe('bad input stores nothing', () => {
    it('malformed VTT names the line', async () => {
      // line 8 of the fixture is `00:00:03,000 --> ...` (an SRT comma in a VTT timestamp)
      await expectImportError(ctx, 'bad.vtt', fixture('bad-timestamp.vtt'), 'IMPORT_MALFORMED', 8);
    });

    it('malformed SRT names the line', async () => {
      const err = await expectImportError(ctx, 'bad.srt', fixture('malformed.srt'), 'IMPORT_MALFORMED');
      expect(err.message).to.match(/line \d+/);
    });

    it('an empty file', async () => {
      await expectImportError(ctx, 'empty.txt', Buffer.alloc(0), 'IMPORT_EMPTY');
      await expectImportError(ctx, 'blank.vtt', 'WEBVTT\n\n', 'IMPORT_EMPTY');
    });

    it('a 50 MB file', async () => {
      const big = Buffer.alloc(50 * 1024 * 1024, 'Ada: words words words\n');
      await expectImportError(ctx, 'big.txt', big, 'IMPORT_TOO_LARGE');
    });

    it('invalid UTF-8 names the line', async () => {
      const bytes = Buffer.concat([Buffer.from('Ada: fine\nGrace: also fine\nLinus: bad '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
      await expectImportError(ctx, 'bad.txt', bytes, 'IMPORT_ENCODING', 3);
    });

    it('a segment that fails validation late in a long file rolls back the whole import', async () => {
      const lines = Array.from({ length: 2500 }, (_, i) => ({ speaker: 'Ada', startMs: i * 1000, endMs: i * 1000 + 500, text: `line ${i}` }));
      lines[2400] = { ...lines[2400]!, endMs: 0, startMs: 5 };
      const before = await storedMeetings(ctx);
      let code = '';
      await ctx.service
        .importTranscript({ organizationId: ctx.org.id, transcript: { format: 'json', segments: lines }, title: 'partial?' })
        .catch((e) => { code = e.code; });
      expect(code).to.equal('SEGMENT_INVALID');
      expect(await storedMeetings(ctx)).to.equal(before);
    });

    it('leaves earlier meetings untouched', async () => {
      const { meeting } = await importFile(ctx, 'meeting.srt');
      await expectImportError(ctx, 'bad.srt', fixture('malformed.srt'), 'IMPORT_MALFORMED');
      expect((await ctx.service.getBundle(meeting.id)).segments.length).to.be.greaterThan(0);
    });
  });
});

