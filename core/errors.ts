/**
 * Every failure the core reports carries a stable code so adapters can turn it
 * into a friendly platform message and the API into an HTTP status, without
 * parsing message text.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  MEETING_NOT_FOUND: 'MEETING_NOT_FOUND',
  MEETING_ILLEGAL_TRANSITION: 'MEETING_ILLEGAL_TRANSITION',
  MEETING_NOT_ACCEPTING_SEGMENTS: 'MEETING_NOT_ACCEPTING_SEGMENTS',
  ORGANIZATION_NOT_FOUND: 'ORGANIZATION_NOT_FOUND',
  SEGMENT_INVALID: 'SEGMENT_INVALID',
  IMPORT_MALFORMED: 'IMPORT_MALFORMED',
  IMPORT_EMPTY: 'IMPORT_EMPTY',
  IMPORT_TOO_LARGE: 'IMPORT_TOO_LARGE',
  IMPORT_ENCODING: 'IMPORT_ENCODING',
  IMPORT_UNSUPPORTED_FORMAT: 'IMPORT_UNSUPPORTED_FORMAT',
  EXPORT_UNSUPPORTED_FORMAT: 'EXPORT_UNSUPPORTED_FORMAT',
  SEARCH_INVALID: 'SEARCH_INVALID',
  REQUEST_INVALID: 'REQUEST_INVALID',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  PROVIDER_RATE_LIMITED: 'PROVIDER_RATE_LIMITED',
  PROVIDER_TIMEOUT: 'PROVIDER_TIMEOUT',
  PROVIDER_BAD_OUTPUT: 'PROVIDER_BAD_OUTPUT',
  NEEDS_LLM_PROVIDER: 'NEEDS_LLM_PROVIDER',
  ASR_UNAVAILABLE: 'ASR_UNAVAILABLE',
  AUDIO_UNSUPPORTED_FORMAT: 'AUDIO_UNSUPPORTED_FORMAT',
  AUDIO_MALFORMED: 'AUDIO_MALFORMED',
  ACTION_ITEM_NOT_FOUND: 'ACTION_ITEM_NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  PLATFORM_PERMISSION_MISSING: 'PLATFORM_PERMISSION_MISSING',
  PLATFORM_UNAVAILABLE: 'PLATFORM_UNAVAILABLE',
  AUTH_REQUIRED: 'AUTH_REQUIRED',
  AUTH_INVALID: 'AUTH_INVALID',
  AUTH_EXPIRED: 'AUTH_EXPIRED',
  AUTH_REVOKED: 'AUTH_REVOKED',
  CSRF_MISSING: 'CSRF_MISSING',
  NOT_FOUND: 'NOT_FOUND',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** HTTP status an API should answer with for each code. */
export const httpStatusFor: Record<ErrorCode, number> = {
  CONFIG_INVALID: 500,
  MEETING_NOT_FOUND: 404,
  MEETING_ILLEGAL_TRANSITION: 409,
  MEETING_NOT_ACCEPTING_SEGMENTS: 409,
  ORGANIZATION_NOT_FOUND: 404,
  SEGMENT_INVALID: 400,
  IMPORT_MALFORMED: 422,
  IMPORT_EMPTY: 422,
  IMPORT_TOO_LARGE: 413,
  IMPORT_ENCODING: 422,
  IMPORT_UNSUPPORTED_FORMAT: 415,
  EXPORT_UNSUPPORTED_FORMAT: 400,
  SEARCH_INVALID: 400,
  REQUEST_INVALID: 400,
  STORE_UNAVAILABLE: 503,
  PROVIDER_UNAVAILABLE: 503,
  PROVIDER_RATE_LIMITED: 429,
  PROVIDER_TIMEOUT: 504,
  PROVIDER_BAD_OUTPUT: 502,
  NEEDS_LLM_PROVIDER: 503,
  ASR_UNAVAILABLE: 503,
  AUDIO_UNSUPPORTED_FORMAT: 415,
  AUDIO_MALFORMED: 422,
  ACTION_ITEM_NOT_FOUND: 404,
  FORBIDDEN: 403,
  PLATFORM_PERMISSION_MISSING: 403,
  PLATFORM_UNAVAILABLE: 503,
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  AUTH_EXPIRED: 401,
  AUTH_REVOKED: 401,
  CSRF_MISSING: 403,
  NOT_FOUND: 404,
};

export interface MinutesErrorOptions {
  cause?: unknown;
  /** Machine-readable context, e.g. `{ line: 12 }` for a malformed import. */
  details?: Record<string, unknown>;
}

export class MinutesError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: MinutesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MinutesError';
    this.code = code;
    this.details = options.details ?? {};
  }

  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isMinutesError(err: unknown, code?: ErrorCode): err is MinutesError {
  return err instanceof MinutesError && (code === undefined || err.code === code);
}
