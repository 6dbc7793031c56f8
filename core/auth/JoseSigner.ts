import { errors, jwtVerify, SignJWT } from 'jose';
import { MinutesError } from '../errors.ts';
import { USER_ROLES, type UserRole } from '../types.ts';
import type { AccessClaims, Clock, TokenSigner } from './types.ts';

const ISSUER = 'open-minutes';
const AUDIENCE = 'open-minutes-dashboard';

/**
 * HS256 access tokens via jose. The algorithm is pinned on verify so a token
 * claiming `alg: none` or an asymmetric alg is rejected, and issuer/audience
 * keep tokens minted for something else from being accepted here.
 */
export class JoseSigner implements TokenSigner {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly now: Clock = () => new Date()) {
    // 32 bytes: HS256 is only as strong as its key; refuse short, guessable secrets early.
    if (Buffer.byteLength(secret) < 32) {
      throw new MinutesError('CONFIG_INVALID', 'AUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 48`)');
    }
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: AccessClaims, expiresAt: Date): Promise<string> {
    const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
    return new SignJWT({ org: claims.organizationId, role: claims.role, sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(seconds(this.now()))
      .setExpirationTime(seconds(expiresAt))
      .sign(this.key);
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: this.now(),
        requiredClaims: ['sub', 'exp'],
      });
      return toClaims(payload);
    } catch (err) {
      if (err instanceof MinutesError) throw err;
      if (err instanceof errors.JWTExpired) throw new MinutesError('AUTH_EXPIRED', 'The access token has expired');
      throw new MinutesError('AUTH_INVALID', 'The access token is not valid');
    }
  }
}

function toClaims(payload: Record<string, unknown>): AccessClaims {
  const { sub, org, role, sid } = payload;
  if (typeof sub !== 'string' || typeof org !== 'string' || typeof sid !== 'string' || !USER_ROLES.includes(role as UserRole)) {
    throw new MinutesError('AUTH_INVALID', 'The access token is missing claims');
  }
  return { userId: sub, organizationId: org, role: role as UserRole, sessionId: sid };
}
