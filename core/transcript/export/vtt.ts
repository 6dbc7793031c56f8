import type { MeetingBundle, Segment } from '../../types.ts';
import { type ExportResult, cueTime, oneLine, spokenSegments } from './common.ts';

const escapeVtt = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * WebVTT readers sort cues by start and then by longer-first, so cues are written in
 * that order; a re-import then yields the segments in the order they were written.
 */
function vttOrder(a: Segment, b: Segment): number {
  return a.startMs - b.startMs || b.endMs - a.endMs || a.id - b.id;
}

export function exportVtt(bundle: MeetingBundle): ExportResult {
  const cues = spokenSegments(bundle.segments, vttOrder).map(
    (s) =>
      `seg-${s.id}\n${cueTime(s.startMs, '.')} --> ${cueTime(Math.max(s.startMs, s.endMs), '.')}\n` +
      `<v ${escapeVtt(oneLine(s.speaker))}>${escapeVtt(oneLine(s.text))}</v>`,
  );
  return {
    body: ['WEBVTT', ...cues].join('\n\n') + '\n',
    contentType: 'text/vtt; charset=utf-8',
    extension: 'vtt',
  };
}
