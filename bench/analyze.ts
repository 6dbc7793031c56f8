import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { OfflineAnalyzer, OfflineLiveAnalyzer } from '../core/minutes/offline/index.ts';
import { words } from '../core/minutes/offline/text.ts';
import type { MinutesInput } from '../core/minutes/types.ts';
import { loadMeetings, toMinutesInput } from '../eval/lib/corpus.ts';
import { Report, fmt, fmtLatency, ms, summarize } from './lib/report.ts';

/**
 * npm run bench:analyze — offline minutes of a ~1-hour meeting (AMI dev
 * meetings concatenated to 60 minutes), against a baseline measured in the
 * same run that only tokenizes every segment; plus the live analyzer's cost
 * per push of 10 segments.
 */

const DATA = resolve(process.env.AMI_DEV_DIR ?? '../shared/data/ami/dev');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const HOUR_MS = 3_600_000;

function hourLongMeeting(): MinutesInput {
  const parts = loadMeetings(DATA).map(toMinutesInput);
  const out: MinutesInput = { meeting: { id: 'bench-1h', title: 'bench', startedAt: new Date('2024-01-08T09:00:00Z') }, attendees: [], segments: [] };
  let offset = 0;
  for (const p of parts) {
    const base = out.segments.length;
    const speakers = new Map(p.attendees.map((a) => [a.displayName, `${p.meeting.id}-${a.displayName}`]));
    for (const [, name] of speakers) out.attendees.push({ id: name, displayName: name });
    for (const s of p.segments) {
      if (offset + s.startMs > HOUR_MS) return out;
      out.segments.push({ ...s, id: base + s.id, speaker: speakers.get(s.speaker)!, startMs: offset + s.startMs, endMs: offset + s.endMs });
    }
    offset = out.segments.at(-1)!.endMs;
  }
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(DATA)) {
    console.error(`bench:analyze needs the AMI dev meetings in ${DATA} (../shared/data/ami/dev); set AMI_DEV_DIR to point elsewhere.`);
    process.exit(2);
  }
  const report = new Report();
  const input = hourLongMeeting();
  const minutesLong = (input.segments.at(-1)!.endMs - input.segments[0]!.startMs) / 60_000;
  report.line(`meeting: ${input.segments.length} segments, ${fmt(minutesLong)} min, ${input.attendees.length} speakers; ${RUNS} timed runs after 1 warm-up`);

  const analyzer = new OfflineAnalyzer();
  await analyzer.analyze(input);
  const baseline: number[] = [];
  const offline: number[] = [];
  let items = 0;
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    let tokens = 0;
    for (const s of input.segments) tokens += words(s.text).length;
    baseline.push(ms(t));
    t = performance.now();
    const m = await analyzer.analyze(input);
    offline.push(ms(t));
    items = m.actionItems.length + m.decisions.length + m.questions.length + m.blockers.length;
    if (tokens === 0) throw new Error("no tokens: the baseline pass was optimised away or the input is empty");
  }
  const b = summarize(baseline);
  const o = summarize(offline);
  report.line(`baseline (tokenize every segment): ${fmtLatency(b)}`);
  report.line(`offline analyzer:                  ${fmtLatency(o)}  (${items} items)`);
  report.line(`ratio offline / baseline (p50): ${fmt(o.p50 / b.p50)}x`);

  const live = new OfflineLiveAnalyzer({ attendees: input.attendees, meetingStart: input.meeting.startedAt });
  const pushes: number[] = [];
  let emitted = 0;
  for (let i = 0; i < input.segments.length; i += 10) {
    const t = performance.now();
    emitted += (await live.push(input.segments.slice(i, i + 10))).length;
    pushes.push(ms(t));
  }
  const l = summarize(pushes);
  report.line(`live analyzer, push of 10 segments: ${fmtLatency(l)}  (${emitted} insights)`);

  report.goal({ name: 'offline_minutes_1h_ms', value: o.p50, op: '<', target: 2000, note: `p50 of ${RUNS} runs, ${input.segments.length} segments` });
  report.goal({ name: 'live_push_p95_ms', value: l.p95, op: '<', target: 100, note: 'push of 10 segments, 40-segment window' });
  report.writeJson('bench-results/analyze.json', { segments: input.segments.length, baseline: b, offline: o, live: l });
  report.printGoals();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
