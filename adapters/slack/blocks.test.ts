import { expect } from 'chai';
import { minutesView } from '../../core/minutes/stored.ts';
import type { ActionItem, Attendee, MeetingBundle, Segment } from '../../core/types.ts';
import { actionItemBlocks, itemIdOfBlock, minutesMessages, replaceItemBlocks, splitText, type Block } from './blocks.ts';
import { link, mrkdwn, safe, truncate } from './escape.ts';
import { homeView, ownerName } from './home.ts';
import { actionsMessage, parseCommand } from './commands.ts';
import { validateBlocks, validateView } from './testing/blockLimits.ts';

const links = { home: () => 'https://dash.example/', meeting: (id: string, seg?: number) => `https://dash.example/meetings/${id}${seg === undefined ? '' : `#seg-${seg}`}` };
const HOSTILE = 'Ship it <!channel> & ping <@U123> <!here> <#C999> <https://evil.example|click> @everyone >_<';
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const MEETING = uuid(999_999);

function item(n: number, patch: Partial<ActionItem> = {}): ActionItem {
  return {
    id: uuid(n), meetingId: MEETING, description: `Task ${n}: ${HOSTILE}`, ownerAttendeeId: null, ownerUserId: null, ownerName: 'Bob <@U777>',
    dueDate: '2030-01-01', status: 'pending', priority: 'medium', confidence: 0.9, evidenceSegmentIds: [1], source: 'manual',
    createdAt: new Date(), updatedAt: new Date(), ...patch,
  };
}

function bundle(input: { items?: number; decisions?: number; abstract?: string; title?: string; segments?: number } = {}): MeetingBundle {
  const attendees: Attendee[] = ['Alice', 'Bob <!channel>'].map((displayName, i) => ({ id: uuid(500 + i), meetingId: MEETING, userId: null, displayName, consent: 'granted', talkTimeMs: 60_000 * (i + 1) }));
  const segments: Segment[] = Array.from({ length: input.segments ?? 3 }, (_, i) => ({
    id: i + 1, meetingId: MEETING, attendeeId: null, speaker: i % 2 ? 'Bob' : 'Alice <@U1>', startMs: i * 5000, endMs: i * 5000 + 4000, text: `${HOSTILE} line ${i}`,
    confidence: null, source: 'test', sourceSeq: i, language: null,
  }));
  return {
    meeting: { id: MEETING, organizationId: uuid(1), platform: 'discord', externalIds: {}, title: input.title ?? `Launch ${HOSTILE}`, status: 'completed', scheduledAt: null, startedAt: new Date('2025-03-01T10:00:00Z'), endedAt: null, purgedAt: null, settings: {}, createdAt: new Date(), updatedAt: new Date() },
    attendees, segments,
    actionItems: Array.from({ length: input.items ?? 2 }, (_, i) => item(i + 1, { ownerAttendeeId: attendees[0]!.id })),
    decisions: Array.from({ length: input.decisions ?? 1 }, (_, i) => ({ id: uuid(800 + i), meetingId: MEETING, text: `Decision ${i} ${HOSTILE} ${'x'.repeat(400)}`, evidenceSegmentIds: [2], confidence: 1, source: 'manual', createdAt: new Date() })),
    notes: [{ id: uuid(900), meetingId: MEETING, kind: 'question', text: `Why? ${HOSTILE}`, evidenceSegmentIds: [], confidence: 1, resolved: false, source: 'manual', createdAt: new Date() }],
    summaries: [{ id: uuid(950), meetingId: MEETING, kind: 'abstract', text: input.abstract ?? `We agreed. ${HOSTILE}`, provider: 'manual', model: null, version: 1, createdAt: new Date() }],
  };
}

/** Every text Slack would parse as mrkdwn, and the plain_text ones, as one string. */
const json = (blocks: unknown) => JSON.stringify(blocks);

/** The mrkdwn texts of blocks (what Slack parses for mentions and links); plain_text is never parsed. */
function mrkdwnTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => mrkdwnTexts(n, out));
  else if (node && typeof node === 'object') {
    const r = node as Record<string, unknown>;
    if (r.type === 'mrkdwn' && typeof r.text === 'string') out.push(r.text);
    else if (r.type !== 'plain_text') Object.values(r).forEach((v) => mrkdwnTexts(v, out));
  }
  return out;
}

function expectInert(blocks: unknown): void {
  const s = mrkdwnTexts(blocks).join('\n');
  for (const bad of ['<!channel>', '<!here>', '<@U123>', '<@U777>', '<@U1>', '<#C999>', '<https://evil.example', '@everyone', '@here']) expect(s, bad).to.not.contain(bad);
  expect(s).to.contain('&lt;!channel&gt;').and.contain('&lt;@U123&gt;').and.contain('&amp;').and.contain('&gt;_&lt;');
}

describe('Slack escaping (escape.ts)', () => {
  it('escapes &, <, > so said text can never mention, broadcast or link', () => {
    expect(mrkdwn('<!channel> <@U123> & <https://x.example|y>')).to.equal('&lt;!channel&gt; &lt;@U123&gt; &amp; &lt;https://x.example|y&gt;');
    expect(mrkdwn('a &amp; b')).to.equal('a &amp;amp; b');
    expect(mrkdwn('hey @here and @channel')).to.not.match(/@(here|channel)\b/);
    expect(mrkdwn('line one\n\n  line two')).to.equal('line one line two');
  });

  it('never truncates inside an entity, and links escape their labels', () => {
    expect(truncate('abc &amp; def', 7)).to.equal('abc…');
    expect(safe('<<<<<<<<', 10)).to.equal('&lt;&lt;…');
    expect(link('https://dash.example/m/1', 'a <!here> | b')).to.equal('<https://dash.example/m/1|a &lt;!here&gt; ¦ b>');
  });

  it('splits long text on spaces within the section limit', () => {
    const parts = splitText('word '.repeat(2000).trim(), 3000);
    expect(parts.every((p) => p.length <= 3000)).to.equal(true);
    expect(parts.join(' ')).to.equal('word '.repeat(2000).trim());
  });

  it('parses subcommands', () => {
    expect(parseCommand('  Summary  weekly sync ')).to.deep.equal({ sub: 'summary', rest: 'weekly sync' });
    expect(parseCommand('')).to.deep.equal({ sub: 'help', rest: '' });
  });
});

