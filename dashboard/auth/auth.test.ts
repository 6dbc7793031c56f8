import { expect } from 'chai';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { BACKENDS, database } from '../../test/support/databases.ts';
import { createAuthService, type AuthService } from '../../core/auth/index.ts';
import { httpStatusFor, isMinutesError } from '../../core/errors.ts';
import { createStores, type Stores } from '../../core/store/index.ts';
import type { Organization, User, UserRole } from '../../core/types.ts';
import { authRouter, requireAuth, requireMethodPermission, requireRole, sameOrganization } from './index.ts';

const SECRET = 'dashboard-auth-test-secret-long-enough!!';

/** A tiny app: the auth router plus an API guarded the way the dashboard will be. */
function testApp(auth: AuthService, publicUrl: string): express.Express {
  const app = express();
  app.use(authRouter({ auth, publicUrl }));
  app.use('/api', requireAuth(auth), requireMethodPermission());
  app.get('/api/orgs/:orgId/meetings', (req, res) => {
    sameOrganization(req, String(req.params.orgId), 'MEETING_NOT_FOUND');
    res.json({ meetings: [] });
  });
  app.post('/api/items', (req, res) => void res.json({ ok: true, by: req.auth!.userId }));
  app.delete('/api/settings', requireRole('admin'), (_req, res) => void res.json({ ok: true }));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isMinutesError(err)) return void res.status(httpStatusFor[err.code]).json({ error: err.toJSON() });
    res.status(500).json({ error: { code: 'INTERNAL', message: String(err) } });
  });
  return app;
}

async function listen(app: express.Express): Promise<{ server: Server; base: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Name → value of the cookies a response sets, plus their raw attribute strings. */
function cookiesOf(res: globalThis.Response): { jar: Record<string, string>; raw: Record<string, string> } {
  const jar: Record<string, string> = {};
  const raw: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    jar[name] = decodeURIComponent(pair!.slice(eq + 1));
    raw[name] = line;
  }
  return { jar, raw };
}

const cookieHeader = (jar: Record<string, string>) => Object.entries(jar).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');

