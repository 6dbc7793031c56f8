import { prf, scoreMeeting } from '../../core/minutes/eval/index.ts';
import type { ScoredItem } from '../../core/minutes/eval/index.ts';
import type { Selection, Task } from '../../core/minutes/offline/model.ts';
import { resolveOwner } from '../../core/minutes/offline/owners.ts';
import { phraseAction, phraseDecision, phraseNote } from '../../core/minutes/offline/phrase.ts';
import { citeAround, rankOrder, selectWithFallback } from '../../core/minutes/offline/select.ts';
import type { MeetingData } from './dataset.ts';

/**
 * Grid search of the per-task selection settings (threshold, cap, suppression
 * radius, evidence width) for the best micro F1 under SCORING.md.
 */

export type ItemTask = Exclude<Task, 'summary'>;
const GOLD_KEY = { action: 'actions', decision: 'decisions', problem: 'problems' } as const;

export interface Scored {
  data: MeetingData;
  probs: Record<Task, number[]> & { explicit: Record<Task, number[]> };
}

function phraser(task: ItemTask, d: MeetingData): (i: number) => string {
  const cache = new Map<number, string>();
  return (i) => {
    let t = cache.get(i);
    if (t === undefined) {
      const raw = d.input.segments[i]!.text;
      if (task === 'action') t = phraseAction(raw, resolveOwner(d.input.attendees, d.input.segments, i)?.displayName ?? null).text;
      else t = task === 'decision' ? phraseDecision(raw) : phraseNote(raw);
      cache.set(i, t);
    }
    return t;
  };
}

// Kept small: the tuner runs once per CV fold plus once for the shipped model.
// Citing 3 segments always won in wider searches, so only that width is tried.
const GRID = {
  threshold: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
  maxBase: [1, 2, 3, 4, 6],
  maxPerSegment: [0, 0.002, 0.005],
  radius: [0, 2, 6],
  cite: [3],
};

export function tuneSelection(task: ItemTask, scored: readonly Scored[]): { selection: Selection; f1: number } {
  const prepared = scored.map((s) => ({
    s,
    order: rankOrder(s.probs[task]),
    text: phraser(task, s.data),
    gold: (s.data.meeting.gold[GOLD_KEY[task]] ?? []) as ScoredItem[],
  }));
  let best: { selection: Selection; f1: number } = { selection: { threshold: 0.5, maxBase: 3, maxPerSegment: 0, radius: 3, cite: 1 }, f1: -1 };
  for (const threshold of GRID.threshold) for (const maxBase of GRID.maxBase) for (const maxPerSegment of GRID.maxPerSegment)
    for (const radius of GRID.radius) for (const cite of GRID.cite) {
      const sel: Selection = { threshold, maxBase, maxPerSegment, radius, cite };
      const c = { tp: 0, predicted: 0, gold: 0 };
      for (const p of prepared) {
        const { picks, probs } = selectWithFallback(p.s.probs[task], p.s.probs.explicit[task], sel, p.order);
        const preds = picks.map((i) => ({ text: p.text(i), evidence: citeAround(p.s.data.ctx, probs, i, cite) }));
        const m = scoreMeeting(preds, p.gold, { useEvidence: true });
        c.tp += m.tp;
        c.predicted += m.predicted;
        c.gold += m.gold;
      }
      const f1 = prf(c).f1;
      if (f1 > best.f1 + 1e-9) best = { selection: sel, f1 };
    }
  return best;
}
