/**
 * `npm run bench:llm` — how many tokens the LLM analysis sends per
 * meeting-hour, across every task (map, reduce, repairs), against the
 * transcript's own size under the same estimator. Runs on the scripted
 * provider: no network, no key, same numbers every run.
 *
 * Meetings: AMI dev transcripts from ../shared/data/ami/dev concatenated to
 * about 1 h and 3 h; synthetic ones when that directory is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmAnalyzer } from '../core/ai/LlmAnalyzer.ts';
import { MemoryLedger } from '../core/ai/ledger.ts';
import { Orchestrator } from '../core/ai/Orchestrator.ts';
import { ScriptedProvider } from '../core/ai/ScriptedProvider.ts';
import { minutesResponder } from '../core/ai/scriptedMinutes.ts';
import { estimateTokens } from '../core/ai/tokens.ts';
import type { Analyzer, MinutesInput } from '../core/minutes/types.ts';
import { parseTranscript } from '../core/transcript/import/index.ts';
import { prng, pick } from './lib/corpus.ts';
import { fmt, Report } from './lib/report.ts';

const AMI_DIR = new URL('../../shared/data/ami/dev', import.meta.url).pathname;
const BUDGET = Number(process.env.LLM_CONTEXT_BUDGET_TOKENS ?? 12_000);
type Segment = MinutesInput['segments'][number];

function amiSegments(targetMs: number): { segments: Segment[]; source: string } | null {
  if (!existsSync(AMI_DIR)) return null;
  const files = readdirSync(AMI_DIR).filter((f) => f.endsWith('.json')).sort();
  const segments: Segment[] = [];
  const used: string[] = [];
  let offset = 0;
  for (const file of files) {
    if (offset >= targetMs) break;
    const parsed = parseTranscript(readFileSync(join(AMI_DIR, file)), { filename: file });
    for (const s of parsed.segments) {
      if (offset + s.startMs >= targetMs) break;
      segments.push({ id: segments.length + 1, speaker: `${file.slice(0, 6)}-${s.speaker}`, startMs: offset + s.startMs, endMs: offset + s.endMs, text: s.text });
    }
    offset = segments.at(-1)!.endMs;
    used.push(file.replace(/\.json$/, ''));
  }
  return segments.length > 0 ? { segments, source: `AMI ${used.join('+')}` } : null;
}

function syntheticSegments(targetMs: number): { segments: Segment[]; source: string } {
  const rnd = prng(42);
  const speakers = ['Alice', 'Bob', 'Chen', 'Dana'];
  const words = 'we need to ship the release next week so I will update the roadmap and the budget review is blocked on legal what about the customer demo'.split(' ');
  const segments: Segment[] = [];
  for (let t = 0; t < targetMs; t += 4000) {
    const text = Array.from({ length: 6 + Math.floor(rnd() * 14) }, () => pick(rnd, words)).join(' ');
    segments.push({ id: segments.length + 1, speaker: pick(rnd, speakers), startMs: t, endMs: t + 3800, text });
  }
  return { segments, source: 'synthetic' };
}

const noFallback: Analyzer = { name: 'none', analyze: () => Promise.reject(new Error('the scripted provider never fails')) };

async function measure(report: Report, label: string, hours: number): Promise<number> {
  const { segments, source } = amiSegments(hours * 3_600_000) ?? syntheticSegments(hours * 3_600_000);
  const durationH = (segments.at(-1)!.endMs - segments[0]!.startMs) / 3_600_000;
  const speakers = [...new Set(segments.map((s) => s.speaker))];
  const input: MinutesInput = {
    meeting: { id: `bench-${label}`, title: `Bench ${label}`, startedAt: new Date('2026-03-02T10:00:00Z') },
    attendees: speakers.map((name, i) => ({ id: `att-${i}`, displayName: name })),
    segments,
  };
  const provider = new ScriptedProvider({ respond: minutesResponder });
  const ledger = new MemoryLedger();
  const analyzer = new LlmAnalyzer({ orchestrator: new Orchestrator({ providers: [provider], ledger }), fallback: noFallback, contextBudgetTokens: BUDGET });
  const minutes = await analyzer.analyze(input);
  const transcriptTokens = estimateTokens(segments.map((s) => `${s.speaker}: ${s.text}`).join('\n'));
  const ratio = provider.inputTokens / transcriptTokens;
  const calls = ledger.entries.length;
  report.line(`${label}: ${source}, ${fmt(durationH)} h, ${segments.length} segments, transcript ${transcriptTokens} tokens`);
  report.line(`  ${calls} calls (${ledger.entries.filter((e) => e.task === 'minutes.map').length} map, ${ledger.entries.filter((e) => e.task === 'minutes.reduce').length} reduce), sent ${provider.inputTokens} tokens = ${fmt(provider.inputTokens / durationH)}/h (transcript ${fmt(transcriptTokens / durationH)}/h), received ${provider.outputTokens}`);
  report.line(`  ratio sent/transcript ${fmt(ratio)}; largest prompt ${Math.max(...provider.calls.map((c) => estimateTokens(c.system) + c.messages.reduce((n, m) => n + estimateTokens(m.content), 0)))} tokens (budget ${BUDGET}); ${minutes.actionItems.length} action items, ${minutes.decisions.length} decisions`);
  report.set(label, { source, hours: durationH, segments: segments.length, transcriptTokens, sentTokens: provider.inputTokens, outputTokens: provider.outputTokens, calls, ratio });
  return ratio;
}

const report = new Report();
report.line(`LLM token bench (scripted provider, estimator chars/4, context budget ${BUDGET} tokens)`);
const oneHour = await measure(report, '1h', 1);
const threeHours = await measure(report, '3h', 3);
report.goal({ name: 'llm_tokens_sent_ratio_1h', value: oneHour, op: '<=', target: 1.3 });
report.goal({ name: 'llm_tokens_sent_ratio', value: threeHours, op: '<=', target: 1.3, note: '3-hour meeting, all tasks' });
report.writeJson(new URL('../bench-results/llm.json', import.meta.url).pathname, { budgetTokens: BUDGET });
report.printGoals();
