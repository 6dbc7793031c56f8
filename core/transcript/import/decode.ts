import { ErrorCodes, MinutesError } from '../../errors.ts';

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export function checkSize(input: Buffer | string, maxBytes: number): void {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (bytes > maxBytes) {
    throw new MinutesError(
      ErrorCodes.IMPORT_TOO_LARGE,
      `The transcript is ${bytes} bytes; the limit is ${maxBytes} bytes.`,
      { details: { bytes, maxBytes } },
    );
  }
}

/** Decodes strict UTF-8 (a leading BOM is dropped); any invalid byte is an error naming its line. */
export function decodeUtf8(input: Buffer | string): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch (cause) {
    const line = firstBadLine(input);
    const hint = looksLikeUtf16(input) ? ' (it looks like UTF-16; save it as UTF-8)' : '';
    throw new MinutesError(
      ErrorCodes.IMPORT_ENCODING,
      `The transcript is not valid UTF-8${hint}: invalid byte sequence at line ${line}.`,
      { cause, details: { line } },
    );
  }
}

/**
 * Decoding line by line finds the culprit exactly: LF (0x0A) never occurs inside
 * a multi-byte UTF-8 sequence, so no valid character straddles two lines.
 */
function firstBadLine(buf: Buffer): number {
  let start = 0;
  for (let line = 1; ; line++) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl === -1 ? buf.length : nl;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(start, end));
    } catch {
      return line;
    }
    if (nl === -1) return line;
    start = nl + 1;
  }
}

function looksLikeUtf16(buf: Buffer): boolean {
  return buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff));
}
