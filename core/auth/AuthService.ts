import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { MinutesError } from '../errors.ts';
import { OrganizationStore } from '../store/OrganizationStore.ts';
import type { Platform, User } from '../types.ts';
import { AuthStore } from './AuthStore.ts';
import { hmac, randomToken, sha256 } from './secrets.ts';
import type { AccessClaims, Clock, PasswordHasher, SessionTokens, TokenSigner } from './types.ts';

const MINUTE = 60_000;
export const PASSWORD_MIN_LENGTH = 10;
// Argon2 cost grows with input; a cap stops a megabyte "password" from being a cheap DoS.
const PASSWORD_MAX_LENGTH = 1024;
const TOKEN_MAX_LENGTH = 256;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuthServiceOptions {
  db: Knex;
  signer: TokenSigner;
  hasher: PasswordHasher;
  /** Keys the CSRF tokens derived from session ids; use the same secret as the signer. */
  secret: string;
  now?: Clock;
  accessTtlMs?: number;
  linkTtlMs?: number;
  /** Absolute session lifetime: refreshing rotates the token but does not extend it. */
  sessionTtlMs?: number;
}

export interface NewAdmin {
  organizationId: string;
  email: string;
  password: string;
  displayName: string;
}

export interface SignInLinkRequest {
  organizationId: string;
  platform: Platform;
  externalUserId: string;
  externalTeamId?: string;
  displayName: string;
}

export interface SignInLink {
  /** Goes into the URL once; only its SHA-256 is stored. */
  token: string;
  /** Relative to the dashboard's public URL. */
  path: string;
  expiresAt: Date;
  user: User;
}

/**
 * Sign-in and sessions for the dashboard: admin passwords, one-time links the
 * bots hand out, short JWT access tokens and rotated refresh tokens. A
 * refresh token that is presented again after rotation means two parties hold
 * it (one of them a thief), so the whole session is revoked.
 */
export class AuthService {
  private readonly db: Knex;
  private readonly store: AuthStore;
  private readonly signer: TokenSigner;
  private readonly hasher: PasswordHasher;
  private readonly secret: string;
  private readonly now: Clock;
  private readonly accessTtlMs: number;
  private readonly linkTtlMs: number;
  private readonly sessionTtlMs: number;
  private dummyHash: Promise<string> | null = null;
  /** Tokens already verified, until their expiry: every API call verifies one, and the signature check dominates a cached read. */
  private readonly verified = new LRUCache<string, { claims: AccessClaims; expiresAtMs: number }>({ max: 10_000 });

  constructor(options: AuthServiceOptions) {
    this.db = options.db;
    this.store = new AuthStore(options.db);
    this.signer = options.signer;
    this.hasher = options.hasher;
    this.secret = options.secret;
    this.now = options.now ?? (() => new Date());
    this.accessTtlMs = options.accessTtlMs ?? 15 * MINUTE;
    this.linkTtlMs = options.linkTtlMs ?? 15 * MINUTE;
    this.sessionTtlMs = options.sessionTtlMs ?? 30 * 24 * 60 * MINUTE;
  }

  /** Creates an admin who signs in with email and password. */
  async createAdmin(input: NewAdmin): Promise<User> {
    const email = normalizeEmail(input.email);
    const passwordHash = await this.hasher.hash(checkPassword(input.password));
    return this.db.transaction(async (trx) => {
      // Login is by email alone, so an email may belong to one user anywhere, not one per organization.
      if ((await new AuthStore(trx).usersByEmail(email)).length > 0) {
        throw new MinutesError('REQUEST_INVALID', 'A user with this email already exists', { details: { field: 'email' } });
      }
      const orgs = new OrganizationStore(trx);
      await orgs.get(input.organizationId);
      const user = await orgs.createUser({ organizationId: input.organizationId, displayName: input.displayName, email, role: 'admin' });
      await new AuthStore(trx).setPassword(user.id, passwordHash, this.now());
      return user;
    });
  }

  async setPassword(userId: string, password: string): Promise<void> {
    await this.store.setPassword(userId, await this.hasher.hash(checkPassword(password)), this.now());
  }

