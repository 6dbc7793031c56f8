import { expect } from 'chai';
import type { Insight } from '../../core/minutes/types.ts';
import type { ActionItem, Attendee, MeetingBundle } from '../../core/types.ts';
import { minutesView } from '../../core/minutes/stored.ts';
import { insightMessage, LIMITS, liveMessage, packLines, safe, summaryMessage, type Links } from './render.ts';

const links: Links = { home: () => 'http://localhost:3000/', meeting: (id, seg) => `http://localhost:3000/meetings/${id}${seg ? `#seg-${seg}` : ''}` };
const MEETING_ID = '11111111-1111-4111-8111-111111111111';

describe('Discord rendering', () => {
  it('makes said words inert: no mentions, no markdown, no masked links', () => {
    const out = safe('@everyone @here <@123> <@&456> <#789> **bold** [click](https://evil.example) # heading');
    expect(out).to.not.match(/@everyone|@here/);
    expect(out).to.not.match(/<@\d|<@&|<#\d/);
    expect(out).to.contain('\\*\\*bold\\*\\*');
    expect(out).to.not.match(/(?<!\\)\[click\](?!\\)/);
  });

  it('every insight payload carries allowed_mentions; only a real owner is mentioned', () => {
    const insight: Insight = { kind: 'action_item', key: 'k', text: 'Ping @everyone about <@&42> the release', ownerName: 'Bob', ownerAttendeeId: 'a', dueDate: '2026-12-01', confidence: 0.9, evidenceSegmentIds: [7] };
    const evidence = [{ id: 7, speaker: 'Alice', startMs: 61_000, text: '@here Bob will ping @everyone about it' }];
    const none = insightMessage({ meetingId: MEETING_ID, insight, evidence, ownerUserId: null, links });
    expect(none.allowedMentions).to.deep.equal({ parse: [], repliedUser: false });
    expect(none.content).to.not.match(/@everyone|@here|<@&42>/);
    expect(none.content).to.contain('01:01').and.contain(`#seg-7`);
    const owned = insightMessage({ meetingId: MEETING_ID, insight, evidence, ownerUserId: '999', links });
    expect(owned.allowedMentions).to.deep.equal({ parse: [], users: ['999'], repliedUser: false });
    expect(owned.content).to.contain('<@999>');
  });

  it('the live message stays within 2,000 characters however long the lines are', () => {
    const recent = Array.from({ length: 20 }, (_, i) => ({ speaker: `Speaker ${i}`, startMs: i * 1000, text: 'word '.repeat(500) }));
    const msg = liveMessage({ title: 'T', startedAt: new Date(0), now: new Date(90_000), speakers: ['a'], recent, delayed: true, optedOut: 1 }, links, MEETING_ID);
    expect(msg.content.length).to.be.at.most(LIMITS.content);
    expect(msg.content).to.contain('01:30').and.contain('running behind').and.contain('1 opted out');
  });

  it('packs list lines into field values under 1,024 characters without splitting a line', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `• item ${i} ${'x'.repeat(80)}`);
    const chunks = packLines(lines);
    expect(chunks.length).to.be.greaterThan(1);
    for (const c of chunks) expect(c.length).to.be.at.most(LIMITS.fieldValue);
    expect(chunks.join('\n').split('\n')).to.deep.equal(lines);
  });

  it('a huge meeting\'s summary embed stays inside Discord\'s limits and says where the rest is', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const attendees: Attendee[] = Array.from({ length: 30 }, (_, i) => ({ id: `att-${i}`, meetingId: MEETING_ID, userId: null, displayName: `Person ${i} @everyone`, consent: i === 3 ? 'opted_out' : 'granted', talkTimeMs: i * 1000 }));
    const actionItems: ActionItem[] = Array.from({ length: 60 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, meetingId: MEETING_ID, description: `Task ${i} <@&1> ${'y'.repeat(150)}`, ownerAttendeeId: `att-${i % 30}`, ownerUserId: null,
      ownerName: `Person ${i % 30}`, dueDate: '2026-12-01', status: i % 7 === 0 ? 'completed' : 'pending', priority: 'medium', confidence: 0.8, evidenceSegmentIds: [], source: 'offline', createdAt: now, updatedAt: now,
    }));
    const bundle: MeetingBundle = {
      meeting: { id: MEETING_ID, organizationId: 'o', platform: 'discord', externalIds: {}, title: 'Big **meeting**', status: 'completed', scheduledAt: null, startedAt: now, endedAt: now, purgedAt: null, settings: {}, createdAt: now, updatedAt: now },
      attendees, segments: [], actionItems,
      decisions: Array.from({ length: 40 }, (_, i) => ({ id: `d${i}`, meetingId: MEETING_ID, text: `Decision ${i} ${'z'.repeat(100)}`, evidenceSegmentIds: [], confidence: 0.7, source: 'offline', createdAt: now })),
      notes: [], summaries: [{ id: 's', meetingId: MEETING_ID, kind: 'abstract', text: 'A '.repeat(3000), provider: null, model: null, version: 1, createdAt: now }],
    };
    const msg = summaryMessage({ bundle, view: minutesView(bundle), links, userIdOf: (id) => (id === 'att-1' ? '555' : null), pingOwners: true });
    const embed = msg.embeds[0]!.toJSON();
    const total = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).to.be.at.most(LIMITS.embedTotal);
    expect(embed.fields!.length).to.be.at.most(LIMITS.fields);
    for (const f of embed.fields!) expect(f.value.length).to.be.at.most(LIMITS.fieldValue);
    expect(embed.fields!.at(-1)!.value).to.contain('attached file');
    expect(JSON.stringify(embed)).to.not.match(/@everyone|<@&1>/);
    expect(msg.allowedMentions).to.deep.equal({ parse: [], users: ['555'], repliedUser: false });
    const rows = msg.components.map((r) => r.toJSON());
    const select = rows[1]!.components[0] as { options: unknown[] };
    expect(select.options.length).to.equal(LIMITS.selectOptions);
    expect(msg.files[0]!.name).to.match(/^minutes-11111111\.md$/);
  });
});
