import type { MeetingBundle } from '../../types.ts';
import { isPrefixableSpeaker } from '../import/common.ts';
import { type ExportResult, cueTime, oneLine, spokenSegments } from './common.ts';

/**
 * SRT has no escaping convention, so text is written as is except for the few
 * sequences the importer would otherwise read as markup: formatting tags and entities.
 */
function escapeSrt(text: string): string {
  return text
    .replace(/&(?=#x[0-9a-f]+;|#\d+;|[a-z]+;)/gi, '&amp;')
    .replace(/<(?=\/?(?:i|b|u|c|v|lang|ruby|rt|font)(?:[.\s>])|\d+:\d{2})/gi, '&lt;')
    .replace(/\{\\/g, '&#123;\\');
}

/** `Name: text` is what players show best; names that would not read back use a voice tag. */
function cueText(speaker: string, text: string): string {
  const name = oneLine(speaker);
  const body = escapeSrt(oneLine(text));
  if (isPrefixableSpeaker(name)) return `${name}: ${body}`;
  return `<v ${name.replace(/&/g, '&amp;').replace(/>/g, '&gt;')}>${body}</v>`;
}

export function exportSrt(bundle: MeetingBundle): ExportResult {
  const cues = spokenSegments(bundle.segments).map(
    (s, i) =>
      `${i + 1}\n${cueTime(s.startMs, ',')} --> ${cueTime(Math.max(s.startMs, s.endMs), ',')}\n` +
      cueText(s.speaker, s.text),
  );
  return {
    body: cues.join('\n\n') + '\n',
    contentType: 'application/x-subrip; charset=utf-8',
    extension: 'srt',
  };
}