  /**
   * The same error, after the same hashing work, for an unknown email and a
   * wrong password: the response must not reveal which accounts exist.
   */
  async signInWithPassword(email: string, password: string): Promise<User> {
    const invalid = () => new MinutesError('AUTH_INVALID', 'Wrong email or password');
    if (typeof email !== 'string' || typeof password !== 'string' || password.length > PASSWORD_MAX_LENGTH) throw invalid();
    const candidates = await this.store.credentialsByEmail(email.trim());
    if (candidates.length === 0) {
      await this.hasher.verify(await this.dummy(), password);
      throw invalid();
    }
    for (const { user, passwordHash } of candidates) {
      if (await this.hasher.verify(passwordHash, password)) return user;
    }
    throw invalid();
  }

  /** Finds or creates the user behind a platform account and mints a one-time link for them. */
  async issueSignInLink(input: SignInLinkRequest): Promise<SignInLink> {
    const user = await this.userForIdentity(input);
    const token = randomToken();
    const expiresAt = new Date(this.now().getTime() + this.linkTtlMs);
    await this.store.insertLink(sha256(token), user.id, expiresAt);
    return { token, path: signInLinkPath(token), expiresAt, user };
  }

  /** Single use: the UPDATE that marks the link used is what decides who wins. */
  async redeemSignInLink(token: string): Promise<User> {
    if (!isTokenShaped(token)) throw new MinutesError('AUTH_INVALID', 'This sign-in link is not valid');
    const hash = sha256(token);
    const now = this.now();
    const userId = await this.store.consumeLink(hash, now);
    if (!userId) {
      const state = await this.store.linkState(hash);
      if (state && !state.usedAt && state.expiresAt <= now) {
        throw new MinutesError('AUTH_EXPIRED', 'This sign-in link has expired; ask the bot for a new one');
      }
      throw new MinutesError('AUTH_INVALID', 'This sign-in link is not valid or has already been used');
    }
    return this.requireUser(userId);
  }

  async startSession(user: User, options: { userAgent?: string | null } = {}): Promise<SessionTokens> {
    const now = this.now();
    const family = randomUUID();
    const refreshToken = randomToken();
    const expiresAt = new Date(now.getTime() + this.sessionTtlMs);
    // The first token's id is the family id, which is the session id in access tokens.
    await this.store.insertSession({ id: family, userId: user.id, family, refreshHash: sha256(refreshToken), now, expiresAt, userAgent: clip(options.userAgent) });
    return this.tokensFor(user, family, refreshToken, expiresAt);
  }

  /** Rotates a refresh token. Presenting an already-rotated one revokes its whole session. */
  async refresh(refreshToken: string, options: { userAgent?: string | null } = {}): Promise<SessionTokens> {
    if (!isTokenShaped(refreshToken)) throw new MinutesError('AUTH_INVALID', 'The refresh token is not valid');
    const hash = sha256(refreshToken);
    const now = this.now();
    const nextId = randomUUID();
    const nextToken = randomToken();
    const rotated = await this.db.transaction(async (trx) => {
      const store = new AuthStore(trx);
      const old = await store.claimForRotation(hash, nextId, now);
      if (!old) return null;
      await store.insertSession({ id: nextId, userId: old.userId, family: old.family, refreshHash: sha256(nextToken), now, expiresAt: old.expiresAt, userAgent: clip(options.userAgent) });
      return old;
    });
    if (!rotated) return this.refreshRefused(hash, now);
    return this.tokensFor(await this.requireUser(rotated.userId), rotated.family, nextToken, rotated.expiresAt);
  }

  /** Ends a session (every refresh token of its family); idempotent. */
  async revoke(sessionId: string): Promise<void> {
    if (!UUID.test(sessionId)) return;
    await this.store.revokeFamily(sessionId, this.now());
  }

  /** Logout when only the refresh cookie is at hand. Unknown tokens are ignored. */
  async revokeRefreshToken(refreshToken: string): Promise<void> {
    if (!isTokenShaped(refreshToken)) return;
    const row = await this.store.sessionByRefreshHash(sha256(refreshToken));
    if (row) await this.store.revokeFamily(row.family, this.now());
  }

  /** Signs a user out everywhere, e.g. after a password change or removal. */
  async revokeAllForUser(userId: string): Promise<void> {
    await this.store.revokeUser(userId, this.now());
  }

