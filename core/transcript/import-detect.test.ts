import { expect } from 'chai';
import { ErrorCodes } from '../errors.ts';
import type { TranscriptFormat } from '../types.ts';
import { parseTranscript, sniffFormat } from './import/index.ts';
import { errorOf, expectWellFormed, fixture } from '../../test/fixtures/transcripts/helpers.ts';

describe('parseTranscript: format detection', () => {
  it('uses the file extension', () => {
    const cases: Array<[string, TranscriptFormat]> = [
      ['teams.vtt', 'vtt'],
      ['meeting.srt', 'srt'],
      ['meeting.json', 'json'],
      ['meeting.txt', 'text'],
    ];
    for (const [name, format] of cases) {
      expect(parseTranscript(fixture(name), { filename: `upload/${name.toUpperCase()}` }).format, name).to.equal(format);
    }
  });

  it('sniffs the content when there is no filename or the extension is unknown', () => {
    expect(parseTranscript(fixture('zoom.vtt')).format).to.equal('vtt');
    expect(parseTranscript(fixture('meeting.srt'), { filename: 'captions.sub' }).format).to.equal('srt');
    expect(parseTranscript(fixture('meeting.json')).format).to.equal('json');
    expect(parseTranscript(fixture('meeting.txt')).format).to.equal('text');
  });

  it('tells a bracketed text timestamp from a JSON array', () => {
    expect(sniffFormat('[00:00:01] Alice: hi')).to.equal('text');
    expect(sniffFormat('[\n  {"speaker": "A"}]')).to.equal('json');
    expect(sniffFormat('00:00:01,000 --> 00:00:02,000\nhi')).to.equal('srt');
    expect(sniffFormat('\ufeffWEBVTT - title\n\n')).to.equal('vtt');
    expect(sniffFormat('WEBVTTX\n')).to.equal('text');
  });

  it('lets an explicit format override the extension', () => {
    const err = errorOf(() => parseTranscript(fixture('meeting.srt'), { filename: 'x.srt', format: 'vtt' }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_MALFORMED);
    expect(err.details.line).to.equal(1);
  });

  it('rejects an unknown explicit format and lists the supported ones', () => {
    const err = errorOf(() => parseTranscript('hello', { format: 'docx' as TranscriptFormat }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_UNSUPPORTED_FORMAT);
    expect(err.message).to.include('vtt').and.include('srt').and.include('json').and.include('text');
    expect(err.details.supported).to.deep.equal(['vtt', 'srt', 'json', 'text']);
  });
});

describe('parseTranscript: bad input', () => {
  it('rejects input over maxBytes with the sizes in details', () => {
    const err = errorOf(() => parseTranscript(Buffer.alloc(101, 0x61), { maxBytes: 100 }));
    expect(err.code).to.equal(ErrorCodes.IMPORT_TOO_LARGE);
    expect(err.details).to.deep.equal({ bytes: 101, maxBytes: 100 });
  });

  it('counts bytes, not characters, for string input', () => {
    const text = 'Alice: ' + 'é'.repeat(50); // 7 + 100 bytes
    expect(errorOf(() => parseTranscript(text, { maxBytes: 100 })).code).to.equal(ErrorCodes.IMPORT_TOO_LARGE);
    expect(parseTranscript(text, { maxBytes: 107 }).segments).to.have.length(1);
  });

  it('applies a 10 MiB limit by default', () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);
    expect(errorOf(() => parseTranscript(big)).details).to.deep.equal({ bytes: big.length, maxBytes: 10 * 1024 * 1024 });
  });

  it('names the line holding an invalid UTF-8 byte', () => {
    const err = errorOf(() => parseTranscript(fixture('invalid-utf8.txt')));
    expect(err.code).to.equal(ErrorCodes.IMPORT_ENCODING);
    expect(err.details.line).to.equal(2);
    expect(err.message).to.include('line 2');
  });

  it('finds the bad byte on a later line after CRLF endings and multi-byte characters', () => {
    const buf = Buffer.concat([Buffer.from('WEBVTT\r\n\r\nnaïve ✓\r\n'), Buffer.from([0x41, 0xc3, 0x28, 0x0d, 0x0a])]);
    expect(errorOf(() => parseTranscript(buf)).details.line).to.equal(4);
  });

  it('accepts a UTF-8 byte order mark', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('teams.vtt')]);
    const parsed = parseTranscript(withBom);
    expect(parsed.format).to.equal('vtt');
    expect(parsed.segments).to.deep.equal(parseTranscript(fixture('teams.vtt')).segments);
  });

  it('rejects empty and whitespace-only files as IMPORT_EMPTY', () => {
    expect(errorOf(() => parseTranscript(fixture('empty.txt'))).code).to.equal(ErrorCodes.IMPORT_EMPTY);
    expect(errorOf(() => parseTranscript(Buffer.alloc(0), { filename: 'a.vtt' })).code).to.equal(ErrorCodes.IMPORT_EMPTY);
  });

  it('rejects files that parse but hold no segments as IMPORT_EMPTY', () => {
    const noCues = 'WEBVTT\n\nNOTE nothing was said\n';
    const emptyCue = 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Alice></v>\n';
    for (const [body, format] of [[noCues, 'vtt'], [emptyCue, 'vtt'], ['[]', 'json'], ['{"segments": []}', 'json']] as const) {
      expect(errorOf(() => parseTranscript(body, { format })).code, body).to.equal(ErrorCodes.IMPORT_EMPTY);
    }
  });

  it('gives identical output on re-import, so downstream dedupe by sourceSeq works', () => {
    for (const name of ['teams.vtt', 'meeting.srt', 'meeting.json', 'meeting.txt']) {
      const first = parseTranscript(fixture(name), { filename: name });
      expectWellFormed(first);
      expect(parseTranscript(fixture(name), { filename: name }), name).to.deep.equal(first);
    }
  });
});
