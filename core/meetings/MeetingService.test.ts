import { expect } from 'chai';
import { describeEachBackend } from '../../test/support/databases.ts';
import { rejection } from '../../test/support/rejection.ts';
import { isMinutesError, type ErrorCode } from '../errors.ts';
import type { SegmentInput } from '../types.ts';

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const err = await rejection(promise);
  expect(isMinutesError(err), `expected a MinutesError, got ${String(err)}`).to.equal(true);
  expect((err as { code: string }).code).to.equal(code);
  return err as Error;
}

const seg = (i: number, speaker = 'Ada', text = `line number ${i}`): SegmentInput => ({
  speaker, startMs: i * 1000, endMs: i * 1000 + 800, text, source: 'test', sourceSeq: i,
});

describeEachBackend('MeetingService', (ctx) => {
  const running = async () => {
    const m = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'discord', title: 'Standup', externalIds: { guildId: 'g1', channelId: 'c1' } });
    return ctx.service.startMeeting(m.id);
  };

  describe('lifecycle state machine', () => {
    it('goes scheduled → in_progress → completed and publishes each step', async () => {
      const created = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'discord', title: 'Planning' });
      expect(created.status).to.equal('scheduled');
      const started = await ctx.service.startMeeting(created.id);
      expect(started.status).to.equal('in_progress');
      expect(started.startedAt).to.be.instanceOf(Date);
      const ended = await ctx.service.endMeeting(created.id);
      expect(ended.status).to.equal('completed');
      expect(ended.endedAt!.getTime()).to.be.at.least(started.startedAt!.getTime());
      expect(ctx.events.map((e) => e.type)).to.deep.equal(['meeting.created', 'meeting.started', 'meeting.ended']);
    });

    it('cancels a scheduled or running meeting but not a completed one', async () => {
      const a = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'slack', title: 'A' });
      expect((await ctx.service.cancelMeeting(a.id, 'no quorum')).status).to.equal('cancelled');
      const b = await running();
      expect((await ctx.service.cancelMeeting(b.id)).status).to.equal('cancelled');
      const c = await running();
      await ctx.service.endMeeting(c.id);
      const err = await expectCode(ctx.service.cancelMeeting(c.id), 'MEETING_ILLEGAL_TRANSITION');
      expect(err.message).to.match(/completed/);
    });

    it('rejects illegal transitions with a coded error and leaves the state unchanged', async () => {
      const m = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'teams', title: 'Review' });
      await expectCode(ctx.service.endMeeting(m.id), 'MEETING_ILLEGAL_TRANSITION');
      await ctx.service.startMeeting(m.id);
      await expectCode(ctx.service.startMeeting(m.id), 'MEETING_ILLEGAL_TRANSITION');
      expect((await ctx.service.getMeeting(m.id)).status).to.equal('in_progress');
    });

    it('lets only one of two racing stops win', async () => {
      const m = await running();
      const results = await Promise.allSettled([ctx.service.endMeeting(m.id), ctx.service.endMeeting(m.id)]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      expect(ctx.events.filter((e) => e.type === 'meeting.ended')).to.have.length(1);
    });

    it('answers MEETING_NOT_FOUND for a missing or malformed meeting id', async () => {
      await expectCode(ctx.service.startMeeting('00000000-0000-4000-8000-000000000000'), 'MEETING_NOT_FOUND');
      await expectCode(ctx.service.getMeeting('not-a-uuid'), 'MEETING_NOT_FOUND');
      await expectCode(ctx.service.appendSegments('nope', [seg(0)]), 'MEETING_NOT_FOUND');
    });

    it('rejects a meeting in an unknown organization', async () => {
      await expectCode(
        ctx.service.createMeeting({ organizationId: '00000000-0000-4000-8000-000000000000', platform: 'web', title: 'x' }),
        'ORGANIZATION_NOT_FOUND',
      );
    });
  });

  describe('segment ingest', () => {
    it('stores a batch, resolves attendees and adds their talk time', async () => {
      const m = await running();
      const result = await ctx.service.appendSegments(m.id, [seg(0, 'Ada'), seg(1, 'Grace'), seg(2, 'Ada')]);
      expect(result.inserted).to.have.length(3);
      expect(result.inserted.every((s) => s.attendeeId)).to.equal(true);
      const attendees = await ctx.stores.attendees.list(m.id);
      expect(Object.fromEntries(attendees.map((a) => [a.displayName, a.talkTimeMs]))).to.deep.equal({ Ada: 1600, Grace: 800 });
      const added = ctx.events.filter((e) => e.type === 'segment.added');
      expect(added).to.have.length(1);
    });

    it('is idempotent: a re-sent segment (same source and sequence) is stored once', async () => {
      const m = await running();
      await ctx.service.appendSegments(m.id, [seg(0), seg(1)]);
      const again = await ctx.service.appendSegments(m.id, [seg(1), seg(2)]);
      expect(again.inserted.map((s) => s.sourceSeq)).to.deep.equal([2]);
      expect(again.duplicates).to.equal(1);
      expect(await ctx.stores.transcripts.count(m.id)).to.equal(3);
      const ada = (await ctx.stores.attendees.list(m.id))[0]!;
      expect(ada.talkTimeMs).to.equal(3 * 800);
    });

    it('stores text with tabs, newlines, backslashes and quotes exactly', async () => {
      const m = await running();
      const text = 'tab\there, new\nline, back\\slash \\N, "quotes", \'single\', ünïcödé 🎙️';
      await ctx.service.appendSegments(m.id, [{ ...seg(0), text }]);
      const [stored] = await ctx.stores.transcripts.list(m.id);
      expect(stored!.text).to.equal(text);
    });

    it('stores a key repeated within one batch once', async () => {
      const m = await running();
      const result = await ctx.service.appendSegments(m.id, [seg(0), seg(1), { ...seg(1), text: 'resent' }]);
      expect(result.inserted).to.have.length(2);
      expect(result.duplicates).to.equal(1);
      expect((await ctx.stores.transcripts.list(m.id)).map((s) => s.text)).to.deep.equal(['line number 0', 'line number 1']);
    });

    it('keeps every segment once when two writers race with overlapping batches', async () => {
      const m = await running();
      const a = Array.from({ length: 50 }, (_, i) => seg(i));
      const b = Array.from({ length: 50 }, (_, i) => seg(i + 25));
      const results = await Promise.all([ctx.service.appendSegments(m.id, a), ctx.service.appendSegments(m.id, b)]);
      const inserted = results.flatMap((r) => r.inserted.map((s) => s.sourceSeq)).sort((x, y) => x - y);
      expect(inserted).to.deep.equal(Array.from({ length: 75 }, (_, i) => i));
      expect(await ctx.stores.transcripts.count(m.id)).to.equal(75);
      const ada = (await ctx.stores.attendees.list(m.id))[0]!;
      expect(ada.talkTimeMs).to.equal(75 * 800);
    });

    it('dedupes unnumbered segments by content', async () => {
      const m = await running();
      const s = { speaker: 'Ada', startMs: 5, endMs: 900, text: 'no sequence here' };
      await ctx.service.appendSegments(m.id, [s]);
      const again = await ctx.service.appendSegments(m.id, [s]);
      expect(again.inserted).to.have.length(0);
      expect(await ctx.stores.transcripts.count(m.id)).to.equal(1);
    });

    it('rejects a batch with one bad segment and stores none of it', async () => {
      const m = await running();
      const bad = { ...seg(1), endMs: 10 };
      const err = await expectCode(ctx.service.appendSegments(m.id, [seg(0), bad, seg(2)]), 'SEGMENT_INVALID');
      expect(err.message).to.match(/Segment 1/);
      await expectCode(ctx.service.appendSegments(m.id, [{ ...seg(3), text: '   ' }]), 'SEGMENT_INVALID');
      expect(await ctx.stores.transcripts.count(m.id)).to.equal(0);
    });

    it('refuses segments unless the meeting is in progress', async () => {
      const m = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'discord', title: 'Later' });
      await expectCode(ctx.service.appendSegments(m.id, [seg(0)]), 'MEETING_NOT_ACCEPTING_SEGMENTS');
      await ctx.service.startMeeting(m.id);
      await ctx.service.appendSegments(m.id, [seg(0)]);
      await ctx.service.endMeeting(m.id);
      await expectCode(ctx.service.appendSegments(m.id, [seg(1)]), 'MEETING_NOT_ACCEPTING_SEGMENTS');
      expect(await ctx.stores.transcripts.count(m.id)).to.equal(1);
    });

    it('never stores words of an attendee who opted out', async () => {
      const m = await running();
      await ctx.service.setConsent(m.id, 'Grace', 'opted_out');
      const result = await ctx.service.appendSegments(m.id, [seg(0, 'Ada'), seg(1, 'Grace', 'private words')]);
      expect(result.dropped).to.equal(1);
      const stored = await ctx.stores.transcripts.list(m.id);
      expect(stored.map((s) => s.speaker)).to.deep.equal(['Ada']);
      await ctx.service.setConsent(m.id, 'Grace', 'granted');
      await ctx.service.appendSegments(m.id, [seg(2, 'Grace', 'now on the record')]);
      expect(await ctx.stores.transcripts.count(m.id)).to.equal(2);
    });

    it('lists segments in time order with paging', async () => {
      const m = await running();
      await ctx.service.appendSegments(m.id, [seg(3), seg(1), seg(2), seg(0)]);
      const page = await ctx.stores.transcripts.list(m.id, { limit: 2, offset: 1 });
      expect(page.map((s) => s.startMs)).to.deep.equal([1000, 2000]);
    });
  });

  describe('meeting listing', () => {
    it('filters by organization, status and external ids and pages the result', async () => {
      const a = await running();
      await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'discord', title: 'Other', externalIds: { guildId: 'g2' } });
      const inProgress = await ctx.service.listMeetings({ organizationId: ctx.org.id, status: 'in_progress' });
      expect(inProgress.items.map((m) => m.id)).to.deep.equal([a.id]);
      const byGuild = await ctx.service.listMeetings({ organizationId: ctx.org.id, externalIds: { guildId: 'g1' } });
      expect(byGuild.items.map((m) => m.id)).to.deep.equal([a.id]);
      const page = await ctx.service.listMeetings({ organizationId: ctx.org.id, limit: 1 });
      expect(page.total).to.equal(2);
      expect(page.items).to.have.length(1);
    });
  });
});

