import { expect } from 'chai';
import nock from 'nock';
import { isLlmError, type LlmError, type LlmProvider } from '../../core/ai/LlmProvider.ts';
import { AnthropicProvider } from './AnthropicProvider.ts';
import { GeminiProvider } from './GeminiProvider.ts';
import { OpenAICompatibleProvider } from './OpenAICompatibleProvider.ts';
import { OpenAIProvider } from './OpenAIProvider.ts';
import { silentServer } from './testing.ts';

/**
 * Each adapter against its vendor's real wire format (endpoints, headers,
 * bodies as the SDKs send and parse them), through nock: success, rate limit
 * with a retry delay, server errors, and a timeout against a silent server.
 */
interface Case {
  name: string;
  origin: string;
  path: string | RegExp;
  make(baseURL?: string, timeoutMs?: number): LlmProvider;
  ok(text: string): object;
  rateLimited: { status: number; body: object; headers: Record<string, string>; retryAfterMs: number };
  serverErrors: { status: number; body: object }[];
  checkRequest(body: Record<string, any>, headers: Record<string, string | string[] | undefined>): void;
}

const cases: Case[] = [
  {
    name: 'anthropic',
    origin: 'https://api.anthropic.com',
    path: '/v1/messages',
    make: (baseURL, timeoutMs) => new AnthropicProvider({ apiKey: 'sk-ant-test', model: 'claude-sonnet-4-6', ...(baseURL ? { baseURL } : {}), ...(timeoutMs ? { timeoutMs } : {}) }),
    ok: (text) => ({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null,
      usage: { input_tokens: 120, output_tokens: 34, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    }),
    rateLimited: { status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } }, headers: { 'retry-after': '17' }, retryAfterMs: 17_000 },
    serverErrors: [
      { status: 500, body: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } },
      { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
    ],
    checkRequest(body, headers) {
      // SDK 1.x sends the API key as a bearer token.
      expect(headers.authorization ?? headers['x-api-key']).to.match(/sk-ant-test$/);
      expect(headers['anthropic-version']).to.be.a('string');
      expect(body).to.include({ model: 'claude-sonnet-4-6', max_tokens: 500, system: 'be brief', temperature: 0 });
      expect(body.messages).to.deep.equal([{ role: 'user', content: 'hello' }]);
    },
  },
  {
    name: 'openai',
    origin: 'https://api.openai.com',
    path: '/v1/chat/completions',
    make: (baseURL, timeoutMs) => new OpenAIProvider({ apiKey: 'sk-openai-test', model: 'gpt-4.1-mini', ...(baseURL ? { baseURL: `${baseURL}/v1` } : {}), ...(timeoutMs ? { timeoutMs } : {}) }),
    ok: (text) => ({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT', object: 'chat.completion', created: 1741569952, model: 'gpt-4.1-mini-2025-04-14',
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 120, completion_tokens: 34, total_tokens: 154 }, service_tier: 'default',
    }),
    rateLimited: { status: 429, body: { error: { message: 'Rate limit reached for gpt-4.1-mini', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, headers: { 'retry-after-ms': '2500', 'retry-after': '3' }, retryAfterMs: 2500 },
    serverErrors: [
      { status: 500, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } } },
      { status: 503, body: { error: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', param: null, code: null } } },
    ],
    checkRequest(body, headers) {
      expect(headers.authorization).to.equal('Bearer sk-openai-test');
      expect(body).to.include({ model: 'gpt-4.1-mini', max_completion_tokens: 500, temperature: 0 });
      expect(body.response_format).to.deep.equal({ type: 'json_object' });
      expect(body.messages).to.deep.equal([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello' }]);
    },
  },
  {
    name: 'gemini',
    origin: 'https://generativelanguage.googleapis.com',
    path: '/v1beta/models/gemini-2.5-flash:generateContent',
    make: (baseURL, timeoutMs) => new GeminiProvider({ apiKey: 'gm-test', model: 'gemini-2.5-flash', ...(baseURL ? { baseUrl: baseURL } : {}), ...(timeoutMs ? { timeoutMs } : {}) }),
    ok: (text) => ({
      candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 120, candidatesTokenCount: 30, thoughtsTokenCount: 4, totalTokenCount: 154 },
      modelVersion: 'gemini-2.5-flash', responseId: 'mHXRaN3xA8-mz7IP',
    }),
    rateLimited: {
      status: 429,
      body: { error: { code: 429, message: 'You exceeded your current quota.', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }] } },
      headers: {}, retryAfterMs: 12_000,
    },
    serverErrors: [
      { status: 500, body: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } } },
      { status: 503, body: { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } } },
    ],
    checkRequest(body, headers) {
      expect(headers['x-goog-api-key']).to.equal('gm-test');
      expect(body.systemInstruction).to.deep.equal({ parts: [{ text: 'be brief' }], role: 'user' });
      expect(body.contents).to.deep.equal([{ role: 'user', parts: [{ text: 'hello' }] }]);
      expect(body.generationConfig).to.include({ maxOutputTokens: 500, temperature: 0, responseMimeType: 'application/json' });
    },
  },
  {
    name: 'openai-compatible',
    origin: 'http://ollama.test:11434',
    path: '/v1/chat/completions',
    make: (baseURL, timeoutMs) => new OpenAICompatibleProvider({ baseURL: `${baseURL ?? 'http://ollama.test:11434'}/v1`, model: 'llama3.1:8b', ...(timeoutMs ? { timeoutMs } : {}) }),
    ok: (text) => ({
      id: 'chatcmpl-397', object: 'chat.completion', created: 1741569952, model: 'llama3.1:8b', system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 120, completion_tokens: 34, total_tokens: 154 },
    }),
    rateLimited: { status: 429, body: { error: { message: 'too many requests', type: 'rate_limit', param: null, code: null } }, headers: { 'retry-after': '1' }, retryAfterMs: 1000 },
    serverErrors: [{ status: 500, body: { error: { message: 'model runner has unexpectedly stopped', type: 'api_error', param: null, code: null } } }],
    checkRequest(body) {
      expect(body).to.include({ model: 'llama3.1:8b', max_tokens: 500, temperature: 0 });
      expect(body).not.to.have.property('max_completion_tokens');
      expect(body.response_format).to.deep.equal({ type: 'json_object' });
    },
  },
];

