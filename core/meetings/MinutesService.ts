import type { EventBus } from '../bus/EventBus.ts';
import type { Logger } from '../logger.ts';
import type { Analyzer, Minutes, MinutesInput } from '../minutes/types.ts';
import type { Stores } from '../store/index.ts';
import type { MeetingBundle } from '../types.ts';

/** The sources minutes can be written by; anything else (manual edits) is never overwritten. */
export const GENERATED_SOURCES = ['offline', 'llm'] as const;

export interface MinutesServiceDeps {
  stores: Stores;
  bus: EventBus;
  logger: Logger;
  analyzer: Analyzer;
}

/**
 * Writes a meeting's minutes: runs the analyzer over the stored transcript
 * and replaces the previously generated items in one transaction. Items a
 * person already touched (status, owner, due date changed) are kept, so
 * regenerating never undoes someone's work.
 */
export class MinutesService {
  constructor(private readonly deps: MinutesServiceDeps) {}

  async generate(meetingId: string, options: { signal?: AbortSignal } = {}): Promise<{ minutes: Minutes; bundle: MeetingBundle }> {
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
    const log = logger.child({ meetingId, platform: meeting.platform });
    log.info(
      { analyzer: minutes.provenance.analyzer, provider: minutes.provenance.provider, fallback: minutes.provenance.fallbackReason, ms: Date.now() - started,
        actions: minutes.actionItems.length, decisions: minutes.decisions.length },
      'minutes written',
    );
    const bundle = await this.bundle(meetingId);
    await bus.publish({ type: 'minutes.ready', meeting: bundle.meeting, minutes });
    return { minutes, bundle };
  }

  private async bundle(meetingId: string): Promise<MeetingBundle> {
    const { stores } = this.deps;
    const meeting = await stores.meetings.get(meetingId);
    const [attendees, segments, actionItems, decisions, notes, summaries] = await Promise.all([
      stores.attendees.list(meetingId),
      stores.transcripts.list(meetingId),
      stores.minutes.listActionItems({ meetingId }),
      stores.minutes.listDecisions(meetingId),
      stores.minutes.listNotes(meetingId),
      stores.minutes.listSummaries(meetingId),
    ]);
    return { meeting, attendees, segments, actionItems, decisions, notes, summaries };
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
  if (minutes.summary.abstract.trim()) {
    await stores.minutes.addSummary({ meetingId, kind: 'abstract', text: minutes.summary.abstract, provider, model });
  }
  if (minutes.summary.sections.length) {
    const topics = minutes.summary.sections.map((s) => `### ${s.title}\n${s.text}`).join('\n\n');
    await stores.minutes.addSummary({ meetingId, kind: 'topics', text: topics, provider, model });
  }
  const meeting = await stores.meetings.get(meetingId);
  const provenance = { ...minutes.provenance, generatedAt: new Date().toISOString() };
  await stores.meetings.update(meetingId, { settings: { ...meeting.settings, minutes: provenance } });
}
