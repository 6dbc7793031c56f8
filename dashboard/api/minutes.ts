import { answer } from '../../core/meetings/answer.ts';
import type { DashboardDeps } from '../app.ts';
import type { ApiRoutes } from './route.ts';
import { scopedMeeting } from './scope.ts';
import { AnswerSchema, AskBody, EmptyBody, MeetingParams, MinutesViewSchema } from './schemas.ts';

/**
 * The minutes intelligence: read and regenerate a meeting's minutes, ask a
 * question. Like every write, the POSTs must be JSON, so another page cannot
 * spend LLM tokens on a user's behalf with a plain form.
 */
export function minutesRoutes(api: ApiRoutes, deps: DashboardDeps): void {
  const { minutes, stores } = deps;
  api.add({
    method: 'get', path: '/api/meetings/:id/minutes', operationId: 'getMinutes', summary: 'The stored minutes (exists: false until written)', tag: 'minutes',
    params: MeetingParams, ok: [{ status: 200, description: 'The minutes', schema: MinutesViewSchema }],
  }, async ({ params, org, res }) => {
    const load = async () => {
      await scopedMeeting(stores, org, params.id);
      return minutes.view(params.id);
    };
    if (!deps.cache) return load();
    res.type('application/json').send(await deps.cache.minutesJson(org, params.id, 'view', load));
    return undefined;
  });

  api.add({
    method: 'post', path: '/api/meetings/:id/minutes', operationId: 'generateMinutes', summary: 'Write or rewrite the minutes (items a person edited are kept)', tag: 'minutes',
    params: MeetingParams, body: EmptyBody, ok: [{ status: 200, description: 'The new minutes', schema: MinutesViewSchema }], errors: [429, 502, 503, 504],
  }, async ({ params, org }) => {
    await scopedMeeting(stores, org, params.id);
    return (await minutes.ensure(params.id, { regenerate: true })).view;
  });

  api.add({
    method: 'post', path: '/api/ask', operationId: 'ask', summary: 'Answer a question from the transcripts, citing the lines it relies on', tag: 'search',
    body: AskBody, ok: [{ status: 200, description: 'The answer and its citations', schema: AnswerSchema }], errors: [404],
  }, async ({ body, org }) => {
    if (body.meetingId) await scopedMeeting(stores, org, body.meetingId);
    const query = { question: body.question, organizationId: org, ...(body.meetingId ? { meetingId: body.meetingId } : {}) };
    return answer({ stores, orchestrator: deps.orchestrator, logger: deps.logger }, query);
  });
}
