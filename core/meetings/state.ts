import { MinutesError } from '../errors.ts';
import type { MeetingStatus } from '../types.ts';

/**
 * The meeting lifecycle as an explicit table: each action names the states it
 * may leave from and the one it leads to. Anything else is a coded error.
 */
export const MEETING_TRANSITIONS = {
  start: { from: ['scheduled'], to: 'in_progress' },
  end: { from: ['in_progress'], to: 'completed' },
  cancel: { from: ['scheduled', 'in_progress'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly MeetingStatus[]; to: MeetingStatus }>;

export type MeetingAction = keyof typeof MEETING_TRANSITIONS;

const PAST: Record<MeetingAction, string> = { start: 'started', end: 'ended', cancel: 'cancelled' };

export function canTransition(status: MeetingStatus, action: MeetingAction): boolean {
  return (MEETING_TRANSITIONS[action].from as readonly MeetingStatus[]).includes(status);
}

export function illegalTransition(meetingId: string, status: MeetingStatus, action: MeetingAction): MinutesError {
  const allowed = MEETING_TRANSITIONS[action].from.join(' or ');
  return new MinutesError(
    'MEETING_ILLEGAL_TRANSITION',
    `Cannot ${action} meeting ${meetingId}: it is ${status} (only a ${allowed} meeting can be ${PAST[action]})`,
    { details: { meetingId, status, action } },
  );
}

/** Segments are accepted only while a meeting is running. */
export const ACCEPTS_SEGMENTS: readonly MeetingStatus[] = ['in_progress'];
