import { expect } from 'chai';
import { createLogger } from '../logger.ts';
import { describeEachBackend } from '../../test/support/databases.ts';
import { DigestTask } from './DigestTask.ts';
import { ReminderTask } from './ReminderTask.ts';
import { RecordingNotifier } from './testing/fixtures.ts';

const logger = createLogger({ level: 'silent' });
const URL_BASE = 'https://dash.example';

describeEachBackend('DigestTask', (ctx) => {
  // A Wednesday at 09:00; every test gets its own organization and only looks at it.
  const now = new Date(2031, 11, 10, 9, 0);

  async function seed() {
    const alice = await ctx.stores.organizations.createUser({ organizationId: ctx.org.id, displayName: 'Alice' });
    const bob = await ctx.stores.organizations.createUser({ organizationId: ctx.org.id, displayName: 'Bob' });
    const meeting = await ctx.stores.meetings.insert({ organizationId: ctx.org.id, platform: 'web', title: 'Launch sync', status: 'completed' });
    const items = await ctx.stores.minutes.addActionItems([
      { meetingId: meeting.id, description: 'Overdue report', ownerUserId: alice.id, ownerName: 'Alice', dueDate: '2031-12-01', priority: 'high' },
      { meetingId: meeting.id, description: 'Book the room', ownerUserId: bob.id, ownerName: 'Bob', dueDate: '2031-12-12' },
      { meetingId: meeting.id, description: 'Someday', ownerName: 'Carol' },
      { meetingId: meeting.id, description: 'Already done', ownerUserId: alice.id, dueDate: '2031-12-11', status: 'completed' },
    ]);
    return { alice, bob, meeting, items };
  }

  const task = (notifier: RecordingNotifier) => new DigestTask({ db: ctx.db.knex, notifiers: [notifier], publicUrl: URL_BASE, logger, organizations: async () => [ctx.org] });

  it('posts the open items to the channel and each owner their own as a DM', async () => {
    const { alice, bob, meeting, items } = await seed();
    const notifier = new RecordingNotifier(new Set([alice.id]));
    const report = await task(notifier).run(now);
    expect(report).to.include({ sent: 2, duplicates: 0, failed: 0, ownersWithoutAccount: 1 });
    const channel = notifier.posts.find((p) => p.target === 'channel:C1')!.digest;
    expect(channel.overdue.map((i) => i.description)).to.deep.equal(['Overdue report']);
    expect(channel.dueThisWeek.map((i) => i.description)).to.deep.equal(['Book the room']);
    expect(channel.noDueDate.map((i) => i.description)).to.deep.equal(['Someday']);
    expect(channel.overdue[0]).to.include({ ownerName: 'Alice', dueDate: '2031-12-01', priority: 'high', meetingTitle: 'Launch sync', link: `${URL_BASE}/meetings/${meeting.id}#item-${items[0]!.id}` });
    const dm = notifier.posts.find((p) => p.target === `dm:${alice.id}`)!.digest;
    expect([...dm.overdue, ...dm.dueThisWeek, ...dm.noDueDate].map((i) => i.description)).to.deep.equal(['Overdue report']);
    expect(notifier.posts.some((p) => p.target === `dm:${bob.id}`)).to.equal(false);
  });

  it('sends once per period: run twice, or by two schedulers at the same time', async () => {
    await seed();
    const notifier = new RecordingNotifier();
    const [a, b] = await Promise.all([task(notifier).run(now), task(notifier).run(now)]);
    expect(a.sent! + b.sent!).to.equal(1);
    const again = await task(notifier).run(new Date(2031, 11, 10, 15, 0));
    expect(again).to.include({ sent: 0, duplicates: 1 });
    expect(notifier.posts).to.have.length(1);
    await task(notifier).run(new Date(2031, 11, 11, 9, 0)); // the next day is a new period
    expect(notifier.posts).to.have.length(2);
  });

  it('keys a weekly digest by its week', async () => {
    await seed();
    const notifier = new RecordingNotifier();
    const weekly = new DigestTask({ db: ctx.db.knex, notifiers: [notifier], publicUrl: URL_BASE, logger, period: 'weekly', organizations: async () => [ctx.org] });
    expect(weekly.cron).to.equal('0 9 * * 1');
    await weekly.run(new Date(2031, 11, 8, 9, 0));
    await weekly.run(new Date(2031, 11, 10, 9, 0));
    expect(notifier.posts).to.have.length(1);
  });

  it('retries a target whose send failed on the next run of the same period', async () => {
    await seed();
    const notifier = new RecordingNotifier();
    notifier.failOnce.add('channel:C1');
    expect(await task(notifier).run(now)).to.include({ sent: 0, failed: 1 });
    expect(await task(notifier).run(now)).to.include({ sent: 1, failed: 0 });
  });

  it('skips an organization with nothing open', async () => {
    const meeting = await ctx.stores.meetings.insert({ organizationId: ctx.org.id, platform: 'web', title: 'Done', status: 'completed' });
    await ctx.stores.minutes.addActionItems([{ meetingId: meeting.id, description: 'Finished', status: 'completed' }, { meetingId: meeting.id, description: 'Dropped', status: 'cancelled' }]);
    const notifier = new RecordingNotifier();
    expect(await task(notifier).run(now)).to.include({ organizations: 1, empty: 1, sent: 0 });
    expect(notifier.posts).to.deep.equal([]);
  });
});

