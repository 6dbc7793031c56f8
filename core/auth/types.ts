import type { UserRole } from '../types.ts';

/**
 * The crypto the auth service depends on, as small interfaces: the service
 * stays testable with a fake clock, and the algorithms can change (EdDSA,
 * a KMS) without touching session logic.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password; never throws for a malformed stored hash. */
  verify(storedHash: string, password: string): Promise<boolean>;
}

/** Claims carried by an access token. */
export interface AccessClaims {
  userId: string;
  organizationId: string;
  role: UserRole;
  /** The session (refresh-token family) the token was issued for. */
  sessionId: string;
}

export interface TokenSigner {
  sign(claims: AccessClaims, expiresAt: Date): Promise<string>;
  /** Throws MinutesError AUTH_EXPIRED or AUTH_INVALID. */
  verify(token: string): Promise<AccessClaims>;
}

export type Clock = () => Date;

/** What a sign-in hands the client. */
export interface SessionTokens {
  accessToken: string;
  accessExpiresAt: Date;
  /** Opaque; only its SHA-256 is stored. Rotated on every refresh. */
  refreshToken: string;
  /** When the session ends however often it is refreshed. */
  expiresAt: Date;
  sessionId: string;
  userId: string;
  organizationId: string;
  role: UserRole;
}
