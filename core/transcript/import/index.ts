import { ErrorCodes, MinutesError } from '../../errors.ts';
import { TRANSCRIPT_FORMATS, type ParsedTranscript, type TranscriptFormat } from '../../types.ts';
import { DEFAULT_MAX_BYTES, checkSize, decodeUtf8 } from './decode.ts';
import { parseJsonTranscript } from './json.ts';
import { parseSrt } from './srt.ts';
import { parsePlainText } from './text.ts';
import { parseVtt } from './vtt.ts';

export { DEFAULT_MAX_BYTES } from './decode.ts';

export interface ParseTranscriptOptions {
  filename?: string;
  /** Overrides detection; callers may pass user input here, so it is checked at run time. */
  format?: TranscriptFormat;
  maxBytes?: number;
}

const PARSERS: Record<TranscriptFormat, (text: string) => ParsedTranscript> = {
  vtt: parseVtt,
  srt: parseSrt,
  json: parseJsonTranscript,
  text: parsePlainText,
};

const ALIASES: Record<string, TranscriptFormat> = {
  vtt: 'vtt',
  webvtt: 'vtt',
  srt: 'srt',
  json: 'json',
  text: 'text',
  txt: 'text',
};

/**
 * Parses a transcript file into segments. Throws a MinutesError (IMPORT_TOO_LARGE,
 * IMPORT_ENCODING, IMPORT_EMPTY, IMPORT_MALFORMED, IMPORT_UNSUPPORTED_FORMAT) rather
 * than ever returning a partial result.
 */
export function parseTranscript(input: Buffer | string, opts: ParseTranscriptOptions = {}): ParsedTranscript {
  const explicit = opts.format === undefined ? undefined : resolveFormat(opts.format);
  checkSize(input, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  const text = decodeUtf8(input);
  const format = explicit ?? formatFromFilename(opts.filename) ?? sniffFormat(text);
  if (text.trim() === '') {
    throw new MinutesError(ErrorCodes.IMPORT_EMPTY, 'The transcript file is empty.', { details: { format } });
  }
  return PARSERS[format](text);
}

function resolveFormat(format: string): TranscriptFormat {
  const resolved = ALIASES[String(format).trim().toLowerCase()];
  if (resolved) return resolved;
  throw new MinutesError(
    ErrorCodes.IMPORT_UNSUPPORTED_FORMAT,
    `Unsupported transcript format "${format}"; supported formats: ${TRANSCRIPT_FORMATS.join(', ')}.`,
    { details: { format, supported: [...TRANSCRIPT_FORMATS] } },
  );
}

const EXTENSIONS: Record<string, TranscriptFormat> = { vtt: 'vtt', srt: 'srt', json: 'json', txt: 'text' };

export function formatFromFilename(filename: string | undefined): TranscriptFormat | undefined {
  const ext = /\.([^./\\]+)$/.exec(filename ?? '')?.[1]?.toLowerCase();
  return ext === undefined ? undefined : EXTENSIONS[ext];
}

/** Guesses the format from the first non-blank lines; plain text is the fallback. */
export function sniffFormat(text: string): TranscriptFormat {
  const head = text.replace(/^\ufeff/, '').trimStart();
  if (/^WEBVTT(?:[ \t\r\n]|$)/.test(head)) return 'vtt';
  // "[00:01:02] Alice: hi" is text; a JSON array of segments opens with "[{" or "[]".
  if (head.startsWith('{') || /^\[\s*[{\]]/.test(head)) return 'json';
  const [first = '', second = ''] = head.split(/\r\n|\r|\n/, 2);
  const srtTiming = /^\s*\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->/;
  if (/^\d+\s*$/.test(first) && srtTiming.test(second)) return 'srt';
  if (srtTiming.test(first)) return 'srt';
  return 'text';
}
