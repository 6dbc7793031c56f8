import { expect } from 'chai';
import { ErrorCodes } from '../errors.ts';
import { parseTranscript } from './import/index.ts';
import { errorOf, essentials, expectWellFormed, fixture } from '../../test/fixtures/transcripts/helpers.ts';

const text = (body: string) => parseTranscript(body, { format: 'text' });

describe('plain-text import', () => {
  it('reads the timestamp styles and continuation lines', () => {
    const parsed = parseTranscript(fixture('meeting.txt'), { filename: 'meeting.txt' });
    expectWellFormed(parsed);
    expect(essentials(parsed.segments)).to.deep.equal([
      { speaker: 'Alice', startMs: 5000, endMs: 8600, text: "Let's go through the roadmap. It has three milestones." },
      { speaker: 'Bob', startMs: 20000, endMs: 22800, text: 'The first one slipped by a week.' },
      { speaker: 'Alice', startMs: 35000, endMs: 35400, text: 'Why?' },
      { speaker: 'Bob', startMs: 41000, endMs: 41800, text: 'Vendor delay.' },
      // No timestamp: follows on from the previous segment.
      { speaker: 'Carol', startMs: 41800, endMs: 44200, text: "I'll follow up with the vendor." },
    ]);
  });

  it('synthesises monotonic times from word counts when there are no timestamps', () => {
    const parsed = parseTranscript(fixture('meeting-untimed.txt'));
    expectWellFormed(parsed);
    expect(essentials(parsed.segments)).to.deep.equal([
      { speaker: 'Alice', startMs: 0, endMs: 3600, text: "Let's go through the roadmap for the next quarter." },
      { speaker: 'Bob', startMs: 3600, endMs: 5600, text: 'Sure. The first milestone slipped.' },
      { speaker: 'Carol', startMs: 5600, endMs: 6800, text: "I'll follow up." },
    ]);
  });

  it('reads "12:03 Speaker: text" as minutes:seconds and a leading line without speaker as Unknown', () => {
    const parsed = text('Some preamble\n12:03 Dana: hello\n1:00:00 Eli: an hour in');
    expect(parsed.segments.map((s) => [s.speaker, s.startMs])).to.deep.equal([
      ['Unknown', 0],
      ['Dana', 723_000],
      ['Eli', 3_600_000],
    ]);
  });

  it('keeps a bare clock time without a speaker as words of the current segment', () => {
    const parsed = text('Dana: when shall we meet?\n10:30 works for me');
    expect(parsed.segments).to.have.length(1);
    expect(parsed.segments[0]?.text).to.equal('when shall we meet? 10:30 works for me');
  });

  it('caps synthesised times at the next stated timestamp', () => {
    const words = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');
    const parsed = text(`[00:00:00] A: ${words}\nB: ${words}\n[00:00:05] C: done`);
    expect(parsed.segments.map((s) => [s.startMs, s.endMs])).to.deep.equal([
      [0, 5000],
      [5000, 5000],
      [5000, 5400],
    ]);
  });

  it('takes a speaker header line with the text on following lines', () => {
    const parsed = text('Alice:\nHello there.\nBob: Hi.');
    expect(parsed.segments.map((s) => [s.speaker, s.text])).to.deep.equal([
      ['Alice', 'Hello there.'],
      ['Bob', 'Hi.'],
    ]);
  });

  it('rejects a timestamp that goes backwards, naming its line', () => {
    const err = errorOf(() => text('[00:01:00] A: one\n\n[00:00:30] B: two'));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(3);
    expect(err.message).to.include('line 3');
  });
});
