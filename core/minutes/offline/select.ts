import type { MeetingContext } from './features.ts';
import { isBackchannel } from './features.ts';
import type { Selection } from './model.ts';

/**
 * Turns per-segment probabilities into a few reported items: best first,
 * suppressing near neighbours of an earlier pick (one gold item is usually
 * voiced over several adjacent dialogue acts), then back into time order.
 */
export function selectPeaks(probs: readonly number[], sel: Selection, exclude: ReadonlySet<number> = new Set()): number[] {
  return selectFromOrder(rankOrder(probs), probs, sel, exclude);
}

/** Segment indices by probability, best first (ties: earlier first). */
export function rankOrder(probs: readonly number[]): number[] {
  return probs.map((_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
}

/** selectPeaks on a precomputed rankOrder (the tuner re-selects thousands of times). */
export function selectFromOrder(order: readonly number[], probs: readonly number[], sel: Selection, exclude: ReadonlySet<number> = new Set()): number[] {
  const cap = Math.max(0, Math.round(sel.maxBase + sel.maxPerSegment * probs.length));
  const picked: number[] = [];
  for (const i of order) {
    if (picked.length >= cap || probs[i]! < sel.threshold) break;
    if (exclude.has(i) || picked.some((j) => Math.abs(j - i) <= sel.radius)) continue;
    picked.push(i);
  }
  return picked.sort((a, b) => a - b);
}

/**
 * Evidence for an item anchored at segment i: i itself plus the most probable
 * nearby segments (at most `cite` in all, so the item stays specific).
 */
export function citeAround(ctx: MeetingContext, probs: readonly number[], i: number, cite: number): number[] {
  const near: number[] = [];
  for (let j = i - 2; j <= i + 2; j++) {
    if (j !== i && j >= 0 && j < probs.length && !isBackchannel(ctx, j)) near.push(j);
  }
  near.sort((a, b) => probs[b]! - probs[a]! || Math.abs(a - i) - Math.abs(b - i));
  const ids = [i, ...near.slice(0, Math.max(0, Math.min(3, cite) - 1))].sort((a, b) => a - b);
  return ids.map((k) => ctx.segments[k]!.id);
}

/**
 * The model's picks; when it picks nothing, the explicit-phrasing fallback
 * (scored EXPLICIT_FLOOR) gets the same selection. Keeps AMI precision (the
 * fallback rarely fires there) while plain meetings still get their
 * "I'll send it by Friday" items.
 */
export function selectWithFallback(probs: readonly number[], explicit: readonly number[], sel: Selection, order?: readonly number[]): { picks: number[]; probs: readonly number[] } {
  const picks = order ? selectFromOrder(order, probs, sel) : selectPeaks(probs, sel);
  if (picks.length > 0 || !explicit.some((x) => x > 0)) return { picks, probs };
  // The tuned cap fits AMI's few assignments per meeting; explicit statements are trusted up to a fixed handful.
  return { picks: selectPeaks(explicit, { ...sel, threshold: Math.min(sel.threshold, 0.01), maxBase: Math.max(sel.maxBase, 6) }), probs: explicit };
}
