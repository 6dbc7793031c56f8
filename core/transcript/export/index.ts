import { ErrorCodes, MinutesError } from '../../errors.ts';
import { EXPORT_FORMATS, type ExportFormat, type MeetingBundle } from '../../types.ts';
import type { ExportResult } from './common.ts';
import { exportJson } from './json.ts';
import { exportMarkdown } from './markdown.ts';
import { exportSrt } from './srt.ts';
import { exportVtt } from './vtt.ts';

export type { ExportResult } from './common.ts';

const EXPORTERS: Record<ExportFormat, (bundle: MeetingBundle) => ExportResult> = {
  md: exportMarkdown,
  json: exportJson,
  vtt: exportVtt,
  srt: exportSrt,
};

/** Renders a meeting in one of EXPORT_FORMATS; `format` may come from a request, so it is checked. */
export function exportMeeting(bundle: MeetingBundle, format: ExportFormat): ExportResult {
  const exporter = Object.hasOwn(EXPORTERS, format) ? EXPORTERS[format] : undefined;
  if (!exporter) {
    throw new MinutesError(
      ErrorCodes.EXPORT_UNSUPPORTED_FORMAT,
      `Unsupported export format "${String(format)}"; supported formats: ${EXPORT_FORMATS.join(', ')}.`,
      { details: { format, supported: [...EXPORT_FORMATS] } },
    );
  }
  return exporter(bundle);
}
