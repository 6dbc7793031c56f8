import { expect } from 'chai';
import type { Server } from 'node:http';
import { createAuthService, type AuthService } from '../core/auth/index.ts';
import { InProcessEventBus } from '../core/bus/InProcessEventBus.ts';
import { createLogger } from '../core/logger.ts';
import { MinutesService } from '../core/meetings/MinutesService.ts';
import type { User, UserRole } from '../core/types.ts';
import { describeEachBackend } from '../test/support/databases.ts';
import { createDashboard } from './app.ts';
import { IngestTokens } from '../core/meetings/ingestTokens.ts';
import { sampleTranscript, stubAnalyzer } from './testApp.ts';

interface Operation { method: string; path: string; operationId: string }

/** Every operation of the OpenAPI document, so a new route is covered by these checks without editing them. */
function operations(doc: { paths: Record<string, Record<string, { operationId: string }>> }): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, operationId: op.operationId })));
}

const BODIES: Record<string, unknown> = {
  createMeeting: { title: 'New one' }, updateMeeting: { title: 'Renamed' }, appendSegments: { segments: [{ speaker: 'A', text: 'Hi.', startMs: 0, endMs: 900 }] },
  createActionItem: { description: 'Write the plan' }, updateActionItem: { status: 'completed' }, ask: { question: 'What did we decide?' }, generateMinutes: {},
};
const WRITES_NEED = 'write';