describe(`dashboard auth over HTTP [${BACKENDS[0]}]`, function () {
  this.timeout(30_000);
  let stores: Stores;
  let auth: AuthService;
  let org: Organization;
  let server: Server;
  let base: string;

  before(async function () {
    this.timeout(120_000);
    const db = await database(BACKENDS[0]!);
    stores = createStores(db.knex);
    auth = createAuthService({ db: db.knex, secret: SECRET });
    ({ server, base } = await listen(testApp(auth, 'http://127.0.0.1')));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(async () => {
    org = await stores.organizations.ensure(`auth-http-${randomUUID()}`);
  });

  async function userWith(role: UserRole): Promise<User> {
    return stores.organizations.createUser({ organizationId: org.id, displayName: role, role });
  }
  async function bearer(role: UserRole): Promise<Record<string, string>> {
    return { authorization: `Bearer ${(await auth.startSession(await userWith(role))).accessToken}` };
  }
  /** Signs in through a link like a browser and returns the cookie jar. */
  async function linkSignIn(): Promise<Record<string, string>> {
    const { token } = await auth.issueSignInLink({ organizationId: org.id, platform: 'discord', externalUserId: randomUUID(), displayName: 'Ada' });
    return cookiesOf(await fetch(`${base}/auth/link/${token}`, { redirect: 'manual' })).jar;
  }
  async function errorCode(res: globalThis.Response): Promise<string> {
    return ((await res.json()) as { error: { code: string } }).error.code;
  }

  it('signs in with a link: HttpOnly cookies, redirect home, single use', async () => {
    const { token } = await auth.issueSignInLink({ organizationId: org.id, platform: 'slack', externalUserId: randomUUID(), displayName: 'Ada' });
    const res = await fetch(`${base}/auth/link/${token}`, { redirect: 'manual' });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal('/');
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const { raw } = cookiesOf(res);
    for (const name of ['minutes_access', 'minutes_refresh']) {
      expect(raw[name]).to.match(/; HttpOnly/).and.match(/; SameSite=Lax/).and.match(/; Path=\//);
      expect(raw[name]).to.not.match(/; Secure/);
    }
    expect(raw.minutes_csrf).to.not.match(/HttpOnly/);
    const again = await fetch(`${base}/auth/link/${token}`, { redirect: 'manual' });
    expect(again.status).to.equal(401);
    expect(await errorCode(again)).to.equal('AUTH_INVALID');
  });

  it('sets Secure cookies when the public URL is https, and refuses foreign origins', async () => {
    const https = await listen(testApp(auth, 'https://minutes.example.com'));
    try {
      const address = `a-${randomUUID()}@example.com`;
      await auth.createAdmin({ organizationId: org.id, email: address, password: 'a long password', displayName: 'Root' });
      const login = (origin?: string) => fetch(`${https.base}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) }, body: JSON.stringify({ email: address, password: 'a long password' }),
      });
      const ok = await login('https://minutes.example.com');
      expect(ok.status).to.equal(200);
      expect(cookiesOf(ok).raw.minutes_access).to.match(/; Secure/);
      const foreign = await login('https://evil.example');
      expect(foreign.status).to.equal(403);
      expect(await errorCode(foreign)).to.equal('CSRF_MISSING');
    } finally {
      await new Promise((resolve) => https.server.close(resolve));
    }
  });

  it('answers a wrong password with 401 AUTH_INVALID', async () => {
    const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }) });
    expect(res.status).to.equal(401);
    expect(await errorCode(res)).to.equal('AUTH_INVALID');
  });

  it('refuses protected routes without a token, or with a bad one', async () => {
    const none = await fetch(`${base}/api/orgs/${org.id}/meetings`);
    expect(none.status).to.equal(401);
    expect(await errorCode(none)).to.equal('AUTH_REQUIRED');
    const bad = await fetch(`${base}/api/orgs/${org.id}/meetings`, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).to.equal(401);
    expect(await errorCode(bad)).to.equal('AUTH_INVALID');
  });

  it('applies roles: guests read, members write, only admins administer', async () => {
    const guest = await bearer('guest');
    expect((await fetch(`${base}/api/orgs/${org.id}/meetings`, { headers: guest })).status).to.equal(200);
    const guestWrite = await fetch(`${base}/api/items`, { method: 'POST', headers: guest });
    expect(guestWrite.status).to.equal(403);
    expect(await errorCode(guestWrite)).to.equal('FORBIDDEN');
    const member = await bearer('member');
    expect((await fetch(`${base}/api/items`, { method: 'POST', headers: member })).status).to.equal(200);
    expect((await fetch(`${base}/api/settings`, { method: 'DELETE', headers: member })).status).to.equal(403);
    expect((await fetch(`${base}/api/settings`, { method: 'DELETE', headers: await bearer('admin') })).status).to.equal(200);
  });

  it('answers 404 for another organization, as for a missing one', async () => {
    const headers = await bearer('admin');
    const other = await stores.organizations.ensure(`auth-http-other-${randomUUID()}`);
    const foreign = await fetch(`${base}/api/orgs/${other.id}/meetings`, { headers });
    const missing = await fetch(`${base}/api/orgs/${randomUUID()}/meetings`, { headers });
    expect([foreign.status, missing.status]).to.deep.equal([404, 404]);
    expect(await foreign.json()).to.deep.equal(await missing.json());
  });

  it('requires the CSRF token on cookie-authenticated writes', async () => {
    const jar = await linkSignIn();
    const post = (headers: Record<string, string>) => fetch(`${base}/api/items`, { method: 'POST', headers: { cookie: cookieHeader(jar), ...headers } });
    const missing = await post({});
    expect(missing.status).to.equal(403);
    expect(await errorCode(missing)).to.equal('CSRF_MISSING');
    expect((await post({ 'x-csrf-token': 'forged' })).status).to.equal(403);
    expect((await post({ 'x-csrf-token': jar.minutes_csrf! })).status).to.equal(200);
    expect((await fetch(`${base}/api/orgs/${org.id}/meetings`, { headers: { cookie: cookieHeader(jar) } })).status).to.equal(200);
  });

  it('exempts Bearer-authenticated writes from CSRF', async () => {
    expect((await fetch(`${base}/api/items`, { method: 'POST', headers: await bearer('member') })).status).to.equal(200);
  });

  it('refreshes by cookie, rotating the refresh cookie', async () => {
    const jar = await linkSignIn();
    const refresh = (headers: Record<string, string>) => fetch(`${base}/auth/refresh`, { method: 'POST', headers: { cookie: cookieHeader(jar), ...headers } });
    expect(await errorCode(await refresh({}))).to.equal('CSRF_MISSING');
    const res = await refresh({ 'x-csrf-token': jar.minutes_csrf! });
    expect(res.status).to.equal(200);
    const next = cookiesOf(res).jar;
    expect(next.minutes_refresh).to.be.a('string').and.not.equal(jar.minutes_refresh);
    expect(next.minutes_csrf).to.equal(jar.minutes_csrf);
  });

  it('logs out: the session is revoked and the cookies cleared', async () => {
    const jar = await linkSignIn();
    const res = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie: cookieHeader(jar), 'x-csrf-token': jar.minutes_csrf! } });
    expect(res.status).to.equal(204);
    expect(cookiesOf(res).raw.minutes_access).to.match(/Expires=Thu, 01 Jan 1970/);
    const refresh = await fetch(`${base}/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: jar.minutes_refresh }) });
    expect(refresh.status).to.equal(401);
    expect(await errorCode(refresh)).to.equal('AUTH_REVOKED');
  });
});
