import type { ScoredItem } from '../../core/minutes/eval/index.ts';
import { ItemScore, rouge, scoreMeeting } from '../../core/minutes/eval/index.ts';
import type { Analyzer, Minutes } from '../../core/minutes/types.ts';
import type { CorpusMeeting, GoldItem } from './corpus.ts';
import { referenceSummary, toMinutesInput } from './corpus.ts';

/**
 * Runs an analyzer over corpus meetings and scores it per SCORING.md: actions,
 * decisions and problems with the evidence rule and text-only, summary ROUGE.
 */

export type Kind = 'actions' | 'decisions' | 'problems';
export const KINDS: Kind[] = ['actions', 'decisions', 'problems'];

export interface MeetingResult {
  id: string;
  segments: number;
  ms: number;
  counts: Record<Kind, { tp: number; tpText: number; predicted: number; gold: number } | null>;
  rouge: { rouge1: number; rouge2: number; rougeL: number } | null;
  summaryWords: number;
}

export interface Totals {
  items: Record<Kind, ReturnType<ItemScore['totals']> & { text: ReturnType<ItemScore['totals']> }>;
  summary: { rouge1: number; rouge2: number; rougeL: number; n: number; avgWords: number };
  meetings: number;
  totalMs: number;
}

export function summaryText(m: Minutes): string {
  return m.summary.abstract;
}

function predictedItems(m: Minutes, kind: Kind): ScoredItem[] {
  const list = kind === 'actions' ? m.actionItems : kind === 'decisions' ? m.decisions : m.blockers;
  return list.map((x) => ({ text: x.text, evidence: x.evidenceSegmentIds }));
}

export function scoreMinutes(meeting: CorpusMeeting, minutes: Minutes, ms: number): MeetingResult {
  const counts = {} as MeetingResult['counts'];
  for (const kind of KINDS) {
    const gold: GoldItem[] | undefined = meeting.gold[kind];
    if (!gold) {
      counts[kind] = null;
      continue;
    }
    const preds = predictedItems(minutes, kind);
    const withEv = scoreMeeting(preds, gold, { useEvidence: true });
    const textOnly = scoreMeeting(preds, gold, { useEvidence: false });
    counts[kind] = { ...withEv, tpText: textOnly.tp };
  }
  const ref = referenceSummary(meeting);
  const text = summaryText(minutes);
  return {
    id: meeting.id,
    segments: meeting.segments.length,
    ms,
    counts,
    rouge: ref ? rouge(text, ref) : null,
    summaryWords: text.split(/\s+/).filter(Boolean).length,
  };
}

export async function evaluateMeeting(analyzer: Analyzer, meeting: CorpusMeeting): Promise<MeetingResult> {
  const t0 = performance.now();
  const minutes = await analyzer.analyze(toMinutesInput(meeting));
  return scoreMinutes(meeting, minutes, performance.now() - t0);
}

export function totalsOf(results: readonly MeetingResult[]): Totals {
  const items = {} as Totals['items'];
  for (const kind of KINDS) {
    const s = new ItemScore();
    const t = new ItemScore();
    for (const r of results) {
      const c = r.counts[kind];
      if (!c) continue;
      s.add(c);
      t.add({ tp: c.tpText, predicted: c.predicted, gold: c.gold });
    }
    items[kind] = { ...s.totals(), text: t.totals() };
  }
  const scored = results.filter((r) => r.rouge);
  const mean = (f: (r: MeetingResult) => number) => (scored.length ? scored.reduce((a, r) => a + f(r), 0) / scored.length : 0);
  return {
    items,
    summary: {
      rouge1: mean((r) => r.rouge!.rouge1),
      rouge2: mean((r) => r.rouge!.rouge2),
      rougeL: mean((r) => r.rouge!.rougeL),
      n: scored.length,
      avgWords: mean((r) => r.summaryWords),
    },
    meetings: results.length,
    totalMs: results.reduce((a, r) => a + r.ms, 0),
  };
}

const f2 = (x: number) => x.toFixed(2);

export function meetingLine(r: MeetingResult): string {
  const part = (k: Kind, label: string) => {
    const c = r.counts[k];
    return c ? `${label} ${c.tp}/${c.predicted}/${c.gold}` : `${label} -`;
  };
  const rg = r.rouge ? `R1=${f2(r.rouge.rouge1)}` : 'R1=-';
  return `${r.id.padEnd(10)} segs=${String(r.segments).padStart(5)} ${part('actions', 'act')} ${part('decisions', 'dec')} ${part('problems', 'prob')} ${rg} words=${r.summaryWords} ${Math.round(r.ms)}ms`;
}

/** The fixed-form closing lines (actions, decisions, summary) — last in the output. */
export function totalLines(t: Totals): string[] {
  const line = (kind: Kind, label: string) => {
    const x = t.items[kind];
    return `${label} P=${f2(x.p)} R=${f2(x.r)} F1=${f2(x.f1)} n=${x.gold}`;
  };
  return [
    line('actions', 'actions'),
    line('decisions', 'decisions'),
    `summary ROUGE-1=${f2(t.summary.rouge1)} ROUGE-2=${f2(t.summary.rouge2)} ROUGE-L=${f2(t.summary.rougeL)}`,
  ];
}

export function detailLines(t: Totals): string[] {
  const out: string[] = [];
  for (const kind of KINDS) {
    const x = t.items[kind];
    out.push(
      `${kind}: evidence rule on (≤3 cited segments): P=${f2(x.p)} R=${f2(x.r)} F1=${f2(x.f1)} macroF1=${f2(x.macroF1)} ` +
        `tp=${x.tp} predicted=${x.predicted} gold=${x.gold} meetingsWithGold=${x.meetingsWithGold}; ` +
        `text-only: P=${f2(x.text.p)} R=${f2(x.text.r)} F1=${f2(x.text.f1)}`,
    );
  }
  out.push(`summary: n=${t.summary.n} avg words=${t.summary.avgWords.toFixed(1)}`);
  out.push(`meetings=${t.meetings} analyze time=${(t.totalMs / 1000).toFixed(2)} s`);
  return out;
}
