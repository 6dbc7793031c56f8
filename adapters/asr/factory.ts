import type { AsrEngineName, Config } from '../../core/config.ts';
import { MinutesError } from '../../core/errors.ts';
import type { Transcriber } from '../../core/asr/types.ts';
import { OpenAICompatibleTranscriber, OpenAITranscriber } from './OpenAITranscriber.ts';
import { detectPocketsphinx, PocketsphinxTranscriber, type PocketsphinxAvailability } from './PocketsphinxTranscriber.ts';

/**
 * Picks the speech-to-text engine from the config. `ASR_ENGINE=auto` (the
 * default) takes OpenAI when OPENAI_API_KEY (or ASR_API_KEY without a base
 * URL) is set, else the OpenAI-compatible server at ASR_BASE_URL, else
 * pocketsphinx when it is installed; with none of them it is ASR_UNAVAILABLE
 * with a message naming every way to get one.
 */
export type AsrConfig = Pick<Config, 'ASR_ENGINE' | 'ASR_MODEL' | 'ASR_BASE_URL' | 'ASR_API_KEY' | 'OPENAI_API_KEY'>;

export interface TranscriberFactoryOptions {
  /** Overrides ASR_ENGINE (the CLI's --engine). */
  engine?: AsrEngineName;
  /** For tests: pretend pocketsphinx is or is not installed. */
  detect?: () => PocketsphinxAvailability;
  timeoutMs?: number;
  maxRetries?: number;
}

export function resolveAsrEngine(config: AsrConfig, opts: TranscriberFactoryOptions = {}): Exclude<AsrEngineName, 'auto'> {
  const wanted = opts.engine ?? config.ASR_ENGINE;
  if (wanted !== 'auto') return wanted;
  if (config.OPENAI_API_KEY || (config.ASR_API_KEY && !config.ASR_BASE_URL)) return 'openai';
  if (config.ASR_BASE_URL) return 'openai-compatible';
  const sphinx = (opts.detect ?? detectPocketsphinx)();
  if (sphinx.available) return 'pocketsphinx';
  throw new MinutesError(
    'ASR_UNAVAILABLE',
    `No speech-to-text engine is configured: set OPENAI_API_KEY (OpenAI), or ASR_BASE_URL (an OpenAI-compatible server such as faster-whisper or whisper.cpp), or ${sphinx.message}`,
    { details: { engine: 'auto' } },
  );
}

export function createTranscriberFromConfig(config: AsrConfig, opts: TranscriberFactoryOptions = {}): Transcriber {
  const engine = resolveAsrEngine(config, opts);
  const common = { ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.maxRetries === undefined ? {} : { maxRetries: opts.maxRetries }) };
  switch (engine) {
    case 'openai': {
      const apiKey = config.ASR_API_KEY ?? config.OPENAI_API_KEY;
      if (!apiKey) throw new MinutesError('ASR_UNAVAILABLE', 'ASR_ENGINE=openai needs OPENAI_API_KEY (or ASR_API_KEY)', { details: { engine } });
      return new OpenAITranscriber({ apiKey, model: config.ASR_MODEL ?? 'whisper-1', ...common });
    }
    case 'openai-compatible': {
      if (!config.ASR_BASE_URL) {
        throw new MinutesError('ASR_UNAVAILABLE', 'ASR_ENGINE=openai-compatible needs ASR_BASE_URL, e.g. http://localhost:8000/v1', { details: { engine } });
      }
      return new OpenAICompatibleTranscriber({
        baseURL: config.ASR_BASE_URL, model: config.ASR_MODEL ?? 'whisper-1', ...(config.ASR_API_KEY ? { apiKey: config.ASR_API_KEY } : {}), ...common,
      });
    }
    case 'pocketsphinx': {
      const sphinx = (opts.detect ?? detectPocketsphinx)();
      if (!sphinx.available) throw new MinutesError('ASR_UNAVAILABLE', `ASR_ENGINE=pocketsphinx: ${sphinx.message}`, { details: { engine } });
      return new PocketsphinxTranscriber({ binary: sphinx.binary ?? undefined });
    }
  }
}
