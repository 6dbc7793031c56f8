import { exportMeeting } from '../../core/transcript/export/index.ts';
import type { DashboardDeps } from '../app.ts';
import type { ApiRoutes } from './route.ts';
import { scopedMeeting } from './scope.ts';
import { AppendResultSchema, AppendSegmentsBody, ExportQuery, MeetingParams, TranscriptPageSchema, TranscriptQuery } from './schemas.ts';

const tag = 'transcript';
/** Largest segment batch accepted in one request; a bigger one is 413 REQUEST_TOO_LARGE. */
export const SEGMENTS_BODY_LIMIT = '1mb';
export const EXPORT_CONTENT_TYPES = ['text/markdown', 'application/json', 'text/vtt', 'application/x-subrip'];

/** A meeting's transcript: read it page by page, append live segments, export it. */
export function transcriptRoutes(api: ApiRoutes, { meetings, stores }: DashboardDeps): void {
  api.add({
    method: 'get', path: '/api/meetings/:id/transcript', operationId: 'getTranscript', summary: 'A page of the transcript in time order', tag,
    params: MeetingParams, query: TranscriptQuery, ok: [{ status: 200, description: 'Segments and the cursor of the next page', schema: TranscriptPageSchema }],
  }, async ({ params, query, org }) => {
    await scopedMeeting(stores, org, params.id);
    return stores.transcripts.page(params.id, { limit: query.limit, ...(query.after !== undefined ? { after: query.after } : {}) });
  });

  api.add({
    method: 'post', path: '/api/meetings/:id/segments', operationId: 'appendSegments', summary: 'Append segments to a running meeting (re-sent ones are skipped)', tag,
    params: MeetingParams, body: AppendSegmentsBody, bodyLimit: SEGMENTS_BODY_LIMIT,
    ok: [{ status: 201, description: 'What was stored', schema: AppendResultSchema }], errors: [409],
  }, async ({ params, body, org }) => {
    await scopedMeeting(stores, org, params.id);
    return meetings.appendSegments(params.id, body.segments);
  });

  api.add({
    method: 'get', path: '/api/meetings/:id/export', operationId: 'exportMeeting', summary: 'Download the transcript and minutes as Markdown, JSON, WebVTT or SRT', tag,
    params: MeetingParams, query: ExportQuery, ok: [{ status: 200, description: 'The export file', contentTypes: EXPORT_CONTENT_TYPES }],
  }, async ({ params, query, org, res }) => {
    await scopedMeeting(stores, org, params.id);
    const out = exportMeeting(await meetings.getBundle(params.id), query.format);
    res.type(out.contentType).attachment(`meeting-${params.id}.${out.extension}`).send(out.body);
    return undefined;
  });
}
