import { expect } from 'chai';
import { addDays, atHour, buildDigest, digestForOwner, isEmptyDigest, localDay, ownersOf, weekStart, type OpenItem } from './digest.ts';

const item = (id: string, dueDate: string | null, extra: Partial<OpenItem> = {}): OpenItem => ({
  id, meetingId: 'm1', meetingTitle: 'Launch sync', description: `Do ${id}`, ownerUserId: 'u1', ownerName: 'Alice', dueDate, priority: 'medium', ...extra,
});

describe('buildDigest', () => {
  // Wednesday 10 December 2031, 09:00 server time.
  const now = new Date(2031, 11, 10, 9, 0);

  it('groups open items into overdue, due this (rolling) week and no due date, with dashboard links', () => {
    const d = buildDigest('org', [
      item('a', '2031-12-09'), item('b', '2031-12-10'), item('c', '2031-12-16'), item('d', '2031-12-17'), item('e', null),
      item('f', '2031-11-01', { priority: 'critical' }),
    ], now, 'https://dash.example/');
    expect(d.day).to.equal('2031-12-10');
    expect(d.weekEnd).to.equal('2031-12-16');
    expect(d.overdue.map((i) => i.id)).to.deep.equal(['f', 'a']);
    expect(d.dueThisWeek.map((i) => i.id)).to.deep.equal(['b', 'c']);
    expect(d.noDueDate.map((i) => i.id)).to.deep.equal(['e']);
    expect(d.laterCount).to.equal(1);
    expect(d.overdue[1]).to.include({ description: 'Do a', ownerName: 'Alice', dueDate: '2031-12-09', priority: 'medium', meetingTitle: 'Launch sync' });
    expect(d.overdue[1]!.link).to.equal('https://dash.example/meetings/m1#item-a');
    expect(d.dashboardUrl).to.equal('https://dash.example/actions');
  });

  it('orders items due the same day by priority', () => {
    const d = buildDigest('org', [item('x', '2031-12-11', { priority: 'low' }), item('y', '2031-12-11', { priority: 'high' })], now, 'https://d');
    expect(d.dueThisWeek.map((i) => i.id)).to.deep.equal(['y', 'x']);
  });

  it('is empty with nothing open, or only items due after the week', () => {
    expect(isEmptyDigest(buildDigest('org', [], now, 'https://d'))).to.equal(true);
    const later = buildDigest('org', [item('z', '2032-01-30')], now, 'https://d');
    expect(isEmptyDigest(later)).to.equal(true);
    expect(later.laterCount).to.equal(1);
  });

  it("narrows to one owner's items for their DM", () => {
    const d = buildDigest('org', [item('a', '2031-12-01'), item('b', null, { ownerUserId: 'u2' }), item('c', null, { ownerUserId: null })], now, 'https://d');
    expect(ownersOf(d)).to.deep.equal(['u1', 'u2']);
    const mine = digestForOwner(d, 'u2');
    expect([...mine.overdue, ...mine.dueThisWeek, ...mine.noDueDate].map((i) => i.id)).to.deep.equal(['b']);
  });

  it('computes days in server time', () => {
    expect(localDay(new Date(2031, 0, 1, 0, 5))).to.equal('2031-01-01');
    expect(addDays('2031-12-30', 3)).to.equal('2032-01-02');
    expect(atHour('2031-12-11', 17).getTime()).to.equal(new Date(2031, 11, 11, 17).getTime());
    expect(weekStart(now)).to.equal('2031-12-08');
    expect(weekStart(new Date(2031, 11, 14, 23))).to.equal('2031-12-08'); // a Sunday belongs to the week of the Monday before
  });
});
