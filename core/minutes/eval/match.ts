import { tokenF1 } from './tokens.ts';

/**
 * Greedy one-to-one matching of predicted items to gold items, exactly as
 * SCORING.md specifies, plus micro/macro accumulation over meetings.
 */

export interface ScoredItem {
  text: string;
  evidence: readonly number[];
}

export interface MatchOptions {
  /** false = text-only score (token F1 ≥ threshold alone). */
  useEvidence: boolean;
  threshold?: number;
  /** Predictions citing more segments than this cannot match by evidence. */
  maxEvidence?: number;
}

export interface Pair {
  pred: number;
  gold: number;
  f1: number;
  evidence: boolean;
}

function evidenceOverlaps(pred: readonly number[], gold: readonly number[], maxEvidence: number): boolean {
  if (pred.length === 0 || pred.length > maxEvidence || gold.length === 0) return false;
  const set = new Set(gold);
  return pred.some((i) => set.has(i));
}

export function candidatePairs(preds: readonly ScoredItem[], golds: readonly ScoredItem[], opts: MatchOptions): Pair[] {
  const threshold = opts.threshold ?? 0.3;
  const maxEvidence = opts.maxEvidence ?? 3;
  const pairs: Pair[] = [];
  preds.forEach((p, pi) => {
    golds.forEach((g, gi) => {
      const f1 = tokenF1(p.text, g.text);
      const evidence = opts.useEvidence && evidenceOverlaps(p.evidence, g.evidence, maxEvidence);
      if (f1 >= threshold || evidence) pairs.push({ pred: pi, gold: gi, f1, evidence });
    });
  });
  return pairs;
}

/** Highest F1 first; ties: evidence pairs first, then lowest gold index, then lowest prediction index. */
export function comparePairs(a: Pair, b: Pair): number {
  if (a.f1 !== b.f1) return b.f1 - a.f1;
  if (a.evidence !== b.evidence) return a.evidence ? -1 : 1;
  if (a.gold !== b.gold) return a.gold - b.gold;
  return a.pred - b.pred;
}

export function greedyMatch(preds: readonly ScoredItem[], golds: readonly ScoredItem[], opts: MatchOptions): Pair[] {
  const pairs = candidatePairs(preds, golds, opts).sort(comparePairs);
  const usedPred = new Set<number>();
  const usedGold = new Set<number>();
  const accepted: Pair[] = [];
  for (const pair of pairs) {
    if (usedPred.has(pair.pred) || usedGold.has(pair.gold)) continue;
    usedPred.add(pair.pred);
    usedGold.add(pair.gold);
    accepted.push(pair);
  }
  return accepted;
}

export interface Counts {
  tp: number;
  predicted: number;
  gold: number;
}

export interface PRF {
  p: number;
  r: number;
  f1: number;
}

export function prf(c: Counts): PRF {
  const p = c.predicted ? c.tp / c.predicted : 0;
  const r = c.gold ? c.tp / c.gold : 0;
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0 };
}

/** Sums counts over meetings (micro) and averages per-meeting F1 over meetings with gold (macro). */
export class ItemScore {
  readonly micro: Counts = { tp: 0, predicted: 0, gold: 0 };
  private macroF1: number[] = [];

  add(c: Counts): void {
    this.micro.tp += c.tp;
    this.micro.predicted += c.predicted;
    this.micro.gold += c.gold;
    if (c.gold > 0) this.macroF1.push(prf(c).f1);
  }

  totals(): PRF & { macroF1: number; meetingsWithGold: number } & Counts {
    const n = this.macroF1.length;
    return {
      ...this.micro,
      ...prf(this.micro),
      macroF1: n ? this.macroF1.reduce((a, b) => a + b, 0) / n : 0,
      meetingsWithGold: n,
    };
  }
}

export function scoreMeeting(preds: readonly ScoredItem[], golds: readonly ScoredItem[], opts: MatchOptions): Counts {
  return { tp: greedyMatch(preds, golds, opts).length, predicted: preds.length, gold: golds.length };
}
