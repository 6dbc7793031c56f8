import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthService, type AuthService } from '../core/auth/index.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Container } from './container.ts';

/**
 * The key that signs dashboard sessions: AUTH_SECRET, or one generated on
 * first start and kept in DATA_DIR so sessions survive restarts of a
 * single-process install without any configuration.
 */
export function authSecret(config: Config, logger: Logger): string {
  if (config.AUTH_SECRET) return config.AUTH_SECRET;
  const file = join(config.DATA_DIR, 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  if (config.database.kind === 'postgres') logger.warn({ file }, 'AUTH_SECRET is unset: generated one in DATA_DIR; set AUTH_SECRET when several processes serve the dashboard');
  return secret;
}

export function createAuth(c: Pick<Container, 'config' | 'logger' | 'db'>): AuthService {
  return createAuthService({ db: c.db.knex, secret: authSecret(c.config, c.logger) });
}

/**
 * A fresh install has nobody who can sign in. Until an admin has a password,
 * every start logs a one-time sign-in link for the local administrator of the
 * default organization (valid 15 minutes), so `npm start` → open the link.
 */
export async function announceAdminLink(c: Pick<Container, 'config' | 'logger' | 'db' | 'defaultOrganization'>, auth: AuthService, baseUrl = c.config.publicUrl): Promise<string | null> {
  const withPassword = await c.db.knex('users as u').join('user_credentials as uc', 'uc.user_id', 'u.id').where('u.role', 'admin').first('u.id');
  if (withPassword) return null;
  let admin = await c.db.knex('users as u').join('platform_identities as pi', 'pi.user_id', 'u.id')
    .where({ 'pi.platform': 'web', 'pi.external_user_id': 'local-admin', 'u.organization_id': c.defaultOrganization.id }).first('u.id');
  if (!admin) {
    const [row] = await c.db.knex('users').insert({ organization_id: c.defaultOrganization.id, display_name: 'Administrator', role: 'admin' }).returning('id');
    await c.db.knex('platform_identities').insert({ user_id: row.id, platform: 'web', external_user_id: 'local-admin', external_team_id: '', display_name: 'Administrator' });
    admin = row;
  }
  const link = await auth.issueSignInLink({ organizationId: c.defaultOrganization.id, platform: 'web', externalUserId: 'local-admin', displayName: 'Administrator' });
  const url = `${baseUrl}${link.path}`;
  c.logger.info({ expiresAt: link.expiresAt }, `sign in to the dashboard as administrator: ${url} (one-time link, 15 minutes; "npm run minutes -- admin create <email>" gives an administrator a password)`);
  return url;
}
