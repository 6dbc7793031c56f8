import { resolve } from 'node:path';
import { OfflineAnalyzer } from '../core/minutes/offline/analyzer.ts';
import { rouge } from '../core/minutes/eval/index.ts';
import { loadMeetings, referenceSummary, toMinutesInput } from './lib/corpus.ts';

/** npm exec tsx eval/sumtune.ts -- '<json summary options>'...: summary-only ROUGE on ami/dev per option set (no learned model involved). */
const meetings = loadMeetings(resolve(process.env.AMI_DEV_DIR ?? '../shared/data/ami/dev'));
const inputs = meetings.map(toMinutesInput);
for (const arg of process.argv.slice(2).length ? process.argv.slice(2) : ['{}']) {
  const a = new OfflineAnalyzer({ summary: JSON.parse(arg) });
  let r1 = 0, r2 = 0, rl = 0, w = 0;
  for (let k = 0; k < meetings.length; k++) {
    const m = await a.analyze(inputs[k]!);
    const r = rouge(m.summary.abstract, referenceSummary(meetings[k]!)!);
    r1 += r.rouge1; r2 += r.rouge2; rl += r.rougeL; w += m.summary.abstract.split(/\s+/).length;
  }
  const n = meetings.length;
  console.log(`${arg}\tR1=${(r1 / n).toFixed(4)} R2=${(r2 / n).toFixed(4)} RL=${(rl / n).toFixed(4)} words=${(w / n).toFixed(1)}`);
}
