import type { Config, LlmProviderName } from '../../core/config.ts';
import type { LlmProvider } from '../../core/ai/LlmProvider.ts';
import { AnthropicProvider } from './AnthropicProvider.ts';
import { GeminiProvider } from './GeminiProvider.ts';
import { OpenAICompatibleProvider } from './OpenAICompatibleProvider.ts';
import { OpenAIProvider } from './OpenAIProvider.ts';

type LlmConfig = Pick<Config,
  | 'ANTHROPIC_API_KEY' | 'OPENAI_API_KEY' | 'GEMINI_API_KEY' | 'ANTHROPIC_MODEL' | 'OPENAI_MODEL' | 'GEMINI_MODEL'
  | 'OPENAI_COMPATIBLE_BASE_URL' | 'OPENAI_COMPATIBLE_MODEL' | 'OPENAI_COMPATIBLE_API_KEY' | 'LLM_PROVIDER_ORDER' | 'LLM_TIMEOUT_MS'>;

/**
 * The providers that have credentials (or a base URL), in LLM_PROVIDER_ORDER.
 * An empty list means offline analysis only.
 */
export function createProvidersFromConfig(config: LlmConfig): LlmProvider[] {
  const timeoutMs = config.LLM_TIMEOUT_MS;
  const build: Record<LlmProviderName, () => LlmProvider | null> = {
    anthropic: () => (config.ANTHROPIC_API_KEY ? new AnthropicProvider({ apiKey: config.ANTHROPIC_API_KEY, model: config.ANTHROPIC_MODEL, timeoutMs }) : null),
    openai: () => (config.OPENAI_API_KEY ? new OpenAIProvider({ apiKey: config.OPENAI_API_KEY, model: config.OPENAI_MODEL, timeoutMs }) : null),
    gemini: () => (config.GEMINI_API_KEY ? new GeminiProvider({ apiKey: config.GEMINI_API_KEY, model: config.GEMINI_MODEL, timeoutMs }) : null),
    'openai-compatible': () =>
      config.OPENAI_COMPATIBLE_BASE_URL && config.OPENAI_COMPATIBLE_MODEL
        ? new OpenAICompatibleProvider({
          baseURL: config.OPENAI_COMPATIBLE_BASE_URL, model: config.OPENAI_COMPATIBLE_MODEL, timeoutMs,
          ...(config.OPENAI_COMPATIBLE_API_KEY ? { apiKey: config.OPENAI_COMPATIBLE_API_KEY } : {}),
        })
        : null,
  };
  return [...new Set(config.LLM_PROVIDER_ORDER)].map((name) => build[name]()).filter((p): p is LlmProvider => p !== null);
}

/** The variables that would turn each missing provider on, for a startup log line. */
export function missingProviderHints(config: LlmConfig): string[] {
  const hints: string[] = [];
  if (!config.ANTHROPIC_API_KEY) hints.push('anthropic: ANTHROPIC_API_KEY');
  if (!config.OPENAI_API_KEY) hints.push('openai: OPENAI_API_KEY');
  if (!config.GEMINI_API_KEY) hints.push('gemini: GEMINI_API_KEY');
  if (!config.OPENAI_COMPATIBLE_BASE_URL) hints.push('openai-compatible: OPENAI_COMPATIBLE_BASE_URL + OPENAI_COMPATIBLE_MODEL');
  return hints;
}
