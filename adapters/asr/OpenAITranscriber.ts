import OpenAI, { toFile } from 'openai';
import { MinutesError } from '../../core/errors.ts';
import { pcmDurationMs } from '../../core/asr/pcm.ts';
import { encodeWav } from '../../core/asr/wav.ts';
import type { TranscribeRequest, TranscribeResult, TranscribedSegment, TranscribedWord, Transcriber } from '../../core/asr/types.ts';
import { toAsrError } from './errors.ts';

/**
 * OpenAI's audio transcription API (`POST /v1/audio/transcriptions`, a
 * multipart upload of a WAV file) through the openai SDK. The same class
 * talks to any server that speaks that API (faster-whisper servers,
 * whisper.cpp server, LocalAI) when given a `baseURL`.
 *
 * Response formats: `whisper-1` and self-hosted Whisper servers return
 * `verbose_json` with segment and word times; the `gpt-4o-*-transcribe`
 * models return plain `json` (one segment for the request), and
 * `*-diarize` models `diarized_json`, whose speaker labels are kept.
 */
export interface OpenAITranscriberOptions {
  model?: string;
  apiKey?: string;
  /** e.g. `http://localhost:8000/v1`; unset → api.openai.com. */
  baseURL?: string;
  /** Label prefix: `openai` or `openai-compatible`. */
  label?: string;
  timeoutMs?: number;
  /** SDK retries on 429/5xx/timeouts (default 2). */
  maxRetries?: number;
  responseFormat?: 'verbose_json' | 'json' | 'diarized_json';
  client?: OpenAI;
}

type Format = NonNullable<OpenAITranscriberOptions['responseFormat']>;

export function defaultResponseFormat(model: string, selfHosted: boolean): Format {
  if (/diariz/i.test(model)) return 'diarized_json';
  if (!selfHosted && /^gpt-4o/i.test(model)) return 'json';
  return 'verbose_json';
}

interface VerboseBody {
  text?: string;
  language?: string;
  duration?: number;
  segments?: { start: number; end: number; text: string; avg_logprob?: number; speaker?: string }[];
  words?: { word: string; start: number; end: number; probability?: number }[];
}

export class OpenAITranscriber implements Transcriber {
  readonly name: string;
  readonly quality = 'high' as const;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly format: Format;

  constructor(opts: OpenAITranscriberOptions = {}) {
    this.model = opts.model ?? 'whisper-1';
    const label = opts.label ?? (opts.baseURL ? 'openai-compatible' : 'openai');
    this.name = `${label}:${this.model}`;
    this.format = opts.responseFormat ?? defaultResponseFormat(this.model, label !== 'openai');
    this.client = opts.client ?? new OpenAI({
      apiKey: opts.apiKey ?? (opts.baseURL ? 'not-needed' : undefined),
      ...(opts.baseURL ? { baseURL: opts.baseURL } : {}),
      timeout: opts.timeoutMs ?? 120_000,
      maxRetries: opts.maxRetries ?? 2,
    });
  }

  async transcribe(request: TranscribeRequest): Promise<TranscribeResult> {
    const file = await toFile(encodeWav(request.pcm, request.sampleRate), 'audio.wav', { type: 'audio/wav' });
    let body: unknown;
    try {
      body = await this.client.audio.transcriptions.create(
        {
          file,
          model: this.model,
          response_format: this.format,
          ...(this.format === 'verbose_json' ? { timestamp_granularities: ['segment', 'word'] as ('segment' | 'word')[] } : {}),
          ...(this.format === 'diarized_json' ? { chunking_strategy: 'auto' as const } : {}),
          ...(request.language ? { language: request.language } : {}),
          ...(request.prompt && this.format !== 'diarized_json' ? { prompt: request.prompt } : {}),
        } as OpenAI.Audio.TranscriptionCreateParamsNonStreaming,
        request.signal ? { signal: request.signal } : undefined,
      );
    } catch (err) {
      throw toAsrError(this.name, err, request.signal);
    }
    return this.parse(body, pcmDurationMs(request.pcm));
  }

  private parse(raw: unknown, durationMs: number): TranscribeResult {
    const body = (typeof raw === 'string' ? { text: raw } : raw) as VerboseBody | null;
    if (!body || typeof body !== 'object' || (typeof body.text !== 'string' && !Array.isArray(body.segments))) {
      throw new MinutesError('PROVIDER_BAD_OUTPUT', `${this.name}: the response has no text`, { details: { engine: this.name } });
    }
    const words = (body.words ?? []).map((w): TranscribedWord => ({
      word: w.word.trim(), startMs: toMs(w.start), endMs: toMs(w.end), ...(w.probability === undefined ? {} : { confidence: w.probability }),
    }));
    const segments = Array.isArray(body.segments) && body.segments.length
      ? body.segments.map((s) => segmentFrom(s, words))
      : body.text?.trim()
        ? [{ text: body.text.trim(), startMs: 0, endMs: durationMs, confidence: null, ...(words.length ? { words } : {}) }]
        : [];
    return { segments: segments.filter((s) => s.text), engine: this.name, ...(body.language ? { language: body.language } : {}) };
  }
}

function segmentFrom(s: NonNullable<VerboseBody['segments']>[number], words: TranscribedWord[]): TranscribedSegment {
  const startMs = toMs(s.start);
  const endMs = Math.max(startMs, toMs(s.end));
  const own = words.filter((w) => w.startMs >= startMs && w.startMs < endMs);
  return {
    text: s.text.trim(),
    startMs,
    endMs,
    confidence: typeof s.avg_logprob === 'number' ? Math.min(1, Math.max(0, Math.exp(s.avg_logprob))) : null,
    ...(s.speaker ? { speaker: s.speaker } : {}),
    ...(own.length ? { words: own } : {}),
  };
}

const toMs = (seconds: number) => Math.round(seconds * 1000);

/** Any server speaking OpenAI's transcription API, by base URL; the model name is what that server expects. */
export class OpenAICompatibleTranscriber extends OpenAITranscriber {
  constructor(opts: OpenAITranscriberOptions & { baseURL: string }) {
    super({ label: 'openai-compatible', ...opts });
  }
}
