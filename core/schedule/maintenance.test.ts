import { expect } from 'chai';
import { createLogger } from '../logger.ts';
import { describeEachBackend } from '../../test/support/databases.ts';
import { RetentionTask, retentionDaysOf } from './RetentionTask.ts';
import { StaleMeetingTask } from './StaleMeetingTask.ts';
import { leftOf, seedMeeting } from './testing/fixtures.ts';

const logger = createLogger({ level: 'silent' });

describe('retentionDaysOf', () => {
  it("takes the organization's own number, else the default", () => {
    expect(retentionDaysOf({ settings: { retentionDays: 7 } }, 30)).to.equal(7);
    expect(retentionDaysOf({ settings: { retentionDays: 0 } }, 30)).to.equal(0);
    expect(retentionDaysOf({ settings: { retentionDays: '7' } }, 30)).to.equal(30);
    expect(retentionDaysOf({ settings: {} }, 0)).to.equal(0);
  });
});

describeEachBackend('RetentionTask', (ctx) => {
  const now = new Date();

  it('purges exactly the meetings that ended before the retention, keeps the rest, audits per organization', async () => {
    const forever = await ctx.stores.organizations.ensure(`${ctx.org.name}-forever`);
    const weekly = await ctx.stores.organizations.ensure(`${ctx.org.name}-weekly`);
    await ctx.stores.organizations.updateSettings(forever.id, { retentionDays: 0 });
    await ctx.stores.organizations.updateSettings(weekly.id, { retentionDays: 7 });
    const expired = await seedMeeting(ctx, { endedDaysAgo: 31, now });
    const recent = await seedMeeting(ctx, { endedDaysAgo: 29, now });
    const running = await seedMeeting(ctx, { endedDaysAgo: null, now });
    await ctx.db.knex('meetings').where({ id: running.id }).update({ started_at: new Date(now.getTime() - 90 * 86_400_000) });
    const kept = await seedMeeting(ctx, { organizationId: forever.id, endedDaysAgo: 400, now });
    const weekOld = await seedMeeting(ctx, { organizationId: weekly.id, endedDaysAgo: 8, now });
    const weekNew = await seedMeeting(ctx, { organizationId: weekly.id, endedDaysAgo: 6, now });

    const audio: { ids: string[]; org: string }[] = [];
    const orgs = await Promise.all([ctx.org.id, forever.id, weekly.id].map((id) => ctx.stores.organizations.get(id)));
    const task = new RetentionTask({
      db: ctx.db.knex, defaultDays: 30, logger, organizations: async () => orgs,
      purgeAudio: async (ids, org) => {
        audio.push({ ids: [...ids], org });
        return ids.length;
      },
    });
    const report = await task.run(now);

    expect(report).to.include({ organizations: 2, meetings: 2, segmentsDeleted: 4, minutesDeleted: 6, actionItemsDeleted: 2, recordingsDeleted: 2, failed: 0 });
    expect(audio).to.deep.equal([{ ids: [expired.id], org: ctx.org.id }, { ids: [weekOld.id], org: weekly.id }]);
    for (const m of [expired, weekOld]) expect(await leftOf(ctx, m.id)).to.deep.equal({ segments: 0, actionItems: 0, minutes: 0 });
    for (const m of [recent, running, kept, weekNew]) expect(await leftOf(ctx, m.id)).to.deep.equal({ segments: 2, actionItems: 1, minutes: 3 });

    // The purged meeting stays as a tombstone.
    const tomb = await ctx.db.knex('meetings').where({ id: expired.id }).first();
    expect(tomb.title).to.equal('Weekly sync');
    expect(new Date(tomb.purged_at).getTime()).to.equal(now.getTime());
    expect((await ctx.db.knex('meetings').where({ id: recent.id }).first()).purged_at).to.equal(null);

    const audits = await ctx.db.knex('retention_audit').whereIn('organization_id', [ctx.org.id, forever.id, weekly.id]).orderBy('id');
    expect(audits.map((a: Record<string, unknown>) => a.organization_id)).to.deep.equal([ctx.org.id, weekly.id]);
    expect(audits[0]).to.include({ retention_days: 30, meetings: 1, segments_deleted: 2, minutes_deleted: 3, action_items_deleted: 1, recordings_deleted: 1 });
    expect(new Date(audits[0].cutoff).getTime()).to.equal(now.getTime() - 30 * 86_400_000);

    // A second run finds nothing more, and says so in a new audit row.
    expect(await task.run(now)).to.include({ meetings: 0 });
    expect(audio).to.have.length(2);
    expect(await ctx.db.knex('retention_audit').where({ organization_id: ctx.org.id })).to.have.length(2);
  });

  it('rolls an organization back when deleting its audio fails', async () => {
    const expired = await seedMeeting(ctx, { endedDaysAgo: 40, now });
    const task = new RetentionTask({
      db: ctx.db.knex, defaultDays: 30, logger, organizations: async () => [ctx.org],
      purgeAudio: async () => { throw new Error('disk gone'); },
    });
    expect(await task.run(now)).to.include({ failed: 1, meetings: 0 });
    expect(await leftOf(ctx, expired.id)).to.deep.equal({ segments: 2, actionItems: 1, minutes: 3 });
    expect(await ctx.db.knex('retention_audit').where({ organization_id: ctx.org.id })).to.have.length(0);
  });
});

