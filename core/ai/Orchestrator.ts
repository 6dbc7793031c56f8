import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Cache } from '../cache/Cache.ts';
import { MinutesError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { CircuitBreaker, type BreakerState, type Clock } from './CircuitBreaker.ts';
import type { UsageLedger, UsageOutcome } from './ledger.ts';
import { abortKind, callSignal, countsAgainstProvider, LlmError, type LlmErrorKind, type LlmMessage, type LlmProvider, type LlmResponse } from './LlmProvider.ts';
import { costUsd, DEFAULT_PRICES, type PriceTable } from './pricing.ts';
import { parseStructured } from './structured.ts';

export const LLM_TASKS = ['minutes', 'minutes.map', 'minutes.reduce', 'qa', 'translate'] as const;
export type LlmTask = (typeof LLM_TASKS)[number];

export interface OrchestratorOptions {
  /** In the default order of preference. */
  providers: LlmProvider[];
  /** Provider names per task, e.g. `{ qa: ['openai', 'anthropic'] }`; others use `providers` order. */
  taskOrder?: Partial<Record<LlmTask, string[]>>;
  cache?: Cache;
  /** Default 60 minutes. */
  cacheTtlMs?: number;
  ledger?: UsageLedger;
  logger?: Logger;
  clock?: Clock;
  breaker?: { failureThreshold?: number; cooldownMs?: number };
  /** Per provider call; default 60 s. */
  timeoutMs?: number;
  prices?: PriceTable;
}

export interface OrchestratedRequest {
  system: string;
  messages: LlmMessage[];
  maxTokens: number;
  temperature?: number;
  /** For the usage ledger. */
  meetingId?: string | null;
  signal?: AbortSignal;
}

export type AttemptOutcome = 'ok' | 'repaired' | 'circuit_open' | LlmErrorKind;

export interface Attempt {
  provider: string;
  model: string;
  outcome: AttemptOutcome;
  message?: string;
}

export interface OrchestratedResult<T> {
  value: T;
  text: string;
  provider: string;
  model: string;
  cached: boolean;
  inputTokens: number;
  outputTokens: number;
  attempts: Attempt[];
}

interface CachedAnswer {
  text: string;
  provider: string;
  model: string;
}

const REPAIR_PROMPT = (error: string) =>
  `Your previous answer could not be used. ${error}\nAnswer again with only the corrected JSON object, nothing else.`;

/**
 * Runs one LLM task across the configured providers: cache first, then each
 * provider in the task's order whose circuit breaker allows it, repairing
 * invalid structured output once with the same provider before failing over.
 * Every call lands in the usage ledger.
 */
export class Orchestrator {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly log: Logger | undefined;
  private readonly cacheTtlMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: OrchestratorOptions) {
    this.log = options.logger?.child({ component: 'llm' });
    this.cacheTtlMs = options.cacheTtlMs ?? 60 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    for (const p of options.providers) {
      this.breakers.set(p.name, new CircuitBreaker({
        failureThreshold: options.breaker?.failureThreshold ?? 3,
        cooldownMs: options.breaker?.cooldownMs ?? 60_000,
        ...(options.clock ? { clock: options.clock } : {}),
      }));
    }
  }

  get hasProviders(): boolean {
    return this.options.providers.length > 0;
  }

  breakerState(provider: string): BreakerState | undefined {
    return this.breakers.get(provider)?.current;
  }

  /** The providers a task tries, in order. */
  orderFor(task: LlmTask): LlmProvider[] {
    const names = this.options.taskOrder?.[task];
    if (!names) return this.options.providers;
    return names.map((n) => this.options.providers.find((p) => p.name === n)).filter((p): p is LlmProvider => p !== undefined);
  }

  complete(task: LlmTask, req: OrchestratedRequest): Promise<OrchestratedResult<string>> {
    return this.run(task, req, null);
  }

  completeJson<T>(task: LlmTask, req: OrchestratedRequest, schema: z.ZodType<T>): Promise<OrchestratedResult<T>> {
    return this.run(task, req, schema);
  }

  private async run<T>(task: LlmTask, req: OrchestratedRequest, schema: z.ZodType<T> | null): Promise<OrchestratedResult<T>> {
    const providers = this.orderFor(task);
    if (providers.length === 0) {
      throw new MinutesError('NEEDS_LLM_PROVIDER', `No LLM provider is configured for "${task}": set ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY or OPENAI_COMPATIBLE_BASE_URL.`, { details: { task } });
    }
    const key = cacheKey(task, providers, req, schema !== null);
    const hit = await this.fromCache<T>(key, task, req, schema);
    if (hit) return hit;
    const attempts: Attempt[] = [];
    let lastError: LlmError | undefined;
    for (const provider of providers) {
      throwIfAborted(req.signal);
      const breaker = this.breakers.get(provider.name)!;
      if (!breaker.tryAcquire()) {
        attempts.push({ provider: provider.name, model: provider.model, outcome: 'circuit_open', message: `circuit open for ${Math.ceil(breaker.retryInMs / 1000)} s` });
        continue;
      }
      try {
        const result = await this.attempt(task, provider, req, schema);
        breaker.onSuccess();
        attempts.push({ provider: provider.name, model: result.model, outcome: result.repaired ? 'repaired' : 'ok' });
        await this.toCache(key, { text: result.text, provider: provider.name, model: result.model });
        return { value: result.value, text: result.text, provider: provider.name, model: result.model, cached: false, inputTokens: result.inputTokens, outputTokens: result.outputTokens, attempts };
      } catch (err) {
        const error = asLlmError(provider.name, err, req.signal);
        if (error.kind === 'aborted') {
          breaker.release();
          throw error;
        }
        if (countsAgainstProvider(error.kind)) breaker.onFailure(error.kind === 'rate_limited' ? error.retryAfterMs : undefined);
        else breaker.release();
        attempts.push({ provider: provider.name, model: provider.model, outcome: error.kind, message: error.message });
        this.log?.warn({ task, provider: provider.name, kind: error.kind, status: error.status, retryAfterMs: error.retryAfterMs }, 'LLM provider failed; trying the next');
        lastError = error;
      }
    }
    throw exhausted(task, attempts, lastError);
  }

  /** One provider: a call, and for structured output at most one repair call. */
  private async attempt<T>(task: LlmTask, provider: LlmProvider, req: OrchestratedRequest, schema: z.ZodType<T> | null) {
    const first = await this.call(task, provider, req, req.messages, schema !== null);
    if (!schema) {
      await this.record(task, provider, req, first, 'ok');
      return { value: first.text as T, text: first.text, model: first.model, inputTokens: first.inputTokens, outputTokens: first.outputTokens, repaired: false };
    }
    const parsed = parseStructured(first.text, schema);
    if (parsed.ok) {
      await this.record(task, provider, req, first, 'ok');
      return { value: parsed.value, text: first.text, model: first.model, inputTokens: first.inputTokens, outputTokens: first.outputTokens, repaired: false };
    }
    await this.record(task, provider, req, first, 'bad_output');
    const repairMessages: LlmMessage[] = [...req.messages, { role: 'assistant', content: first.text }, { role: 'user', content: REPAIR_PROMPT(parsed.error) }];
    const second = await this.call(task, provider, req, repairMessages, true);
    const reparsed = parseStructured(second.text, schema);
    await this.record(task, provider, req, second, reparsed.ok ? 'repaired' : 'bad_output');
    if (!reparsed.ok) throw new LlmError(`${provider.name} returned invalid output twice: ${reparsed.error}`, { provider: provider.name, kind: 'bad_output' });
    return {
      value: reparsed.value, text: second.text, model: second.model, repaired: true,
      inputTokens: first.inputTokens + second.inputTokens, outputTokens: first.outputTokens + second.outputTokens,
    };
  }

  private async call(task: LlmTask, provider: LlmProvider, req: OrchestratedRequest, messages: LlmMessage[], json: boolean): Promise<LlmResponse> {
    const call = callSignal(req.signal, this.timeoutMs);
    try {
      return await provider.complete({
        system: req.system, messages, maxTokens: req.maxTokens, json, signal: call.signal,
        ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      });
    } catch (err) {
      const error = asLlmError(provider.name, err, call.signal);
      if (error.kind !== 'aborted') {
        await this.record(task, provider, req, { text: '', inputTokens: 0, outputTokens: 0, model: provider.model }, 'error', error.kind);
      }
      throw error;
    } finally {
      call.dispose();
    }
  }

  private async record(task: LlmTask, provider: LlmProvider, req: OrchestratedRequest, res: LlmResponse, outcome: UsageOutcome, errorKind?: string): Promise<void> {
    if (!this.options.ledger) return;
    try {
      await this.options.ledger.record({
        meetingId: req.meetingId ?? null, task, provider: provider.name, model: res.model,
        inputTokens: res.inputTokens, outputTokens: res.outputTokens,
        costUsd: costUsd(provider.name, res.model, res.inputTokens, res.outputTokens, this.options.prices ?? DEFAULT_PRICES),
        cached: outcome === 'cached', outcome, errorKind: errorKind ?? null,
      });
    } catch (err) {
      this.log?.warn({ err, task }, 'could not write the LLM usage ledger');
    }
  }

  private async fromCache<T>(key: string, task: LlmTask, req: OrchestratedRequest, schema: z.ZodType<T> | null): Promise<OrchestratedResult<T> | null> {
    const cache = this.options.cache;
    if (!cache) return null;
    let hit: CachedAnswer;
    try {
      const raw = await cache.get(key);
      if (raw === undefined) return null;
      hit = JSON.parse(raw) as CachedAnswer;
    } catch (err) {
      this.log?.warn({ err, task }, 'LLM cache read failed; calling the provider');
      return null;
    }
    let value = hit.text as T;
    if (schema) {
      const parsed = parseStructured(hit.text, schema);
      if (!parsed.ok) return null;
      value = parsed.value;
    }
    const provider = this.options.providers.find((p) => p.name === hit.provider) ?? { name: hit.provider, model: hit.model, complete: () => Promise.reject(new Error('unused')) };
    await this.record(task, provider, req, { text: '', inputTokens: 0, outputTokens: 0, model: hit.model }, 'cached');
    return { value, text: hit.text, provider: hit.provider, model: hit.model, cached: true, inputTokens: 0, outputTokens: 0, attempts: [] };
  }

  private async toCache(key: string, answer: CachedAnswer): Promise<void> {
    if (!this.options.cache) return;
    try {
      await this.options.cache.set(key, JSON.stringify(answer), this.cacheTtlMs);
    } catch (err) {
      this.log?.warn({ err }, 'LLM cache write failed');
    }
  }
}