const request = { system: 'be brief', messages: [{ role: 'user' as const, content: 'hello' }], maxTokens: 500, temperature: 0, json: true };

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    expect(isLlmError(err), String(err)).to.equal(true);
    return err as LlmError;
  }
  throw new Error('expected the call to fail');
}

describe('LLM provider adapters (vendor wire formats via nock)', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  for (const c of cases) {
    describe(c.name, () => {
      it('sends the vendor request and returns text, usage and model', async () => {
        let seen: { body: Record<string, any>; headers: Record<string, any> } | undefined;
        const scope = nock(c.origin).post(c.path).reply(function (_uri, body) {
          seen = { body: body as Record<string, any>, headers: this.req.headers };
          return [200, c.ok('{"ok":true}'), { 'content-type': 'application/json' }];
        });
        const res = await c.make().complete(request);
        expect(res.text).to.equal('{"ok":true}');
        expect(res.inputTokens).to.equal(120);
        expect(res.outputTokens).to.equal(34);
        expect(res.model).to.be.a('string').and.not.equal('');
        c.checkRequest(seen!.body, seen!.headers);
        expect(scope.isDone()).to.equal(true);
      });

      it('maps 429 to rate_limited with the retry delay, without retrying', async () => {
        let calls = 0;
        nock(c.origin).post(c.path).times(3).reply(() => {
          calls++;
          return [c.rateLimited.status, c.rateLimited.body, { 'content-type': 'application/json', ...c.rateLimited.headers }];
        });
        const err = await failure(c.make().complete(request));
        expect(err.kind).to.equal('rate_limited');
        expect(err.status).to.equal(429);
        expect(err.retryAfterMs).to.equal(c.rateLimited.retryAfterMs);
        expect(err.provider).to.equal(c.name);
        expect(calls).to.equal(1);
      });

      for (const s of c.serverErrors) {
        it(`maps ${s.status} to server, without retrying`, async () => {
          let calls = 0;
          nock(c.origin).post(c.path).times(3).reply(() => {
            calls++;
            return [s.status, s.body, { 'content-type': 'application/json' }];
          });
          const err = await failure(c.make().complete(request));
          expect(err.kind).to.equal('server');
          expect(err.status).to.equal(s.status);
          expect(calls).to.equal(1);
        });
      }

      it('maps 401 to auth and a refused connection to network', async () => {
        nock(c.origin).post(c.path).reply(401, { error: { message: 'invalid x-api-key' } }, { 'content-type': 'application/json' });
        expect((await failure(c.make().complete(request))).kind).to.equal('auth');
        nock(c.origin).post(c.path).replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
        expect((await failure(c.make().complete(request))).kind).to.equal('network');
      });

      it('times out on its per-call deadline and tells it apart from a cancel', async () => {
        nock.enableNetConnect('127.0.0.1');
        const server = await silentServer();
        try {
          const timedOut = await failure(c.make(server.url, 50).complete(request));
          expect(timedOut.kind).to.equal('timeout');
          const controller = new AbortController();
          const pending = c.make(server.url).complete({ ...request, signal: controller.signal });
          while (server.requests() < 2) await new Promise((r) => setImmediate(r));
          controller.abort();
          expect((await failure(pending)).kind).to.equal('aborted');
        } finally {
          await server.close();
          nock.disableNetConnect();
        }
      });
    });
  }
});
