import { expect } from 'chai';
import nock from 'nock';
import { LlmAnalyzer } from '../../core/ai/LlmAnalyzer.ts';
import { MemoryLedger } from '../../core/ai/ledger.ts';
import { Orchestrator } from '../../core/ai/Orchestrator.ts';
import type { Analyzer, MinutesInput } from '../../core/minutes/types.ts';
import { loadConfig } from '../../core/config.ts';
import { AnthropicProvider } from './AnthropicProvider.ts';
import { createProvidersFromConfig } from './factory.ts';
import { GeminiProvider } from './GeminiProvider.ts';
import { OpenAIProvider } from './OpenAIProvider.ts';

/** The whole chain over the real SDKs and wire formats: bad JSON → repair → failover → offline fallback. */
const input: MinutesInput = {
  meeting: { id: 'm-42', title: 'Sync', startedAt: new Date('2026-03-02T10:00:00Z') },
  attendees: [{ id: 'a1', displayName: 'Ana' }],
  segments: [{ id: 7, speaker: 'Ana', startMs: 0, endMs: 4000, text: 'We decided to ship on Friday.' }],
};
const good = JSON.stringify({ abstract: 'Shipping Friday.', sections: [], actionItems: [], decisions: [{ text: 'Ship on Friday', confidence: 0.9, evidence: [7] }], questions: [], blockers: [] });
const anthropicText = (text: string) => ({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 50, output_tokens: 10 } });
const openaiText = (text: string) => ({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4.1-mini', choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 } });
const offline: Analyzer = { name: 'offline', analyze: async () => ({ summary: { abstract: 'offline', sections: [] }, actionItems: [], decisions: [], questions: [], blockers: [], provenance: { analyzer: 'offline' } }) };

describe('LLM failover over the real adapters', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  const providers = () => [
    new AnthropicProvider({ apiKey: 'a' }),
    new OpenAIProvider({ apiKey: 'o' }),
    new GeminiProvider({ apiKey: 'g' }),
  ];

  it('repairs malformed JSON, fails over, and writes minutes from the provider that answered', async () => {
    const repairs: string[] = [];
    nock('https://api.anthropic.com').post('/v1/messages').reply(200, anthropicText('Sure! {"abstract": "Shipping Fri'))
      .post('/v1/messages').reply(200, (_u, body) => {
        repairs.push(JSON.stringify((body as { messages: unknown[] }).messages.at(-1)));
        return anthropicText('still {not json');
      });
    nock('https://api.openai.com').post('/v1/chat/completions').reply(200, openaiText(good));
    const ledger = new MemoryLedger();
    const m = await new LlmAnalyzer({ orchestrator: new Orchestrator({ providers: providers(), ledger }), fallback: offline }).analyze(input);
    expect(m.provenance).to.include({ analyzer: 'llm', provider: 'openai' });
    expect(m.decisions).to.deep.equal([{ text: 'Ship on Friday', confidence: 0.9, evidenceSegmentIds: [7] }]);
    expect(repairs[0]).to.match(/could not be used/);
    expect(ledger.entries.map((e) => `${e.provider}:${e.outcome}`)).to.deep.equal(['anthropic:bad_output', 'anthropic:bad_output', 'openai:ok']);
    expect(nock.isDone()).to.equal(true);
  });

  it('falls back to the offline analyzer when 529, 429 and 500 come back', async () => {
    nock('https://api.anthropic.com').post('/v1/messages').reply(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    nock('https://api.openai.com').post('/v1/chat/completions').reply(429, { error: { message: 'Rate limit', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, { 'retry-after': '20' });
    nock('https://generativelanguage.googleapis.com').post(/generateContent$/).reply(500, { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } }, { 'content-type': 'application/json' });
    const m = await new LlmAnalyzer({ orchestrator: new Orchestrator({ providers: providers() }), fallback: offline }).analyze(input);
    expect(m.provenance.analyzer).to.equal('offline');
    expect(m.provenance.fallbackReason).to.match(/PROVIDER_UNAVAILABLE.*anthropic: server, openai: rate_limited, gemini: server/);
  });
});

describe('createProvidersFromConfig', () => {
  it('builds the configured providers in LLM_PROVIDER_ORDER and none without keys', () => {
    expect(createProvidersFromConfig(loadConfig({}))).to.deep.equal([]);
    const config = loadConfig({
      OPENAI_API_KEY: 'o', GEMINI_API_KEY: 'g', LLM_PROVIDER_ORDER: 'gemini, openai-compatible, openai',
      OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:11434/v1', OPENAI_COMPATIBLE_MODEL: 'llama3.1:8b',
    });
    expect(createProvidersFromConfig(config).map((p) => `${p.name}:${p.model}`)).to.deep.equal(['gemini:gemini-2.5-flash', 'openai-compatible:llama3.1:8b', 'openai:gpt-4.1-mini']);
  });
});
