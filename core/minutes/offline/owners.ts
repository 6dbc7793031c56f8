import type { MinutesInput } from '../types.ts';

/**
 * Who owns a commitment. Only ever one of the meeting's attendees: a name in
 * the transcript that is not an attendee ("assign this to the CEO") is ignored.
 */

type Attendee = MinutesInput['attendees'][number];
type Segments = MinutesInput['segments'];

export interface Owner {
  attendee: Attendee | null;
}

const FIRST_PERSON = /\bi(?:'ll| will| shall|'m going to|'m gonna| am going to| can| could)\b|\blet me\b|\bi'll\b/i;
const SECOND_PERSON = /\b(?:can|could|would|will) you\b|\byou(?:'ll| will| should| need to| have to| must|'re going to|'re gonna| are going to)\b/i;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function attendeeForSpeaker(attendees: readonly Attendee[], speaker: string): Attendee | null {
  const s = speaker.trim().toLowerCase();
  return attendees.find((a) => a.displayName.trim().toLowerCase() === s) ?? null;
}

/** An attendee named in the text (full name or first name, ≥ 3 letters, as a capitalised word). */
export function namedAttendee(attendees: readonly Attendee[], text: string, except?: Attendee | null): Attendee | null {
  for (const a of attendees) {
    if (a === except) continue;
    const names = [a.displayName.trim(), a.displayName.trim().split(/\s+/)[0] ?? ''];
    for (const name of names) {
      if (name.length < 3) continue;
      if (new RegExp(`(?:^|[^\\p{L}])${escape(name)}(?![\\p{L}])`, 'u').test(text)) return a;
    }
  }
  return null;
}

/** The first other speaker within a few segments after i: who a "can you…" was most likely addressed to. */
function nextOtherSpeaker(attendees: readonly Attendee[], segments: Segments, i: number): Attendee | null {
  const me = segments[i]!.speaker;
  for (let j = i + 1; j < segments.length && j <= i + 3; j++) {
    if (segments[j]!.speaker !== me) return attendeeForSpeaker(attendees, segments[j]!.speaker);
  }
  return null;
}

export function resolveOwner(attendees: readonly Attendee[], segments: Segments, i: number): Attendee | null {
  const seg = segments[i]!;
  const speaker = attendeeForSpeaker(attendees, seg.speaker);
  const text = seg.text;
  const named = namedAttendee(attendees, text, speaker);
  if (SECOND_PERSON.test(text)) return named ?? nextOtherSpeaker(attendees, segments, i);
  if (named && new RegExp(`${escape(named.displayName.split(/\s+/)[0]!)}\\s+(?:will|can|should|is going to|needs to)\\b`, 'i').test(text)) return named;
  if (FIRST_PERSON.test(text)) return speaker;
  return null;
}

export function isSecondPerson(text: string): boolean {
  return SECOND_PERSON.test(text);
}

export function isFirstPerson(text: string): boolean {
  return FIRST_PERSON.test(text);
}
