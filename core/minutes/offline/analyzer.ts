import type { AnalyzeOptions, Analyzer, ExtractedActionItem, ExtractedDecision, ExtractedNote, Minutes, MinutesInput } from '../types.ts';
import { resolveDueDate, priorityOf } from './dates.ts';
import type { MeetingContext } from './features.ts';
import { buildContext } from './features.ts';
import type { MinutesModel, Selection, Task } from './model.ts';
import { DEFAULT_SELECTION, loadModel } from './model.ts';
import { openQuestions } from './notes.ts';
import { attendeeForSpeaker, resolveOwner } from './owners.ts';
import { phraseAction, phraseDecision, phraseNote } from './phrase.ts';
import type { TaskProbs } from './scoring.ts';
import { taskProbabilities } from './scoring.ts';
import { citeAround, selectWithFallback } from './select.ts';
import type { SummaryOptions } from './summary.ts';
import { DEFAULT_SUMMARY, buildSections, candidates, mmr, topicLine } from './summary.ts';

/**
 * The offline analyzer: deterministic, no network. A small learned model
 * scores every segment for each task; rules turn the chosen segments into
 * minutes (owner, due date, priority, phrasing).
 */

export interface OfflineAnalyzerOptions {
  /** Override the shipped model (cross-validation); null = cue rules only. */
  model?: MinutesModel | null;
  selection?: Partial<Record<Task, Partial<Selection>>>;
  summary?: Partial<SummaryOptions>;
  /** Reference date for due dates when the meeting has no start time. */
  now?: () => Date;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export class OfflineAnalyzer implements Analyzer {
  readonly name = 'offline';
  private readonly model: MinutesModel | null;
  private readonly summaryOpts: SummaryOptions;
  private readonly now: () => Date;
  private readonly overrides: OfflineAnalyzerOptions['selection'];

  constructor(options: OfflineAnalyzerOptions = {}) {
    this.model = options.model === undefined ? loadModel() : options.model;
    this.summaryOpts = { ...DEFAULT_SUMMARY, ...options.summary };
    this.now = options.now ?? (() => new Date());
    this.overrides = options.selection;
  }

  selection(task: Task): Selection {
    const base = this.model?.selection[task] ?? DEFAULT_SELECTION[task];
    return { ...base, ...this.overrides?.[task] };
  }

  async analyze(input: MinutesInput, options: AnalyzeOptions = {}): Promise<Minutes> {
    const started = performance.now();
    options.signal?.throwIfAborted();
    const segments = input.segments.filter((s) => s.text.trim().length > 0);
    const ctx = buildContext(segments);
    const probs = taskProbabilities(ctx, this.model);
    options.signal?.throwIfAborted();
    const reference = input.meeting.startedAt ?? this.now();
    const pool = candidates(ctx, this.model && this.summaryOpts.modelWeight > 0 ? probs.summary : null, this.summaryOpts);
    const sections = buildSections(ctx, pool, this.summaryOpts);
    const extract = mmr(pool, this.summaryOpts.abstractWords, this.summaryOpts.mmrLambda).map((c) => c.sentence);
    const opener = this.summaryOpts.topicLine ? topicLine(sections, this.summaryOpts.topics) : null;
    const abstract = [opener, ...extract].filter(Boolean).join(' ');
    return {
      summary: { abstract, sections },
      actionItems: this.actions(input, ctx, probs, reference),
      decisions: this.decisions(ctx, probs),
      questions: openQuestions(ctx),
      blockers: this.blockers(ctx, probs),
      provenance: { analyzer: 'offline', durationMs: Math.round(performance.now() - started) },
    };
  }

  private actions(input: MinutesInput, ctx: MeetingContext, probs: TaskProbs, reference: Date): ExtractedActionItem[] {
    const sel = this.selection('action');
    const { picks: raw, probs: used } = selectWithFallback(probs.action, probs.explicit.action, sel);
    // A short acceptance ("Yes, will do.") stands for the request it answers: report the request, owned by the one who accepted.
    const conf = new Map<number, number>();
    for (const k of raw) {
      const i = k > 0 && ctx.tokens[k]!.length <= 3 && ctx.segments[k - 1]!.speaker !== ctx.segments[k]!.speaker && ctx.cues[k - 1]!.includes('can_you') ? k - 1 : k;
      conf.set(i, Math.max(conf.get(i) ?? 0, used[k]!, used[i]!));
    }
    return [...conf.keys()].map((i) => {
      const seg = ctx.segments[i]!;
      const owner = resolveOwner(input.attendees, ctx.segments, i);
      const phrased = phraseAction(seg.text, owner?.displayName ?? null);
      const confirmedBy = phrased.who === 'speaker' ? attendeeForSpeaker(input.attendees, seg.speaker) : owner;
      const finalOwner = phrased.who === 'group' ? null : confirmedBy ?? owner;
      return {
        text: phrased.text,
        ownerAttendeeId: finalOwner?.id ?? null,
        ownerName: finalOwner?.displayName ?? null,
        dueDate: resolveDueDate(seg.text, reference),
        priority: priorityOf(seg.text),
        confidence: round3(conf.get(i)!),
        evidenceSegmentIds: citeAround(ctx, used, i, sel.cite),
      };
    });
  }

  private decisions(ctx: MeetingContext, probs: TaskProbs): ExtractedDecision[] {
    const sel = this.selection('decision');
    const { picks, probs: used } = selectWithFallback(probs.decision, probs.explicit.decision, sel);
    return picks.map((i) => ({
      text: phraseDecision(ctx.segments[i]!.text),
      confidence: round3(used[i]!),
      evidenceSegmentIds: citeAround(ctx, used, i, sel.cite),
    }));
  }

  private blockers(ctx: MeetingContext, probs: TaskProbs): ExtractedNote[] {
    const sel = this.selection('problem');
    // Blockers are not a scored goal; an explicit "we're blocked" should always surface, so it is merged in rather than a fallback.
    const merged = probs.problem.map((p, i) => Math.max(p, probs.explicit.problem[i]!));
    const { picks, probs: used } = selectWithFallback(merged, probs.explicit.problem, sel);
    return picks.map((i) => ({
      text: phraseNote(ctx.segments[i]!.text),
      confidence: round3(used[i]!),
      evidenceSegmentIds: citeAround(ctx, used, i, sel.cite),
    }));
  }
}
