import { expect } from 'chai';
import type express from 'express';
import { describeEachBackend } from '../test/support/databases.ts';
import { namedSchemas } from './api/schemas.ts';
import { sampleTranscript, startTestApi, type TestApi } from './testApp.ts';

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Layer { route?: { path: unknown; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; slash?: boolean; rawPath?: unknown }

/** Every route registered on the app (Express 5: app.router.stack), nested routers included, as `METHOD /path/{param}`. */
function registeredRoutes(app: express.Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on) found.push(`${method.toUpperCase()} ${prefix}${String(layer.route.path)}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, layer.slash ? prefix : `${prefix}${String(layer.rawPath)}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found.map((r) => r.replace(/:(\w+)/g, '{$1}'));
}

function documentedRoutes(doc: Json): string[] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
}

function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).reduce<any>((node, key) => node?.[key], doc);
}

function refsOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refsOf(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

describeEachBackend('dashboard: OpenAPI document', (ctx) => {
  let api: TestApi;
  let doc: Json;
  beforeEach(async () => {
    api = await startTestApi(ctx);
    doc = (await (await api.get('/api/openapi.json')).json()) as Json;
  });
  afterEach(() => api.close());

  it('lists exactly the /api routes the app registers', () => {
    const registered = registeredRoutes(api.app).filter((r) => r.split(' ')[1]!.startsWith('/api/')).sort();
    expect(registered.length).to.be.greaterThan(15);
    expect(documentedRoutes(doc).sort()).to.deep.equal(registered);
  });

  it('is a well-formed OpenAPI 3.1 document: every operation has responses, every $ref resolves', () => {
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.info).to.include.keys('title', 'version');
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const op = item[method] as Json;
        expect(op.operationId, `${method} ${path}`).to.be.a('string');
        expect(ids.has(op.operationId), `duplicate ${op.operationId}`).to.equal(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses ?? {}), `${method} ${path}`).to.not.be.empty;
        const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const declared = (op.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name);
        expect(declared, `${method} ${path} path parameters`).to.deep.equal(pathParams);
      }
    }
    const refs = refsOf(doc);
    expect(refs).to.not.be.empty;
    for (const ref of refs) expect(resolvePointer(doc, ref), ref).to.not.equal(undefined);
  });

  it('answers each operation with a status the document lists, and a body matching its schema', async function () {
    this.timeout(30_000);
    const org = ctx.org.id;
    const imported = (await ctx.service.importTranscript({ organizationId: org, transcript: sampleTranscript(), title: 'Launch sync' })).meeting.id;
    const [scheduled, toCancel, toDelete] = await Promise.all(['Live', 'Cancel me', 'Delete me'].map((title) => ctx.service.createMeeting({ organizationId: org, platform: 'web', title })));
    const [item] = await ctx.stores.minutes.addActionItems([{ meetingId: imported, description: 'Write the notes' }]);
    const calls: { method: string; path: string; id?: string; query?: string; body?: unknown }[] = [
      { method: 'get', path: '/api/meetings', query: '?limit=5&status=completed' },
      { method: 'post', path: '/api/meetings', body: { title: 'Planning' } },
      { method: 'get', path: '/api/meetings/{id}', id: imported },
      { method: 'patch', path: '/api/meetings/{id}', id: imported, body: { title: 'Launch sync (renamed)' } },
      { method: 'post', path: '/api/meetings/{id}/start', id: scheduled!.id, body: {} },
      { method: 'post', path: '/api/meetings/{id}/segments', id: scheduled!.id, body: { segments: [{ speaker: 'Ann', startMs: 0, endMs: 900, text: 'Hello.' }] } },
      { method: 'post', path: '/api/meetings/{id}/end', id: scheduled!.id, body: {} },
      { method: 'post', path: '/api/meetings/{id}/cancel', id: toCancel!.id, body: { reason: 'moved' } },
      { method: 'get', path: '/api/meetings/{id}/transcript', id: imported, query: '?limit=1' },
      { method: 'get', path: '/api/meetings/{id}/export', id: imported, query: '?format=vtt' },
      { method: 'get', path: '/api/meetings/{id}/minutes', id: imported },
      { method: 'post', path: '/api/meetings/{id}/minutes', id: imported, body: {} },
      { method: 'get', path: '/api/meetings/{id}/decisions', id: imported },
      { method: 'get', path: '/api/action-items', query: '?overdue=true' },
      { method: 'post', path: '/api/meetings/{id}/action-items', id: imported, body: { description: 'Book the room', dueDate: '2026-05-01' } },
      { method: 'patch', path: '/api/action-items/{id}', id: item!.id, body: { status: 'completed' } },
      { method: 'get', path: '/api/search', query: '?q=launch' },
      { method: 'post', path: '/api/ask', body: { question: 'Who fixes the crash?', meetingId: imported } },
      { method: 'get', path: '/api/openapi.json' },
      { method: 'delete', path: '/api/meetings/{id}', id: toDelete!.id },
    ];
    const called = new Set<string>();
    for (const call of calls) {
      const op = doc.paths[call.path]?.[call.method] as Json | undefined;
      expect(op, `${call.method} ${call.path} is documented`).to.not.equal(undefined);
      called.add(op!.operationId);
      const url = `${call.path.replace('{id}', call.id ?? '')}${call.query ?? ''}`;
      const res = call.method === 'get' ? await api.get(url) : await api.send(call.method.toUpperCase(), url, call.body);
      const label = `${call.method.toUpperCase()} ${url} → ${res.status}`;
      expect(Object.keys(op!.responses), label).to.include(String(res.status));
      expect(res.status, label).to.be.within(200, 299);
      await expectDocumentedBody(op!.responses[String(res.status)], res, label);
    }
    expect([...called].sort(), 'every operation was called').to.deep.equal(documentedRoutes(doc).map((r) => {
      const [method, path] = r.split(' ');
      return doc.paths[path!][method!.toLowerCase()].operationId as string;
    }).sort());
  });

  it('lists the error statuses the API answers with', async () => {
    const cases: [string, string, Promise<Response>][] = [
      ['get', '/api/meetings/{id}', api.get('/api/meetings/00000000-0000-4000-8000-000000000000')],
      ['get', '/api/meetings', api.get('/api/meetings?limit=999')],
      ['post', '/api/meetings', api.send('POST', '/api/meetings', { title: '' })],
      ['post', '/api/meetings/{id}/segments', api.send('POST', `/api/meetings/${ctx.org.id}/segments`, { segments: [{ speaker: 'A', startMs: 0, endMs: 1, text: 'x'.repeat(1_100_000) }] })],
    ];
    for (const [method, path, pending] of cases) {
      const res = await pending;
      expect(Object.keys(doc.paths[path][method].responses), `${method} ${path} → ${res.status}`).to.include(String(res.status));
      expect(res.status).to.be.within(400, 499);
      await expectDocumentedBody(doc.paths[path][method].responses[String(res.status)], res, path);
    }
  });
});

async function expectDocumentedBody(response: Json, res: Response, label: string): Promise<void> {
  const content = response.content as Json | undefined;
  if (!content) {
    expect(await res.text(), label).to.equal('');
    return;
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
  expect(Object.keys(content), label).to.include(type);
  const ref = content[type]?.schema?.$ref as string | undefined;
  if (type !== 'application/json' || !ref || res.headers.get('content-disposition')) return;
  const schema = namedSchemas.get(ref.split('/').pop()!);
  const parsed = schema!.safeParse(await res.json());
  expect(parsed.success, `${label}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`).to.equal(true);
}
