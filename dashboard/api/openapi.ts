import { z, type ZodType } from 'zod';
import { implicitErrors, type Reply, type RouteSpec } from './route.ts';
import { schemaRegistry } from './schemas.ts';

type Json = Record<string, unknown>;

const ref = (schema: ZodType): Json => {
  const id = schemaRegistry.get(schema)?.id;
  if (!id) throw new Error('An API request or response schema is not registered in schemaRegistry; register it in dashboard/api/schemas.ts');
  return { $ref: `#/components/schemas/${id}` };
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid request (REQUEST_INVALID, SEGMENT_INVALID, SEARCH_INVALID, EXPORT_UNSUPPORTED_FORMAT)', 403: 'Forbidden', 404: 'Not found (another organization\'s data is reported as not found)',
  409: 'Conflict with the meeting\'s state', 413: 'Request body too large (REQUEST_TOO_LARGE)', 429: 'An LLM provider is rate limiting',
  500: 'Internal error', 502: 'An LLM provider answered badly', 503: 'A dependency is unavailable', 504: 'An LLM provider timed out',
};

/** `/api/meetings/:id` → `/api/meetings/{id}`. */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:(\w+)/g, '{$1}');

/** The OpenAPI 3.1 document of the API routes, generated from the same zod schemas they validate with. */
export function openApiDocument(specs: readonly RouteSpec[]): Json {
  const paths: Record<string, Json> = {};
  for (const spec of specs) (paths[openApiPath(spec.path)] ??= {})[spec.method] = operation(spec);
  return {
    openapi: '3.1.0',
    info: { title: 'Open Minutes API', version: '0.1.0', description: 'Meetings, transcripts, minutes, action items, search and Q&A. Writes must be Content-Type: application/json. Errors are {"error": {"code", "message", "details"}}.' },
    tags: [...new Set(specs.map((s) => s.tag))].map((name) => ({ name })),
    paths,
    components: { schemas: componentSchemas() },
  };
}

function componentSchemas(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(schemaRegistry, { io: 'input', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema as Json]));
}

function operation(spec: RouteSpec): Json {
  const parameters = [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')];
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    tags: [spec.tag],
    ...(parameters.length ? { parameters } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(spec.body) } } } } : {}),
    responses: Object.fromEntries([
      ...spec.ok.map((r) => [String(r.status), success(r)]),
      ...implicitErrors(spec).map((s) => [String(s), { description: STATUS_TEXT[s] ?? 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]),
    ]),
  };
}

function success(reply: Reply): Json {
  if (reply.schema) return { description: reply.description, content: { 'application/json': { schema: ref(reply.schema) } } };
  if (reply.contentTypes) return { description: reply.description, content: Object.fromEntries(reply.contentTypes.map((t) => [t, { schema: { type: 'string' } }])) };
  return { description: reply.description };
}

/** One parameter per property of a params or query object; required unless it may be left out. */
function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, { description, ...property }]) => ({
    name, in: where, required: where === 'path' || (json.required ?? []).includes(name),
    ...(description ? { description } : {}),
    schema: property,
  }));
}
