import type { Server } from 'node:http';
import type express from 'express';
import { InProcessEventBus } from '../core/bus/InProcessEventBus.ts';
import { createLogger } from '../core/logger.ts';
import { MinutesService } from '../core/meetings/MinutesService.ts';
import type { Analyzer, Minutes, MinutesInput } from '../core/minutes/types.ts';
import type { ParsedTranscript } from '../core/types.ts';
import type { StoreContext } from '../test/support/databases.ts';
import { createDashboard } from './app.ts';

/** Shared by the API tests (not a test file itself): a dashboard on a random port over a test backend. */
export interface TestApi {
  app: express.Express;
  base: string;
  close(): Promise<void>;
  get(path: string): Promise<Response>;
  send(method: string, path: string, body?: unknown, contentType?: string): Promise<Response>;
}

/** Minutes with one item of each kind citing the first segments, so every minutes route has something to show. */
export const stubAnalyzer: Analyzer = {
  name: 'stub',
  async analyze(input: MinutesInput): Promise<Minutes> {
    const [a, b = a] = input.segments;
    const cite = a ? [a.id] : [];
    return {
      summary: { abstract: 'The team met.', sections: [{ title: 'Plan', text: 'They planned.', evidenceSegmentIds: cite }] },
      actionItems: [{ text: 'Fix the crash', ownerAttendeeId: null, ownerName: 'Bob', dueDate: '2026-03-06', priority: 'high', confidence: 0.9, evidenceSegmentIds: b ? [b.id] : [] }],
      decisions: [{ text: 'Delay the launch', confidence: 0.8, evidenceSegmentIds: cite }],
      questions: [],
      blockers: [],
      provenance: { analyzer: 'offline' },
    };
  },
};

export const sampleTranscript = (lines = 2): ParsedTranscript => ({
  format: 'text',
  segments: Array.from({ length: lines }, (_, i) => ({
    speaker: i % 2 ? 'Bob' : 'Alice', startMs: i * 5_000, endMs: i * 5_000 + 4_000,
    text: i % 2 ? `I will fix the payment crash by Friday (${i}).` : `We decided to delay the launch by one week (${i}).`,
  })),
});

export async function startTestApi(ctx: StoreContext): Promise<TestApi> {
  const logger = createLogger({ level: 'silent' });
  const minutes = new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger, analyzer: stubAnalyzer });
  const app = createDashboard({ meetings: ctx.service, minutes, orchestrator: null, stores: ctx.stores, organizationId: ctx.org.id, logger });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    app,
    base,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    get: (path) => fetch(`${base}${path}`),
    send: (method, path, body, contentType = 'application/json') => fetch(`${base}${path}`, {
      method, headers: { 'content-type': contentType }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  };
}
