/**
 * The one token estimate used for budgets, chunking, the scripted provider
 * and the bench: about four characters per token for English text. Vendors'
 * tokenizers differ by ±20%, which the context budget's headroom absorbs.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
