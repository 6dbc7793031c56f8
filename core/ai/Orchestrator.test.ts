import { expect } from 'chai';
import { z } from 'zod';
import { InProcessCache } from '../cache/InProcessCache.ts';
import { isMinutesError, type MinutesError } from '../errors.ts';
import { MemoryLedger } from './ledger.ts';
import { Orchestrator, type OrchestratorOptions } from './Orchestrator.ts';
import { ScriptedProvider } from './ScriptedProvider.ts';

const schema = z.object({ answer: z.number() });
const req = { system: 'Answer in JSON', messages: [{ role: 'user' as const, content: 'what is 6*7?' }], maxTokens: 100, meetingId: 'm-1' };

async function codeOf(p: Promise<unknown>): Promise<MinutesError> {
  try {
    await p;
  } catch (err) {
    expect(isMinutesError(err), String(err)).to.equal(true);
    return err as MinutesError;
  }
  throw new Error('expected a MinutesError');
}

describe('Orchestrator', () => {
  const clock = { t: 0, now() { return this.t; } };
  let ledger: MemoryLedger;
  const make = (providers: ScriptedProvider[], extra: Partial<OrchestratorOptions> = {}) =>
    new Orchestrator({ providers, ledger, clock, breaker: { failureThreshold: 2, cooldownMs: 1000 }, ...extra });
  beforeEach(() => {
    clock.t = 0;
    ledger = new MemoryLedger();
  });

  it('returns validated JSON from the first provider and records usage', async () => {
    const a = new ScriptedProvider({ name: 'a', script: ['```json\n{"answer": 42}\n```'] });
    const res = await make([a]).completeJson('qa', req, schema);
    expect(res.value).to.deep.equal({ answer: 42 });
    expect(res.provider).to.equal('a');
    expect(a.calls[0]!.json).to.equal(true);
    expect(ledger.entries).to.have.length(1);
    expect(ledger.entries[0]).to.include({ meetingId: 'm-1', task: 'qa', provider: 'a', outcome: 'ok', cached: false, costUsd: null });
    expect(ledger.entries[0]!.inputTokens).to.be.greaterThan(0);
  });

  it('prices calls to known models from the price table', async () => {
    const a = new ScriptedProvider({ name: 'anthropic', model: 'claude-haiku-4-5-20251001', script: ['{"answer": 1}'] });
    await make([a]).completeJson('qa', req, schema);
    const e = ledger.entries[0]!;
    expect(e.costUsd).to.be.closeTo((e.inputTokens * 1 + e.outputTokens * 5) / 1e6, 1e-12);
  });

  it('fails over on rate limits, timeouts and server errors, in order', async () => {
    const a = new ScriptedProvider({ name: 'a', script: [{ error: 'rate_limited', retryAfterMs: 5000 }] });
    const b = new ScriptedProvider({ name: 'b', script: [{ error: 'timeout' }] });
    const c = new ScriptedProvider({ name: 'c', script: [{ error: 'server', status: 529 }] });
    const d = new ScriptedProvider({ name: 'd', script: ['{"answer": 1}'] });
    const res = await make([a, b, c, d]).completeJson('qa', req, schema);
    expect(res.provider).to.equal('d');
    expect(res.attempts.map((x) => x.outcome)).to.deep.equal(['rate_limited', 'timeout', 'server', 'ok']);
    expect(ledger.entries.map((e) => e.outcome)).to.deep.equal(['error', 'error', 'error', 'ok']);
  });

  it('times a hanging provider out and moves on', async () => {
    const a = new ScriptedProvider({ name: 'a', script: [{ hang: true }] });
    const b = new ScriptedProvider({ name: 'b', script: ['{"answer": 2}'] });
    const res = await make([a, b], { timeoutMs: 20 }).completeJson('qa', req, schema);
    expect(res.attempts.map((x) => x.outcome)).to.deep.equal(['timeout', 'ok']);
  });

  it('repairs invalid output once with the same provider, sending the validation error back', async () => {
    const a = new ScriptedProvider({ name: 'a', script: ['{"answer": "forty-two"}', '{"answer": 42}'] });
    const res = await make([a]).completeJson('qa', req, schema);
    expect(res.value.answer).to.equal(42);
    expect(res.attempts[0]!.outcome).to.equal('repaired');
    const repair = a.calls[1]!.messages;
    expect(repair).to.have.length(3);
    expect(repair[1]).to.deep.equal({ role: 'assistant', content: '{"answer": "forty-two"}' });
    expect(repair[2]!.content).to.match(/answer/).and.match(/number/i);
    expect(ledger.entries.map((e) => e.outcome)).to.deep.equal(['bad_output', 'repaired']);
  });

  it('fails over after a failed repair, and reports PROVIDER_BAD_OUTPUT when all answers are bad', async () => {
    const a = new ScriptedProvider({ name: 'a', script: ['not json', 'still not json'] });
    const b = new ScriptedProvider({ name: 'b', script: ['{"answer": 3}'] });
    expect((await make([a, b]).completeJson('qa', req, schema)).provider).to.equal('b');
    const c = new ScriptedProvider({ name: 'c', script: ['nope', 'nope'] });
    const err = await codeOf(make([c]).completeJson('qa', req, schema));
    expect(err.code).to.equal('PROVIDER_BAD_OUTPUT');
  });

  it('names the common failure: rate limited, timed out, or unavailable', async () => {
    const limited = [new ScriptedProvider({ name: 'a', script: [{ error: 'rate_limited' }] }), new ScriptedProvider({ name: 'b', script: [{ error: 'rate_limited' }] })];
    expect((await codeOf(make(limited).complete('qa', req))).code).to.equal('PROVIDER_RATE_LIMITED');
    const slow = [new ScriptedProvider({ name: 'a', script: [{ error: 'timeout' }] })];
    expect((await codeOf(make(slow).complete('qa', req))).code).to.equal('PROVIDER_TIMEOUT');
    const mixed = [new ScriptedProvider({ name: 'a', script: [{ error: 'timeout' }] }), new ScriptedProvider({ name: 'b', script: [{ error: 'auth', status: 401 }] })];
    const err = await codeOf(make(mixed).complete('qa', req));
    expect(err.code).to.equal('PROVIDER_UNAVAILABLE');
    expect(err.cause).to.have.property('kind', 'auth');
    expect((err.details.attempts as unknown[]).length).to.equal(2);
  });

  it('with no provider, says an LLM provider is needed', async () => {
    expect((await codeOf(make([]).complete('qa', req))).code).to.equal('NEEDS_LLM_PROVIDER');
  });

  it('opens a failing provider\'s breaker, skips it, then half-opens after the cool-down', async () => {
    const a = new ScriptedProvider({ name: 'a', script: [{ error: 'server' }, { error: 'server' }] });
    const b = new ScriptedProvider({ name: 'b', respond: () => '{"answer": 5}' });
    const orch = make([a, b]);
    await orch.complete('qa', req);
    await orch.complete('qa', { ...req, messages: [{ role: 'user', content: 'again' }] });
    expect(orch.breakerState('a')).to.equal('open');
    const skipped = await orch.complete('qa', { ...req, messages: [{ role: 'user', content: 'third' }] });
    expect(skipped.attempts[0]!.outcome).to.equal('circuit_open');
    expect(a.calls).to.have.length(2);
    clock.t += 1000;
    expect(orch.breakerState('a')).to.equal('half_open');
    a.push('{"answer": 6}');
    const trial = await orch.complete('qa', { ...req, messages: [{ role: 'user', content: 'fourth' }] });
    expect(trial.provider).to.equal('a');
    expect(orch.breakerState('a')).to.equal('closed');
  });

  it('serves a repeated request from the cache without calling a provider', async () => {
    const a = new ScriptedProvider({ name: 'a', respond: () => '{"answer": 7}' });
    const orch = make([a], { cache: new InProcessCache() });
    const first = await orch.completeJson('qa', req, schema);
    const second = await orch.completeJson('qa', req, schema);
    expect(first.cached).to.equal(false);
    expect(second).to.include({ cached: true, provider: 'a', inputTokens: 0 });
    expect(second.value).to.deep.equal({ answer: 7 });
    expect(a.calls).to.have.length(1);
    expect(ledger.entries.map((e) => [e.outcome, e.cached])).to.deep.equal([['ok', false], ['cached', true]]);
    await orch.completeJson('translate', req, schema);
    expect(a.calls, 'another task is another key').to.have.length(2);
  });

  it('uses the per-task provider order', async () => {
    const a = new ScriptedProvider({ name: 'a', respond: () => 'from a' });
    const b = new ScriptedProvider({ name: 'b', respond: () => 'from b' });
    const orch = make([a, b], { taskOrder: { translate: ['b', 'a'] } });
    expect((await orch.complete('qa', req)).value).to.equal('from a');
    expect((await orch.complete('translate', req)).value).to.equal('from b');
  });

  it('stops at once when the caller cancels, without failing over', async () => {
    const a = new ScriptedProvider({ name: 'a', script: [{ hang: true }] });
    const b = new ScriptedProvider({ name: 'b', respond: () => 'b' });
    const controller = new AbortController();
    const pending = make([a, b]).complete('qa', { ...req, signal: controller.signal });
    controller.abort();
    try {
      await pending;
      expect.fail('should have been cancelled');
    } catch (err) {
      expect(err).to.have.property('kind', 'aborted');
    }
    expect(b.calls).to.have.length(0);
  });
});