describeEachBackend('MeetingService.attachTranscript', (ctx) => {
  it('attaches a platform transcript to a completed meeting once, without opted-out speakers; refuses a scheduled meeting', async () => {
    const meeting = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'teams', title: 'After the fact' });
    const lines = [
      { speaker: 'Ada', text: 'We ship Friday.', startMs: 0, endMs: 1500, source: 'teams:transcript' },
      { speaker: 'Bo', text: 'Do not record me.', startMs: 1500, endMs: 2500, source: 'teams:transcript' },
    ];
    expect(await ctx.service.attachTranscript(meeting.id, lines).catch((e: { code: string }) => e.code)).to.equal('MEETING_NOT_ACCEPTING_SEGMENTS');
    await ctx.service.startMeeting(meeting.id);
    await ctx.service.setConsent(meeting.id, 'Bo', 'opted_out');
    await ctx.service.endMeeting(meeting.id);
    const first = await ctx.service.attachTranscript(meeting.id, lines);
    expect(first.inserted.map((s) => s.speaker)).to.deep.equal(['Ada']);
    expect(first.dropped).to.equal(1);
    const again = await ctx.service.attachTranscript(meeting.id, lines);
    expect(again.inserted).to.have.length(0);
    expect((await ctx.stores.transcripts.list(meeting.id)).map((s) => s.text)).to.deep.equal(['We ship Friday.']);
    expect(ctx.events.filter((e) => e.type === 'segment.added')).to.have.length(1);
  });
});
