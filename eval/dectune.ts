import { resolve } from 'node:path';
import { prf } from '../core/minutes/eval/index.ts';
import { buildContext } from '../core/minutes/offline/features.ts';
import type { LinearModel, MinutesModel, Task } from '../core/minutes/offline/model.ts';
import { DEFAULT_SELECTION } from '../core/minutes/offline/model.ts';
import { taskProbabilities } from '../core/minutes/offline/scoring.ts';
import { loadMeetings, seriesOf } from './lib/corpus.ts';
import type { MeetingData } from './lib/dataset.ts';
import { prepare, trainModels } from './lib/dataset.ts';
import { DEFAULT_TRAIN } from './lib/logreg.ts';
import type { ItemTask, Scored } from './lib/tune.ts';
import { tuneSelection } from './lib/tune.ts';

/**
 * npx tsx eval/dectune.ts — quick nested cross-validation of ONE item task
 * (TASK=decision|action|problem, default decision) for feature and
 * hyper-parameter experiments (~25 s instead of train:minutes' ~70 s). Env:
 * MIN_COUNT, PRUNE, L2, EPOCHS, POSW, LR. Writes nothing; the number to trust
 * is "nested-CV" (selection tuned on the other folds, as in eval/train.ts).
 */
const task = (process.env.TASK ?? 'decision') as ItemTask;
const data = loadMeetings(resolve('../shared/data/ami/dev')).map(prepare);
const folds = 5;
const series = [...new Set(data.map((d) => seriesOf(d.meeting.id)))].sort();
const foldOf = (d: MeetingData) => series.indexOf(seriesOf(d.meeting.id)) % folds;
const opts = { ...DEFAULT_TRAIN, l2: Number(process.env.L2 ?? DEFAULT_TRAIN.l2), epochs: Number(process.env.EPOCHS ?? DEFAULT_TRAIN.epochs), positiveWeight: Number(process.env.POSW ?? DEFAULT_TRAIN.positiveWeight), learningRate: Number(process.env.LR ?? DEFAULT_TRAIN.learningRate) };
const oof: Scored[] = [];
for (let f = 0; f < folds; f++) {
  const tasks = trainModels(data.filter((d) => foldOf(d) !== f), opts, Number(process.env.MIN_COUNT ?? 3), Number(process.env.PRUNE ?? 0.02), [task]);
  const model: MinutesModel = { version: 1, tasks: tasks as Record<Task, LinearModel>, selection: DEFAULT_SELECTION };
  for (const d of data.filter((x) => foldOf(x) === f)) {
    const probs = taskProbabilities(buildContext(d.input.segments), model);
    oof.push({ data: d, probs });
  }
}
const c = { tp: 0, predicted: 0, gold: 0 };
for (let f = 0; f < folds; f++) {
  const { selection } = tuneSelection(task, oof.filter((s) => foldOf(s.data) !== f));
  const held = oof.filter((s) => foldOf(s.data) === f);
  const r = tuneEval(task, held, selection);
  c.tp += r.tp; c.predicted += r.predicted; c.gold += r.gold;
}
const all = tuneSelection(task, oof);
const p = prf(c);
console.log(`${task} nested-CV P=${p.p.toFixed(3)} R=${p.r.toFixed(3)} F1=${p.f1.toFixed(3)} (oof-tuned ${all.f1.toFixed(3)} ${JSON.stringify(all.selection)})`);

import { scoreMeeting } from '../core/minutes/eval/index.ts';
import type { Selection } from '../core/minutes/offline/model.ts';
import { citeAround, selectWithFallback } from '../core/minutes/offline/select.ts';
import { phraseAction, phraseDecision, phraseNote } from '../core/minutes/offline/phrase.ts';
import { resolveOwner } from '../core/minutes/offline/owners.ts';
function tuneEval(t: ItemTask, scored: Scored[], sel: Selection) {
  const key = { action: 'actions', decision: 'decisions', problem: 'problems' } as const;
  const c = { tp: 0, predicted: 0, gold: 0 };
  for (const s of scored) {
    const { picks, probs } = selectWithFallback(s.probs[t], s.probs.explicit[t], sel);
    const raw = (i: number) => s.data.input.segments[i]!.text;
    const preds = picks.map((i) => ({
      text: t === 'action' ? phraseAction(raw(i), resolveOwner(s.data.input.attendees, s.data.input.segments, i)?.displayName ?? null).text : t === 'decision' ? phraseDecision(raw(i)) : phraseNote(raw(i)),
      evidence: citeAround(s.data.ctx, probs, i, sel.cite),
    }));
    const m = scoreMeeting(preds, (s.data.meeting.gold[key[t]] ?? []) as never, { useEvidence: true });
    c.tp += m.tp; c.predicted += m.predicted; c.gold += m.gold;
  }
  return c;
}
