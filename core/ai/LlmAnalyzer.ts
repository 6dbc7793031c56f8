import { isMinutesError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AnalyzeOptions, Analyzer, Minutes, MinutesInput } from '../minutes/types.ts';
import { isLlmError } from './LlmProvider.ts';
import { mergeBodies } from './merge.ts';
import { abstractSchema, llmMinutesSchema } from './minutesSchema.ts';
import type { OrchestratedResult, Orchestrator } from './Orchestrator.ts';
import { buildTurns, flatten, MINUTES_SYSTEM, planChunks, REDUCE_SYSTEM, renderUserMessage, type Chunk } from './prompt.ts';
import { cleanText, toMinutesBody, validationContext, type MinutesBody, type ValidationContext } from './sanitize.ts';

export interface LlmAnalyzerOptions {
  orchestrator: Orchestrator;
  /** Writes the minutes when no provider can (normally the offline analyzer). */
  fallback: Analyzer;
  /** Largest prompt per call, in estimated tokens; longer meetings are split. Default 12,000. */
  contextBudgetTokens?: number;
  /** Speaker turns repeated at the start of the next part. Default 3. */
  overlapSegments?: number;
  /** Output budget per call. Default 4,096. */
  maxOutputTokens?: number;
  /** One short extra call that rewrites the parts' abstracts as one. Default true. */
  reduceAbstract?: boolean;
  /** Parts analysed at once. Default 3. */
  concurrency?: number;
  logger?: Logger;
}

type PartOutcome = { ok: true; body: MinutesBody; result: OrchestratedResult<unknown> } | { ok: false; part: string; reason: string };

/**
 * transcript → minutes with an LLM: one pass that returns every section of
 * the minutes as one JSON answer, or for a long meeting the same pass per part
 * and a merge in code. Output is post-validated against the input
 * (`sanitize.ts`). If no provider can answer, the fallback analyzer writes
 * the minutes and `provenance.fallbackReason` says why.
 */
export class LlmAnalyzer implements Analyzer {
  readonly name = 'llm';
  private readonly budget: number;
  private readonly overlap: number;
  private readonly maxOutputTokens: number;

  constructor(private readonly options: LlmAnalyzerOptions) {
    this.budget = options.contextBudgetTokens ?? 12_000;
    this.overlap = options.overlapSegments ?? 3;
    this.maxOutputTokens = options.maxOutputTokens ?? 4096;
  }

  async analyze(input: MinutesInput, options: AnalyzeOptions = {}): Promise<Minutes> {
    const started = performance.now();
    if (!this.options.orchestrator.hasProviders) return this.fallBack(input, options, 'no LLM provider is configured');
    if (input.segments.length === 0) return emptyMinutes();
    const turns = buildTurns(input.segments);
    const ctx = validationContext(input, turns);
    const chunks = planChunks(input, turns, this.budget, this.overlap);
    const outcomes = await this.mapParts(input, chunks, ctx, options.signal);
    const done = outcomes.filter((o): o is Extract<PartOutcome, { ok: true }> => o.ok);
    const failed = outcomes.filter((o): o is Extract<PartOutcome, { ok: false }> => !o.ok);
    if (done.length === 0) {
      const reason = chunks.length === 1 ? failed[0]!.reason : `every part failed (${failed.map((f) => f.reason).join('; ')})`;
      return this.fallBack(input, options, reason);
    }
    const body = done.length === 1 ? done[0]!.body : mergeBodies(done.map((d) => d.body));
    if (done.length > 1 && this.options.reduceAbstract !== false) {
      body.summary.abstract = await this.reduceAbstract(input, done.map((d) => d.body.summary.abstract), ctx, options.signal) ?? body.summary.abstract;
    }
    const main = mostUsed(done.map((d) => d.result));
    return {
      ...body,
      provenance: {
        analyzer: 'llm', provider: main.provider, model: main.model,
        ...(failed.length > 0 ? { failedParts: failed.map(({ part, reason }) => ({ part, reason })) } : {}),
        durationMs: Math.round(performance.now() - started),
      },
    };
  }

