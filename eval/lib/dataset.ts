import type { MeetingContext } from '../../core/minutes/offline/features.ts';
import { buildContext, segmentFeatures, taskUsesFeature } from '../../core/minutes/offline/features.ts';
import type { LinearModel, Task } from '../../core/minutes/offline/model.ts';
import { TASKS } from '../../core/minutes/offline/model.ts';
import type { MinutesInput } from '../../core/minutes/types.ts';
import type { CorpusMeeting } from './corpus.ts';
import { toMinutesInput } from './corpus.ts';
import type { Sample, TrainOptions } from './logreg.ts';
import { trainLogReg } from './logreg.ts';

/**
 * Training data: one sample per segment, labelled positive for a task when a
 * gold item of that kind cites it. "summary" positives are every segment any
 * gold item cites (AMI's extractive-summary links).
 */

export interface MeetingData {
  meeting: CorpusMeeting;
  input: MinutesInput;
  ctx: MeetingContext;
  features: string[][];
  labels: Record<Task, Uint8Array>;
}

export function prepare(meeting: CorpusMeeting): MeetingData {
  const input = toMinutesInput(meeting);
  const ctx = buildContext(input.segments);
  const features = input.segments.map((_, i) => segmentFeatures(ctx, i));
  const n = input.segments.length;
  const mark = (items: { evidence: number[] }[] | undefined, into: Uint8Array) => {
    for (const g of items ?? []) for (const e of g.evidence) if (e >= 0 && e < n) into[e] = 1;
  };
  const labels = {} as Record<Task, Uint8Array>;
  for (const t of TASKS) labels[t] = new Uint8Array(n);
  mark(meeting.gold.actions, labels.action);
  mark(meeting.gold.decisions, labels.decision);
  mark(meeting.gold.problems, labels.problem);
  for (const t of ['action', 'decision', 'problem'] as const) labels[t].forEach((v, i) => v && (labels.summary[i] = 1));
  return { meeting, input, ctx, features, labels };
}

/** Features seen in at least minCount training segments; rarer ones would only memorise. */
export function vocabulary(data: readonly MeetingData[], minCount: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of data) for (const fs of d.features) for (const f of fs) counts.set(f, (counts.get(f) ?? 0) + 1);
  const vocab = new Map<string, number>();
  for (const [f, c] of [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (c >= minCount) vocab.set(f, vocab.size);
  return vocab;
}

function encode(vocab: Map<string, number>, fs: readonly string[]): Int32Array {
  const ids: number[] = [];
  for (const f of fs) {
    const id = vocab.get(f);
    if (id !== undefined) ids.push(id);
  }
  return Int32Array.from(ids);
}

/** Trains one model per task; weights pruned and rounded so the shipped JSON stays small. */
export function trainModels(data: readonly MeetingData[], opts: TrainOptions, minCount: number, prune: number, tasks: readonly Task[] = TASKS): Record<Task, LinearModel> {
  const vocab = vocabulary(data, minCount);
  const encoded = data.map((d) => d.features.map((fs) => encode(vocab, fs)));
  const names = [...vocab.keys()];
  const out = { action: { weights: {} }, decision: { weights: {} }, problem: { weights: {} }, summary: { weights: {} } } as Record<Task, LinearModel>;
  for (const task of tasks) {
    const samples: Sample[] = [];
    const allowed = names.map((name) => taskUsesFeature(task, name));
    const keep = allowed.every(Boolean) ? (f: Int32Array) => f : (f: Int32Array) => f.filter((id) => allowed[id]);
    data.forEach((d, k) => encoded[k]!.forEach((features, i) => samples.push({ features: keep(features), label: d.labels[task][i] ? 1 : 0 })));
    const w = trainLogReg(samples, vocab.size, opts);
    const weights: Record<string, number> = {};
    names.forEach((name, i) => {
      const v = Math.round(w[i]! * 1000) / 1000;
      if ((Math.abs(v) >= prune && allowed[i]) || name === 'bias') weights[name] = v;
    });
    out[task] = { weights };
  }
  return out;
}