describeEachBackend('ReminderTask', (ctx) => {
  const at = (day: number, hour: number, minute = 0) => new Date(2032, 2, day, hour, minute);

  it('reminds the owner once when an item comes within 24 h of due, again when the due date moves, never when done or unowned', async () => {
    const alice = await ctx.stores.organizations.createUser({ organizationId: ctx.org.id, displayName: 'Alice' });
    const meeting = await ctx.stores.meetings.insert({ organizationId: ctx.org.id, platform: 'web', title: 'Plan', status: 'completed' });
    const [due, done, unowned] = await ctx.stores.minutes.addActionItems([
      { meetingId: meeting.id, description: 'Send the plan', ownerUserId: alice.id, dueDate: '2032-03-11' },
      { meetingId: meeting.id, description: 'Finished', ownerUserId: alice.id, dueDate: '2032-03-11', status: 'completed' },
      { meetingId: meeting.id, description: 'Nobody', ownerName: 'someone', dueDate: '2032-03-11' },
    ]);
    const notifier = new RecordingNotifier(new Set([alice.id]));
    // Items count as due at 17:00 of their day: 2032-03-11 17:00.
    const task = new ReminderTask({ db: ctx.db.knex, notifiers: [notifier], publicUrl: URL_BASE, logger });
    const mine = () => notifier.reminders.filter((r) => r.meetingId === meeting.id).map((r) => `${r.id}@${r.dueDate}`);

    await task.run(at(10, 16)); // due in 25 h: not yet
    expect(mine()).to.deep.equal([]);
    await task.run(at(10, 18)); // due in 23 h
    expect(mine()).to.deep.equal([`${due!.id}@2032-03-11`]);
    expect(notifier.reminders[0]).to.include({ description: 'Send the plan', ownerUserId: alice.id, organizationId: ctx.org.id, link: `${URL_BASE}/meetings/${meeting.id}#item-${due!.id}` });
    await task.run(at(10, 18, 15));
    await task.run(at(11, 9));
    expect(mine()).to.have.length(1);

    await ctx.stores.minutes.updateActionItem(due!.id, { dueDate: '2032-03-13' });
    await task.run(at(11, 18)); // 47 h before the new date
    expect(mine()).to.have.length(1);
    await task.run(at(12, 18));
    expect(mine()).to.deep.equal([`${due!.id}@2032-03-11`, `${due!.id}@2032-03-13`]);
    expect(mine().some((r) => r.startsWith(done!.id) || r.startsWith(unowned!.id))).to.equal(false);
  });

  it('does not remind an overdue item, and keeps trying when sending failed', async () => {
    const bob = await ctx.stores.organizations.createUser({ organizationId: ctx.org.id, displayName: 'Bob' });
    const meeting = await ctx.stores.meetings.insert({ organizationId: ctx.org.id, platform: 'web', title: 'Plan', status: 'completed' });
    const [late, soon] = await ctx.stores.minutes.addActionItems([
      { meetingId: meeting.id, description: 'Late', ownerUserId: bob.id, dueDate: '2032-03-19' },
      { meetingId: meeting.id, description: 'Soon', ownerUserId: bob.id, dueDate: '2032-03-21' },
    ]);
    let failures = 1;
    const notifier = new RecordingNotifier(new Set([bob.id]));
    const flaky = { platform: 'flaky', digest: notifier.digest.bind(notifier), remind: async (org: string, item: Parameters<RecordingNotifier['remind']>[1]) => {
      if (item.id === soon!.id && failures-- > 0) throw new Error('slack is down');
      return notifier.remind(org, item);
    } };
    const task = new ReminderTask({ db: ctx.db.knex, notifiers: [flaky], publicUrl: URL_BASE, logger });
    await task.run(at(20, 18));
    expect(notifier.reminders.filter((r) => r.meetingId === meeting.id)).to.deep.equal([]);
    await task.run(at(20, 18, 15));
    expect(notifier.reminders.filter((r) => r.meetingId === meeting.id).map((r) => r.id)).to.deep.equal([soon!.id]);
    expect(notifier.reminders.some((r) => r.id === late!.id)).to.equal(false);
  });
});