describeEachBackend('StaleMeetingTask', (ctx) => {
  it('ends a meeting whose last segment is 3 h old through the meeting service, and keeps one that spoke 10 minutes ago', async () => {
    const now = new Date();
    const stale = await seedMeeting(ctx, { endedDaysAgo: null, title: 'Crashed' });
    const live = await seedMeeting(ctx, { endedDaysAgo: null, title: 'Live' });
    const silent = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'web', title: 'Never spoke' });
    await ctx.service.startMeeting(silent.id);
    const ago = (min: number) => new Date(now.getTime() - min * 60_000);
    await ctx.db.knex('meetings').whereIn('id', [stale.id, live.id, silent.id]).update({ started_at: ago(240) });
    await ctx.db.knex('transcript_segments').where({ meeting_id: stale.id }).update({ created_at: ago(180) });
    await ctx.db.knex('transcript_segments').where({ meeting_id: live.id }).update({ created_at: ago(10) });
    ctx.events.length = 0;

    const report = await new StaleMeetingTask({ db: ctx.db.knex, meetings: ctx.service, logger }).run(now);

    expect(report.ended).to.be.at.least(2);
    expect((await ctx.stores.meetings.get(stale.id)).status).to.equal('completed');
    expect((await ctx.stores.meetings.get(silent.id)).status).to.equal('completed');
    expect((await ctx.stores.meetings.get(live.id)).status).to.equal('in_progress');
    const ended = ctx.events.filter((e) => e.type === 'meeting.ended').map((e) => (e as { meeting: { id: string } }).meeting.id);
    expect(ended).to.include.members([stale.id, silent.id]);
    expect(ended).to.not.include(live.id);
    await ctx.service.endMeeting(live.id);
  });

  it('counts a meeting someone else ended meanwhile as ended elsewhere', async () => {
    const m = await seedMeeting(ctx, { endedDaysAgo: null });
    const racing = { endMeeting: async (id: string) => {
      await ctx.service.endMeeting(id);
      return ctx.service.endMeeting(id);
    } };
    await ctx.db.knex('transcript_segments').where({ meeting_id: m.id }).update({ created_at: new Date(Date.now() - 300 * 60_000) });
    await ctx.db.knex('meetings').where({ id: m.id }).update({ started_at: new Date(Date.now() - 300 * 60_000) });
    const report = await new StaleMeetingTask({ db: ctx.db.knex, meetings: racing, logger }).run(new Date());
    expect(report.endedElsewhere).to.be.at.least(1);
    expect(report.failed).to.equal(0);
  });
});
