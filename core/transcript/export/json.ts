import type { MeetingBundle } from '../../types.ts';
import type { ExportResult } from './common.ts';

/** The project's own format; the JSON importer reads it back (Dates become ISO strings). */
export function exportJson(bundle: MeetingBundle): ExportResult {
  const { meeting, attendees, segments, actionItems, decisions, notes, summaries } = bundle;
  const doc = { version: 1, meeting, attendees, segments, actionItems, decisions, notes, summaries };
  return {
    body: `${JSON.stringify(doc, null, 2)}\n`,
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
  };
}
