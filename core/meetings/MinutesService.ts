import type { EventBus } from '../bus/EventBus.ts';
import { meetingLogger, type Logger } from '../logger.ts';
import { formatTopics, minutesView, topicTitle, type MinutesView } from '../minutes/stored.ts';
import type { Analyzer, Minutes, MinutesInput } from '../minutes/types.ts';
import type { Stores } from '../store/index.ts';
import type { ActionItem, MeetingBundle } from '../types.ts';
import type { ActionItemPatch } from '../store/MinutesStore.ts';
import { MinutesError } from '../errors.ts';
import { loadBundle } from '../store/bundle.ts';

/** The sources minutes can be written by; anything else (manual edits) is never overwritten. */
export const GENERATED_SOURCES = ['offline', 'llm'] as const;

export interface MinutesServiceDeps {
  stores: Stores;
  bus: EventBus;
  logger: Logger;
  analyzer: Analyzer;
}

export interface GeneratedMinutes {
  minutes: Minutes;
  bundle: MeetingBundle;
}

/**
 * Writes a meeting's minutes: runs the analyzer over the stored transcript
 * and replaces the previously generated items in one transaction. Items a
 * person already touched (status, owner, due date changed) are kept, so
 * regenerating never undoes someone's work.
 */
export class MinutesService {
  /** Runs per meeting, so two generations of one meeting never interleave their replace-all writes. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: MinutesServiceDeps) {}

  get analyzerName(): string {
    return this.deps.analyzer.name;
  }

  /** Runs the analyzer and stores its minutes, replacing earlier generated ones; publishes `minutes.ready`. */
  generate(meetingId: string, options: { signal?: AbortSignal } = {}): Promise<GeneratedMinutes> {
    const previous = this.running.get(meetingId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.generateNow(meetingId, options));
    this.running.set(meetingId, run);
    const forget = () => {
      if (this.running.get(meetingId) === run) this.running.delete(meetingId);
    };
    run.then(forget, forget);
    return run;
  }

  /** The stored minutes of a meeting, whether or not any were generated yet. */
  async view(meetingId: string): Promise<MinutesView> {
    return minutesView(await this.bundle(meetingId));
  }

  /** The stored minutes, generated first when there are none yet or when `regenerate` is set. */
  async ensure(meetingId: string, options: { regenerate?: boolean; signal?: AbortSignal } = {}): Promise<{ view: MinutesView; bundle: MeetingBundle; generated: boolean }> {
    if (!options.regenerate) {
      const bundle = await this.bundle(meetingId);
      const view = minutesView(bundle);
      if (view.exists) return { view, bundle, generated: false };
    }
    const { bundle } = await this.generate(meetingId, options.signal ? { signal: options.signal } : {});
    return { view: minutesView(bundle), bundle, generated: true };
  }

  private async generateNow(meetingId: string, options: { signal?: AbortSignal }): Promise<GeneratedMinutes> {
    const { stores, analyzer, bus, logger } = this.deps;
    const meeting = await stores.meetings.get(meetingId);
    const [attendees, segments] = await Promise.all([stores.attendees.list(meetingId), stores.transcripts.list(meetingId)]);
    const input: MinutesInput = {
      meeting,
      attendees: attendees.map((a) => ({ id: a.id, displayName: a.displayName })),
      segments: segments.map((s) => ({ id: s.id, speaker: s.speaker, startMs: s.startMs, endMs: s.endMs, text: s.text })),
    };
    const started = Date.now();
    const minutes = await analyzer.analyze(input, options);
    await stores.transaction((trx) => saveMinutes(trx, meetingId, minutes));
    const log = meetingLogger(logger, meeting);
    log.info(
      { analyzer: minutes.provenance.analyzer, provider: minutes.provenance.provider, fallback: minutes.provenance.fallbackReason, ms: Date.now() - started,
        actions: minutes.actionItems.length, decisions: minutes.decisions.length },
      'minutes written',
    );
    const bundle = await this.bundle(meetingId);
    await bus.publish({ type: 'minutes.ready', meeting: bundle.meeting, minutes });
    return { minutes, bundle };
  }

  /**
   * Changes one action item (status, owner, due date, ...) on someone's behalf.
   * With `organizationId`, an item of another organization is reported as not
   * found, so a button or link can never reach across teams.
   */
  async updateActionItem(id: string, patch: ActionItemPatch, scope: { organizationId?: string } = {}): Promise<ActionItem> {
    const { stores, bus } = this.deps;
    const current = await stores.minutes.getActionItem(id);
    if (scope.organizationId && current.organizationId !== scope.organizationId) {
      throw new MinutesError('ACTION_ITEM_NOT_FOUND', `No action item with id ${id}`, { details: { actionItemId: id } });
    }
    const actionItem = await stores.minutes.updateActionItem(id, patch);
    await bus.publish({ type: 'action_item.updated', meetingId: actionItem.meetingId, actionItem });
    return actionItem;
  }

  bundle(meetingId: string): Promise<MeetingBundle> {
    return loadBundle(this.deps.stores, meetingId);
  }
}

async function saveMinutes(stores: Stores, meetingId: string, minutes: Minutes): Promise<void> {
  const source = minutes.provenance.analyzer;
  await stores.minutes.removeGenerated(meetingId, GENERATED_SOURCES);
  await stores.minutes.addActionItems(
    minutes.actionItems.map((a) => ({
      meetingId, description: a.text, ownerAttendeeId: a.ownerAttendeeId, ownerName: a.ownerName, dueDate: a.dueDate,
      priority: a.priority, confidence: a.confidence, evidenceSegmentIds: a.evidenceSegmentIds, source,
    })),
  );
  await stores.minutes.addDecisions(minutes.decisions.map((d) => ({ meetingId, text: d.text, evidenceSegmentIds: d.evidenceSegmentIds, confidence: d.confidence, source })));
  await stores.minutes.addNotes([
    ...minutes.questions.map((q) => ({ meetingId, kind: 'question' as const, text: q.text, evidenceSegmentIds: q.evidenceSegmentIds, confidence: q.confidence, source })),
    ...minutes.blockers.map((b) => ({ meetingId, kind: 'blocker' as const, text: b.text, evidenceSegmentIds: b.evidenceSegmentIds, confidence: b.confidence, source })),
  ]);
  const { provider = source, model = null } = minutes.provenance;
  // An empty new version is still written over an older one, so regenerated minutes never show a stale summary.
  const before = new Set((await stores.minutes.listSummaries(meetingId)).map((s) => s.kind));
  const abstract = minutes.summary.abstract.trim();
  const topics = formatTopics(minutes.summary.sections);
  if (abstract || before.has('abstract')) await stores.minutes.addSummary({ meetingId, kind: 'abstract', text: abstract, provider, model });
  if (topics || before.has('topics')) await stores.minutes.addSummary({ meetingId, kind: 'topics', text: topics, provider, model });
  const meeting = await stores.meetings.get(meetingId);
  const sections = minutes.summary.sections.map((s) => ({ title: topicTitle(s.title), evidenceSegmentIds: s.evidenceSegmentIds }));
  const provenance = { ...minutes.provenance, generatedAt: new Date().toISOString(), sections };
  await stores.meetings.update(meetingId, { settings: { ...meeting.settings, minutes: provenance } });
}
