import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Analyzer } from '../core/minutes/types.ts';
import { OfflineAnalyzer } from '../core/minutes/offline/index.ts';
import { loadMeetings } from './lib/corpus.ts';
import type { MeetingResult } from './lib/evaluate.ts';
import { detailLines, evaluateMeeting, meetingLine, totalLines, totalsOf } from './lib/evaluate.ts';

/**
 * npm run eval -- <dir> [--analyzer offline|rules] [--out report.json] [--limit N] [--quiet]
 * Scores minutes against the gold of the shared corpus (see ../shared/data/ami/SCORING.md).
 */

const USAGE = 'usage: npm run eval -- <dir> [--analyzer offline|rules] [--out report.json] [--limit N] [--quiet]';

function makeAnalyzer(name: string): Analyzer {
  if (name === 'offline') return new OfflineAnalyzer();
  // The cue rules alone, without the learned model: a baseline for the model's worth.
  if (name === 'rules') return new OfflineAnalyzer({ model: null });
  throw new Error(`unknown analyzer "${name}" (offline, rules)`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      analyzer: { type: 'string', default: 'offline' },
      out: { type: 'string' },
      limit: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const dir = positionals[0];
  if (!dir) {
    console.error(USAGE);
    process.exit(2);
  }
  const limit = values.limit ? Number(values.limit) : Infinity;
  const meetings = loadMeetings(resolve(dir), limit);
  const analyzer = makeAnalyzer(values.analyzer!);
  const started = performance.now();
  const results: MeetingResult[] = [];
  for (const meeting of meetings) {
    const r = await evaluateMeeting(analyzer, meeting);
    results.push(r);
    if (!values.quiet) console.log(meetingLine(r));
  }
  const totals = totalsOf(results);
  const wallMs = performance.now() - started;
  // ami/dev and qmsum/dev would both be "dev": name the report after the parent too.
  const abs = resolve(dir);
  const out = values.out ?? `eval-results/${basename(dirname(abs))}-${basename(abs)}.json`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ dir: abs, analyzer: values.analyzer, wallMs, totals, meetings: results }, null, 2) + '\n');
  for (const l of detailLines(totals)) console.log(l);
  console.log(`wall time=${(wallMs / 1000).toFixed(2)} s; report: ${out}`);
  for (const l of totalLines(totals)) console.log(l);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