/** Same task, same provider chain and models, same prompt → same answer. */
export function cacheKey(task: LlmTask, providers: LlmProvider[], req: OrchestratedRequest, json: boolean): string {
  const material = JSON.stringify({
    v: 1, task, chain: providers.map((p) => `${p.name}:${p.model}`), system: req.system, messages: req.messages,
    maxTokens: req.maxTokens, temperature: req.temperature ?? null, json,
  });
  return `llm:${createHash('sha256').update(material).digest('hex')}`;
}

function asLlmError(provider: string, err: unknown, signal: AbortSignal | undefined): LlmError {
  if (err instanceof LlmError) return err;
  const aborted = abortKind(signal);
  return new LlmError(`${provider}: ${(err as Error)?.message ?? String(err)}`, { provider, kind: aborted ?? 'server', cause: err });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LlmError('The LLM request was cancelled', { provider: 'orchestrator', kind: 'aborted', cause: signal.reason });
}

function exhausted(task: LlmTask, attempts: Attempt[], cause: LlmError | undefined): MinutesError {
  const failed = attempts.map((a) => a.outcome);
  const only = (...kinds: AttemptOutcome[]) => failed.length > 0 && failed.every((k) => kinds.includes(k));
  let code: ErrorCode = 'PROVIDER_UNAVAILABLE';
  if (only('rate_limited', 'circuit_open') && failed.includes('rate_limited')) code = 'PROVIDER_RATE_LIMITED';
  else if (only('timeout')) code = 'PROVIDER_TIMEOUT';
  else if (only('bad_output')) code = 'PROVIDER_BAD_OUTPUT';
  const summary = attempts.map((a) => `${a.provider}: ${a.outcome}`).join(', ');
  return new MinutesError(code, `Every LLM provider failed for "${task}" (${summary})`, { cause, details: { task, attempts } });
}
