import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { createTranscriberFromConfig } from '../../adapters/asr/factory.ts';
import { availableDecoders } from '../../adapters/asr/decoders.ts';
import { transcribeLong } from '../../core/asr/chunk.ts';
import { decodeAudioFile } from '../../core/asr/files.ts';
import { pcmDurationMs } from '../../core/asr/pcm.ts';
import type { TranscribeResult, Transcriber } from '../../core/asr/types.ts';
import { ASR_ENGINE_NAMES, type AsrEngineName } from '../../core/config.ts';
import { MinutesError } from '../../core/errors.ts';
import { clock } from '../../core/format.ts';
import type { SegmentInput } from '../../core/types.ts';
import { renderImportSummary } from './render.ts';
import { withContainer } from './run.ts';

/** `minutes transcribe <file>`: a recording → speech-to-text → a completed meeting → its minutes. */
export function registerTranscribeCommand(program: Command): void {
  program
    .command('transcribe <file>')
    .description('transcribe a recording (WAV, Ogg/Opus, WebM/Opus; more with ffmpeg) into a meeting with minutes')
    .option('--title <title>', 'meeting title (default: the file name)')
    .addOption(new Option('--engine <engine>', 'speech-to-text engine (default: ASR_ENGINE)').choices(ASR_ENGINE_NAMES))
    .option('--language <code>', 'spoken language hint, e.g. en')
    .action((file: string, opts: { title?: string; engine?: AsrEngineName; language?: string }) =>
      withContainer(async (c) => {
        const engine = createTranscriberFromConfig(c.config, opts.engine ? { engine: opts.engine } : {});
        const size = (await stat(file).catch((cause: Error) => {
          throw new MinutesError('AUDIO_MALFORMED', `Cannot read ${file}: ${cause.message}`, { cause });
        })).size;
        // The recording is decoded in memory: refuse what would not fit before reading it.
        if (size > c.config.AUDIO_MAX_BYTES) {
          throw new MinutesError('IMPORT_TOO_LARGE', `${file} is ${size} bytes; the limit is ${c.config.AUDIO_MAX_BYTES} (AUDIO_MAX_BYTES)`, {
            details: { bytes: size, maxBytes: c.config.AUDIO_MAX_BYTES },
          });
        }
        const bytes = await readFile(file);
        const pcm = await decodeAudioFile(bytes, { filename: basename(file), decoders: availableDecoders() });
        process.stderr.write(`transcribing ${clock(pcmDurationMs(pcm))} of audio with ${engineLabel(engine)}\n`);
        const result = await withProgress(pcmDurationMs(pcm), (onProgress) => transcribeLong(engine, pcm, { onProgress, ...(opts.language ? { language: opts.language } : {}) }));
        const segments = toSegments(result);
        if (segments.length === 0) throw new MinutesError('IMPORT_EMPTY', `${engine.name} heard no speech in ${file}`, { details: { engine: engine.name } });
        const imported = await c.meetings.importTranscript({
          organizationId: c.defaultOrganization.id,
          transcript: { format: 'text', segments, ...(result.language ? { language: result.language } : {}) },
          title: opts.title ?? basename(file).replace(/\.[^.]+$/, ''),
        });
        const speakers = new Set(segments.map((s) => s.speaker)).size;
        process.stdout.write(`transcribed by ${engineLabel(engine, result)}: ${imported.segmentCount} segment(s) from ${speakers} speaker(s) as meeting ${imported.meeting.id}\n`);
        process.stdout.write(`  title: ${imported.meeting.title}\n  view:  ${c.config.publicUrl}/meetings/${imported.meeting.id}\n`);
        // The import event started the minutes; wait for them before the database closes.
        process.stdout.write(`${renderImportSummary(imported.meeting.id, await c.autoMinutes.settled(imported.meeting.id))}\n`);
      }),
    );
}

export function engineLabel(engine: Transcriber, result?: TranscribeResult): string {
  const name = result?.engine ?? engine.name;
  return engine.quality === 'low' ? `${name} (offline, lower accuracy)` : name;
}

/** Engine segments → transcript segments; "Speaker 1" unless the engine diarized. */
export function toSegments(result: TranscribeResult): SegmentInput[] {
  return result.segments
    .filter((s) => s.text.trim())
    .map((s) => ({
      speaker: s.speaker ? `Speaker ${s.speaker}` : 'Speaker 1',
      startMs: s.startMs,
      endMs: Math.max(s.endMs, s.startMs),
      text: s.text.trim(),
      confidence: s.confidence,
      source: `asr:${result.engine}`.slice(0, 100),
    }));
}

async function withProgress<T>(totalMs: number, work: (onProgress: (doneMs: number) => void) => Promise<T>): Promise<T> {
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'transcribing [{bar}] {percentage}% {value}/{total} s', clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  const total = Math.max(1, Math.round(totalMs / 1000));
  bar?.start(total, 0);
  try {
    return await work((doneMs) => bar?.update(Math.min(total, Math.round(doneMs / 1000))));
  } finally {
    bar?.stop();
  }
}
