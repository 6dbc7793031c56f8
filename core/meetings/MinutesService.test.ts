import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { describeEachBackend } from '../../test/support/databases.ts';
import { InProcessEventBus } from '../bus/InProcessEventBus.ts';
import type { MeetingEvent } from '../bus/EventBus.ts';
import { createLogger } from '../logger.ts';
import { OfflineAnalyzer } from '../minutes/offline/index.ts';
import type { Analyzer, Minutes, MinutesInput } from '../minutes/types.ts';
import { parseTranscript } from '../transcript/import/index.ts';
import { AutoMinutes } from './AutoMinutes.ts';
import { MeetingService } from './MeetingService.ts';
import { MinutesService } from './MinutesService.ts';

const planning = parseTranscript(readFileSync(new URL('../../test/fixtures/transcripts/launch-planning.txt', import.meta.url)), { filename: 'launch-planning.txt' });

/** Minutes built from whatever transcript it is given, with a label so tests can tell runs apart. */
class StubAnalyzer implements Analyzer {
  readonly name = 'stub';
  run = 0;
  async analyze(input: MinutesInput): Promise<Minutes> {
    this.run++;
    const [a, b, c] = input.segments;
    const tag = `run ${this.run}`;
    return {
      summary: { abstract: `Abstract ${tag}.`, sections: [{ title: `Topic ${tag}`, text: 'Talked.\n### not a title', evidenceSegmentIds: [a!.id] }] },
      actionItems: [
        { text: `First task ${tag}`, ownerAttendeeId: null, ownerName: null, dueDate: null, priority: 'high', confidence: 0.9, evidenceSegmentIds: [a!.id] },
        { text: `Second task ${tag}`, ownerAttendeeId: null, ownerName: null, dueDate: '2026-03-06', priority: 'low', confidence: 0.6, evidenceSegmentIds: [b!.id] },
      ],
      decisions: [{ text: `Decision ${tag}`, confidence: 0.8, evidenceSegmentIds: [c!.id] }],
      questions: [],
      blockers: [],
      provenance: { analyzer: 'llm', provider: 'stub', model: 'stub-1' },
    };
  }
}

