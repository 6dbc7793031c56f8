import { expect } from 'chai';
import { ErrorCodes } from '../errors.ts';
import { parseTranscript } from './import/index.ts';
import { errorOf, essentials, expectWellFormed, fixture } from '../../test/fixtures/transcripts/helpers.ts';

const vtt = (body: string) => parseTranscript(`WEBVTT\n\n${body}`, { format: 'vtt' });

describe('WebVTT import', () => {
  it('reads a Teams transcript: voice tags, cue ids, entities, STYLE and NOTE blocks', () => {
    const parsed = parseTranscript(fixture('teams.vtt'), { filename: 'teams.vtt' });
    expectWellFormed(parsed);
    expect(essentials(parsed.segments)).to.deep.equal([
      { speaker: 'Alice Smith', startMs: 1200, endMs: 4800, text: "Good morning everyone, let's start." },
      { speaker: 'Bob Jones', startMs: 5000, endMs: 9000, text: 'Morning. The Q3 budget & hiring plan are both on the agenda.' },
      // One cue, two voices: one segment each, the cue's time shared by word count (1 : 5).
      { speaker: 'Alice Smith', startMs: 9500, endMs: 10167, text: 'Great.' },
      { speaker: 'Bob Jones', startMs: 10167, endMs: 13500, text: "I'll share my screen now." },
      // Unclosed <v> on each line, as Teams writes them: one segment per voice span.
      { speaker: 'Carol Diaz', startMs: 14000, endMs: 15818, text: 'Budget is <5% over plan.' },
      { speaker: 'Carol Diaz', startMs: 15818, endMs: 18000, text: 'We can fix that in October.' },
      { speaker: 'Unknown', startMs: 18500, endMs: 20000, text: '(background noise) okay' },
    ]);
  });

  it('reads Zoom "Name: text" cues, keeping later colons in the text', () => {
    const parsed = parseTranscript(fixture('zoom.vtt'));
    expectWellFormed(parsed);
    expect(parsed.segments.map((s) => [s.speaker, s.text])).to.deep.equal([
      ['Dana Lee', 'Hi all, can you hear me?'],
      ['Eli', 'Yes, loud and clear.'],
      ['Dana Lee', 'Great. First item is the launch date for the mobile app.'],
      ['Eli', 'Agreed: next Tuesday.'],
    ]);
  });

  it('does not read a clock time or URL as a speaker', () => {
    const parsed = vtt('00:00:01.000 --> 00:00:02.000\nat 10:30 see https://example.com\n');
    expect(parsed.segments[0]).to.include({ speaker: 'Unknown', text: 'at 10:30 see https://example.com' });
  });

  it('prefers a voice tag over a "Name:" prefix inside it', () => {
    const parsed = vtt('00:00:01.000 --> 00:00:02.000\n<v Alice>Note: bring snacks</v>\n');
    expect(parsed.segments[0]).to.include({ speaker: 'Alice', text: 'Note: bring snacks' });
  });

  it('reads the Language header and tolerates YouTube-style header lines', () => {
    const parsed = parseTranscript('WEBVTT\nKind: captions\nLanguage: de\n\n00:01.000 --> 00:02.000\nHallo\n');
    expect(parsed.language).to.equal('de');
    expect(parsed.segments[0]).to.include({ startMs: 1000, endMs: 2000, text: 'Hallo' });
  });

  it('accepts hours of more than two digits, zero-length cues and cue settings', () => {
    const parsed = vtt('100:00:00.000 --> 100:00:00.000 align:start position:10%\n<v A>x</v>\n');
    expect(parsed.segments[0]).to.include({ startMs: 360_000_000, endMs: 360_000_000 });
  });

  it('names the line of a malformed timestamp', () => {
    const err = errorOf(() => parseTranscript(fixture('bad-timestamp.vtt'), { filename: 'bad-timestamp.vtt' }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(8);
    expect(err.message).to.include('line 8');
  });

  it('rejects a cue that ends before it starts, naming its line', () => {
    const err = errorOf(() => parseTranscript(fixture('end-before-start.vtt'), { filename: 'x.vtt' }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(6);
    expect(err.message).to.include('line 6').and.include('ends before it starts');
  });

  it('rejects a file without the WEBVTT signature at line 1', () => {
    const err = errorOf(() => parseTranscript(fixture('no-header.vtt'), { filename: 'no-header.vtt' }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(1);
  });

  it('rejects text with no timing line, naming the stray line rather than the blank after it', () => {
    const err = errorOf(() => vtt('00:00:01.000 --> 00:00:02.000\nfine\n\nstray words\n\n00:00:03.000 --> 00:00:04.000\nok\n'));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(6);
  });

  it('rejects a cue identifier followed by text instead of timings', () => {
    const err = errorOf(() => vtt('cue-1\nhello there\n'));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(4);
  });

  it('counts lines the same way with CRLF line endings', () => {
    const crlf = fixture('bad-timestamp.vtt').toString('utf8').replace(/\n/g, '\r\n');
    expect(errorOf(() => parseTranscript(crlf, { format: 'vtt' })).details.line).to.equal(8);
  });
});
