import { AudioPipeline, type AudioPipelineOptions, type PipelineEvent } from '../../core/audio/AudioPipeline.ts';
import { BusConsent } from '../../core/audio/consent.ts';
import type { Transcriber } from '../../core/asr/types.ts';
import type { EventBus } from '../../core/bus/EventBus.ts';
import type { Logger } from '../../core/logger.ts';
import type { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { Meeting } from '../../core/types.ts';
import type { RecordPipeline } from './server.ts';

export interface RecordPipelineDeps {
  meetings: Pick<MeetingService, 'appendSegments' | 'addAttendee' | 'log'>;
  /** The meeting's consent changes arrive here (`attendee.updated`). */
  bus: EventBus;
  /** Asked once per recording, so an engine can be created lazily. */
  transcriber: () => Transcriber;
  logger?: Logger;
  /** Tuning passed to the pipeline (tests shorten the pause that ends an utterance). */
  pipeline?: Pick<AudioPipelineOptions, 'frontEnd' | 'queue' | 'language' | 'prompt' | 'tickMs'>;
  onEvent?: (meeting: Meeting, event: PipelineEvent) => void;
  now?: () => number;
}

/**
 * `createPipeline` for attachRecordServer: one AudioPipeline per browser
 * recording, PCM only (no decoder), segments appended to the meeting under
 * the user's name, consent from the attendee row and then the bus.
 *
 * Segment sequence numbers come from the stream ordinal; a page that
 * reconnects (reload, network drop) gets a fresh pipeline, so each one starts
 * at a new ordinal: past every one handed out for that meeting in this process
 * and past the seconds elapsed since the meeting started (a restarted server
 * hands out no ordinal used before it), so new utterances are never taken for
 * re-sends of earlier ones.
 */
export function recordPipelineFactory(deps: RecordPipelineDeps): (meeting: Meeting, speakerName: string) => Promise<RecordPipeline> {
  const lastOrdinal = new Map<string, number>();
  const clock = deps.now ?? Date.now;
  return async (meeting, speakerName) => {
    const attendee = await deps.meetings.addAttendee(meeting.id, speakerName);
    const started = (meeting.startedAt ?? new Date(clock())).getTime();
    const elapsedS = Math.max(0, Math.floor((clock() - started) / 1000));
    const firstOrdinal = Math.max((lastOrdinal.get(meeting.id) ?? 0) + 1, elapsedS + 1);
    lastOrdinal.set(meeting.id, firstOrdinal);
    const consent = new BusConsent(deps.bus, meeting.id, [attendee]);
    const logger = (deps.logger ?? deps.meetings.log(meeting)).child({ component: 'audio', input: 'browser' });
    const pipeline = new AudioPipeline({
      transcriber: deps.transcriber(), consent, firstOrdinal, logger,
      displayName: () => speakerName,
      append: (segments) => deps.meetings.appendSegments(meeting.id, segments),
      now: () => clock() - started,
      ...deps.pipeline,
      ...(deps.onEvent ? { onEvent: (e: PipelineEvent) => deps.onEvent!(meeting, e) } : {}),
    });
    let ended: Promise<void> | null = null;
    return {
      pushPcm: (stream, pcm) => pipeline.pushPcm(stream, pcm),
      end: () => (ended ??= pipeline.end().finally(() => consent.close())),
    };
  };
}
