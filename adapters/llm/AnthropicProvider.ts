import Anthropic from '@anthropic-ai/sdk';
import { callSignal, type LlmProvider, type LlmRequest, type LlmResponse } from '../../core/ai/LlmProvider.ts';
import { toLlmError } from './errors.ts';

export interface AnthropicProviderOptions {
  apiKey: string;
  model?: string;
  baseURL?: string;
  /** Per call; 0 leaves only the caller's signal. */
  timeoutMs?: number;
}

/** Claude through @anthropic-ai/sdk `messages.create`. One attempt per call: the orchestrator retries. */
export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic';
  readonly model: string;
  private readonly client: Anthropic;
  private readonly timeoutMs: number;

  constructor(options: AnthropicProviderOptions) {
    this.model = options.model ?? 'claude-sonnet-4-6';
    this.timeoutMs = options.timeoutMs ?? 0;
    // The SDK's own timeout is only a backstop behind our signal.
    this.client = new Anthropic({ apiKey: options.apiKey, maxRetries: 0, timeout: 15 * 60_000, ...(options.baseURL ? { baseURL: options.baseURL } : {}) });
  }

  async complete(req: LlmRequest): Promise<LlmResponse> {
    const call = callSignal(req.signal, this.timeoutMs);
    try {
      const res = await this.client.messages.create({
        model: this.model,
        max_tokens: req.maxTokens,
        system: req.system,
        messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
        ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      }, { signal: call.signal, timeout: 15 * 60_000 });
      const text = res.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
      return { text, inputTokens: res.usage.input_tokens, outputTokens: res.usage.output_tokens, model: res.model };
    } catch (err) {
      throw toLlmError(this.name, err, call.signal);
    } finally {
      call.dispose();
    }
  }
}
