/**
 * Speech-to-text engines. The audio pipeline hands an engine one utterance
 * (16 kHz mono 16-bit PCM) at a time; file transcription may hand it a whole
 * recording. Engines that need a vendor SDK live in adapters/asr/ and are
 * wired by bot/; core/ only knows this interface.
 */
export interface TranscribeRequest {
  /** 16 kHz, mono, signed 16-bit little-endian PCM. */
  pcm: Int16Array;
  sampleRate: 16000;
  /** BCP-47 hint, e.g. `en`. */
  language?: string;
  /** Words likely to appear (names, jargon), when the engine supports a prompt. */
  prompt?: string;
  signal?: AbortSignal;
}

export interface TranscribedWord {
  word: string;
  startMs: number;
  endMs: number;
  confidence?: number;
}

export interface TranscribedSegment {
  text: string;
  /** Relative to the start of the request's audio. */
  startMs: number;
  endMs: number;
  confidence: number | null;
  /** Kept when an engine diarizes mixed audio. */
  speaker?: string;
  words?: TranscribedWord[];
}

export interface TranscribeResult {
  segments: TranscribedSegment[];
  language?: string;
  /** Engine and model that produced the words, e.g. `openai:whisper-1`, `pocketsphinx`. */
  engine: string;
}

export interface Transcriber {
  /** Shown to users: which engine produced the words. */
  readonly name: string;
  /** Lower-accuracy engines (offline) say so, so the CLI and minutes can label them. */
  readonly quality: 'high' | 'low';
  transcribe(request: TranscribeRequest): Promise<TranscribeResult>;
}
