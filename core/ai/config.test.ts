import { expect } from 'chai';
import { loadConfig } from '../config.ts';

describe('config: LLM variables', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.LLM_PROVIDER_ORDER).to.deep.equal(['anthropic', 'openai', 'gemini', 'openai-compatible']);
    expect(c).to.include({ LLM_TIMEOUT_MS: 60_000, LLM_CONTEXT_BUDGET_TOKENS: 12_000, LLM_CACHE_TTL_SECONDS: 3600, ANTHROPIC_MODEL: 'claude-sonnet-4-6', OPENAI_MODEL: 'gpt-4.1-mini', GEMINI_MODEL: 'gemini-2.5-flash' });
  });

  it('rejects an unknown provider name and a base URL without a model, naming the variable', () => {
    expect(() => loadConfig({ LLM_PROVIDER_ORDER: 'anthropic,mistral' })).to.throw(/LLM_PROVIDER_ORDER/);
    expect(() => loadConfig({ OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:11434/v1' })).to.throw(/OPENAI_COMPATIBLE_MODEL: expected a model name/);
  });

  it('hides the compatible server key in error messages', () => {
    expect(() => loadConfig({ OPENAI_COMPATIBLE_API_KEY: 'sk-local', LLM_TIMEOUT_MS: 'x' })).to.throw(/LLM_TIMEOUT_MS/).with.property('message').not.contain('sk-local');
  });
});
