import { abortKind, kindForStatus, LlmError, retryAfterFromHeaders, type LlmErrorKind } from '../../core/ai/LlmProvider.ts';

/**
 * Maps whatever an SDK threw into an LlmError. The three SDKs disagree:
 * Anthropic's and OpenAI's (Stainless) errors carry `status` and `headers`;
 * @google/genai's ApiError carries `status` and the JSON body as its message
 * (retry delay in a google.rpc.RetryInfo detail, no headers); a timeout is
 * APIConnectionTimeoutError in one and a bare AbortError in another. So
 * classification goes by the abort signal first, then duck-typed fields.
 */
export function toLlmError(provider: string, err: unknown, signal?: AbortSignal): LlmError {
  if (err instanceof LlmError) return err;
  const e = (err ?? {}) as { name?: string; message?: string; status?: unknown; headers?: unknown; error?: unknown; cause?: unknown };
  const aborted = abortKind(signal);
  if (aborted) return new LlmError(`${provider}: ${aborted === 'timeout' ? 'timed out' : 'cancelled'}`, { provider, kind: aborted, cause: err });
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status !== undefined) {
    const kind = overloaded(e.error) ? 'server' : kindForStatus(status);
    const retryAfterMs = headerRetryAfter(e.headers) ?? retryInfoDelay(e.message);
    return new LlmError(`${provider}: HTTP ${status} ${apiMessage(e)}`.trim(), {
      provider, kind, status, cause: err, ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return new LlmError(`${provider}: ${e.message ?? String(err)}`, { provider, kind: transportKind(e), cause: err });
}

function transportKind(e: { name?: string; message?: string }): LlmErrorKind {
  const name = e.name ?? '';
  if (name === 'APIConnectionTimeoutError' || name === 'AbortError' || name === 'TimeoutError') return 'timeout';
  if (name === 'APIUserAbortError') return 'aborted';
  if (name === 'APIConnectionError' || name === 'FetchError' || /fetch failed|ECONN|ENOTFOUND|EAI_AGAIN|socket|network/i.test(e.message ?? '')) return 'network';
  if (e instanceof SyntaxError) return 'server';
  return 'network';
}

/** Anthropic's `{"type":"error","error":{"type":"overloaded_error"}}` (HTTP 529). */
function overloaded(body: unknown): boolean {
  const inner = (body as { error?: { type?: string } } | undefined)?.error;
  return inner?.type === 'overloaded_error';
}

function headerRetryAfter(headers: unknown): number | undefined {
  if (headers && typeof (headers as Headers).get === 'function') return retryAfterFromHeaders((n) => (headers as Headers).get(n));
  return undefined;
}

/** Gemini: `{"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}}`. */
function retryInfoDelay(message: string | undefined): number | undefined {
  if (!message?.includes('RetryInfo')) return undefined;
  try {
    const details = (JSON.parse(message) as { error?: { details?: { '@type'?: string; retryDelay?: string }[] } }).error?.details ?? [];
    const delay = details.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay;
    const seconds = delay ? Number.parseFloat(delay) : Number.NaN;
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The vendor's own short message, without echoing request content. */
function apiMessage(e: { message?: string; error?: unknown }): string {
  const body = e.error as { error?: { message?: string }; message?: string } | undefined;
  const text = body?.error?.message ?? body?.message ?? e.message ?? '';
  return text.slice(0, 300);
}