  private async mapParts(input: MinutesInput, chunks: Chunk[], ctx: ValidationContext, signal?: AbortSignal): Promise<PartOutcome[]> {
    const outcomes: PartOutcome[] = new Array(chunks.length);
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const i = next++;
        outcomes[i] = await this.analyzePart(input, chunks, i, ctx, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 3, chunks.length) }, worker));
    return outcomes;
  }

  private async analyzePart(input: MinutesInput, chunks: Chunk[], i: number, ctx: ValidationContext, signal?: AbortSignal): Promise<PartOutcome> {
    const chunk = chunks[i]!;
    const part = { index: i + 1, total: chunks.length };
    try {
      const result = await this.options.orchestrator.completeJson(chunks.length === 1 ? 'minutes' : 'minutes.map', {
        system: MINUTES_SYSTEM,
        messages: [{ role: 'user', content: renderUserMessage(input, chunk.lines, part) }],
        maxTokens: this.maxOutputTokens, temperature: 0, meetingId: input.meeting.id,
        ...(signal ? { signal } : {}),
      }, llmMinutesSchema);
      return { ok: true, body: toMinutesBody(result.value, ctx), result };
    } catch (err) {
      if (isLlmError(err) && err.kind === 'aborted') throw err;
      this.options.logger?.warn({ err, part: part.index, parts: part.total }, 'LLM analysis of a part failed');
      return { ok: false, part: describePart(chunk, part), reason: isMinutesError(err) ? `${err.code}: ${err.message}` : (err as Error).message };
    }
  }

  /** A best-effort nicer abstract; the joined part abstracts stand if this fails. */
  private async reduceAbstract(input: MinutesInput, abstracts: string[], ctx: ValidationContext, signal?: AbortSignal): Promise<string | null> {
    const listed = abstracts.filter(Boolean).map((a, i) => `Part ${i + 1}: ${flatten(a)}`);
    if (listed.length < 2) return null;
    try {
      const result = await this.options.orchestrator.completeJson('minutes.reduce', {
        system: REDUCE_SYSTEM,
        messages: [{ role: 'user', content: `Meeting: ${flatten(input.meeting.title)}\n<parts>\n${listed.join('\n')}\n</parts>` }],
        maxTokens: 400, temperature: 0, meetingId: input.meeting.id,
        ...(signal ? { signal } : {}),
      }, abstractSchema);
      return cleanText(result.value.abstract, ctx) || null;
    } catch (err) {
      if (isLlmError(err) && err.kind === 'aborted') throw err;
      return null;
    }
  }

  private async fallBack(input: MinutesInput, options: AnalyzeOptions, reason: string): Promise<Minutes> {
    this.options.logger?.warn({ meetingId: input.meeting.id, reason }, 'using the offline analyzer instead of an LLM');
    const minutes = await this.options.fallback.analyze(input, options);
    return { ...minutes, provenance: { ...minutes.provenance, fallbackReason: reason } };
  }
}

function emptyMinutes(): Minutes {
  return { summary: { abstract: '', sections: [] }, actionItems: [], decisions: [], questions: [], blockers: [], provenance: { analyzer: 'llm', durationMs: 0 } };
}

function describePart(chunk: Chunk, part: { index: number; total: number }): string {
  const first = chunk.turns[0]!;
  const last = chunk.turns.at(-1)!;
  return `part ${part.index} of ${part.total} (segments ${first.ids[0]}–${last.ids.at(-1)}, ${clock(first.startMs)}–${clock(last.endMs)})`;
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}

function mostUsed(results: OrchestratedResult<unknown>[]): { provider: string; model: string } {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(`${r.provider}\u0000${r.model}`, (counts.get(`${r.provider}\u0000${r.model}`) ?? 0) + 1);
  const [key] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const [provider, model] = key.split('\u0000') as [string, string];
  return { provider, model };
}
