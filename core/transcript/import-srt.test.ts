import { expect } from 'chai';
import { ErrorCodes } from '../errors.ts';
import { parseTranscript } from './import/index.ts';
import { errorOf, essentials, expectWellFormed, fixture } from '../../test/fixtures/transcripts/helpers.ts';

const srt = (body: string) => parseTranscript(body, { format: 'srt' });

describe('SRT import', () => {
  it('reads CRLF cues with trailing whitespace, mixed separators and no final blank line', () => {
    const parsed = parseTranscript(fixture('meeting.srt'), { filename: 'meeting.srt' });
    expectWellFormed(parsed);
    expect(essentials(parsed.segments)).to.deep.equal([
      { speaker: 'Alice', startMs: 1000, endMs: 3500, text: 'Welcome to the retro.' },
      { speaker: 'Bob', startMs: 4000, endMs: 7250, text: 'Deploys were slow this sprint.' },
      { speaker: 'Carol', startMs: 7500, endMs: 9000, text: 'I can look at the pipeline.' },
      { speaker: 'Unknown', startMs: 9500, endMs: 11000, text: 'Thanks, everyone.' },
    ]);
  });

  it('tolerates a missing blank line between cues and extra blank lines', () => {
    const parsed = srt('1\n00:00:01,000 --> 00:00:02,000\nA: one\n2\n00:00:03,000 --> 00:00:04,000\nB: two\n\n\n\n');
    expect(parsed.segments.map((s) => s.text)).to.deep.equal(['one', 'two']);
  });

  it('keeps text that merely looks like markup, stripping only subtitle formatting', () => {
    const parsed = srt('1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color="red">Bob:</font> 2 <3 you &amp; <script>\n');
    expect(parsed.segments[0]).to.include({ speaker: 'Bob', text: '2 <3 you & <script>' });
  });

  it('names the line of a malformed timing line', () => {
    const err = errorOf(() => parseTranscript(fixture('malformed.srt'), { filename: 'malformed.srt' }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(6);
    expect(err.message).to.include('line 6');
  });

  it('names the line where a cue number is expected but text is found', () => {
    const err = errorOf(() => srt('1\n00:00:01,000 --> 00:00:02,000\nhi\n\nstray text\n'));
    expect(err.details.line).to.equal(5);
  });

  it('rejects a cue that ends before it starts and out-of-range minutes', () => {
    expect(errorOf(() => srt('1\n00:00:05,000 --> 00:00:04,000\nhi\n')).details.line).to.equal(2);
    expect(errorOf(() => srt('\n\n1\n00:61:00,000 --> 00:62:00,000\nhi\n')).details.line).to.equal(4);
  });

  it('rejects a cue number with nothing after it', () => {
    const err = errorOf(() => srt('1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n'));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(6);
  });
});
