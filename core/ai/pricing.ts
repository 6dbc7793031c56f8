/**
 * USD per million tokens, as listed by each vendor for standard (non-batch,
 * non-cached) use. Prices change; a model missing here is recorded with a
 * null cost rather than a guessed one. Self-hosted (openai-compatible) models
 * cost nothing per token.
 */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

export type PriceTable = Record<string, ModelPrice>;

export const DEFAULT_PRICES: PriceTable = {
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
  'gemini-2.5-pro': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gemini-2.5-flash': { inputPerMTok: 0.3, outputPerMTok: 2.5 },
  'gemini-2.5-flash-lite': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
};

const FREE_PROVIDERS = new Set(['openai-compatible', 'scripted']);

/**
 * Cost of one call, or null when the model's price is unknown. Dated
 * snapshots (`gpt-4.1-mini-2025-04-14`, `claude-haiku-4-5-20251001`) are
 * priced as their base model.
 */
export function costUsd(provider: string, model: string, inputTokens: number, outputTokens: number, prices: PriceTable = DEFAULT_PRICES): number | null {
  if (FREE_PROVIDERS.has(provider)) return 0;
  const price = prices[model] ?? prices[model.replace(/-\d{4}-?\d{2}-?\d{2}$/, '')] ?? prices[model.replace(/^models\//, '')];
  if (!price) return null;
  return (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000;
}