describe('Slack Block Kit minutes (blocks.ts)', () => {
  it('renders header, summary, decisions, attendees and action items with buttons, all escaped and within limits', () => {
    const b = bundle();
    const { main, thread } = minutesMessages({ bundle: b, view: minutesView(b), links, ownerLabel: ownerName });
    expect(validateBlocks(main.blocks, 'message')).to.deep.equal([]);
    for (const t of thread) expect(validateBlocks(t.blocks, 'message')).to.deep.equal([]);
    expect(main.blocks[0]).to.deep.include({ type: 'header' });
    expect((main.blocks[0] as unknown as { text: { type: string } }).text.type).to.equal('plain_text');
    const actions = main.blocks.filter((x) => x.type === 'actions') as (Block & { elements: { action_id: string; type: string; value?: string; options?: unknown[] }[] })[];
    expect(actions).to.have.length(2);
    expect(actions[0]!.block_id).to.equal(`ai:${uuid(1)}:m`);
    expect(actions[0]!.elements.map((e) => e.action_id)).to.deep.equal(['minutes_done', 'minutes_reassign', 'minutes_snooze']);
    expect(actions[0]!.elements[0]!.value).to.equal(uuid(1));
    expect(actions[0]!.elements[1]!.type).to.equal('static_select');
    expect(actions[0]!.elements[1]!.options).to.have.length(2);
    const text = json(main.blocks);
    expect(text).to.contain('*Summary*').and.contain('Decisions').and.contain('Alice 01:00').and.contain('due 2030-01-01');
    expectInert(main.blocks);
    expectInert(thread.flatMap((t) => t.blocks));
    expect(main.text).to.not.contain('<!channel>');
    // Thread: questions and transcript excerpts (cited lines link to the dashboard).
    expect(json(thread)).to.contain('Open questions').and.contain('Transcript excerpts').and.contain(`/meetings/${MEETING}#seg-2|`);
  });

  it('splits long minutes: ≤ 50 blocks per message, every text within its limit, the rest in the thread', () => {
    const b = bundle({ items: 70, decisions: 40, abstract: 'Very long summary <!channel>. '.repeat(600), title: 'T'.repeat(400), segments: 60 });
    const { main, thread } = minutesMessages({ bundle: b, view: minutesView(b), links, ownerLabel: ownerName });
    const all = [main, ...thread];
    for (const m of all) {
      expect(m.blocks.length).to.be.at.most(50);
      expect(validateBlocks(m.blocks, 'message'), json(m.blocks).slice(0, 200)).to.deep.equal([]);
    }
    expect((main.blocks[0] as unknown as { text: { text: string } }).text.text.length).to.be.at.most(150);
    const sections = all.flatMap((m) => m.blocks).filter((x) => x.type === 'section' && itemIdOfBlock(x.block_id));
    expect(new Set(sections.map((x) => x.block_id)).size).to.equal(70);
    // Each item's buttons stay in the same message as its text.
    for (const m of all) {
      for (const [i, blk] of m.blocks.entries()) if (blk.type === 'actions') expect(itemIdOfBlock(m.blocks[i - 1]!.block_id)).to.equal(itemIdOfBlock(blk.block_id));
    }
    expect(thread.some((t) => json(t.blocks).includes('Action items (continued)'))).to.equal(true);
    expectInert(all.flatMap((m) => m.blocks));
  });

  it('re-renders one item in place: done items lose their buttons, the rest is untouched', () => {
    const b = bundle({ items: 3 });
    const { main } = minutesMessages({ bundle: b, view: minutesView(b), links, ownerLabel: ownerName });
    const done = actionItemBlocks(item(2, { status: 'completed' }), { links, ownerLabel: ownerName });
    const next = replaceItemBlocks(main.blocks, uuid(2), done);
    expect(next.length).to.equal(main.blocks.length - 1);
    expect(next.filter((x) => itemIdOfBlock(x.block_id) === uuid(2))).to.have.length(1);
    expect(json(next)).to.contain('☑️ ~Task 2');
    expect(next.filter((x) => x.type === 'actions')).to.have.length(2);
  });

  it('lists and the App Home stay within 50 / 100 blocks and use a users_select to reassign', () => {
    const items = Array.from({ length: 80 }, (_, i) => ({ ...item(i + 1, { dueDate: '2020-01-01' }), meetingTitle: `M <!here> ${i}` }));
    const list = actionsMessage(items, 'Open action items', links);
    expect(validateBlocks(list.blocks, 'message')).to.deep.equal([]);
    expect(json(list.blocks)).to.contain('more on the');
    const home = homeView({ items, links, linked: true });
    expect(home.blocks.length).to.be.at.most(100);
    expect(validateView(home)).to.deep.equal([]);
    expect(json(home.blocks)).to.contain('users_select').and.contain('overdue').and.contain(`ai:${uuid(1)}:l`);
    expectInert(home.blocks);
  });
});
