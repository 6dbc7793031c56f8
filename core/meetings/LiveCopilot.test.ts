import { expect } from 'chai';
import { describeEachBackend } from '../../test/support/databases.ts';
import { InProcessEventBus } from '../bus/InProcessEventBus.ts';
import type { EventOf } from '../bus/EventBus.ts';
import { createLogger } from '../logger.ts';
import { OfflineLiveAnalyzer } from '../minutes/offline/index.ts';
import { MeetingService } from './MeetingService.ts';
import { LiveCopilot } from './LiveCopilot.ts';

describeEachBackend('LiveCopilot', (ctx) => {
  const logger = createLogger({ level: 'silent' });

  it('publishes each insight of a live meeting once, citing the lines it comes from, and stops at the end', async () => {
    const bus = new InProcessEventBus();
    const service = new MeetingService({ stores: ctx.stores, bus, logger });
    const copilot = new LiveCopilot({
      bus, logger, getMeeting: (id) => service.getMeeting(id),
      createAnalyzer: (meeting, attendees) => new OfflineLiveAnalyzer({ attendees, meetingStart: meeting?.startedAt ?? null }),
    }).start();
    const insights: EventOf<'insight.added'>[] = [];
    bus.subscribe('insight.added', (e) => void insights.push(e));
    const meeting = await service.createMeeting({ organizationId: ctx.org.id, platform: 'discord', title: 'Standup' });
    await service.startMeeting(meeting.id);
    const say = (seq: number, speaker: string, text: string) => ({ speaker, text, startMs: seq * 4000, endMs: seq * 4000 + 3500, source: 'test', sourceSeq: seq });
    await service.appendSegments(meeting.id, [say(1, 'Alice', 'Morning everyone, let us get started with the launch plan.')]);
    await service.appendSegments(meeting.id, [
      say(2, 'Bob', 'We decided to ship the beta on Friday.'),
      say(3, 'Alice', 'Bob, can you send the release notes to the team by Thursday?'),
      say(4, 'Bob', 'Sure, I will send the release notes by Thursday.'),
    ]);
    // The same lines again (a re-send) must not produce the same insights twice.
    await service.appendSegments(meeting.id, [say(5, 'Carol', 'Okay, sounds good to me.')]);
    await copilot.idle();
    expect(insights.length).to.be.greaterThan(0);
    const kinds = insights.map((e) => e.insight.kind);
    expect(kinds).to.include('action_item');
    expect(new Set(insights.map((e) => e.insight.key)).size).to.equal(insights.length);
    for (const e of insights) {
      expect(e.meetingId).to.equal(meeting.id);
      expect(e.evidence.map((s) => s.id)).to.deep.equal(e.insight.evidenceSegmentIds);
      expect(e.evidence[0]!.text).to.be.a('string').and.not.empty;
    }
    await service.endMeeting(meeting.id);
    const before = insights.length;
    await copilot.idle();
    copilot.stop();
    expect(insights.length).to.equal(before);
  });

  it('a failing analyzer loses live hints only: the segments are stored and nothing is thrown', async () => {
    const bus = new InProcessEventBus();
    const service = new MeetingService({ stores: ctx.stores, bus, logger });
    const copilot = new LiveCopilot({ bus, logger, createAnalyzer: () => ({ push: async () => { throw new Error('model broke'); } }) }).start();
    const meeting = await service.createMeeting({ organizationId: ctx.org.id, platform: 'discord', title: 'Broken copilot' });
    await service.startMeeting(meeting.id);
    const result = await service.appendSegments(meeting.id, [{ speaker: 'A', text: 'We will ship it.', startMs: 0, endMs: 1000 }]);
    await copilot.idle();
    copilot.stop();
    expect(result.inserted).to.have.length(1);
  });
});
