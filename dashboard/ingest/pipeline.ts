import { AudioPipeline, type AudioPipelineOptions, type PipelineEvent } from '../../core/audio/AudioPipeline.ts';
import type { OpusDecoderFactory, OpusPacket } from '../../core/audio/types.ts';
import type { Transcriber } from '../../core/asr/types.ts';
import type { EventBus } from '../../core/bus/EventBus.ts';
import type { Logger } from '../../core/logger.ts';
import type { Attendee, Meeting, SegmentInput } from '../../core/types.ts';

/** What the socket gives the pipeline of one connection. */
export interface IngestPipelineHooks {
  /** Stream (speaker id) → declared display name: the `speaker` of its segments. */
  displayName(stream: string): string;
  /** Stores one utterance's segments and tells the client (`stored`). */
  append(segments: SegmentInput[]): Promise<unknown>;
}

/** One connection's audio into a meeting. */
export interface IngestPipeline {
  /** One Opus packet; false when dropped unread (the speaker opted out). Throws without a decoder. */
  push(stream: string, packet: OpusPacket): boolean;
  /** 16 kHz mono samples; `arrivalMs` = meeting-clock ms of the first sample. */
  pushPcm(stream: string, pcm: Int16Array, arrivalMs?: number): boolean;
  /** A speaker was declared (its attendee row, for consent). */
  speaker?(stream: string, attendee: Attendee): void;
  /** The meeting clock, ms since it started (PCM timestamps are mapped onto it). */
  now?(): number;
  /** Flushes open utterances and waits until everything is transcribed and stored. */
  end(): Promise<void>;
}

export interface IngestPipelineDeps {
  /** The meeting's consent changes arrive here (`attendee.updated`). */
  bus: EventBus;
  /** Asked once per connection that sends audio, so an engine can be created lazily. */
  transcriber: () => Transcriber;
  /** Opus decoder (adapters/audio/opus.ts `opusDecoderFactory()`); without it Opus frames are refused. */
  decoder?: OpusDecoderFactory;
  logger?: Logger;
  pipeline?: Pick<AudioPipelineOptions, 'frontEnd' | 'queue' | 'language' | 'prompt' | 'tickMs' | 'idleMs'>;
  onEvent?: (meeting: Meeting, event: PipelineEvent) => void;
  now?: () => number;
}

/**
 * `createPipeline` for attachIngestServer: one AudioPipeline per connection.
 * Sequence numbers start past the seconds elapsed since the meeting started and
 * past every ordinal handed out in this process (as for the record page), so a
 * reconnecting bot's new utterances are never taken for re-sends.
 */
export function ingestPipelineFactory(deps: IngestPipelineDeps): (meeting: Meeting, hooks: IngestPipelineHooks) => IngestPipeline {
  const lastOrdinal = new Map<string, number>();
  const clock = deps.now ?? Date.now;
  return (meeting, hooks) => {
    const started = (meeting.startedAt ?? new Date(clock())).getTime();
    const elapsedS = Math.max(0, Math.floor((clock() - started) / 1000));
    // Room for 64 speakers per connection: each stream takes one ordinal.
    const firstOrdinal = Math.max((lastOrdinal.get(meeting.id) ?? 0) + 1, elapsedS + 1);
    lastOrdinal.set(meeting.id, firstOrdinal + 64);
    const optedOut = new Set<string>();
    const apply = (a: Attendee) => void (a.consent === 'opted_out' ? optedOut.add(a.displayName) : optedOut.delete(a.displayName));
    const unsubscribe = deps.bus.subscribe('attendee.updated', (e) => {
      if (e.meetingId === meeting.id) apply(e.attendee);
    });
    const now = () => clock() - started;
    const pipeline = new AudioPipeline({
      transcriber: deps.transcriber(), consent: { isOptedOut: (n) => optedOut.has(n) }, firstOrdinal, now,
      displayName: (s) => hooks.displayName(s), append: (s) => hooks.append(s),
      ...(deps.decoder ? { decoder: deps.decoder } : {}),
      ...(deps.logger ? { logger: deps.logger.child({ component: 'audio', input: 'ingest', meetingId: meeting.id }) } : {}),
      ...deps.pipeline,
      ...(deps.onEvent ? { onEvent: (e: PipelineEvent) => deps.onEvent!(meeting, e) } : {}),
    });
    let ended: Promise<void> | null = null;
    return {
      push: (stream, packet) => pipeline.push(stream, packet),
      pushPcm: (stream, pcm, arrivalMs) => pipeline.pushPcm(stream, pcm, arrivalMs),
      speaker: (_stream, attendee) => apply(attendee),
      now,
      end: () => (ended ??= pipeline.end().finally(unsubscribe)),
    };
  };
}
