import { expect } from 'chai';
import { isMinutesError } from '../errors.ts';
import { Orchestrator } from './Orchestrator.ts';
import { ScriptedProvider } from './ScriptedProvider.ts';
import { translateSummary } from './translate.ts';

const summary = { abstract: 'We planned the launch.', sections: [{ title: 'Launch', text: 'Ship on Friday.', evidenceSegmentIds: [3, 4] }] };

describe('translateSummary', () => {
  it('translates texts through the orchestrator and keeps the evidence', async () => {
    const p = new ScriptedProvider({ script: ['{"abstract":"Wir planten den Start. @everyone","sections":[{"title":"Start","text":"Am Freitag ausliefern."}]}'] });
    const out = await translateSummary(new Orchestrator({ providers: [p] }), summary, 'German');
    expect(out).to.deep.equal({ abstract: 'Wir planten den Start.', sections: [{ title: 'Start', text: 'Am Freitag ausliefern.', evidenceSegmentIds: [3, 4] }] });
    expect(p.calls[0]!.system).to.match(/into German/);
  });

  it('asks for a repair when a section goes missing', async () => {
    const p = new ScriptedProvider({ script: ['{"abstract":"x","sections":[]}', '{"abstract":"x","sections":[{"title":"t","text":"u"}]}'] });
    const out = await translateSummary(new Orchestrator({ providers: [p] }), summary, 'French');
    expect(out.sections[0]!.text).to.equal('u');
    expect(p.calls[1]!.messages.at(-1)!.content).to.match(/exactly 1 sections/);
  });

  it('without a provider: NEEDS_LLM_PROVIDER with a clear message', async () => {
    for (const orch of [null, new Orchestrator({ providers: [] })]) {
      try {
        await translateSummary(orch, summary, 'German');
        expect.fail('should throw');
      } catch (err) {
        expect(isMinutesError(err, 'NEEDS_LLM_PROVIDER')).to.equal(true);
        expect((err as Error).message).to.match(/needs an LLM provider: set ANTHROPIC_API_KEY/);
      }
    }
  });
});
