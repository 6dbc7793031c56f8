import OpenAI from 'openai';
import { callSignal, type LlmProvider, type LlmRequest, type LlmResponse } from '../../core/ai/LlmProvider.ts';
import { toLlmError } from './errors.ts';

export interface OpenAIProviderOptions {
  apiKey: string;
  model?: string;
  baseURL?: string;
  timeoutMs?: number;
}

/**
 * OpenAI chat completions, with `response_format: json_object` when JSON is
 * asked for. Reasoning models (gpt-5*, o*) accept neither `temperature` nor
 * `max_tokens`; `max_completion_tokens` works for all current models.
 */
export class OpenAIProvider implements LlmProvider {
  readonly name: string = 'openai';
  readonly model: string;
  protected readonly client: OpenAI;
  private readonly timeoutMs: number;

  constructor(options: OpenAIProviderOptions) {
    this.model = options.model ?? 'gpt-4.1-mini';
    this.timeoutMs = options.timeoutMs ?? 0;
    this.client = new OpenAI({ apiKey: options.apiKey, maxRetries: 0, timeout: 15 * 60_000, ...(options.baseURL ? { baseURL: options.baseURL } : {}) });
  }

  /** The request body beyond model and messages; OpenAI-compatible servers differ here. */
  protected body(req: LlmRequest): Record<string, unknown> {
    const reasoning = /^(gpt-5|o\d)/.test(this.model);
    return {
      max_completion_tokens: req.maxTokens,
      ...(req.temperature === undefined || reasoning ? {} : { temperature: req.temperature }),
      ...(req.json ? { response_format: { type: 'json_object' } } : {}),
    };
  }

  async complete(req: LlmRequest): Promise<LlmResponse> {
    const call = callSignal(req.signal, this.timeoutMs);
    try {
      const res = await this.client.chat.completions.create({
        model: this.model,
        messages: [{ role: 'system', content: req.system }, ...req.messages.map((m) => ({ role: m.role, content: m.content }))],
        ...this.body(req),
      } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, { signal: call.signal });
      return {
        text: res.choices[0]?.message.content ?? '',
        inputTokens: res.usage?.prompt_tokens ?? 0,
        outputTokens: res.usage?.completion_tokens ?? 0,
        model: res.model || this.model,
      };
    } catch (err) {
      throw toLlmError(this.name, err, call.signal);
    } finally {
      call.dispose();
    }
  }
}
