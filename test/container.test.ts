import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import nock from 'nock';
import { createContainer } from '../bot/container.ts';
import { createMinutesEngine } from '../bot/llm.ts';
import { MemoryLedger } from '../core/ai/ledger.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';

/** The wiring of the minutes engine: who writes the minutes for a given configuration. */
describe('container: minutes engine wiring', function () {
  this.timeout(60_000);
  let dataDir: string;
  const logLines: { msg: string }[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({ write(chunk, _enc, done) { logLines.push(JSON.parse(String(chunk))); done(); } }),
  });
  // Only what the test names: no key from the developer's environment leaks in.
  const config = (env: Record<string, string> = {}) => loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'minutes-container-'));
    nock.disableNetConnect();
  });
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => void (logLines.length = 0));

  it('with no provider keys, the offline analyzer writes the minutes and the log says how to turn an LLM on', async () => {
    const c = await createContainer(config(), logger);
    try {
      expect(c.analyzer.name).to.equal('offline');
      expect(c.orchestrator).to.equal(null);
      expect(c.minutes.analyzerName).to.equal('offline');
      expect(logLines.map((l) => l.msg)).to.include(
        'minutes written by the offline analyzer; LLM providers off: set anthropic: ANTHROPIC_API_KEY, openai: OPENAI_API_KEY, gemini: GEMINI_API_KEY, openai-compatible: OPENAI_COMPATIBLE_BASE_URL + OPENAI_COMPATIBLE_MODEL to turn one on',
      );
    } finally {
      await c.close();
    }
  });

  it('with an OpenAI key, the container runs the LLM analyzer without calling anyone at construction', async () => {
    const openai = nock('https://api.openai.com').post(/.*/).reply(500, {});
    const c = await createContainer(config({ OPENAI_API_KEY: 'sk-test-not-a-real-key' }), logger);
    try {
      expect(c.analyzer.name).to.equal('llm');
      expect(c.orchestrator?.orderFor('minutes').map((p) => `${p.name} ${p.model}`)).to.deep.equal(['openai gpt-4.1-mini']);
      expect(c.minutes.analyzerName).to.equal('llm');
      expect(logLines.map((l) => l.msg)).to.include('minutes written by the LLM analyzer (openai gpt-4.1-mini), offline analyzer as fallback; LLM cache in-process');
      expect(openai.isDone()).to.equal(false);
    } finally {
      await c.close();
    }
  });

  it('uses Redis for the LLM cache when REDIS_URL is set, none when the TTL is 0, and closes Redis without having connected', async () => {
    const redis = createMinutesEngine(config({ OPENAI_API_KEY: 'sk-x', REDIS_URL: 'redis://127.0.0.1:1' }), { ledger: new MemoryLedger(), logger });
    expect(redis.cache).to.equal('redis');
    await redis.close();
    const off = createMinutesEngine(config({ OPENAI_API_KEY: 'sk-x', LLM_CACHE_TTL_SECONDS: '0' }), { ledger: new MemoryLedger(), logger });
    expect(off.cache).to.equal('off');
  });
});
