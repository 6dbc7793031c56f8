import { abortKind, LlmError, type LlmErrorKind, type LlmProvider, type LlmRequest, type LlmResponse } from './LlmProvider.ts';
import { estimateTokens } from './tokens.ts';

/**
 * A provider that answers from a script instead of a network: queued
 * answers, errors, or a function of the request. Used by orchestrator and
 * analyzer tests and by the bench; tokens are counted with the project's
 * estimator, so usage numbers are meaningful.
 */
export type ScriptStep =
  | string
  | { error: LlmErrorKind; status?: number; retryAfterMs?: number; message?: string }
  /** Never answers; ends only when the request's signal aborts (timeouts). */
  | { hang: true };

export type Responder = (req: LlmRequest, callIndex: number) => ScriptStep | Promise<ScriptStep>;

export interface ScriptedProviderOptions {
  name?: string;
  model?: string;
  /** Answers in order; when exhausted, `respond` (if any) answers the rest. */
  script?: ScriptStep[];
  respond?: Responder;
}

export class ScriptedProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;
  readonly calls: LlmRequest[] = [];
  inputTokens = 0;
  outputTokens = 0;
  private readonly queue: ScriptStep[];
  private readonly respond: Responder | undefined;

  constructor(options: ScriptedProviderOptions = {}) {
    this.name = options.name ?? 'scripted';
    this.model = options.model ?? 'scripted-1';
    this.queue = [...(options.script ?? [])];
    this.respond = options.respond;
  }

  /** Appends answers to the queue. */
  push(...steps: ScriptStep[]): this {
    this.queue.push(...steps);
    return this;
  }

  async complete(req: LlmRequest): Promise<LlmResponse> {
    const index = this.calls.length;
    this.calls.push(req);
    const step = this.queue.length > 0 ? this.queue.shift()! : this.respond ? await this.respond(req, index) : undefined;
    if (step === undefined) throw new LlmError(`${this.name}: script exhausted at call ${index + 1}`, { provider: this.name, kind: 'server' });
    if (typeof step === 'string') return this.answer(req, step);
    if ('hang' in step) return this.hang(req.signal);
    throw new LlmError(step.message ?? `${this.name}: scripted ${step.error}`, {
      provider: this.name, kind: step.error,
      ...(step.status === undefined ? {} : { status: step.status }),
      ...(step.retryAfterMs === undefined ? {} : { retryAfterMs: step.retryAfterMs }),
    });
  }

  private answer(req: LlmRequest, text: string): LlmResponse {
    const inputTokens = estimateTokens(req.system) + req.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
    const outputTokens = estimateTokens(text);
    this.inputTokens += inputTokens;
    this.outputTokens += outputTokens;
    return { text, inputTokens, outputTokens, model: this.model };
  }

  private hang(signal: AbortSignal | undefined): Promise<never> {
    return new Promise((_, reject) => {
      const fail = () => reject(new LlmError(`${this.name}: ${abortKind(signal) ?? 'aborted'}`, { provider: this.name, kind: abortKind(signal) ?? 'aborted', cause: signal?.reason }));
      if (signal?.aborted) fail();
      else signal?.addEventListener('abort', fail, { once: true });
    });
  }
}
