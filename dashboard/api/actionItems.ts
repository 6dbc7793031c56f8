import { MinutesError } from '../../core/errors.ts';
import type { ActionItemFilter, Stores } from '../../core/store/index.ts';
import type { ActionStatus } from '../../core/types.ts';
import type { DashboardDeps } from '../app.ts';
import type { ApiRoutes } from './route.ts';
import { scopedMeeting } from './scope.ts';
import {
  ActionItemListQuery, ActionItemPageSchema, ActionItemParams, ActionItemSchema, CreateActionItemBody, DecisionListSchema, MeetingParams, UpdateActionItemBody,
} from './schemas.ts';
import type { z } from 'zod';

const tag = 'action items';
const OPEN: ActionStatus[] = ['pending', 'in_progress'];

/** The action board across meetings, adding and editing items, and a meeting's decisions. */
export function actionItemRoutes(api: ApiRoutes, { minutes, stores }: DashboardDeps): void {
  api.add({
    method: 'get', path: '/api/action-items', operationId: 'listActionItems', summary: 'Action items across meetings, soonest due first, 50 per page', tag,
    query: ActionItemListQuery, ok: [{ status: 200, description: 'A page of action items', schema: ActionItemPageSchema }],
  }, async ({ query, org }) => stores.minutes.pageActionItems(actionFilter(query, org)));

  api.add({
    method: 'post', path: '/api/meetings/:id/action-items', operationId: 'createActionItem', summary: 'Add an action item to a meeting by hand', tag,
    params: MeetingParams, body: CreateActionItemBody, ok: [{ status: 201, description: 'The new action item', schema: ActionItemSchema }],
  }, async ({ params, body, org }) => {
    await scopedMeeting(stores, org, params.id);
    await checkEvidence(stores, params.id, body.evidenceSegmentIds);
    const [item] = await stores.minutes.addActionItems([{ ...body, meetingId: params.id, source: 'manual' }]);
    return item;
  });

  api.add({
    method: 'patch', path: '/api/action-items/:id', operationId: 'updateActionItem', summary: 'Change an action item: status, priority, owner, due date, description', tag,
    params: ActionItemParams, body: UpdateActionItemBody, ok: [{ status: 200, description: 'The changed action item', schema: ActionItemSchema }],
  }, async ({ params, body, org }) => minutes.updateActionItem(params.id, body, { organizationId: org }));

  api.add({
    method: 'get', path: '/api/meetings/:id/decisions', operationId: 'listDecisions', summary: 'The decisions of a meeting', tag: 'minutes',
    params: MeetingParams, ok: [{ status: 200, description: 'Decisions in the order they were recorded', schema: DecisionListSchema }],
  }, async ({ params, org }) => {
    await scopedMeeting(stores, org, params.id);
    return { items: await stores.minutes.listDecisions(params.id) };
  });
}

function actionFilter(query: z.output<typeof ActionItemListQuery>, organizationId: string): ActionItemFilter {
  const status = query.status ?? (query.overdue ? OPEN : undefined);
  return {
    organizationId, limit: query.limit, offset: query.offset,
    ...(status?.length ? { status } : {}),
    ...(query.owner ? { ownerUserId: query.owner } : {}),
    ...(query.meeting ? { meetingId: query.meeting } : {}),
    ...(query.overdue ? { dueBefore: new Date().toISOString().slice(0, 10) } : {}),
  };
}

/** Evidence must be lines of the same meeting, or a click-to-cite link would lead elsewhere. */
async function checkEvidence(stores: Stores, meetingId: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await stores.transcripts.getMany(ids);
  const missing = ids.filter((id) => !found.some((s) => s.id === id && s.meetingId === meetingId));
  if (missing.length) throw new MinutesError('REQUEST_INVALID', `Not segments of this meeting: ${missing.join(', ')}`, { details: { evidenceSegmentIds: missing } });
}
