import type { Knex } from 'knex';
import { randomToken, sha256 } from '../auth/secrets.ts';
import { MinutesError } from '../errors.ts';

/** Default lifetime of an ingest token: a long meeting day. */
export const DEFAULT_INGEST_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;
/** Longest lifetime a token may be given. */
export const MAX_INGEST_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const TOKEN_MAX_LENGTH = 128;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface IssueIngestTokenOptions {
  /** Lifetime; default 12 h, at most 7 days. */
  ttlMs?: number;
  /** Who asked for it (a user id, `teams`, a bot name); kept for audit. */
  createdBy?: string | null;
}

/** What the ingest socket needs of the tokens (tests may pass a fake). */
export interface IngestTokenVerifier {
  /** The meeting the token feeds; `AUTH_INVALID` when unknown, expired or revoked. */
  verify(token: string): Promise<string>;
}

/**
 * Per-meeting tokens of the media-ingest socket: opaque (32 random bytes,
 * base64url), only their sha256 stored, so a leaked table opens nothing.
 * A token feeds exactly one meeting until it expires or is revoked.
 */
export class IngestTokens implements IngestTokenVerifier {
  private readonly now: () => Date;

  constructor(private readonly db: Knex, options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /** A new token for the meeting; the token itself is returned once and never stored. */
  async issue(meetingId: string, options: IssueIngestTokenOptions = {}): Promise<string> {
    const ttlMs = options.ttlMs ?? DEFAULT_INGEST_TOKEN_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_INGEST_TOKEN_TTL_MS) {
      throw new MinutesError('REQUEST_INVALID', `ttlMs must be between 1 and ${MAX_INGEST_TOKEN_TTL_MS}`, { details: { ttlMs } });
    }
    if (!UUID.test(meetingId) || !(await this.db('meetings').where({ id: meetingId }).first('id'))) {
      throw new MinutesError('MEETING_NOT_FOUND', `No meeting with id ${meetingId}`, { details: { meetingId } });
    }
    const token = randomToken();
    await this.db('ingest_tokens').insert({
      token_hash: sha256(token),
      meeting_id: meetingId,
      created_by: options.createdBy?.slice(0, 200) ?? null,
      created_at: this.now(),
      expires_at: new Date(this.now().getTime() + ttlMs),
    });
    return token;
  }

  async verify(token: string): Promise<string> {
    if (typeof token !== 'string' || token.length === 0 || token.length > TOKEN_MAX_LENGTH) throw invalid('malformed');
    const row = await this.db('ingest_tokens').where({ token_hash: sha256(token) }).first('meeting_id', 'expires_at', 'revoked_at');
    if (!row) throw invalid('unknown');
    if (row.revoked_at) throw invalid('revoked');
    if (new Date(row.expires_at).getTime() <= this.now().getTime()) throw invalid('expired');
    return row.meeting_id as string;
  }

  /** Revokes one token; true when it existed and was live. Unknown tokens are ignored. */
  async revoke(token: string): Promise<boolean> {
    if (typeof token !== 'string' || token.length === 0 || token.length > TOKEN_MAX_LENGTH) return false;
    const n = await this.db('ingest_tokens').where({ token_hash: sha256(token) }).whereNull('revoked_at').update({ revoked_at: this.now() });
    return n > 0;
  }

  /** Revokes every token of a meeting (e.g. when it ends); returns how many were live. */
  async revokeMeeting(meetingId: string): Promise<number> {
    if (!UUID.test(meetingId)) return 0;
    return this.db('ingest_tokens').where({ meeting_id: meetingId }).whereNull('revoked_at').update({ revoked_at: this.now() });
  }
}

// One code for every refusal: a caller learns nothing about which tokens exist.
function invalid(reason: 'malformed' | 'unknown' | 'revoked' | 'expired'): MinutesError {
  return new MinutesError('AUTH_INVALID', 'The ingest token is not valid', { details: { reason } });
}
