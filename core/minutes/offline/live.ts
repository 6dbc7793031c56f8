import type { Insight, InsightKind, LiveAnalyzer, MinutesInput } from '../types.ts';
import { resolveDueDate } from './dates.ts';
import { buildContext } from './features.ts';
import type { MinutesModel, Task } from './model.ts';
import { loadModel } from './model.ts';
import { isQuestion } from './notes.ts';
import { resolveOwner } from './owners.ts';
import { phraseAction, phraseDecision, phraseNote } from './phrase.ts';
import { taskProbabilities } from './scoring.ts';
import { contentWords } from './text.ts';

/**
 * Live copilot: re-scores a rolling window of recent segments on every push
 * and emits each insight once. The same statement seen again in a later
 * window (or restated in near-identical words) has the same key or is caught
 * by the near-duplicate check, so it is never emitted twice.
 */

export interface LiveAnalyzerOptions {
  attendees: MinutesInput['attendees'];
  meetingStart?: Date | null;
  /** Segments of context kept for scoring (the learned features look a few segments around). */
  window?: number;
  /** Probability an insight needs before it is emitted; live errs toward precision. */
  threshold?: Partial<Record<InsightKind, number>>;
  model?: MinutesModel | null;
  now?: () => Date;
}

const TASK_OF: Record<Exclude<InsightKind, 'question'>, Task> = { action_item: 'action', decision: 'decision', blocker: 'problem' };
const DEFAULT_THRESHOLD: Record<InsightKind, number> = { action_item: 0.5, decision: 0.5, blocker: 0.6, question: 0 };

/** Normalised content-word key: word order, case, fillers and punctuation don't matter. */
export function insightKey(kind: InsightKind, text: string): string {
  return `${kind}:${[...new Set(contentWords(text))].sort().join(' ')}`;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

export class OfflineLiveAnalyzer implements LiveAnalyzer {
  private readonly window: MinutesInput['segments'] = [];
  private readonly emittedKeys = new Set<string>();
  private readonly emittedWords: { kind: InsightKind; words: Set<string> }[] = [];
  private readonly seenSegments = new Set<number>();
  private readonly emittedSegments = new Set<string>();
  private readonly model: MinutesModel | null;
  private readonly size: number;
  private readonly threshold: Record<InsightKind, number>;

  constructor(private readonly options: LiveAnalyzerOptions) {
    this.model = options.model === undefined ? loadModel() : options.model;
    this.size = options.window ?? 40;
    this.threshold = { ...DEFAULT_THRESHOLD, ...options.threshold };
  }

  async push(segments: MinutesInput['segments']): Promise<Insight[]> {
    for (const s of segments) {
      if (this.seenSegments.has(s.id) || !s.text.trim()) continue;
      this.seenSegments.add(s.id);
      this.window.push(s);
    }
    if (this.window.length > this.size) this.window.splice(0, this.window.length - this.size);
    const ctx = buildContext(this.window);
    const probs = taskProbabilities(ctx, this.model);
    const out: Insight[] = [];
    // The last segment's right-hand context is not known yet, but waiting would delay every insight; score it now.
    for (let i = 0; i < this.window.length; i++) {
      for (const kind of Object.keys(TASK_OF) as (keyof typeof TASK_OF)[]) {
        // Explicit phrasings count in full here: live errs toward clear, high-precision statements.
        const p = Math.max(probs[TASK_OF[kind]][i]!, probs.explicit[TASK_OF[kind]][i]!);
        if (p >= this.threshold[kind]) this.consider(out, kind, i, p);
      }
      if (isQuestion(ctx, i) && i + 4 < this.window.length) this.considerQuestion(out, ctx, i);
    }
    return out;
  }

  private consider(out: Insight[], kind: keyof typeof TASK_OF, i: number, p: number): void {
    const seg = this.window[i]!;
    if (kind === 'action_item') {
      const owner = resolveOwner(this.options.attendees, this.window, i);
      const phrased = phraseAction(seg.text, owner?.displayName ?? null);
      const finalOwner = phrased.who === 'group' ? null : owner;
      const reference = this.options.meetingStart ?? (this.options.now ?? (() => new Date()))();
      this.emit(out, {
        kind, key: '', text: phrased.text, confidence: Math.round(p * 1000) / 1000, evidenceSegmentIds: [seg.id],
        ownerAttendeeId: finalOwner?.id ?? null, ownerName: finalOwner?.displayName ?? null, dueDate: resolveDueDate(seg.text, reference),
      });
      return;
    }
    const text = kind === 'decision' ? phraseDecision(seg.text) : phraseNote(seg.text);
    this.emit(out, { kind, key: '', text, confidence: Math.round(p * 1000) / 1000, evidenceSegmentIds: [seg.id] });
  }

  /** Questions are only judged once a few later segments show whether anyone answered. */
  private considerQuestion(out: Insight[], ctx: ReturnType<typeof buildContext>, i: number): void {
    const asker = ctx.segments[i]!.speaker;
    const answered = ctx.segments.slice(i + 1, i + 5).some((s, k) => s.speaker !== asker && ctx.tokens[i + 1 + k]!.length >= 3 && !/\?\s*$/.test(s.text));
    if (answered) return;
    this.emit(out, { kind: 'question', key: '', text: phraseNote(ctx.segments[i]!.text), confidence: 0.6, evidenceSegmentIds: [ctx.segments[i]!.id] });
  }

  private emit(out: Insight[], insight: Insight): void {
    const key = insightKey(insight.kind, insight.text);
    const segKey = `${insight.kind}:${insight.evidenceSegmentIds.join(',')}`;
    const words = new Set(contentWords(insight.text));
    if (!insight.text || words.size === 0 || this.emittedKeys.has(key) || this.emittedSegments.has(segKey)) return;
    if (this.emittedWords.some((e) => e.kind === insight.kind && jaccard(e.words, words) >= 0.7)) return;
    this.emittedKeys.add(key);
    this.emittedSegments.add(segKey);
    this.emittedWords.push({ kind: insight.kind, words });
    out.push({ ...insight, key });
  }
}