describeEachBackend('MinutesService', (ctx) => {
  let bus: InProcessEventBus;
  let events: MeetingEvent[];
  const logger = createLogger({ level: 'silent' });
  beforeEach(() => {
    bus = new InProcessEventBus();
    events = [];
    bus.subscribe('*', (e) => void events.push(e));
  });
  const importPlanning = async () =>
    (await ctx.service.importTranscript({ organizationId: ctx.org.id, transcript: planning, title: 'Launch planning' })).meeting;

  it('stores the offline analyzer\'s minutes, every item citing segments of this meeting, and publishes minutes.ready', async () => {
    const meeting = await importPlanning();
    const service = new MinutesService({ stores: ctx.stores, bus, logger, analyzer: new OfflineAnalyzer() });
    const { minutes, bundle } = await service.generate(meeting.id);
    const segmentIds = new Set(bundle.segments.map((s) => s.id));
    const items = [...bundle.actionItems, ...bundle.decisions, ...bundle.notes];
    expect(bundle.actionItems).to.have.length(minutes.actionItems.length).and.to.have.length.above(0);
    expect(bundle.decisions).to.have.length.above(0);
    for (const item of items) {
      expect(item.evidenceSegmentIds).to.not.be.empty;
      for (const id of item.evidenceSegmentIds) expect(segmentIds.has(id), `segment ${id}`).to.equal(true);
      expect(item.source).to.equal('offline');
    }
    const view = await service.view(meeting.id);
    expect(view).to.include({ exists: true, writtenBy: 'offline analyzer', abstract: minutes.summary.abstract });
    expect(view.topics.map((t) => t.evidenceSegmentIds)).to.deep.equal(minutes.summary.sections.map((s) => s.evidenceSegmentIds));
    const ready = events.filter((e) => e.type === 'minutes.ready');
    expect(ready).to.have.length(1);
    expect(ready[0]).to.deep.include({ minutes });
  });

  it('regenerating replaces untouched items and keeps an action item a person edited', async () => {
    const meeting = await importPlanning();
    const service = new MinutesService({ stores: ctx.stores, bus, logger, analyzer: new StubAnalyzer() });
    const first = await service.generate(meeting.id);
    const edited = first.bundle.actionItems.find((a) => a.description === 'First task run 1')!;
    await ctx.stores.minutes.updateActionItem(edited.id, { status: 'in_progress' });
    await ctx.stores.minutes.addDecisions([{ meetingId: meeting.id, text: 'Typed in by hand' }]);

    const { view } = await service.ensure(meeting.id, { regenerate: true });
    expect(view.actionItems.map((a) => `${a.description}: ${a.status}`).sort()).to.deep.equal([
      'First task run 1: in_progress', 'First task run 2: pending', 'Second task run 2: pending',
    ]);
    expect(view.decisions.map((d) => d.text).sort()).to.deep.equal(['Decision run 2', 'Typed in by hand']);
    expect(view.abstract).to.equal('Abstract run 2.');
    expect(view.topics).to.deep.equal([{ title: 'Topic run 2', text: 'Talked. ### not a title', evidenceSegmentIds: [first.bundle.segments[0]!.id] }]);
    expect(view.writtenBy).to.equal('stub stub-1');
    expect(events.filter((e) => e.type === 'minutes.ready')).to.have.length(2);
  });

  it('ensure() writes minutes only when there are none', async () => {
    const meeting = await importPlanning();
    const analyzer = new StubAnalyzer();
    const service = new MinutesService({ stores: ctx.stores, bus, logger, analyzer });
    expect((await service.view(meeting.id)).exists).to.equal(false);
    expect((await service.ensure(meeting.id)).generated).to.equal(true);
    expect((await service.ensure(meeting.id)).generated).to.equal(false);
    expect(analyzer.run).to.equal(1);
  });

  it('two generations of one meeting at once do not duplicate items', async () => {
    const meeting = await importPlanning();
    const service = new MinutesService({ stores: ctx.stores, bus, logger, analyzer: new StubAnalyzer() });
    await Promise.all([service.generate(meeting.id), service.generate(meeting.id)]);
    expect((await service.view(meeting.id)).actionItems).to.have.length(2);
  });

  it('writes minutes automatically when a transcript is imported or a meeting ends', async () => {
    const service = new MinutesService({ stores: ctx.stores, bus, logger, analyzer: new StubAnalyzer() });
    const auto = new AutoMinutes({ bus, minutes: service, logger }).start();
    const meetings = new MeetingService({ stores: ctx.stores, bus, logger });
    const imported = (await meetings.importTranscript({ organizationId: ctx.org.id, transcript: planning })).meeting;
    expect((await auto.settled(imported.id))?.bundle.decisions).to.have.length(1);

    const live = await meetings.createMeeting({ organizationId: ctx.org.id, platform: 'web', title: 'Live' });
    await meetings.startMeeting(live.id);
    await meetings.appendSegments(live.id, planning.segments.slice(0, 4).map((s) => ({ ...s, source: 'web' })));
    await meetings.endMeeting(live.id);
    await auto.idle();
    expect((await service.view(live.id)).decisions).to.have.length(1);
    await auto.stop();
  });
});

describeEachBackend('MinutesService.updateActionItem', (ctx) => {
  it('updates an item, publishes action_item.updated, and treats another organization\'s item as not found', async () => {
    const bus = new InProcessEventBus();
    const updates: MeetingEvent[] = [];
    bus.subscribe('action_item.updated', (e) => void updates.push(e));
    const service = new MinutesService({ stores: ctx.stores, bus, logger: createLogger({ level: 'silent' }), analyzer: new OfflineAnalyzer() });
    const meeting = await ctx.service.createMeeting({ organizationId: ctx.org.id, platform: 'discord', title: 'Items' });
    const [item] = await ctx.stores.minutes.addActionItems([{ meetingId: meeting.id, description: 'Send notes' }]);
    const done = await service.updateActionItem(item!.id, { status: 'completed' }, { organizationId: ctx.org.id });
    expect(done.status).to.equal('completed');
    expect(updates).to.have.length(1);
    const other = await ctx.stores.organizations.ensure(`other-${meeting.id}`);
    const err = await service.updateActionItem(item!.id, { status: 'pending' }, { organizationId: other.id }).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'ACTION_ITEM_NOT_FOUND');
    expect((await ctx.stores.minutes.getActionItem(item!.id)).status).to.equal('completed');
    expect(await service.updateActionItem('not-a-uuid', {}).catch((e: unknown) => (e as { code: string }).code)).to.equal('ACTION_ITEM_NOT_FOUND');
  });
});
