import { expect } from 'chai';
import type { MeetingBundle, Segment, SegmentInput } from '../types.ts';
import { exportMeeting } from './export/index.ts';
import { parseTranscript } from './import/index.ts';
import { makeBundle } from '../../test/fixtures/transcripts/bundle.ts';
import { essentials, expectWellFormed, fixture } from '../../test/fixtures/transcripts/helpers.ts';

type Essential = ReturnType<typeof essentials>[number];

/** Caption formats may legitimately reorder segments that start together; compare in one order. */
function canonical(list: Essential[]): Essential[] {
  return [...list].sort(
    (a, b) => a.startMs - b.startMs || a.endMs - b.endMs || a.speaker.localeCompare(b.speaker) || a.text.localeCompare(b.text),
  );
}

function bundleOf(segments: SegmentInput[]): MeetingBundle {
  const base = makeBundle();
  const stored: Segment[] = segments.map((s, i) => ({
    id: i + 1,
    meetingId: base.meeting.id,
    attendeeId: null,
    speaker: s.speaker,
    startMs: s.startMs,
    endMs: s.endMs,
    text: s.text,
    confidence: s.confidence ?? null,
    source: s.source ?? 'test',
    sourceSeq: s.sourceSeq ?? i,
    language: s.language ?? null,
  }));
  return { ...base, segments: stored };
}

function roundTrip(bundle: MeetingBundle, format: 'json' | 'vtt' | 'srt') {
  const { body, extension } = exportMeeting(bundle, format);
  const parsed = parseTranscript(body, { filename: `meeting.${extension}` });
  expect(parsed.format).to.equal(format);
  expectWellFormed(parsed);
  return parsed;
}

/** Segments built to trip escaping and parsing: markup, entities, arrows, colons, odd names. */
const tricky: SegmentInput[] = [
  { speaker: 'Alice Smith', startMs: 0, endMs: 1500, text: 'Plain words.' },
  { speaker: 'Dr. O’Brien', startMs: 1500, endMs: 1500, text: 'Zero length.' },
  { speaker: 'Bob', startMs: 2000, endMs: 4000, text: 'Note: <i>not</i> italic, <v Eve>not a voice</v> & &amp; stays' },
  { speaker: 'Bob', startMs: 2000, endMs: 3000, text: 'Same start, shorter: a --> b' },
  { speaker: 'Team: Ops', startMs: 4500, endMs: 5000, text: '{\\an8} 42' },
  { speaker: '<Bot> & Co', startMs: 5000, endMs: 6000, text: '<00:00:05.500> &lt;3 &#39;' },
  { speaker: 'Unknown', startMs: 6000, endMs: 7000, text: '2' },
  { speaker: 'Zoë 李', startMs: 3_600_000 * 101 + 1, endMs: 3_600_000 * 101 + 999, text: 'Ünïcödé ✓ after 101 hours' },
];

describe('export → import round trips', () => {
  for (const format of ['json', 'vtt', 'srt'] as const) {
    it(`${format}: preserves speaker, times and text of awkward segments`, () => {
      const parsed = roundTrip(bundleOf(tricky), format);
      const expected = essentials(tricky);
      if (format === 'json') expect(essentials(parsed.segments)).to.deep.equal(expected);
      else expect(canonical(essentials(parsed.segments))).to.deep.equal(canonical(expected));
    });

    for (const name of ['teams.vtt', 'zoom.vtt', 'meeting.srt', 'meeting.txt', 'meeting.json', 'ami-ES2002a-excerpt.json']) {
      it(`${format}: re-imports segments first imported from ${name}`, () => {
        const original = parseTranscript(fixture(name), { filename: name }).segments;
        const parsed = roundTrip(bundleOf(original), format);
        expect(canonical(essentials(parsed.segments))).to.deep.equal(canonical(essentials(original)));
      });
    }
  }

  it('json: keeps title, start time and per-segment confidence and language', () => {
    const bundle = bundleOf([{ speaker: 'A', startMs: 0, endMs: 10, text: 'hi', confidence: 0.5, language: 'fr' }]);
    const parsed = roundTrip(bundle, 'json');
    expect(parsed.title).to.equal('Launch planning');
    expect(parsed.startedAt?.toISOString()).to.equal('2024-05-01T14:00:00.000Z');
    expect(parsed.segments[0]).to.include({ confidence: 0.5, language: 'fr' });
  });

  it('folds line breaks in segment text into spaces, as every importer does', () => {
    const bundle = bundleOf([{ speaker: 'A', startMs: 0, endMs: 10, text: 'two\nlines\n\nand a gap' }]);
    for (const format of ['json', 'vtt', 'srt'] as const) {
      expect(roundTrip(bundle, format).segments[0]?.text, format).to.equal('two lines and a gap');
    }
  });
});
