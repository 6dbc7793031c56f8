import { expect } from 'chai';
import { inlineMeeting, loadFixture } from '../../../test/fixtures/minutes/fixtures.ts';
import type { Insight } from '../types.ts';
import { OfflineLiveAnalyzer, insightKey } from './live.ts';

describe('OfflineLiveAnalyzer', () => {
  const planning = loadFixture('planning.json');

  async function feed(live: OfflineLiveAnalyzer, segments: typeof planning.segments, batch: number): Promise<Insight[]> {
    const all: Insight[] = [];
    for (let i = 0; i < segments.length; i += batch) all.push(...(await live.push(segments.slice(i, i + batch))));
    return all;
  }

  it('emits insights with evidence, each key once across pushes', async () => {
    const live = new OfflineLiveAnalyzer({ attendees: planning.attendees, meetingStart: planning.meeting.startedAt });
    const all = await feed(live, planning.segments, 2);
    expect(all.length).to.be.greaterThan(0);
    expect(new Set(all.map((x) => x.key)).size).to.equal(all.length);
    const ids = new Set(planning.segments.map((s) => s.id));
    for (const x of all) for (const id of x.evidenceSegmentIds) expect(ids.has(id)).to.equal(true);
    expect(all.find((x) => x.kind === 'action_item' && /checkout tests/.test(x.text))).to.include({ ownerName: 'Bob Chen' });
  });

  it('does not re-emit when the same segments are pushed again', async () => {
    const live = new OfflineLiveAnalyzer({ attendees: planning.attendees });
    const first = await live.push(planning.segments);
    expect(first.length).to.be.greaterThan(0);
    expect(await live.push(planning.segments)).to.deep.equal([]);
    expect(await live.push([])).to.deep.equal([]);
  });

  it('drops a restatement of an insight already emitted', async () => {
    const m = inlineMeeting([
      ['Ann', "I'll send the pricing deck to the client on Monday."],
      ['Raj', 'Sounds good.'],
      ['Ann', "Okay so I'll send the pricing deck to the client on Monday."],
    ]);
    const live = new OfflineLiveAnalyzer({ attendees: m.attendees, meetingStart: m.meeting.startedAt });
    const all = await feed(live, m.segments, 1);
    expect(all.filter((x) => x.kind === 'action_item')).to.have.length(1);
  });

  it('keys ignore case, punctuation, fillers and word order', () => {
    expect(insightKey('decision', 'Use the hosted form.')).to.equal(insightKey('decision', 'um, the HOSTED form use'));
    expect(insightKey('decision', 'Use the hosted form')).not.to.equal(insightKey('action_item', 'Use the hosted form'));
  });
});
