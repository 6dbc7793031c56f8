import type { EventBus } from '../bus/EventBus.ts';
import type { Logger } from '../logger.ts';
import type { LiveAnalyzer, MinutesInput } from '../minutes/types.ts';
import type { Meeting, Segment } from '../types.ts';

type LiveSegment = MinutesInput['segments'][number];

export interface LiveCopilotDeps {
  bus: EventBus;
  logger: Logger;
  /**
   * One analyzer per live meeting. `attendees` is a live list: the copilot adds
   * each new speaker to it, so owners can be resolved to people who joined late.
   */
  createAnalyzer: (meeting: Meeting | null, attendees: MinutesInput['attendees']) => LiveAnalyzer;
  /** Looks the meeting up when its first segments arrive (for its start time). */
  getMeeting?: (id: string) => Promise<Meeting>;
  /** Segments kept per meeting to cite evidence from. */
  evidenceWindow?: number;
}

interface LiveState {
  analyzer: LiveAnalyzer;
  attendees: MinutesInput['attendees'];
  recent: Map<number, LiveSegment>;
  /** Pushes run one after another so insights come out in transcript order. */
  chain: Promise<void>;
}

/**
 * The live copilot: follows `segment.added` for meetings in progress, feeds a
 * LiveAnalyzer per meeting and publishes each new insight once as
 * `insight.added`, with the transcript lines it cites. Adapters (a Discord
 * thread, a Slack thread, the dashboard's live view) only render those events.
 */
export class LiveCopilot {
  private readonly live = new Map<string, Promise<LiveState>>();
  private unsubscribers: (() => void)[] = [];

  constructor(private readonly deps: LiveCopilotDeps) {}

  start(): this {
    const { bus } = this.deps;
    this.unsubscribers.push(
      // Not awaited: the segment's publisher (the ingest path) must not wait for analysis.
      bus.subscribe('segment.added', (e) => void this.onSegments(e.meetingId, e.segments)),
      bus.subscribe('meeting.ended', (e) => void this.forget(e.meeting.id)),
      bus.subscribe('meeting.cancelled', (e) => void this.forget(e.meeting.id)),
    );
    return this;
  }

  /** Resolves when every queued analysis has run (tests, shutdown). */
  async idle(): Promise<void> {
    for (const state of this.live.values()) await (await state.catch(() => null))?.chain;
  }

  stop(): void {
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
    this.live.clear();
  }

  private state(meetingId: string): Promise<LiveState> {
    let state = this.live.get(meetingId);
    if (!state) {
      state = this.createState(meetingId);
      this.live.set(meetingId, state);
    }
    return state;
  }

  private async createState(meetingId: string): Promise<LiveState> {
    const meeting = this.deps.getMeeting ? await this.deps.getMeeting(meetingId).catch(() => null) : null;
    const attendees: MinutesInput['attendees'] = [];
    return { analyzer: this.deps.createAnalyzer(meeting, attendees), attendees, recent: new Map(), chain: Promise.resolve() };
  }

  private async onSegments(meetingId: string, segments: Segment[]): Promise<void> {
    const state = await this.state(meetingId);
    state.chain = state.chain.then(() => this.analyze(meetingId, state, segments));
    await state.chain;
  }

  private async analyze(meetingId: string, state: LiveState, segments: Segment[]): Promise<void> {
    const window = this.deps.evidenceWindow ?? 200;
    for (const s of segments) {
      state.recent.set(s.id, { id: s.id, speaker: s.speaker, startMs: s.startMs, endMs: s.endMs, text: s.text });
      if (s.attendeeId && !state.attendees.some((a) => a.id === s.attendeeId)) state.attendees.push({ id: s.attendeeId, displayName: s.speaker });
    }
    for (const id of [...state.recent.keys()].slice(0, Math.max(0, state.recent.size - window))) state.recent.delete(id);
    try {
      const insights = await state.analyzer.push(segments.map((s) => state.recent.get(s.id)!).filter(Boolean));
      for (const insight of insights) {
        const evidence = insight.evidenceSegmentIds.map((id) => state.recent.get(id)).filter((s): s is LiveSegment => Boolean(s));
        await this.deps.bus.publish({ type: 'insight.added', meetingId, insight, evidence });
      }
    } catch (err) {
      // A failed analysis loses live hints only; the transcript and final minutes are unaffected.
      this.deps.logger.warn({ err, meetingId }, 'live copilot failed on a batch');
    }
  }

  private async forget(meetingId: string): Promise<void> {
    const state = this.live.get(meetingId);
    this.live.delete(meetingId);
    await (await state?.catch(() => null))?.chain;
  }
}
