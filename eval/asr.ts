import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTranscriberFromConfig, resolveAsrEngine } from '../adapters/asr/factory.ts';
import { availableDecoders } from '../adapters/asr/decoders.ts';
import { transcribeLong } from '../core/asr/chunk.ts';
import { decodeAudioFile } from '../core/asr/files.ts';
import { pcmDurationMs } from '../core/asr/pcm.ts';
import { alignWords, normalizeForWer, type WerResult } from '../core/asr/wer.ts';
import { ASR_ENGINE_NAMES, loadConfig, type AsrEngineName } from '../core/config.ts';
import { isMinutesError } from '../core/errors.ts';

/**
 * npm run eval:asr -- <dir> [--engine pocketsphinx[,openai,...]] [--out report.json]
 * Transcribes every <name>.wav in <dir> that has a <name>.txt reference and
 * prints the word error rate per clip and engine, then pooled totals
 * (Σ errors / Σ reference words). Default engines: every one configured here.
 */
const USAGE = 'usage: npm run eval:asr -- <dir> [--engine pocketsphinx,openai,openai-compatible] [--out report.json]';

interface ClipResult extends WerResult { clip: string; engine: string; audioMs: number; elapsedMs: number; hypothesis: string }

function enginesToRun(flag: string | undefined): Exclude<AsrEngineName, 'auto'>[] {
  const config = loadConfig();
  if (flag) {
    const names = flag.split(',').map((s) => s.trim()).filter(Boolean);
    for (const n of names) if (!ASR_ENGINE_NAMES.includes(n as AsrEngineName)) throw new Error(`unknown engine "${n}" (${ASR_ENGINE_NAMES.join(', ')})`);
    return [...new Set(names.map((n) => resolveAsrEngine(config, { engine: n as AsrEngineName })))];
  }
  const found: Exclude<AsrEngineName, 'auto'>[] = [];
  for (const engine of ['openai', 'openai-compatible', 'pocketsphinx'] as const) {
    try {
      createTranscriberFromConfig(config, { engine });
      found.push(engine);
    } catch (err) {
      if (!isMinutesError(err, 'ASR_UNAVAILABLE')) throw err;
    }
  }
  return found;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { engine: { type: 'string' }, out: { type: 'string' } } });
  const dir = positionals[0];
  if (!dir) {
    console.error(USAGE);
    process.exit(2);
  }
  const clips = readdirSync(resolve(dir)).filter((f) => f.endsWith('.wav')).map((f) => f.replace(/\.wav$/, '')).sort()
    .filter((name) => readdirSync(resolve(dir)).includes(`${name}.txt`));
  const engines = enginesToRun(values.engine);
  if (engines.length === 0) throw new Error('no ASR engine available: install pocketsphinx (scripts/setup-audio.sh) or set OPENAI_API_KEY / ASR_BASE_URL');
  const config = loadConfig();
  const decoders = availableDecoders();
  const results: ClipResult[] = [];
  console.log(`${'clip'.padEnd(32)} ${'engine'.padEnd(28)} ${'WER'.padStart(6)}  S/D/I of N        audio   time`);
  for (const engineName of engines) {
    const engine = createTranscriberFromConfig(config, { engine: engineName });
    for (const clip of clips) {
      const pcm = await decodeAudioFile(readFileSync(join(resolve(dir), `${clip}.wav`)), { filename: `${clip}.wav`, decoders });
      const reference = readFileSync(join(resolve(dir), `${clip}.txt`), 'utf8');
      const started = performance.now();
      const out = await transcribeLong(engine, pcm);
      const elapsedMs = performance.now() - started;
      const hypothesis = out.segments.map((s) => s.text).join(' ');
      const score = alignWords(normalizeForWer(reference), normalizeForWer(hypothesis));
      const r: ClipResult = { clip, engine: out.engine, audioMs: pcmDurationMs(pcm), elapsedMs: Math.round(elapsedMs), hypothesis, ...score };
      results.push(r);
      console.log(`${clip.padEnd(32)} ${r.engine.padEnd(28)} ${pct(r.wer).padStart(6)}  ${`${r.substitutions}/${r.deletions}/${r.insertions} of ${r.referenceWords}`.padEnd(16)} ${(r.audioMs / 1000).toFixed(1).padStart(6)} s ${(r.elapsedMs / 1000).toFixed(1).padStart(5)} s`);
    }
  }
  const totals = totalsByEngine(results);
  for (const t of totals) console.log(`TOTAL ${t.engine}: WER ${pct(t.wer)} (${t.errors} errors / ${t.referenceWords} reference words, ${t.clips} clips)`);
  const out = resolve(values.out ?? join('eval-results', `asr-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ dataset: basename(resolve(dir)), createdAt: new Date().toISOString(), results, totals }, null, 2)}\n`);
  console.log(`report: ${out}`);
}

function totalsByEngine(results: ClipResult[]) {
  const byEngine = new Map<string, ClipResult[]>();
  for (const r of results) byEngine.set(r.engine, [...(byEngine.get(r.engine) ?? []), r]);
  return [...byEngine].map(([engine, rs]) => {
    const errors = rs.reduce((a, r) => a + r.substitutions + r.deletions + r.insertions, 0);
    const referenceWords = rs.reduce((a, r) => a + r.referenceWords, 0);
    return { engine, clips: rs.length, errors, referenceWords, wer: referenceWords ? errors / referenceWords : 0 };
  });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

main().catch((err: unknown) => {
  console.error(isMinutesError(err) ? `error ${err.code}: ${err.message}` : err);
  process.exit(1);
});
