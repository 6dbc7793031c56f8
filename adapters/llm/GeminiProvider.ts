import { GoogleGenAI } from '@google/genai';
import { callSignal, type LlmProvider, type LlmRequest, type LlmResponse } from '../../core/ai/LlmProvider.ts';
import { toLlmError } from './errors.ts';

export interface GeminiProviderOptions {
  apiKey: string;
  model?: string;
  /** For tests and proxies; default the public Gemini API. */
  baseUrl?: string;
  timeoutMs?: number;
}

/**
 * Gemini through @google/genai `models.generateContent`, JSON via
 * `responseMimeType`. The SDK does not retry unless `retryOptions` is set,
 * which we never do. Flash 2.5 models think by default and thinking tokens
 * count against `maxOutputTokens`; minutes need no thinking, so it is off.
 */
export class GeminiProvider implements LlmProvider {
  readonly name = 'gemini';
  readonly model: string;
  private readonly client: GoogleGenAI;
  private readonly timeoutMs: number;

  constructor(options: GeminiProviderOptions) {
    this.model = options.model ?? 'gemini-2.5-flash';
    this.timeoutMs = options.timeoutMs ?? 0;
    this.client = new GoogleGenAI({ apiKey: options.apiKey, ...(options.baseUrl ? { httpOptions: { baseUrl: options.baseUrl } } : {}) });
  }

  async complete(req: LlmRequest): Promise<LlmResponse> {
    const call = callSignal(req.signal, this.timeoutMs);
    try {
      const res = await this.client.models.generateContent({
        model: this.model,
        contents: req.messages.map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
        config: {
          systemInstruction: req.system,
          maxOutputTokens: req.maxTokens,
          abortSignal: call.signal,
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          ...(req.json ? { responseMimeType: 'application/json' } : {}),
          ...(/^gemini-2\.5-flash/.test(this.model) ? { thinkingConfig: { thinkingBudget: 0 } } : {}),
        },
      });
      const text = res.candidates?.[0]?.content?.parts?.flatMap((p) => (typeof p.text === 'string' && !p.thought ? [p.text] : [])).join('') ?? '';
      const usage = res.usageMetadata;
      return {
        text,
        inputTokens: usage?.promptTokenCount ?? 0,
        // Thinking is billed as output.
        outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
        model: res.modelVersion ?? this.model,
      };
    } catch (err) {
      throw toLlmError(this.name, err, call.signal);
    } finally {
      call.dispose();
    }
  }
}
