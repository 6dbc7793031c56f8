import { expect } from 'chai';
import { ErrorCodes } from '../errors.ts';
import type { ExportFormat } from '../types.ts';
import { exportMeeting } from './export/index.ts';
import { formatTopics } from '../minutes/stored.ts';
import { makeBundle } from '../../test/fixtures/transcripts/bundle.ts';
import { errorOf } from '../../test/fixtures/transcripts/helpers.ts';

describe('exportMeeting', () => {
  describe('md', () => {
    const { body, contentType, extension } = exportMeeting(makeBundle(), 'md');
    const lines = body.split('\n');

    it('starts with the title, date, duration and platform', () => {
      expect([contentType, extension]).to.deep.equal(['text/markdown; charset=utf-8', 'md']);
      expect(lines[0]).to.equal('# Launch planning');
      expect(body).to.include('**Date:** 2024-05-01 14:00 UTC');
      expect(body).to.include('**Duration:** 00:42:10');
      expect(body).to.include('**Platform:** Microsoft Teams');
    });

    it('lists attendees with talk time and an opt-out', () => {
      expect(lines).to.include('- Alice Smith — talk time 03:12');
      expect(lines).to.include('- Bob — talk time 00:45 · opted out of recording');
    });

    it('shows only the latest summary of each kind', () => {
      expect(body).to.include('The team chose a launch date.');
      expect(body).to.not.include('Old summary.');
    });

    it('renders decisions and action items with owners, dates, priority and evidence links', () => {
      expect(lines).to.include('- Launch on June 3rd (evidence: [00:01:02](#seg-13), [00:01:06](#seg-14))');
      expect(lines).to.include(
        '- [ ] Draft the launch announcement — owner: Alice Smith · due: 2024-05-10 · priority: high · evidence: [00:01:02](#seg-13)',
      );
      expect(lines).to.include('- [x] Book the venue — owner: unassigned · priority: low');
      expect(lines).to.include('- Who signs off on the budget?');
    });

    it('gives every evidence target an anchor in the transcript', () => {
      for (const id of [13, 14]) expect(body).to.include(`<a id="seg-${id}"></a>`);
      const entries = lines
        .map((l) => /^\[(\d\d:\d\d:\d\d)\] \*\*(.+?):\*\* .* <a id="seg-(\d+)"><\/a>$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[1], m[2], Number(m[3])]);
      expect(entries).to.deep.equal([
        ['00:00:01', 'Alice Smith', 11],
        ['00:00:04', 'Bob', 12],
        ['00:01:02', 'Alice Smith', 13],
        ['00:01:06', 'Bob', 14],
      ]);
    });

    it('keeps sections in order and says so when one is empty', () => {
      const headings = lines.filter((l) => l.startsWith('## '));
      expect(headings).to.deep.equal([
        '## Attendees',
        '## Summary',
        '## Decisions',
        '## Action items',
        '## Open questions',
        '## Blockers',
        '## Transcript',
      ]);
      expect(body).to.include('No blockers recorded.');
    });

    it('neutralises Markdown and HTML in transcript text', () => {
      expect(body).to.not.match(/<script/i);
      expect(lines.filter((l) => l.startsWith('#')).every((l) => /^#{1,3} /.test(l) && !l.includes('not a heading'))).to.equal(true);
      expect(body).to.include('\\# not a heading &amp; &lt;script&gt;alert(1)&lt;/script&gt; \\*really\\*');
    });

    it('says what is missing for a bare meeting', () => {
      const bare = makeBundle({ attendees: [], segments: [], actionItems: [], decisions: [], notes: [], summaries: [] });
      bare.meeting.startedAt = null;
      bare.meeting.endedAt = null;
      const md = exportMeeting(bare, 'md').body;
      for (const text of [
        'No attendees recorded.',
        'No summary yet.',
        'No decisions recorded.',
        'No action items recorded.',
        'No open questions recorded.',
        'No blockers recorded.',
        'No transcript recorded.',
        '**Date:** not recorded',
        '**Duration:** not recorded',
      ]) {
        expect(md).to.include(text);
      }
    });

    it('uses a subheading per summary kind when there are several', () => {
      const bundle = makeBundle();
      bundle.summaries.push({ ...bundle.summaries[0]!, id: 's-3', kind: 'risks', text: 'Venue may be late.' });
      const md = exportMeeting(bundle, 'md').body;
      expect(md).to.include('### Abstract\n\nThe team chose a launch date.');
      expect(md).to.include('### Risks\n\nVenue may be late.');
    });

    it('renders generated topics as subsections citing their evidence, and says who wrote the minutes', () => {
      const bundle = makeBundle();
      bundle.meeting.settings = { minutes: { analyzer: 'offline', sections: [{ title: 'Launch date', evidenceSegmentIds: [13] }, { title: 'Risks', evidenceSegmentIds: [14] }] } };
      const topics = formatTopics([{ title: 'Launch date', text: 'Ship on\nJune 3rd.' }, { title: 'Risks', text: '# Venue *late*' }]);
      bundle.summaries.push({ ...bundle.summaries[1]!, id: 's-3', kind: 'topics', text: topics, version: 1 });
      const md = exportMeeting(bundle, 'md').body;
      expect(md).to.include('## Summary\n\nThe team chose a launch date.\n\n### Launch date\n\nShip on June 3rd. (evidence: [00:01:02](#seg-13))');
      expect(md).to.include('### Risks\n\n\\# Venue \\*late\\* (evidence: [00:01:06](#seg-14))');
      expect(md).to.include('- **Minutes by:** offline analyzer');
    });

    it('computes talk time from segments when the attendee row has none', () => {
      const bundle = makeBundle();
      bundle.attendees[1]!.talkTimeMs = 0;
      expect(exportMeeting(bundle, 'md').body).to.include('- Bob — talk time 00:05 · opted out');
    });
  });

  it('json: versioned, pretty-printed, with ISO dates', () => {
    const out = exportMeeting(makeBundle(), 'json');
    expect([out.contentType, out.extension]).to.deep.equal(['application/json; charset=utf-8', 'json']);
    expect(out.body).to.include('\n  "meeting": {');
    const doc = JSON.parse(out.body);
    expect(Object.keys(doc)).to.deep.equal([
      'version', 'meeting', 'attendees', 'segments', 'actionItems', 'decisions', 'notes', 'summaries',
    ]);
    expect(doc.version).to.equal(1);
    expect(doc.meeting.startedAt).to.equal('2024-05-01T14:00:00.000Z');
    expect(doc.segments).to.have.length(4);
  });

  it('vtt: WEBVTT header, voice tags, dotted times, escaped text', () => {
    const out = exportMeeting(makeBundle(), 'vtt');
    expect([out.contentType, out.extension]).to.deep.equal(['text/vtt; charset=utf-8', 'vtt']);
    expect(out.body.startsWith('WEBVTT\n\n')).to.equal(true);
    expect(out.body).to.include("seg-13\n00:01:02.000 --> 00:01:05.500\n<v Alice Smith>Let's ship");
    expect(out.body).to.include('&amp; &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.body).to.include('June 3rd --&gt; agreed?');
  });

  it('srt: numbered cues, comma times, "Speaker: text"', () => {
    const out = exportMeeting(makeBundle(), 'srt');
    expect(out.extension).to.equal('srt');
    expect(out.body.split('\n').slice(0, 4)).to.deep.equal([
      '1',
      '00:00:01,000 --> 00:00:04,000',
      'Alice Smith: Welcome! Today we pick the launch date.',
      '',
    ]);
    expect(out.body).to.include('\n4\n00:01:06,000 --> 00:01:06,000\nBob: Yes.\n');
  });

  it('rejects an unknown format', () => {
    const err = errorOf(() => exportMeeting(makeBundle(), 'pdf' as ExportFormat));
    expect(err.code).to.equal(ErrorCodes.EXPORT_UNSUPPORTED_FORMAT);
    expect(err.message).to.include('md, json, vtt, srt');
    expect(errorOf(() => exportMeeting(makeBundle(), 'toString' as ExportFormat)).code).to.equal(
      ErrorCodes.EXPORT_UNSUPPORTED_FORMAT,
    );
  });
});
