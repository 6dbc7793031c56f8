import type { z } from 'zod';
import type { SearchQuery } from '../../core/store/index.ts';
import type { DashboardDeps } from '../app.ts';
import type { ApiRoutes } from './route.ts';
import { SearchQuerySchema, SearchResultSchema } from './schemas.ts';

/** Full-text search over the organization's transcripts. */
export function searchRoutes(api: ApiRoutes, { stores }: DashboardDeps): void {
  api.add({
    method: 'get', path: '/api/search', operationId: 'search', summary: 'Search transcripts: "exact phrase", or, -word; ranked, with highlighted snippets', tag: 'search',
    query: SearchQuerySchema, ok: [{ status: 200, description: 'Ranked hits', schema: SearchResultSchema }],
  }, async ({ query, org }) => stores.search.search(toSearch(query, org)));
}

function toSearch(query: z.output<typeof SearchQuerySchema>, organizationId: string): SearchQuery {
  return {
    q: query.q, organizationId, limit: query.limit, offset: (query.page - 1) * query.limit,
    ...(query.meeting ? { meetingId: query.meeting } : {}),
    ...(query.speaker ? { speaker: query.speaker } : {}),
    ...(query.from ? { from: new Date(query.from) } : {}),
    ...(query.to ? { to: new Date(query.to) } : {}),
  };
}
