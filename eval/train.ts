import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OfflineAnalyzer } from '../core/minutes/offline/analyzer.ts';
import { buildContext } from '../core/minutes/offline/features.ts';
import type { LinearModel, MinutesModel, Selection, Task } from '../core/minutes/offline/model.ts';
import { DEFAULT_SELECTION, MODEL_URL } from '../core/minutes/offline/model.ts';
import { taskProbabilities } from '../core/minutes/offline/scoring.ts';
import { loadMeetings, seriesOf } from './lib/corpus.ts';
import type { MeetingData } from './lib/dataset.ts';
import { prepare, trainModels } from './lib/dataset.ts';
import type { MeetingResult } from './lib/evaluate.ts';
import { detailLines, evaluateMeeting, totalLines, totalsOf } from './lib/evaluate.ts';
import { DEFAULT_TRAIN } from './lib/logreg.ts';
import type { ItemTask, Scored } from './lib/tune.ts';
import { tuneSelection } from './lib/tune.ts';

/**
 * npm run train:minutes [-- <dir>] [--folds 5] [--no-write]
 * Trains the offline analyzer's models on AMI dev, with cross-validation by
 * meeting series: out-of-fold probabilities pick the selection settings (and
 * give the honest CV score); the shipped weights are then fit on all meetings.
 */

const ITEM_TASKS: ItemTask[] = ['action', 'decision', 'problem'];
const MIN_COUNT = Number(process.env.MIN_COUNT ?? 3);
const PRUNE = Number(process.env.PRUNE ?? 0.02);
// The summary salience model lost to plain TextRank on dev (see summary.ts), so it is not shipped.
const SHIPPED_TASKS: Task[] = ['action', 'decision', 'problem'];

function probsWith(tasks: Record<Task, LinearModel>, d: MeetingData): Scored['probs'] {
  const model: MinutesModel = { version: 1, tasks, selection: DEFAULT_SELECTION };
  return taskProbabilities(buildContext(d.input.segments), model);
}

function tuneAll(scored: readonly Scored[]): Record<Task, Selection> {
  const selection = { ...DEFAULT_SELECTION };
  for (const task of ITEM_TASKS) selection[task] = tuneSelection(task, scored).selection;
  return selection;
}

async function crossValidate(data: MeetingData[], folds: number): Promise<{ oof: Scored[]; results: MeetingResult[] }> {
  const series = [...new Set(data.map((d) => seriesOf(d.meeting.id)))].sort();
  const foldOf = (d: MeetingData) => series.indexOf(seriesOf(d.meeting.id)) % folds;
  const models: Record<Task, LinearModel>[] = [];
  const oof: Scored[] = [];
  for (let f = 0; f < folds; f++) {
    const tasks = trainModels(data.filter((d) => foldOf(d) !== f), DEFAULT_TRAIN, MIN_COUNT, PRUNE, SHIPPED_TASKS);
    models.push(tasks);
    for (const d of data.filter((x) => foldOf(x) === f)) oof.push({ data: d, probs: probsWith(tasks, d) });
  }
  const results: MeetingResult[] = [];
  for (let f = 0; f < folds; f++) {
    // Selection is tuned on the other folds' out-of-fold scores, so the held-out fold never picks its own thresholds.
    const selection = tuneAll(oof.filter((s) => foldOf(s.data) !== f));
    const analyzer = new OfflineAnalyzer({ model: { version: 1, tasks: models[f]!, selection } });
    for (const d of data.filter((x) => foldOf(x) === f)) results.push(await evaluateMeeting(analyzer, d.meeting));
  }
  return { oof, results };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { folds: { type: 'string', default: '5' }, 'no-write': { type: 'boolean', default: false } },
  });
  const dir = resolve(positionals[0] ?? '../shared/data/ami/dev');
  const t0 = performance.now();
  const data = loadMeetings(dir).map(prepare);
  console.log(`${data.length} meetings, ${data.reduce((a, d) => a + d.input.segments.length, 0)} segments`);

  const { oof, results } = await crossValidate(data, Number(values.folds));
  const cv = totalsOf(results);
  console.log(`cross-validation by meeting series (${values.folds} folds):`);
  for (const l of [...detailLines(cv), ...totalLines(cv)]) console.log(`  ${l}`);

  const tasks = trainModels(data, DEFAULT_TRAIN, MIN_COUNT, PRUNE, SHIPPED_TASKS);
  const selection = tuneAll(oof);
  const model: MinutesModel = { version: 1, tasks, selection };
  const analyzer = new OfflineAnalyzer({ model });
  const train: MeetingResult[] = [];
  for (const d of data) train.push(await evaluateMeeting(analyzer, d.meeting));
  const tt = totalsOf(train);
  console.log('training set (final model, in-sample):');
  for (const l of [...detailLines(tt), ...totalLines(tt)]) console.log(`  ${l}`);
  console.log(`selection: ${JSON.stringify(selection)}`);
  if (!values['no-write']) {
    const path = MODEL_URL.pathname;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(model) + '\n');
    console.log(`wrote ${path} (${Object.values(tasks).reduce((a, t) => a + Object.keys(t.weights).length, 0)} weights)`);
  }
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
