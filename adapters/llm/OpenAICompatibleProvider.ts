import type { LlmRequest } from '../../core/ai/LlmProvider.ts';
import { OpenAIProvider } from './OpenAIProvider.ts';

export interface OpenAICompatibleProviderOptions {
  /** e.g. `http://127.0.0.1:11434/v1` (Ollama), `http://host:8000/v1` (vLLM), `http://127.0.0.1:1234/v1` (LM Studio). */
  baseURL: string;
  model: string;
  /** Local servers usually need none. */
  apiKey?: string;
  timeoutMs?: number;
  /** Send `response_format: json_object`; turn off for servers that reject it (LM Studio). Default true. */
  jsonMode?: boolean;
}

/**
 * A self-hosted model behind an OpenAI-compatible API, through the openai
 * SDK. These servers implement the older `max_tokens` field, not
 * `max_completion_tokens`.
 */
export class OpenAICompatibleProvider extends OpenAIProvider {
  override readonly name = 'openai-compatible';
  private readonly jsonMode: boolean;

  constructor(options: OpenAICompatibleProviderOptions) {
    // The SDK refuses to start without a key; local servers ignore the header.
    super({ apiKey: options.apiKey ?? 'not-needed', baseURL: options.baseURL, model: options.model, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
    this.jsonMode = options.jsonMode ?? true;
  }

  protected override body(req: LlmRequest): Record<string, unknown> {
    return {
      max_tokens: req.maxTokens,
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      ...(req.json && this.jsonMode ? { response_format: { type: 'json_object' } } : {}),
    };
  }
}
