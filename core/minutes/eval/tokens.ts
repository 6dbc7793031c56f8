/**
 * Token-level helpers of the AMI scoring recipe (../shared/data/ami/SCORING.md):
 * lowercase, punctuation → space, whitespace split, stopwords kept, no stemming.
 */
export function scoringTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]|_/gu, ' ')
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

/** Size of the multiset intersection of two token lists. */
export function overlapCount(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const t of a) counts.set(t, (counts.get(t) ?? 0) + 1);
  let shared = 0;
  for (const t of b) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      shared++;
      counts.set(t, c - 1);
    }
  }
  return shared;
}

/** F1 of two token multisets; 0 when either side is empty. */
export function f1FromCounts(shared: number, predicted: number, reference: number): number {
  if (predicted === 0 || reference === 0 || shared === 0) return 0;
  const p = shared / predicted;
  const r = shared / reference;
  return (2 * p * r) / (p + r);
}

export function tokenF1(predicted: string, gold: string): number {
  const p = scoringTokens(predicted);
  const g = scoringTokens(gold);
  return f1FromCounts(overlapCount(p, g), p.length, g.length);
}
