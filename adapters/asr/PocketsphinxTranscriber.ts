import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { MinutesError } from '../../core/errors.ts';
import { encodeWav } from '../../core/asr/wav.ts';
import type { TranscribeRequest, TranscribeResult, TranscribedSegment, TranscribedWord, Transcriber } from '../../core/asr/types.ts';

/**
 * The offline engine: CMU PocketSphinx 0.8 as Debian packages it
 * (`pocketsphinx` + `pocketsphinx-en-us`), run as `pocketsphinx_continuous
 * -infile <tmp.wav> -time yes` on each request. Works with no network and no
 * key, in US English only, and is markedly less accurate than Whisper-class
 * engines, so it says `quality: 'low'`.
 */
export const POCKETSPHINX_BINARY = 'pocketsphinx_continuous';
export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
export const POCKETSPHINX_INSTALL_HINT =
  'install it with `sudo apt-get install pocketsphinx pocketsphinx-en-us` (Debian/Ubuntu) or run `bash scripts/setup-audio.sh`';

export interface PocketsphinxAvailability {
  available: boolean;
  binary: string | null;
  message: string;
}

export function detectPocketsphinx(env: NodeJS.ProcessEnv = process.env): PocketsphinxAvailability {
  const binary = findOnPath(POCKETSPHINX_BINARY, env.PATH ?? '');
  if (!binary) return { available: false, binary: null, message: `pocketsphinx is not installed (no ${POCKETSPHINX_BINARY} on PATH): ${POCKETSPHINX_INSTALL_HINT}` };
  if (!existsSync(join(POCKETSPHINX_MODEL_DIR, 'en-us'))) {
    return { available: false, binary, message: `pocketsphinx has no US English model (${POCKETSPHINX_MODEL_DIR}): ${POCKETSPHINX_INSTALL_HINT}` };
  }
  return { available: true, binary, message: `pocketsphinx at ${binary} (offline, lower accuracy)` };
}

function findOnPath(name: string, path: string): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

const NON_WORDS = /^(<s>|<\/s>|<sil>|\[[^\]]*\]|\+\+.*\+\+|\+.*\+)$/;

/** Parses `-time yes` output: a hypothesis line, then `word start end confidence` per token, `<s>`…`</s>` per utterance. */
export function parsePocketsphinxOutput(stdout: string): TranscribedSegment[] {
  const segments: TranscribedSegment[] = [];
  let words: TranscribedWord[] = [];
  const flush = () => {
    if (words.length) {
      const confidence = words.reduce((a, w) => a + (w.confidence ?? 0), 0) / words.length;
      segments.push({ text: words.map((w) => w.word).join(' '), startMs: words[0]!.startMs, endMs: words.at(-1)!.endMs, confidence, words });
    }
    words = [];
  };
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(line.trim());
    if (!m) continue;
    const [, token = '', start = '0', end = '0', conf = '0'] = m;
    if (token === '<s>') flush();
    if (NON_WORDS.test(token)) {
      if (token === '</s>') flush();
      continue;
    }
    const confidence = Math.min(1, Math.max(0, Number(conf)));
    words.push({ word: token.replace(/\(\d+\)$/, ''), startMs: Math.round(Number(start) * 1000), endMs: Math.round(Number(end) * 1000), confidence });
  }
  flush();
  return segments;
}

export interface PocketsphinxOptions {
  binary?: string;
  /** Extra CLI arguments, e.g. `['-hmm', dir, '-lm', file, '-dict', file]`. */
  args?: string[];
}

export class PocketsphinxTranscriber implements Transcriber {
  readonly name = 'pocketsphinx';
  readonly quality = 'low' as const;
  private readonly binary: string;
  private readonly args: string[];

  constructor(opts: PocketsphinxOptions = {}) {
    this.binary = opts.binary ?? POCKETSPHINX_BINARY;
    this.args = opts.args ?? [];
  }

  async transcribe(request: TranscribeRequest): Promise<TranscribeResult> {
    const dir = await mkdtemp(join(tmpdir(), 'minutes-sphinx-'));
    try {
      const wav = join(dir, 'audio.wav');
      await writeFile(wav, encodeWav(request.pcm, request.sampleRate));
      const stdout = await this.run(['-infile', wav, '-time', 'yes', '-logfn', '/dev/null', ...this.args], request.signal);
      return { segments: parsePocketsphinxOutput(stdout), engine: this.name, language: 'en' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private run(args: string[], signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (cause: NodeJS.ErrnoException) => {
        reject(cause.code === 'ENOENT'
          ? new MinutesError('ASR_UNAVAILABLE', `pocketsphinx is not installed: ${POCKETSPHINX_INSTALL_HINT}`, { cause, details: { engine: this.name } })
          : new MinutesError('PROVIDER_UNAVAILABLE', `pocketsphinx failed to start: ${cause.message}`, { cause, details: { engine: this.name } }));
      });
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else reject(new MinutesError('PROVIDER_UNAVAILABLE', `pocketsphinx exited with code ${code}: ${Buffer.concat(err).toString('utf8').trim().slice(-300)}`, {
          details: { engine: this.name, exitCode: code },
        }));
      });
    });
  }
}
