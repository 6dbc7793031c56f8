import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Orchestrator } from '../ai/Orchestrator.ts';
import { ScriptedProvider } from '../ai/ScriptedProvider.ts';
import { InProcessCache } from '../cache/InProcessCache.ts';
import { describeEachBackend } from '../../test/support/databases.ts';

describeEachBackend('LedgerStore (llm_usage)', (ctx) => {
  it('writes one row per call and cache hit, and totals tokens and cost per provider', async () => {
    const meetingId = randomUUID();
    const failing = new ScriptedProvider({ name: 'openai', model: 'gpt-4.1-mini', script: [{ error: 'server', status: 500 }] });
    const anthropic = new ScriptedProvider({ name: 'anthropic', model: 'claude-sonnet-4-6', respond: () => 'an answer' });
    const orch = new Orchestrator({ providers: [failing, anthropic], ledger: ctx.stores.ledger, cache: new InProcessCache() });
    const req = { system: 'sys', messages: [{ role: 'user' as const, content: 'question' }], maxTokens: 50, meetingId };
    await orch.complete('qa', req);
    await orch.complete('qa', req);

    const rows = await ctx.stores.ledger.entriesForMeeting(meetingId);
    expect(rows.map((r) => [r.provider, r.outcome, r.cached, r.errorKind])).to.deep.equal([
      ['openai', 'error', false, 'server'],
      ['anthropic', 'ok', false, null],
      ['anthropic', 'cached', true, null],
    ]);
    const totals = await ctx.stores.ledger.totalsForMeeting(meetingId);
    const a = totals.find((t) => t.provider === 'anthropic')!;
    expect(a).to.include({ model: 'claude-sonnet-4-6', calls: 2, cachedCalls: 1, inputTokens: anthropic.inputTokens, outputTokens: anthropic.outputTokens });
    expect(a.costUsd).to.be.closeTo((anthropic.inputTokens * 3 + anthropic.outputTokens * 15) / 1e6, 1e-9);
    expect(totals.find((t) => t.provider === 'openai')).to.include({ calls: 1, inputTokens: 0, costUsd: 0 });
  });

  it('keeps usage with no meeting and unknown prices as null', async () => {
    const model = `local-${randomUUID()}`;
    await ctx.stores.ledger.record({ meetingId: null, task: 'translate', provider: 'x', model, inputTokens: 5, outputTokens: 1, costUsd: null, cached: false, outcome: 'ok' });
    const row = await ctx.db.knex('llm_usage').where({ model }).first();
    expect(row.meeting_id).to.equal(null);
    expect(row.cost_usd).to.equal(null);
  });
});
