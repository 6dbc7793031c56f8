import { MinutesError } from '../../core/errors.ts';

/**
 * Maps what the openai SDK (or a fetch underneath it) threw into a coded
 * MinutesError: 429 → PROVIDER_RATE_LIMITED, timeouts → PROVIDER_TIMEOUT,
 * 5xx and connection failures → PROVIDER_UNAVAILABLE, 401/403 →
 * ASR_UNAVAILABLE (the key is wrong: retrying will not help), 400/413/415 →
 * AUDIO_UNSUPPORTED_FORMAT. `details.retryable` tells callers whether to retry.
 */
export function toAsrError(engine: string, err: unknown, signal?: AbortSignal): MinutesError {
  if (err instanceof MinutesError) return err;
  const e = (err ?? {}) as { name?: string; message?: string; status?: unknown; headers?: unknown; error?: unknown };
  if (signal?.aborted) {
    return new MinutesError('PROVIDER_TIMEOUT', `${engine}: cancelled`, { cause: err, details: { engine, retryable: false } });
  }
  const status = typeof e.status === 'number' ? e.status : undefined;
  const detail = (code: MinutesError['code'], text: string, retryable: boolean) =>
    new MinutesError(code, `${engine}: ${text}`, { cause: err, details: { engine, retryable, ...(status ? { status } : {}) } });
  if (status === 429) return detail('PROVIDER_RATE_LIMITED', `rate limited (HTTP 429) ${apiMessage(e)}`.trim(), true);
  if (status === 408 || status === 504) return detail('PROVIDER_TIMEOUT', `timed out (HTTP ${status})`, true);
  if (status !== undefined && status >= 500) return detail('PROVIDER_UNAVAILABLE', `server error (HTTP ${status}) ${apiMessage(e)}`.trim(), true);
  if (status === 401 || status === 403) return detail('ASR_UNAVAILABLE', `the API key was rejected (HTTP ${status})`, false);
  if (status === 400 || status === 413 || status === 415) return detail('AUDIO_UNSUPPORTED_FORMAT', `the audio was rejected (HTTP ${status}) ${apiMessage(e)}`.trim(), false);
  if (status !== undefined) return detail('PROVIDER_BAD_OUTPUT', `HTTP ${status} ${apiMessage(e)}`.trim(), false);
  const name = e.name ?? '';
  if (name === 'APIConnectionTimeoutError' || name === 'TimeoutError' || /timed? ?out/i.test(e.message ?? '')) return detail('PROVIDER_TIMEOUT', 'timed out', true);
  if (name === 'APIConnectionError' || /connection error|fetch failed|ECONN|ENOTFOUND|EAI_AGAIN|socket/i.test(e.message ?? '')) {
    return detail('PROVIDER_UNAVAILABLE', `cannot connect (${e.message ?? name})`, true);
  }
  return detail('PROVIDER_BAD_OUTPUT', e.message ?? String(err), false);
}

function apiMessage(e: { message?: string; error?: unknown }): string {
  const body = e.error as { error?: { message?: string }; message?: string } | undefined;
  return (body?.error?.message ?? body?.message ?? '').slice(0, 300);
}