  /**
   * Checks signature and expiry only. Revocation is enforced at refresh, so a
   * revoked session keeps working for at most one access-token lifetime.
   */
  verifyAccessToken(token: string): Promise<AccessClaims> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      return Promise.reject(new MinutesError('AUTH_INVALID', 'The access token is not valid'));
    }
    const known = this.verified.get(token);
    if (known && known.expiresAtMs > this.now().getTime()) return Promise.resolve(known.claims);
    return this.signer.verify(token).then((claims) => {
      const expiresAtMs = expiryOf(token);
      if (expiresAtMs !== null) this.verified.set(token, { claims, expiresAtMs });
      return claims;
    });
  }

  /** The CSRF token for a session: derived, so nothing extra is stored and it survives refreshes. */
  csrfTokenFor(sessionId: string): string {
    return hmac(this.secret, `csrf:${sessionId}`);
  }

  private async tokensFor(user: User, sessionId: string, refreshToken: string, expiresAt: Date): Promise<SessionTokens> {
    const accessExpiresAt = new Date(Math.min(this.now().getTime() + this.accessTtlMs, expiresAt.getTime()));
    const claims = { userId: user.id, organizationId: user.organizationId, role: user.role, sessionId };
    const accessToken = await this.signer.sign(claims, accessExpiresAt);
    return { ...claims, accessToken, accessExpiresAt, refreshToken, expiresAt };
  }

  /** Why a refresh token could not be rotated; a rotated one is theft, so its family is revoked first. */
  private async refreshRefused(hash: string, now: Date): Promise<never> {
    const row = await this.store.sessionByRefreshHash(hash);
    if (!row) throw new MinutesError('AUTH_INVALID', 'The refresh token is not valid');
    if (row.replacedBy && !row.revokedAt) {
      await this.store.revokeFamily(row.family, now);
      throw new MinutesError('AUTH_REVOKED', 'This session was ended because its refresh token was used twice', { details: { reason: 'reuse' } });
    }
    if (row.revokedAt) throw new MinutesError('AUTH_REVOKED', 'This session has been signed out');
    throw new MinutesError('AUTH_EXPIRED', 'This session has expired; sign in again');
  }

  private async userForIdentity(input: SignInLinkRequest): Promise<User> {
    const teamId = input.externalTeamId ?? '';
    return this.db.transaction(async (trx) => {
      // Serialises first sign-ins of one platform account, so two racing `/minutes link` calls create one user.
      await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`auth-identity:${input.platform}:${teamId}:${input.externalUserId}`]);
      const orgs = new OrganizationStore(trx);
      const existing = await orgs.findUserByIdentity(input.platform, input.externalUserId, teamId);
      if (existing) {
        // A workspace belongs to one organization; a mismatch means the caller resolved the wrong one.
        if (existing.organizationId !== input.organizationId) throw new MinutesError('FORBIDDEN', 'This account belongs to another organization');
        return existing;
      }
      await orgs.get(input.organizationId);
      const user = await orgs.createUser({ organizationId: input.organizationId, displayName: input.displayName });
      await orgs.linkIdentity({ userId: user.id, platform: input.platform, externalUserId: input.externalUserId, externalTeamId: teamId, displayName: input.displayName });
      return user;
    });
  }

  private async requireUser(userId: string): Promise<User> {
    const user = await this.store.userById(userId);
    if (!user) throw new MinutesError('AUTH_INVALID', 'The account no longer exists');
    return user;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(randomToken());
    return this.dummyHash;
  }
}

export function signInLinkPath(token: string): string {
  return `/auth/link/${encodeURIComponent(token)}`;
}

function checkPassword(password: string): string {
  if (typeof password !== 'string' || password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new MinutesError('REQUEST_INVALID', `A password needs ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`, {
      details: { field: 'password', minLength: PASSWORD_MIN_LENGTH },
    });
  }
  return password;
}

function normalizeEmail(email: string): string {
  const trimmed = typeof email === 'string' ? email.trim() : '';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed) || trimmed.length > 320) {
    throw new MinutesError('REQUEST_INVALID', 'Not an email address', { details: { field: 'email' } });
  }
  return trimmed;
}

function isTokenShaped(token: unknown): token is string {
  return typeof token === 'string' && token.length > 0 && token.length <= TOKEN_MAX_LENGTH;
}

function clip(userAgent: string | null | undefined): string | null {
  return userAgent ? userAgent.slice(0, 512) : null;
}

/** The `exp` of a token whose signature was just checked, in ms. */
function expiryOf(token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}
