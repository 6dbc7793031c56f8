import { expect } from 'chai';
import { inlineMeeting, loadFixture } from '../../../test/fixtures/minutes/fixtures.ts';
import { allTexts } from '../analyzer.contract.ts';
import { OfflineAnalyzer } from './analyzer.ts';
import { resolveDueDate } from './dates.ts';

describe('OfflineAnalyzer', () => {
  const analyzer = new OfflineAnalyzer();
  const planning = loadFixture('planning.json');

  it('assigns a first-person commitment to its speaker, with "tomorrow" resolved', async () => {
    const m = await analyzer.analyze(planning);
    const item = m.actionItems.find((a) => /checkout tests/.test(a.text));
    expect(item, JSON.stringify(m.actionItems)).to.include({ ownerName: 'Bob Chen', ownerAttendeeId: 'att-2', dueDate: '2024-03-05' });
    expect(item!.evidenceSegmentIds).to.include(108);
    expect(item!.text).to.match(/^Bob Chen will update the checkout tests/);
  });

  it('assigns "can you…" to the named attendee and resolves "by Friday" against the meeting date', async () => {
    const m = await analyzer.analyze(planning);
    const item = m.actionItems.find((a) => /questionnaire/.test(a.text));
    // Meeting on Monday 2024-03-04 → Friday 2024-03-08.
    expect(item, JSON.stringify(m.actionItems)).to.include({ ownerName: 'Carol Diaz', ownerAttendeeId: 'att-3', dueDate: '2024-03-08' });
  });

  it('gives "can you…" without a name to the next speaker', async () => {
    const m = await analyzer.analyze(inlineMeeting([
      ['Ann', 'Could you send the invoice to the client?'],
      ['Raj', 'Yes, will do.'],
    ]));
    expect(m.actionItems[0]).to.include({ ownerName: 'Raj' });
  });

  it('gives "we need to…" no owner and marks urgent work high priority', async () => {
    const m = await analyzer.analyze(planning);
    const item = m.actionItems.find((a) => /login bug/.test(a.text));
    expect(item, JSON.stringify(m.actionItems)).to.include({ ownerAttendeeId: null, priority: 'high' });
  });

  it('finds the decision and the blocker', async () => {
    const m = await analyzer.analyze(planning);
    expect(m.decisions.map((d) => d.text).join(' | ')).to.match(/hosted (payment )?form/);
    expect(m.blockers.map((b) => b.text).join(' | ')).to.match(/blocked on the security review|too expensive/);
  });

  it('reports a question nobody answered, not one that was answered', async () => {
    const m = await analyzer.analyze(inlineMeeting([
      ['Ann', 'Where do we keep the signed contracts these days?'],
      ['Raj', 'In the legal drive, under the client folder.'],
      ['Ann', 'Great.'],
      ['Raj', 'Who is going to own the quarterly vendor review next year?'],
      ['Ann', 'Okay.'],
      ['Raj', 'Hmm.'],
    ]));
    expect(m.questions.map((q) => q.evidenceSegmentIds)).to.deep.equal([[104]]);
  });

  it('is deterministic', async () => {
    const a = await analyzer.analyze(planning);
    const b = await new OfflineAnalyzer().analyze(planning);
    a.provenance.durationMs = b.provenance.durationMs = 0;
    expect(a).to.deep.equal(b);
  });

  it('handles empty and one-line meetings', async () => {
    const empty = await analyzer.analyze({ ...planning, segments: [] });
    expect(empty.summary).to.deep.equal({ abstract: '', sections: [] });
    expect(empty.actionItems).to.deep.equal([]);
    const one = await analyzer.analyze(inlineMeeting([['Ann', "I'll book the room for Thursday."]]));
    expect(one.actionItems).to.have.length(1);
    expect(one.actionItems[0]).to.include({ ownerName: 'Ann' });
  });

  it('never invents an owner and never outputs a mention', async () => {
    const m = await analyzer.analyze(planning);
    const ids = new Set(planning.attendees.map((a) => a.id));
    for (const a of m.actionItems) if (a.ownerAttendeeId) expect(ids.has(a.ownerAttendeeId)).to.equal(true);
    expect(m.actionItems.some((a) => /ceo/i.test(a.ownerName ?? ''))).to.equal(false);
    for (const t of allTexts(m)) expect(t).not.to.match(/@everyone|<@/);
  });

  it('does not take a speaker label that is not an attendee as owner', async () => {
    const m = await analyzer.analyze(inlineMeeting([['Mallory', "I'll approve the budget myself."]], ['Ann']));
    expect(m.actionItems[0]?.ownerAttendeeId ?? null).to.equal(null);
  });

  it('resolves relative due dates in UTC against the reference date', () => {
    const monday = new Date('2024-01-08T09:00:00Z');
    expect(resolveDueDate('send it by Friday', monday)).to.equal('2024-01-12');
    expect(resolveDueDate('sometime next week', monday)).to.equal('2024-01-15');
    expect(resolveDueDate('let us do it now', monday)).to.equal(null);
    expect(resolveDueDate('no date here', monday)).to.equal(null);
  });
});
