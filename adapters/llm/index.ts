export { AnthropicProvider, type AnthropicProviderOptions } from './AnthropicProvider.ts';
export { OpenAIProvider, type OpenAIProviderOptions } from './OpenAIProvider.ts';
export { OpenAICompatibleProvider, type OpenAICompatibleProviderOptions } from './OpenAICompatibleProvider.ts';
export { GeminiProvider, type GeminiProviderOptions } from './GeminiProvider.ts';
export { createProvidersFromConfig, missingProviderHints } from './factory.ts';
export { toLlmError } from './errors.ts';
