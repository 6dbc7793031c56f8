import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ErrorCodes } from '../errors.ts';
import { parseTranscript } from './import/index.ts';
import { errorOf, essentials, expectWellFormed, fixture } from '../../test/fixtures/transcripts/helpers.ts';

const json = (value: unknown) => parseTranscript(JSON.stringify(value, null, 2), { format: 'json' });

describe('JSON import', () => {
  it("reads the project's export format with its meeting metadata", () => {
    const parsed = parseTranscript(fixture('meeting.json'), { filename: 'meeting.json' });
    expectWellFormed(parsed);
    expect(parsed).to.include({ title: 'Weekly sync', language: 'en' });
    expect(parsed.startedAt?.toISOString()).to.equal('2024-05-01T14:00:00.000Z');
    expect(essentials(parsed.segments)).to.deep.equal([
      { speaker: 'Alice', startMs: 0, endMs: 2500, text: 'Hello team.' },
      { speaker: 'Bob', startMs: 2600, endMs: 5000, text: 'Hi Alice.' },
      { speaker: 'Alice', startMs: 5000, endMs: 9000, text: "Let's review the action items." },
    ]);
    expect(parsed.segments[0]?.confidence).to.equal(0.93);
    expect(parsed.segments[1]?.language).to.equal('en');
  });

  it('reads a bare array of segments and overrides their source numbering', () => {
    const parsed = json([
      { speaker: 'A', startMs: 10, endMs: 20, text: 'x', source: 'discord', sourceSeq: 99 },
      { speaker: 'B', startMs: 20, endMs: 30, text: 'y' },
    ]);
    expectWellFormed(parsed);
    expect(parsed.segments.map((s) => s.speaker)).to.deep.equal(['A', 'B']);
  });

  it('reads the AMI corpus format: seconds to ms, id as title', () => {
    const parsed = parseTranscript(fixture('ami-ES2002a-excerpt.json'), { filename: 'ES2002a.json' });
    expectWellFormed(parsed);
    expect(parsed.title).to.equal('ES2002a');
    expect(parsed.segments).to.have.length(40);
    expect(parsed.segments[4]).to.include({
      speaker: 'B',
      startMs: 55980,
      endMs: 60350,
      text: 'Um well this is the kick-off meeting for our our project.',
    });
    expect(parsed.segments[39]).to.include({ speaker: 'D', startMs: 141800, endMs: 141950, text: 'Yeah.' });
  });

  it('reads the real AMI dev file when ../shared/data is present', function () {
    let raw: Buffer;
    try {
      raw = readFileSync(new URL('../../../shared/data/ami/dev/ES2002a.json', import.meta.url));
    } catch {
      this.skip();
    }
    const parsed = parseTranscript(raw, { filename: 'ES2002a.json' });
    expectWellFormed(parsed);
    expect(parsed.segments.length).to.be.greaterThan(400);
  });

  it('gives QMSum-shaped turns synthetic, monotonic times from word counts', () => {
    const parsed = parseTranscript(fixture('qmsum-shaped.json'));
    expectWellFormed(parsed);
    expect(parsed.title).to.equal('Sample001');
    // 9, 2 and 9 tokens at 400 ms per word (~150 words a minute), laid end to end.
    expect(parsed.segments.map((s) => [s.startMs, s.endMs])).to.deep.equal([
      [0, 3600],
      [3600, 4400],
      [4400, 8000],
    ]);
    expect(parsed.segments[0]?.speaker).to.equal('Project Manager');
  });

  it('derives null corpus times from neighbours, or 0 when there are none', () => {
    const parsed = json({
      id: 'ES2008a',
      segments: [
        { i: 0, speaker: 'A', start: null, end: null, text: 'first' },
        { i: 1, speaker: 'B', start: 2.5, end: 3, text: 'second' },
        { i: 2, speaker: 'C', start: null, end: null, text: 'third' },
        { i: 3, speaker: 'D', start: 4, end: 5, text: 'fourth' },
      ],
    });
    expect(parsed.segments.map((s) => [s.startMs, s.endMs])).to.deep.equal([
      [0, 2500],
      [2500, 3000],
      [3000, 4000],
      [4000, 5000],
    ]);
  });

  it('reports the line of a JSON syntax error', () => {
    const err = errorOf(() => parseTranscript(fixture('syntax-error.json'), { filename: 'syntax-error.json' }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(6);
    expect(err.message).to.include('line 6');
  });

  it('finds the line even when the SyntaxError message has no position', () => {
    // V8 words this one as "Unexpected token '}', ... is not valid JSON", without a position.
    const err = errorOf(() => parseTranscript('{\n  "segments": [\n    {"speaker": }\n  ]\n}', { format: 'json' }));
    expect(err.details.line).to.equal(3);
    const truncated = errorOf(() => parseTranscript('[\n  {"speaker": "A",\n', { format: 'json' }));
    expect(truncated.details.line).to.equal(3);
  });

  it('reports the segment index and line of a schema error', () => {
    const err = errorOf(() => parseTranscript(fixture('schema-error.json'), { filename: 'schema-error.json' }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details).to.include({ line: 6, segment: 1, path: 'segments.1.startMs' });
    expect(err.message).to.include('line 6').and.include('segment 1');
  });

  it('points at the segment when a required field is missing, in a bare array too', () => {
    const err = errorOf(() => json([{ speaker: 'A', startMs: 0, endMs: 1, text: 'ok' }, { speaker: 'B', startMs: 0, endMs: 1 }]));
    expect(err.details).to.include({ segment: 1, line: 8 }); // the line of the segment's "{"
  });

  it('rejects endMs before startMs and an unknown version', () => {
    expect(errorOf(() => json([{ speaker: 'A', startMs: 5, endMs: 1, text: 'x' }])).details.segment).to.equal(0);
    const v2 = errorOf(() => json({ version: 2, segments: [{ speaker: 'A', startMs: 0, endMs: 1, text: 'x' }] }));
    expect(v2.details).to.include({ path: 'version', line: 2 });
  });

  it('explains the expected shape when the document is neither an object nor an array', () => {
    const err = errorOf(() => parseTranscript('"just a string"', { format: 'json' }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.message).to.include('"segments" array');
  });
});
