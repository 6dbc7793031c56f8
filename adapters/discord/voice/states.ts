/**
 * The voice link's lifecycle as an explicit state machine. Kept apart from
 * VoiceLink so the table can be read (and tested) on its own:
 *
 *   idle ──join──▶ connecting ──▶ ready ⇄ reconnecting
 *     └───────────────┴─────────────┴────────┴──▶ destroyed (terminal)
 */
export type VoiceLinkState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'destroyed';

export const VOICE_LINK_STATES: readonly VoiceLinkState[] = ['idle', 'connecting', 'ready', 'reconnecting', 'destroyed'];

/** Where each state may go. Anything else is a bug and throws VOICE_ILLEGAL_TRANSITION. */
export const VOICE_LINK_TRANSITIONS: Readonly<Record<VoiceLinkState, readonly VoiceLinkState[]>> = Object.freeze({
  idle: Object.freeze(['connecting', 'destroyed'] as const),
  connecting: Object.freeze(['ready', 'destroyed'] as const),
  ready: Object.freeze(['reconnecting', 'destroyed'] as const),
  reconnecting: Object.freeze(['ready', 'destroyed'] as const),
  destroyed: Object.freeze([] as const),
});

/** Emitted as the `state` event on every transition. */
export interface VoiceLinkTransition {
  from: VoiceLinkState;
  to: VoiceLinkState;
  /** Human-readable cause, e.g. "voice websocket lost, resuming" or "meeting ended". */
  reason: string;
}

export type VoiceLinkErrorCode =
  /** A transition the table does not allow, e.g. join() after destroy(). */
  | 'VOICE_ILLEGAL_TRANSITION'
  /** No voice connection within connectTimeoutMs. */
  | 'VOICE_CONNECT_TIMEOUT'
  /** The link was destroyed while join() was waiting. */
  | 'VOICE_DESTROYED'
  /** This process already has a live voice connection in that guild (one per guild on Discord). */
  | 'VOICE_ALREADY_JOINED'
  /** The installed @discordjs/voice lacks the receiver internals the RTP tap needs (see rtpTap.ts). */
  | 'VOICE_RECEIVER_UNSUPPORTED';

/** Same shape as core's MinutesError (code + details), for codes that only exist in the Discord voice adapter. */
export class VoiceLinkError extends Error {
  readonly code: VoiceLinkErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: VoiceLinkErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'VoiceLinkError';
    this.code = code;
    this.details = details;
  }
}

export function canTransition(from: VoiceLinkState, to: VoiceLinkState): boolean {
  return VOICE_LINK_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: VoiceLinkState, to: VoiceLinkState): void {
  if (!canTransition(from, to)) {
    throw new VoiceLinkError('VOICE_ILLEGAL_TRANSITION', `voice link cannot go from ${from} to ${to}`, { from, to });
  }
}
