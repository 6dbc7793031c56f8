import type express from 'express';
import type { DashboardDeps } from '../app.ts';
import { actionItemRoutes } from './actionItems.ts';
import { jobRoutes } from './jobs.ts';
import { meetingRoutes } from './meetings.ts';
import { minutesRoutes } from './minutes.ts';
import { openApiDocument } from './openapi.ts';
import { ApiRoutes } from './route.ts';
import { OpenApiSchema } from './schemas.ts';
import { searchRoutes } from './search.ts';
import { transcriptRoutes } from './transcript.ts';

export { orgOf } from './org.ts';

/** The JSON API under /api and its OpenAPI document; every route is declared through ApiRoutes, so the document lists it. */
export function apiRoutes(deps: DashboardDeps): { router: express.Router; openapi: () => Record<string, unknown> } {
  const api = new ApiRoutes();
  meetingRoutes(api, deps);
  transcriptRoutes(api, deps);
  minutesRoutes(api, deps);
  actionItemRoutes(api, deps);
  searchRoutes(api, deps);
  if (deps.jobs) jobRoutes(api, deps.jobs);
  let document: Record<string, unknown> | null = null;
  const openapi = () => (document ??= openApiDocument(api.specs));
  api.add({
    method: 'get', path: '/api/openapi.json', operationId: 'openapi', summary: 'This document (OpenAPI 3.1)', tag: 'meta',
    ok: [{ status: 200, description: 'The OpenAPI document', schema: OpenApiSchema }],
  }, async () => openapi());
  return { router: api.router, openapi };
}
