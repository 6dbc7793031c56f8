/**
 * The one interface every LLM vendor is reached through. Adapters in
 * `adapters/llm/` implement it over each SDK; the orchestrator owns retry,
 * failover, caching and accounting, so providers make exactly one attempt.
 */
export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface LlmRequest {
  system: string;
  messages: LlmMessage[];
  maxTokens: number;
  temperature?: number;
  /** Ask the model for a single JSON object (each vendor's JSON mode). */
  json?: boolean;
  signal?: AbortSignal;
}

export interface LlmResponse {
  text: string;
  inputTokens: number;
  outputTokens: number;
  /** The model that actually answered (vendors may resolve aliases). */
  model: string;
}

export interface LlmProvider {
  readonly name: string;
  readonly model: string;
  complete(req: LlmRequest): Promise<LlmResponse>;
}

/**
 * Every SDK failure is mapped into one of these, so failover and the circuit
 * breaker never look at vendor error classes.
 * - `aborted`: the caller cancelled; not the provider's fault, never failed over.
 * - `bad_output`: the answer arrived but failed validation (set by the orchestrator).
 */
export type LlmErrorKind = 'rate_limited' | 'timeout' | 'server' | 'auth' | 'bad_request' | 'network' | 'aborted' | 'bad_output';

export interface LlmErrorInit {
  provider: string;
  kind: LlmErrorKind;
  status?: number;
  /** From `retry-after`/`retry-after-ms` or Gemini's RetryInfo. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class LlmError extends Error {
  readonly provider: string;
  readonly kind: LlmErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, init: LlmErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'LlmError';
    this.provider = init.provider;
    this.kind = init.kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function isLlmError(err: unknown): err is LlmError {
  return err instanceof LlmError;
}

/** HTTP status → kind. 529 is Anthropic's "overloaded"; 408/409 are transient too. */
export function kindForStatus(status: number): LlmErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status >= 500 || status === 409) return 'server';
  return 'bad_request';
}

/** `retry-after-ms`, then `retry-after` as seconds or an HTTP date. */
export function retryAfterFromHeaders(get: (name: string) => string | null | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = get('retry-after');
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * A signal for one provider call: aborts when the caller's does, or with a
 * `TimeoutError` reason after `timeoutMs`, so an adapter can tell the two apart
 * whichever way its SDK reports the abort.
 */
export function callSignal(caller: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(caller?.reason);
  if (caller?.aborted) onAbort();
  else caller?.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutMs > 0
    ? setTimeout(() => controller.abort(new DOMException(`LLM call timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
    : undefined;
  timer?.unref?.();
  return {
    signal: controller.signal,
    dispose: () => {
      if (timer) clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}

/** If `signal` is aborted, whether by a deadline or by the caller. */
export function abortKind(signal: AbortSignal | undefined): 'timeout' | 'aborted' | null {
  if (!signal?.aborted) return null;
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError' ? 'timeout' : 'aborted';
}

/** Failures that say nothing about the provider's health and must not open its breaker. */
export function countsAgainstProvider(kind: LlmErrorKind): boolean {
  return kind !== 'aborted' && kind !== 'bad_request';
}
