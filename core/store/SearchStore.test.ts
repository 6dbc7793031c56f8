import { expect } from 'chai';
import { describeEachBackend, type StoreContext } from '../../test/support/databases.ts';
import type { SegmentInput } from '../types.ts';

async function meetingWith(ctx: StoreContext, title: string, lines: [string, string][], organizationId = ctx.org.id, startedAt?: Date) {
  const segments: SegmentInput[] = lines.map(([speaker, text], i) => ({ speaker, text, startMs: i * 2000, endMs: i * 2000 + 1500, sourceSeq: i }));
  const { meeting } = await ctx.service.importTranscript({ organizationId, title, transcript: { format: 'text', segments }, startedAt });
  return meeting;
}

describeEachBackend('SearchStore', (ctx) => {
  let budget: string;
  let design: string;
  beforeEach(async () => {
    budget = (await meetingWith(ctx, 'Budget review', [
      ['Ada', 'The budget for the remote control is twelve euros fifty'],
      ['Grace', 'We should cut the budget for marketing'],
      ['Ada', 'Remote work policy is unrelated to the budget'],
      ['Linus', 'I like the yellow case'],
    ], ctx.org.id, new Date('2026-01-10T10:00:00Z'))).id;
    design = (await meetingWith(ctx, 'Design sync', [
      ['Grace', 'The budget is tight, budget budget budget everywhere'],
      ['Linus', 'Rubber buttons feel nicer than plastic'],
      ['Ada', 'Let us go with the kinetic battery'],
    ], ctx.org.id, new Date('2026-02-10T10:00:00Z'))).id;
  });

  it('ranks segments that match more strongly first and highlights the match', async () => {
    const r = await ctx.stores.search.search({ q: 'budget', organizationId: ctx.org.id });
    expect(r.total).to.equal(4);
    expect(r.hits[0]!.segment.text).to.match(/budget budget budget/);
    expect(r.hits[0]!.meeting.title).to.equal('Design sync');
    expect(r.hits[0]!.snippet).to.contain('<mark>budget</mark>');
    const ranks = r.hits.map((h) => h.rank);
    expect([...ranks].sort((a, b) => b - a)).to.deep.equal(ranks);
  });

  it('matches stemmed words', async () => {
    const r = await ctx.stores.search.search({ q: 'buttons', organizationId: ctx.org.id });
    expect(r.hits.map((h) => h.segment.speaker)).to.deep.equal(['Linus']);
    const stem = await ctx.stores.search.search({ q: 'button', organizationId: ctx.org.id });
    expect(stem.hits).to.have.length(1);
  });

  it('supports quoted phrases, or, and -exclusion', async () => {
    const phrase = await ctx.stores.search.search({ q: '"remote control"', organizationId: ctx.org.id });
    expect(phrase.hits.map((h) => h.segment.text)).to.deep.equal(['The budget for the remote control is twelve euros fifty']);
    const either = await ctx.stores.search.search({ q: 'kinetic or rubber', organizationId: ctx.org.id });
    expect(either.hits.map((h) => h.segment.speaker).sort()).to.deep.equal(['Ada', 'Linus']);
    const excluded = await ctx.stores.search.search({ q: 'budget -remote', organizationId: ctx.org.id });
    expect(excluded.hits.every((h) => !/remote/i.test(h.segment.text))).to.equal(true);
    expect(excluded.total).to.equal(2);
  });

  it('filters by meeting, speaker (case-insensitive) and date range', async () => {
    const inMeeting = await ctx.stores.search.search({ q: 'budget', meetingId: budget });
    expect(inMeeting.hits.every((h) => h.segment.meetingId === budget)).to.equal(true);
    expect(inMeeting.total).to.equal(3);
    const bySpeaker = await ctx.stores.search.search({ q: 'budget', organizationId: ctx.org.id, speaker: 'grace' });
    expect(bySpeaker.hits.map((h) => h.segment.speaker)).to.deep.equal(['Grace', 'Grace']);
    const february = await ctx.stores.search.search({ q: 'budget', organizationId: ctx.org.id, from: new Date('2026-02-01'), to: new Date('2026-03-01') });
    expect(february.hits.map((h) => h.segment.meetingId)).to.deep.equal([design]);
  });

  it('never returns another organization\'s segments', async () => {
    const other = await ctx.stores.organizations.ensure(`${ctx.org.name}-other`);
    await meetingWith(ctx, 'Secret', [['Eve', 'budget secrets']], other.id);
    const mine = await ctx.stores.search.search({ q: 'secrets', organizationId: ctx.org.id });
    expect(mine.hits).to.have.length(0);
    const theirs = await ctx.stores.search.search({ q: 'secrets', organizationId: other.id });
    expect(theirs.hits).to.have.length(1);
  });

  it('pages through results without repeats', async () => {
    const first = await ctx.stores.search.search({ q: 'budget', organizationId: ctx.org.id, limit: 2 });
    const second = await ctx.stores.search.search({ q: 'budget', organizationId: ctx.org.id, limit: 2, offset: 2 });
    const ids = [...first.hits, ...second.hits].map((h) => h.segment.id);
    expect(first.hits).to.have.length(2);
    expect(new Set(ids).size).to.equal(4);
    const beyond = await ctx.stores.search.search({ q: 'budget', organizationId: ctx.org.id, limit: 2, offset: 10 });
    expect(beyond.hits).to.have.length(0);
    expect(beyond.total).to.equal(4);
  });

  it('escapes transcript HTML in snippets', async () => {
    const m = await meetingWith(ctx, 'Injection', [['Mallory', 'budget <img src=x onerror=alert(1)> & more']]);
    const r = await ctx.stores.search.search({ q: 'budget', meetingId: m.id });
    expect(r.hits).to.have.length(1);
    expect(r.hits[0]!.snippet).to.not.contain('<img');
    expect(r.hits[0]!.snippet).to.contain('<mark>budget</mark>');
  });

  it('rejects an empty query and returns nothing for stopword-only or unknown filters', async () => {
    let code = '';
    await ctx.stores.search.search({ q: '   ' }).catch((e) => { code = e.code; });
    expect(code).to.equal('SEARCH_INVALID');
    expect((await ctx.stores.search.search({ q: 'the', organizationId: ctx.org.id })).hits).to.have.length(0);
    expect((await ctx.stores.search.search({ q: 'budget', meetingId: 'garbage' })).hits).to.have.length(0);
  });
});
