import express, { type NextFunction, type Request, type Response } from 'express';
import { MinutesError } from '../core/errors.ts';
import { answer } from '../core/meetings/answer.ts';
import type { DashboardDeps } from './app.ts';

/**
 * JSON routes of the minutes intelligence: read and regenerate a meeting's
 * minutes, ask a question. POSTs must be JSON: a browser cannot send that
 * cross-site without a CORS preflight, so another page cannot spend LLM
 * tokens on a user's behalf with a plain form.
 */
export function minutesApi(deps: DashboardDeps): express.Router {
  const { meetings, minutes, stores, organizationId } = deps;
  const router = express.Router();
  const wrap = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };

  router.get('/api/meetings/:id/minutes', wrap(async (req, res) => {
    res.json(await minutes.view(String(req.params.id)));
  }));
  router.post('/api/meetings/:id/minutes', wrap(async (req, res) => {
    requireJson(req);
    const { view } = await minutes.ensure(String(req.params.id), { regenerate: true });
    res.json(view);
  }));
  router.post('/api/ask', express.json({ limit: '16kb' }), wrap(async (req, res) => {
    requireJson(req);
    const { question, meetingId } = askBody(req.body);
    if (meetingId) await meetings.getMeeting(meetingId);
    res.json(await answer({ stores, orchestrator: deps.orchestrator, logger: deps.logger }, { question, organizationId, ...(meetingId ? { meetingId } : {}) }));
  }));
  return router;
}

function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new MinutesError('REQUEST_INVALID', 'Send the request with Content-Type: application/json');
}

function askBody(body: unknown): { question: string; meetingId?: string } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (typeof b.question !== 'string' || !b.question.trim()) {
    throw new MinutesError('REQUEST_INVALID', 'Send JSON {"question": string, "meetingId"?: string}', { details: { field: 'question' } });
  }
  if (b.meetingId !== undefined && b.meetingId !== null && typeof b.meetingId !== 'string') {
    throw new MinutesError('REQUEST_INVALID', 'meetingId must be a string', { details: { field: 'meetingId' } });
  }
  return { question: b.question.trim().slice(0, 2000), ...(typeof b.meetingId === 'string' && b.meetingId ? { meetingId: b.meetingId } : {}) };
}