describeEachBackend('dashboard access control (sign-in, roles, organizations, CSRF, limits)', (ctx) => {
  let server: Server;
  let base: string;
  let auth: AuthService;
  let tokens: Record<UserRole | 'outsider', string>;
  let ids: { meeting: string; running: string; actionItem: string };
  let doc: { paths: Record<string, Record<string, { operationId: string }>> };
  let ingestTokens: IngestTokens;

  before(async () => {
    auth = createAuthService({ db: ctx.db.knex, secret: 'x'.repeat(40) });
  });

  beforeEach(async () => {
    const logger = createLogger({ level: 'silent' });
    const minutes = new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger, analyzer: stubAnalyzer });
    ingestTokens = new IngestTokens(ctx.db.knex);
    const app = createDashboard({ meetings: ctx.service, minutes, orchestrator: null, stores: ctx.stores, organizationId: ctx.org.id, logger, auth, publicUrl: 'http://127.0.0.1', rateLimitPerMinute: 10_000, ingestTokens });
    server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const other = await ctx.stores.organizations.ensure(`outsiders-${ctx.org.id}`);
    const user = (organizationId: string, role: UserRole): Promise<User> => ctx.stores.organizations.createUser({ organizationId, displayName: role, role });
    const session = async (u: User) => (await auth.startSession(u)).accessToken;
    tokens = {
      admin: await session(await user(ctx.org.id, 'admin')), member: await session(await user(ctx.org.id, 'member')),
      guest: await session(await user(ctx.org.id, 'guest')), outsider: await session(await user(other.id, 'admin')),
    };
    const { meeting } = await ctx.service.importTranscript({ organizationId: ctx.org.id, transcript: sampleTranscript(4), title: 'Planning' });
    await minutes.generate(meeting.id);
    const running = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'web', title: 'Live' });
    await ctx.service.startMeeting(running.id);
    const [item] = await ctx.stores.minutes.listActionItems({ meetingId: meeting.id });
    ids = { meeting: meeting.id, running: running.id, actionItem: item!.id };
    doc = await (await call('GET', '/api/openapi.json', 'admin')).json() as typeof doc;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function call(method: string, path: string, who: keyof typeof tokens | null, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${base}${path}`, {
      method, redirect: 'manual',
      headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  const concrete = (op: Operation): string => {
    const id = op.path.startsWith('/api/action-items/') ? ids.actionItem : /segments|end$|cancel$/.test(op.path) ? ids.running : ids.meeting;
    const query = op.operationId === 'search' ? '?q=launch' : op.operationId === 'exportMeeting' ? '?format=md' : '';
    return op.path.replace('{id}', id) + query;
  };

  it('every route: 401 without a token; guests read but cannot write (403); members and admins may; another organization gets 404', async () => {
    const ops = operations(doc).filter((o) => o.operationId !== 'deleteMeeting' && o.operationId !== 'startMeeting');
    expect(ops.length).to.be.greaterThan(15);
    for (const op of ops) {
      const path = concrete(op);
      const body = op.method === 'GET' ? undefined : BODIES[op.operationId] ?? {};
      expect((await call(op.method, path, null, body)).status, `${op.method} ${path} anonymous`).to.equal(401);
      const guest = await call(op.method, path, 'guest', body);
      const writes = op.method !== 'GET' && op.operationId !== 'ask';
      if (writes) expect(guest.status, `${op.method} ${path} guest`).to.equal(403);
      else expect(guest.status, `${op.method} ${path} guest`).to.be.below(300);
      if (op.path.includes('{id}')) {
        const outsider = await call(op.method, path, 'outsider', body);
        expect(outsider.status, `${op.method} ${path} other organization`).to.equal(404);
      }
    }
    for (const role of ['member', 'admin'] as const) {
      for (const op of ops.filter((o) => o.method === 'GET' || o.operationId === 'ask' || o.operationId === 'createMeeting')) {
        const res = await call(op.method, concrete(op), role, op.method === 'GET' ? undefined : BODIES[op.operationId]);
        expect(res.status, `${op.method} ${op.path} ${role}`).to.be.below(300);
      }
    }
    expect((await call('PATCH', `/api/action-items/${ids.actionItem}`, 'member', BODIES.updateActionItem)).status).to.equal(200);
    expect((await call('DELETE', `/api/meetings/${ids.meeting}`, 'guest')).status).to.equal(403);
    expect((await call('DELETE', `/api/meetings/${ids.meeting}`, 'outsider')).status).to.equal(404);
    expect((await call('DELETE', `/api/meetings/${ids.meeting}`, 'admin')).status).to.equal(204);
    expect(WRITES_NEED).to.equal('write');
  });

  it('hands a member a media-ingest token for a running meeting (409 for a finished one) that the socket accepts', async () => {
    const ok = await call('POST', `/api/meetings/${ids.running}/ingest-token`, 'member', {});
    expect(ok.status).to.equal(201);
    const body = (await ok.json()) as { token: string; url: string };
    expect(body.url).to.equal('ws://127.0.0.1/ws/ingest');
    expect(await ingestTokens.verify(body.token)).to.equal(ids.running);
    expect((await call('POST', `/api/meetings/${ids.meeting}/ingest-token`, 'member', {})).status).to.equal(409);
  });

  it('cookie sessions need the CSRF token on writes (403 without it); a forged token is 401; an oversized body is 413', async () => {
    const link = await auth.issueSignInLink({ organizationId: ctx.org.id, platform: 'web', externalUserId: `u-${ids.meeting}`, displayName: 'Cookie user' });
    const signIn = await fetch(`${base}${link.path}`, { redirect: 'manual' });
    expect(signIn.status).to.equal(303);
    const cookies = signIn.headers.getSetCookie().map((c) => c.split(';')[0]!);
    expect(signIn.headers.getSetCookie().find((c) => c.startsWith('minutes_access='))).to.match(/HttpOnly/i);
    const jar = cookies.join('; ');
    const csrf = cookies.find((c) => c.startsWith('minutes_csrf='))!.split('=')[1]!;
    expect((await call('GET', '/api/meetings', null, undefined, { cookie: jar })).status).to.equal(200);
    const without = await call('POST', '/api/meetings', null, { title: 'x' }, { cookie: jar });
    expect(without.status).to.equal(403);
    expect(((await without.json()) as { error: { code: string } }).error.code).to.equal('CSRF_MISSING');
    expect((await call('POST', '/api/meetings', null, { title: 'x' }, { cookie: jar, 'x-csrf-token': csrf })).status).to.equal(201);
    // Signing out with the dashboard's form ends the session: its refresh token no longer works.
    const out = await fetch(`${base}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: jar, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf}` });
    expect(out.status).to.equal(303);
    expect(out.headers.get('location')).to.equal('/login');
    const refresh = cookies.find((c) => c.startsWith('minutes_refresh='))!.split('=')[1]!;
    expect((await fetch(`${base}/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: refresh }) })).status).to.equal(401);
    // The link was single use.
    expect((await fetch(`${base}${link.path}`, { redirect: 'manual' })).status).to.be.oneOf([401, 303]);
    const forged = tokens.member.slice(0, -4) + (tokens.member.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await fetch(`${base}/api/meetings`, { headers: { authorization: `Bearer ${forged}` } })).status).to.equal(401);
    const big = { segments: Array.from({ length: 20_000 }, (_, i) => ({ speaker: 'A', text: 'x'.repeat(60), startMs: i, endMs: i + 1 })) };
    const tooBig = await call('POST', `/api/meetings/${ids.running}/segments`, 'member', big);
    expect(tooBig.status).to.equal(413);
    expect((await ctx.stores.transcripts.list(ids.running)).length).to.equal(0);
  });

  it('pages send people without a session to /login; a signed-in person sees them', async () => {
    const res = await fetch(`${base}/meetings/${ids.meeting}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal(`/login?next=${encodeURIComponent(`/meetings/${ids.meeting}`)}`);
    for (const path of ['/static/app.css', '/static/app.js', '/manifest.webmanifest', '/sw.js']) {
      expect((await fetch(`${base}${path}`)).status, `${path} signed out`).to.equal(200);
      expect((await call('GET', path, 'guest')).status, `${path} signed in`).to.equal(200);
    }
    const login = await fetch(`${base}/login`);
    expect(await login.text()).to.contain('/minutes link');
    expect(login.headers.get('content-security-policy')).to.contain("script-src 'self'");
  });
});

describeEachBackend('dashboard rate limit', (ctx) => {
  it('answers 429 with a JSON code past the per-user limit, counting per user', async () => {
    const auth = createAuthService({ db: ctx.db.knex, secret: 'y'.repeat(40) });
    const logger = createLogger({ level: 'silent' });
    const minutes = new MinutesService({ stores: ctx.stores, bus: new InProcessEventBus(), logger, analyzer: stubAnalyzer });
    const app = createDashboard({ meetings: ctx.service, minutes, orchestrator: null, stores: ctx.stores, organizationId: ctx.org.id, logger, auth, publicUrl: 'http://127.0.0.1', rateLimitPerMinute: 5 });
    const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    try {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const a = (await auth.startSession(await ctx.stores.organizations.createUser({ organizationId: ctx.org.id, displayName: 'A' }))).accessToken;
      const b = (await auth.startSession(await ctx.stores.organizations.createUser({ organizationId: ctx.org.id, displayName: 'B' }))).accessToken;
      const get = (t: string) => fetch(`${base}/api/meetings`, { headers: { authorization: `Bearer ${t}` } });
      const statuses = [];
      for (let i = 0; i < 7; i++) statuses.push((await get(a)).status);
      expect(statuses.slice(0, 5)).to.deep.equal([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).to.deep.equal([429, 429]);
      const limited = await get(a);
      expect(((await limited.json()) as { error: { code: string } }).error.code).to.equal('RATE_LIMITED');
      expect((await get(b)).status, 'another user has their own budget').to.equal(200);
      // Static assets are not counted: ten visitors behind one address loading a page's files are not refused.
      for (let i = 0; i < 12; i++) expect((await fetch(`${base}/static/app.css`)).status).to.equal(200);
      const anon = [];
      for (let i = 0; i < 7; i++) anon.push((await fetch(`${base}/login`)).status);
      expect(anon.slice(5), 'pages still are').to.deep.equal([429, 429]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
