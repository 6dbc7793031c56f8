import type { Request } from 'express';
import { z } from 'zod';
import { can } from '../../core/auth/index.ts';
import { MinutesError } from '../../core/errors.ts';
import type { DeadJob, JobQueue } from '../../core/jobs/JobQueue.ts';
import type { ApiRoutes } from './route.ts';
import { EmptyBody, namedSchemas, schemaRegistry } from './schemas.ts';

const named = <S extends z.ZodType>(id: string, schema: S): S => {
  schemaRegistry.add(schema, { id });
  namedSchemas.set(id, schema);
  return schema;
};

export const JobCountsSchema = named('JobCounts', z.object({
  waiting: z.number().int(), active: z.number().int(), delayed: z.number().int(),
  failed: z.number().int().describe('Dead letters kept'), completed: z.number().int().describe('Completed jobs kept for de-duplication'),
}));
export const DeadJobSchema = named('DeadJob', z.object({
  id: z.string(), name: z.string().describe('Job name, e.g. minutes.generate'), data: z.unknown().describe('The job payload'),
  attempts: z.number().int().describe('Runs made'), error: z.string().describe('The last error'), failedAt: z.iso.datetime(),
}));
export const JobsOverviewSchema = named('JobsOverview', z.object({
  kind: z.enum(['in-process', 'bullmq']), counts: JobCountsSchema, dead: z.array(DeadJobSchema).describe('Newest first'),
}));
export const JobRetrySchema = named('JobRetry', z.object({ retried: z.literal(true) }));
const JobParams = z.object({ id: z.string().min(1).max(500).describe('Job id') });
const JobsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100).describe('Dead letters to list (newest first)') });

const tag = 'admin';
/** A durable queue waits for Redis during an outage; a page should say so instead of hanging. */
const QUEUE_TIMEOUT_MS = 5_000;

export async function fromQueue<T>(work: () => Promise<T>, timeoutMs = QUEUE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error('no answer in time')), timeoutMs); });
  try {
    return await Promise.race([work(), timeout]);
  } catch (cause) {
    throw new MinutesError('STORE_UNAVAILABLE', 'The job queue is unavailable', { cause });
  } finally {
    clearTimeout(timer);
  }
}

/** Organization admins only; without sign-in configured (API tests) the one organization's caller is trusted like every route. */
function requireAdmin(req: Request): void {
  if (req.auth && !can(req.auth.role, 'admin')) throw new MinutesError('FORBIDDEN', 'Only organization admins can see and retry jobs');
}

/**
 * Jobs are not stored per organization: a dead job naming another
 * organization in its payload is hidden (and reported as unknown); one
 * naming none (system work) is shown to every admin.
 */
export function visibleTo(org: string) {
  return (job: DeadJob): boolean => {
    const owner = (job.data as { organizationId?: unknown } | null)?.organizationId;
    return typeof owner !== 'string' || owner === org;
  };
}

/**
 * The dead-letter view: queue counts and the jobs that used up their
 * attempts, and a way to run one again once its cause is fixed. Registered
 * only when the service passes a job queue; without one these paths are 404
 * like any unknown route.
 */
export function jobRoutes(api: ApiRoutes, jobs: JobQueue): void {
  api.add({
    method: 'get', path: '/api/admin/jobs', operationId: 'listJobs', summary: 'Background job counts and dead letters (admins)', tag,
    query: JobsQuery, ok: [{ status: 200, description: 'Counts and dead letters', schema: JobsOverviewSchema }], errors: [403, 503],
  }, async ({ req, org, query }) => {
    requireAdmin(req);
    const [counts, dead] = await fromQueue(() => Promise.all([jobs.counts(), jobs.deadLetters(query.limit)]));
    return { kind: jobs.kind, counts, dead: dead.filter(visibleTo(org)) };
  });

  api.add({
    method: 'post', path: '/api/admin/jobs/:id/retry', operationId: 'retryDeadJob', summary: 'Run a dead job again from its first attempt (admins)', tag,
    params: JobParams, body: EmptyBody, ok: [{ status: 200, description: 'The job is waiting again', schema: JobRetrySchema }], errors: [403, 503],
  }, async ({ req, org, params }) => {
    requireAdmin(req);
    const job = (await fromQueue(() => jobs.deadLetters(1_000))).find((d) => d.id === params.id);
    if (!job || !visibleTo(org)(job) || !(await fromQueue(() => jobs.retryDead(params.id)))) {
      throw new MinutesError('NOT_FOUND', `No dead job with id ${params.id}`, { details: { jobId: params.id } });
    }
    return { retried: true as const };
  });
}
