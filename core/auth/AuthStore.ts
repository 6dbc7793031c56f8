import type { Knex } from 'knex';
import { toUser } from '../store/rows.ts';
import type { User } from '../types.ts';

export interface SessionRow {
  id: string;
  userId: string;
  family: string;
  expiresAt: Date;
  revokedAt: Date | null;
  replacedBy: string | null;
}

const toSession = (r: Record<string, any>): SessionRow => ({
  id: r.id,
  userId: r.user_id,
  family: r.family,
  expiresAt: new Date(r.expires_at),
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
  replacedBy: r.replaced_by ?? null,
});

/**
 * Rows behind sign-in: password hashes, one-time links and refresh-token
 * sessions. Times come from the caller's clock (not `now()`) so expiry is
 * testable and consistent with the tokens the service signs.
 */
export class AuthStore {
  constructor(private readonly db: Knex) {}

  async userById(id: string): Promise<User | null> {
    const row = await this.db('users').where({ id }).first();
    return row ? toUser(row) : null;
  }

  async usersByEmail(email: string): Promise<User[]> {
    return (await this.db('users').whereRaw('lower(email) = lower(?)', [email])).map(toUser);
  }

  /** Users holding a password with this email (case-insensitive), each with its hash. */
  async credentialsByEmail(email: string): Promise<Array<{ user: User; passwordHash: string }>> {
    const rows = await this.db('users')
      .join('user_credentials as c', 'c.user_id', 'users.id')
      .whereRaw('lower(users.email) = lower(?)', [email])
      .select('users.*', 'c.password_hash');
    return rows.map((r: Record<string, any>) => ({ user: toUser(r), passwordHash: r.password_hash }));
  }

  async setPassword(userId: string, passwordHash: string, now: Date): Promise<void> {
    await this.db.raw(
      `INSERT INTO user_credentials (user_id, password_hash, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
      [userId, passwordHash, now],
    );
  }

  async insertLink(tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.db('sign_in_links').insert({ token_hash: tokenHash, user_id: userId, expires_at: expiresAt });
  }

  /**
   * Marks a link used and returns its user, in one conditional UPDATE so two
   * racing redeems cannot both win. Null when unknown, used or expired.
   */
  async consumeLink(tokenHash: string, now: Date): Promise<string | null> {
    const { rows } = await this.db.raw(
      `UPDATE sign_in_links SET used_at = ?
       WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
       RETURNING user_id`,
      [now, tokenHash, now],
    );
    return rows[0]?.user_id ?? null;
  }

  async linkState(tokenHash: string): Promise<{ expiresAt: Date; usedAt: Date | null } | null> {
    const row = await this.db('sign_in_links').where({ token_hash: tokenHash }).first();
    return row ? { expiresAt: new Date(row.expires_at), usedAt: row.used_at ? new Date(row.used_at) : null } : null;
  }

  async insertSession(s: { id: string; userId: string; family: string; refreshHash: string; now: Date; expiresAt: Date; userAgent: string | null }): Promise<void> {
    await this.db('auth_sessions').insert({
      id: s.id, user_id: s.userId, family: s.family, refresh_hash: s.refreshHash,
      created_at: s.now, expires_at: s.expiresAt, user_agent: s.userAgent,
    });
  }

  /**
   * Claims a live refresh token for rotation: sets `replaced_by` only if no
   * one has yet, so of two racing refreshes exactly one gets the row back.
   */
  async claimForRotation(refreshHash: string, replacedBy: string, now: Date): Promise<SessionRow | null> {
    const { rows } = await this.db.raw(
      `UPDATE auth_sessions SET replaced_by = ?
       WHERE refresh_hash = ? AND replaced_by IS NULL AND revoked_at IS NULL AND expires_at > ?
       RETURNING *`,
      [replacedBy, refreshHash, now],
    );
    return rows[0] ? toSession(rows[0]) : null;
  }

  async sessionByRefreshHash(refreshHash: string): Promise<SessionRow | null> {
    const row = await this.db('auth_sessions').where({ refresh_hash: refreshHash }).first();
    return row ? toSession(row) : null;
  }

  /** Revokes every token of a family (a whole sign-in); returns how many were live. */
  async revokeFamily(family: string, now: Date): Promise<number> {
    return this.db('auth_sessions').where({ family }).whereNull('revoked_at').update({ revoked_at: now });
  }

  async revokeUser(userId: string, now: Date): Promise<number> {
    return this.db('auth_sessions').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: now });
  }

  async isFamilyRevoked(family: string): Promise<boolean> {
    const row = await this.db('auth_sessions').where({ family }).whereNotNull('revoked_at').first('id');
    return Boolean(row);
  }
}
