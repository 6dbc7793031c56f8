import { expect } from 'chai';
import { InProcessJobQueue } from '../core/jobs/InProcessJobQueue.ts';
import { testCore } from '../test/support/core.ts';
import { requeueMissingMinutes } from './jobs.ts';
import { minutesJobId } from '../core/meetings/AutoMinutes.ts';

describe('requeueMissingMinutes (the sweep behind "jobs are never lost")', () => {
  it('queues minutes of meetings that ended a while ago without any, once, and nothing else', async () => {
    const core = await testCore('sweep');
    const make = async (title: string) => {
      const m = await core.meetings.createMeeting({ organizationId: core.org.id, platform: 'web', title, externalIds: {} });
      await core.meetings.startMeeting(m.id);
      await core.meetings.appendSegments(m.id, [{ speaker: 'Ada', startMs: 0, endMs: 2000, text: 'Ada will send the plan on Monday.', source: 't', sourceSeq: 1 }]);
      return core.meetings.endMeeting(m.id);
    };
    const lost = await make('job lost with the queue');
    const written = await make('minutes written');
    await core.minutes.generate(written.id);
    const running = await core.meetings.createMeeting({ organizationId: core.org.id, platform: 'web', title: 'still running', externalIds: {} });
    await core.meetings.startMeeting(running.id);
    const queued: string[] = [];
    const jobs = new InProcessJobQueue();
    const enqueue = jobs.enqueue.bind(jobs);
    jobs.enqueue = async (name, data, options) => {
      const r = await enqueue(name, data, options);
      if (!r.duplicate) queued.push(`${name}:${(data as { meetingId: string }).meetingId}:${options?.jobId}`);
      return r;
    };
    const later = new Date(Date.now() + 20 * 60_000);
    // The database is shared with other suites: only this test's meetings are looked at.
    const mine = () => queued.filter((q) => q.includes(lost.id) || q.includes(written.id) || q.includes(running.id));
    // Ended under ten minutes ago: its own job may still be running.
    await requeueMissingMinutes(core.db.knex, jobs, { endedBeforeMs: 10 * 60_000 });
    expect(mine()).to.deep.equal([]);
    await requeueMissingMinutes(core.db.knex, jobs, { now: later, endedBeforeMs: 10 * 60_000 });
    expect(mine()).to.deep.equal([`minutes.generate:${lost.id}:${minutesJobId(lost.id, lost.endedAt)}`]);
    // The same ending is the same job id: a second sweep adds nothing while the first job is kept.
    const before = queued.length;
    await requeueMissingMinutes(core.db.knex, jobs, { now: later, endedBeforeMs: 10 * 60_000 });
    expect(queued.length).to.equal(before);
    await jobs.close();
  });
});
