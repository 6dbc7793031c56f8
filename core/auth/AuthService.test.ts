import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { describeEachBackend } from '../../test/support/databases.ts';
import { isMinutesError, type ErrorCode } from '../errors.ts';
import { AuthService } from './AuthService.ts';
import { Argon2Hasher } from './Argon2Hasher.ts';
import { JoseSigner } from './JoseSigner.ts';
import type { PasswordHasher } from './types.ts';

const SECRET = 'test-secret-that-is-long-enough-for-hs256!';
const MINUTE = 60_000;

async function rejection(promise: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isMinutesError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

describeEachBackend('AuthService', (ctx) => {
  let clock: Date;
  let auth: AuthService;
  const now = () => clock;
  const advance = (ms: number) => { clock = new Date(clock.getTime() + ms); };
  const email = () => `admin-${randomUUID()}@example.com`;
  const link = (externalUserId = randomUUID()) => ({ organizationId: ctx.org.id, platform: 'discord' as const, externalUserId, externalTeamId: 'guild-1', displayName: 'Ada' });

  beforeEach(() => {
    clock = new Date('2026-11-29T10:00:00Z');
    auth = new AuthService({ db: ctx.db.knex, signer: new JoseSigner(SECRET, now), hasher: new Argon2Hasher(), secret: SECRET, now });
  });

  describe('passwords', () => {
    it('signs an admin in, and answers a wrong password and an unknown email alike', async () => {
      const address = email();
      const admin = await auth.createAdmin({ organizationId: ctx.org.id, email: address, password: 'correct horse battery', displayName: 'Root' });
      expect(admin.role).to.equal('admin');
      expect((await auth.signInWithPassword(address.toUpperCase(), 'correct horse battery')).id).to.equal(admin.id);
      const wrong = await rejection(auth.signInWithPassword(address, 'wrong horse battery'));
      const unknown = await rejection(auth.signInWithPassword(email(), 'correct horse battery'));
      expect(wrong).to.deep.equal({ code: 'AUTH_INVALID', message: 'Wrong email or password' });
      expect(unknown).to.deep.equal(wrong);
    });

    it('spends the hashing work on an unknown email too', async () => {
      let verified = 0;
      const hasher: PasswordHasher = { hash: async () => 'h', verify: async () => { verified++; return false; } };
      const counting = new AuthService({ db: ctx.db.knex, signer: new JoseSigner(SECRET, now), hasher, secret: SECRET, now });
      await rejection(counting.signInWithPassword(email(), 'whatever-password'));
      expect(verified).to.equal(1);
    });

    it('enforces the password policy and one account per email', async () => {
      expect((await rejection(auth.createAdmin({ organizationId: ctx.org.id, email: email(), password: 'short', displayName: 'A' }))).code).to.equal('REQUEST_INVALID');
      const address = email();
      await auth.createAdmin({ organizationId: ctx.org.id, email: address, password: 'long enough pw', displayName: 'A' });
      expect((await rejection(auth.createAdmin({ organizationId: ctx.org.id, email: address, password: 'long enough pw', displayName: 'B' }))).code).to.equal('REQUEST_INVALID');
    });
  });

  describe('sign-in links', () => {
    it('creates the user and identity once, then reuses them', async () => {
      const externalUserId = randomUUID();
      const first = await auth.issueSignInLink(link(externalUserId));
      const second = await auth.issueSignInLink(link(externalUserId));
      expect(second.user.id).to.equal(first.user.id);
      expect(first.token).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(first.path).to.equal(`/auth/link/${first.token}`);
      expect(first.expiresAt.getTime() - clock.getTime()).to.equal(15 * MINUTE);
      expect(await ctx.stores.organizations.findUserByIdentity('discord', externalUserId, 'guild-1')).to.deep.include({ id: first.user.id, organizationId: ctx.org.id, role: 'member' });
      const stored = await ctx.db.knex('sign_in_links').where({ user_id: first.user.id });
      expect(stored.map((r: { token_hash: string }) => r.token_hash)).to.not.include(first.token);
    });

    it('creates one user when two first links race', async () => {
      const externalUserId = randomUUID();
      const [a, b] = await Promise.all([auth.issueSignInLink(link(externalUserId)), auth.issueSignInLink(link(externalUserId))]);
      expect(a.user.id).to.equal(b.user.id);
    });

    it('is single use', async () => {
      const { token, user } = await auth.issueSignInLink(link());
      expect((await auth.redeemSignInLink(token)).id).to.equal(user.id);
      expect((await rejection(auth.redeemSignInLink(token))).code).to.equal('AUTH_INVALID');
      expect((await rejection(auth.redeemSignInLink('not-a-token'))).code).to.equal('AUTH_INVALID');
    });

    it('lets only one of two racing redeems win', async () => {
      const { token } = await auth.issueSignInLink(link());
      const results = await Promise.allSettled([auth.redeemSignInLink(token), auth.redeemSignInLink(token)]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    });

    it('expires after 15 minutes', async () => {
      const { token } = await auth.issueSignInLink(link());
      advance(15 * MINUTE + 1);
      expect((await rejection(auth.redeemSignInLink(token))).code).to.equal('AUTH_EXPIRED');
    });

    it('refuses an account that belongs to another organization', async () => {
      const externalUserId = randomUUID();
      await auth.issueSignInLink(link(externalUserId));
      const other = await ctx.stores.organizations.ensure(`other-${randomUUID()}`);
      expect((await rejection(auth.issueSignInLink({ ...link(externalUserId), organizationId: other.id }))).code).to.equal('FORBIDDEN');
    });
  });

  describe('sessions', () => {
    async function session() {
      const { user } = await auth.issueSignInLink(link());
      return { user, tokens: await auth.startSession(user, { userAgent: 'mocha' }) };
    }

    it('puts user, organization, role and session in the access token', async () => {
      const { user, tokens } = await session();
      expect(await auth.verifyAccessToken(tokens.accessToken)).to.deep.equal({
        userId: user.id, organizationId: ctx.org.id, role: 'member', sessionId: tokens.sessionId,
      });
      expect(tokens.accessExpiresAt.getTime() - clock.getTime()).to.equal(15 * MINUTE);
      const [row] = await ctx.db.knex('auth_sessions').where({ id: tokens.sessionId });
      expect(row.refresh_hash).to.not.equal(tokens.refreshToken);
      expect(row.user_agent).to.equal('mocha');
    });

    it('rotates the refresh token and keeps the session id', async () => {
      const { tokens } = await session();
      advance(MINUTE);
      const next = await auth.refresh(tokens.refreshToken);
      expect(next.refreshToken).to.not.equal(tokens.refreshToken);
      expect(next.sessionId).to.equal(tokens.sessionId);
      expect(next.expiresAt.getTime()).to.equal(tokens.expiresAt.getTime());
      const [old] = await ctx.db.knex('auth_sessions').where({ id: tokens.sessionId });
      expect(old.replaced_by).to.be.a('string');
      expect((await auth.refresh(next.refreshToken)).sessionId).to.equal(tokens.sessionId);
    });

    it('revokes the whole family when a rotated refresh token is reused', async () => {
      const { tokens } = await session();
      const next = await auth.refresh(tokens.refreshToken);
      const reuse = await rejection(auth.refresh(tokens.refreshToken));
      expect(reuse.code).to.equal('AUTH_REVOKED');
      expect((await rejection(auth.refresh(next.refreshToken))).code).to.equal('AUTH_REVOKED');
      const live = await ctx.db.knex('auth_sessions').where({ family: tokens.sessionId }).whereNull('revoked_at');
      expect(live).to.have.length(0);
    });

    it('treats two racing refreshes of one token as reuse', async () => {
      const { tokens } = await session();
      const results = await Promise.allSettled([auth.refresh(tokens.refreshToken), auth.refresh(tokens.refreshToken)]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const winner = results.find((r) => r.status === 'fulfilled')!.value;
      expect((await rejection(auth.refresh(winner.refreshToken))).code).to.equal('AUTH_REVOKED');
    });

    it('revokes a session', async () => {
      const { tokens } = await session();
      const next = await auth.refresh(tokens.refreshToken);
      await auth.revoke(tokens.sessionId);
      await auth.revoke('not-a-uuid');
      expect((await rejection(auth.refresh(next.refreshToken))).code).to.equal('AUTH_REVOKED');
    });

    it('ends a session at its absolute lifetime and refuses unknown refresh tokens', async () => {
      const { tokens } = await session();
      advance(31 * 24 * 60 * MINUTE);
      expect((await rejection(auth.refresh(tokens.refreshToken))).code).to.equal('AUTH_EXPIRED');
      expect((await rejection(auth.refresh(randomUUID()))).code).to.equal('AUTH_INVALID');
    });

    it('rejects expired, tampered and foreign access tokens', async () => {
      const { tokens } = await session();
      const [header, payload, signature] = tokens.accessToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
      expect((await rejection(auth.verifyAccessToken(`${header}.${forged}.${signature}`))).code).to.equal('AUTH_INVALID');
      const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      expect((await rejection(auth.verifyAccessToken(`${none}.${payload}.`))).code).to.equal('AUTH_INVALID');
      const foreign = await new JoseSigner('another-secret-that-is-also-long-enough', now).sign(await auth.verifyAccessToken(tokens.accessToken), tokens.accessExpiresAt);
      expect((await rejection(auth.verifyAccessToken(foreign))).code).to.equal('AUTH_INVALID');
      expect((await rejection(auth.verifyAccessToken('garbage'))).code).to.equal('AUTH_INVALID');
      advance(15 * MINUTE + 1000);
      expect((await rejection(auth.verifyAccessToken(tokens.accessToken))).code).to.equal('AUTH_EXPIRED');
    });

    it('carries a role change into the next refreshed token', async () => {
      const { user, tokens } = await session();
      await ctx.db.knex('users').where({ id: user.id }).update({ role: 'guest' });
      expect((await auth.refresh(tokens.refreshToken)).role).to.equal('guest');
    });

    it('refuses a short secret', () => {
      expect(() => new JoseSigner('short')).to.throw(/at least 32/);
    });
  });
});
