import type { ExtractedActionItem, ExtractedNote } from '../minutes/types.ts';
import { PRIORITIES } from '../types.ts';
import type { MinutesBody } from './sanitize.ts';

/**
 * Merges the minutes of consecutive parts of one meeting in code, not with
 * another model call: deterministic, free, and it cannot invent anything.
 * Overlapping parts report the same item twice; those are folded together.
 */
const words = (text: string): Set<string> =>
  new Set(text.normalize('NFKD').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').split(' ').filter((w) => w.length > 1));

/** Same item: same words, or ≥ 80% word overlap (Jaccard) — rephrasings across a chunk boundary. */
export function sameItem(a: string, b: string): boolean {
  const wa = words(a);
  const wb = words(b);
  if (wa.size === 0 || wb.size === 0) return a.trim().toLowerCase() === b.trim().toLowerCase();
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared++;
  return shared / (wa.size + wb.size - shared) >= 0.8;
}

const union = (a: number[], b: number[]) => [...new Set([...a, ...b])].sort((x, y) => x - y);
const rank = (p: ExtractedActionItem['priority']) => PRIORITIES.indexOf(p);

function dedupe<T extends { text: string; confidence: number; evidenceSegmentIds: number[] }>(items: T[], fold: (kept: T, dup: T) => T): T[] {
  const out: T[] = [];
  for (const item of items) {
    const i = out.findIndex((k) => sameItem(k.text, item.text));
    if (i < 0) out.push(item);
    else out[i] = fold(out[i]!, item);
  }
  return out;
}

const foldNote = (kept: ExtractedNote, dup: ExtractedNote): ExtractedNote => ({
  text: kept.text.length >= dup.text.length ? kept.text : dup.text,
  confidence: Math.max(kept.confidence, dup.confidence),
  evidenceSegmentIds: union(kept.evidenceSegmentIds, dup.evidenceSegmentIds),
});

const foldAction = (kept: ExtractedActionItem, dup: ExtractedActionItem): ExtractedActionItem => {
  const owner = kept.ownerAttendeeId ? kept : dup;
  return {
    ...foldNote(kept, dup),
    ownerAttendeeId: owner.ownerAttendeeId,
    ownerName: owner.ownerName,
    dueDate: kept.dueDate ?? dup.dueDate,
    priority: rank(dup.priority) > rank(kept.priority) ? dup.priority : kept.priority,
  };
};

export function mergeBodies(parts: MinutesBody[]): MinutesBody {
  const byFirstEvidence = <T extends { evidenceSegmentIds: number[] }>(items: T[]) =>
    [...items].sort((a, b) => (a.evidenceSegmentIds[0] ?? 0) - (b.evidenceSegmentIds[0] ?? 0));
  return {
    summary: {
      abstract: parts.map((p) => p.summary.abstract).filter(Boolean).join(' '),
      sections: dedupe(parts.flatMap((p) => p.summary.sections).map((s) => ({ ...s, confidence: 1 })), (k, d) => ({ ...k, evidenceSegmentIds: union(k.evidenceSegmentIds, d.evidenceSegmentIds) }))
        .map(({ confidence: _c, ...s }) => s),
    },
    actionItems: byFirstEvidence(dedupe(parts.flatMap((p) => p.actionItems), foldAction)),
    decisions: byFirstEvidence(dedupe(parts.flatMap((p) => p.decisions), foldNote)),
    questions: byFirstEvidence(dedupe(parts.flatMap((p) => p.questions), foldNote)),
    blockers: byFirstEvidence(dedupe(parts.flatMap((p) => p.blockers), foldNote)),
  };
}
