import { loadBundleHead } from '../../core/store/bundle.ts';
import { MinutesError } from '../../core/errors.ts';
import type { DashboardDeps } from '../app.ts';
import type { ApiRoutes } from './route.ts';
import { scopedMeeting } from './scope.ts';
import {
  CancelMeetingBody, CreateMeetingBody, EmptyBody, IngestTokenBody, IngestTokenSchema, MeetingDetailSchema, MeetingListQuery, MeetingPageSchema, MeetingParams, MeetingSchema, UpdateMeetingBody,
} from './schemas.ts';

const tag = 'meetings';

/** Meetings: list, create, read, rename, delete, and the lifecycle (start, end, cancel). */
export function meetingRoutes(api: ApiRoutes, deps: DashboardDeps): void {
  const { meetings, stores } = deps;

  api.add({
    method: 'get', path: '/api/meetings', operationId: 'listMeetings', summary: 'List meetings, newest first, 50 per page', tag,
    query: MeetingListQuery, ok: [{ status: 200, description: 'A page of meetings', schema: MeetingPageSchema }],
  }, async ({ query: { q, ...rest }, org }) => {
    const filter = { ...rest, ...(q ? { title: q } : {}), organizationId: org };
    return deps.cache ? deps.cache.list(org, filter, () => meetings.listMeetings(filter)) : meetings.listMeetings(filter);
  });

  api.add({
    method: 'post', path: '/api/meetings', operationId: 'createMeeting', summary: 'Schedule a meeting', tag,
    body: CreateMeetingBody, ok: [{ status: 201, description: 'The scheduled meeting', schema: MeetingSchema }],
  }, async ({ body, org }) => meetings.createMeeting({
    organizationId: org, title: body.title, platform: body.platform, ...(body.scheduledAt ? { scheduledAt: new Date(body.scheduledAt) } : {}),
  }));

  api.add({
    method: 'get', path: '/api/meetings/:id', operationId: 'getMeeting', summary: 'A meeting with its attendees and minutes (the transcript is paged separately)', tag,
    params: MeetingParams, ok: [{ status: 200, description: 'The meeting', schema: MeetingDetailSchema }],
  }, async ({ params, org, res }) => {
    const load = async () => {
      await scopedMeeting(stores, org, params.id);
      return loadBundleHead(stores, params.id);
    };
    if (!deps.cache) return load();
    // Sent as stored: a hit costs no store read and no JSON round trip.
    res.type('application/json').send(await deps.cache.meetingJson(org, params.id, 'detail', load));
    return undefined;
  });

  api.add({
    method: 'patch', path: '/api/meetings/:id', operationId: 'updateMeeting', summary: 'Rename a meeting', tag,
    params: MeetingParams, body: UpdateMeetingBody, ok: [{ status: 200, description: 'The renamed meeting', schema: MeetingSchema }],
  }, async ({ params, body, org }) => {
    await scopedMeeting(stores, org, params.id);
    return stores.meetings.update(params.id, { title: body.title });
  });

  api.add({
    method: 'delete', path: '/api/meetings/:id', operationId: 'deleteMeeting', summary: 'Delete a meeting with its transcript and minutes', tag,
    params: MeetingParams, ok: [{ status: 204, description: 'Deleted' }],
  }, async ({ params, org }) => {
    if (!(await stores.meetings.delete(params.id, org))) throw new MinutesError('MEETING_NOT_FOUND', `No meeting with id ${params.id}`, { details: { meetingId: params.id } });
    return undefined;
  });

  lifecycleRoutes(api, deps);
  if (deps.ingestTokens) ingestTokenRoute(api, deps, deps.ingestTokens);
}

/** A token a media bot (a Teams media bot, a browser meeting bot) uses to feed this meeting's audio to /ws/ingest. */
function ingestTokenRoute(api: ApiRoutes, { stores, publicUrl }: DashboardDeps, tokens: NonNullable<DashboardDeps['ingestTokens']>): void {
  api.add({
    method: 'post', path: '/api/meetings/:id/ingest-token', operationId: 'issueIngestToken', summary: 'A token for the media-ingest socket of a scheduled or running meeting', tag,
    params: MeetingParams, body: IngestTokenBody, ok: [{ status: 201, description: 'The token (shown once)', schema: IngestTokenSchema }], errors: [409],
  }, async ({ params, body, org, req }) => {
    const meeting = await scopedMeeting(stores, org, params.id);
    if (meeting.status !== 'scheduled' && meeting.status !== 'in_progress') {
      throw new MinutesError('MEETING_NOT_ACCEPTING_SEGMENTS', `Meeting ${meeting.id} is ${meeting.status}; audio can only be sent to a scheduled or running meeting`, { details: { meetingId: meeting.id, status: meeting.status } });
    }
    const ttlMs = body.ttlMs ?? 12 * 60 * 60 * 1000;
    const token = await tokens.issue(meeting.id, { ttlMs, createdBy: req.auth?.userId ?? 'api' });
    const base = (publicUrl ?? `http://${req.get('host') ?? '127.0.0.1'}`).replace(/^http/, 'ws').replace(/\/$/, '');
    return { token, expiresAt: new Date(Date.now() + ttlMs).toISOString(), url: `${base}/ws/ingest` };
  });
}

function lifecycleRoutes(api: ApiRoutes, { meetings, stores }: DashboardDeps): void {
  const transition = (action: 'start' | 'end', summary: string, run: (id: string) => Promise<unknown>) => api.add({
    method: 'post', path: `/api/meetings/:id/${action}`, operationId: `${action}Meeting`, summary, tag,
    params: MeetingParams, body: EmptyBody, ok: [{ status: 200, description: 'The meeting in its new state', schema: MeetingSchema }], errors: [409],
  }, async ({ params, org }) => {
    await scopedMeeting(stores, org, params.id);
    return run(params.id);
  });
  transition('start', 'Start a scheduled meeting', (id) => meetings.startMeeting(id));
  transition('end', 'End a running meeting (its minutes are written next)', (id) => meetings.endMeeting(id));

  api.add({
    method: 'post', path: '/api/meetings/:id/cancel', operationId: 'cancelMeeting', summary: 'Cancel a scheduled or running meeting', tag,
    params: MeetingParams, body: CancelMeetingBody, ok: [{ status: 200, description: 'The cancelled meeting', schema: MeetingSchema }], errors: [409],
  }, async ({ params, body, org }) => {
    await scopedMeeting(stores, org, params.id);
    return meetings.cancelMeeting(params.id, body.reason);
  });
}
