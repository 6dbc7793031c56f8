import type { MeetingBundle } from '../types.ts';
import type { Stores } from './index.ts';

/** A meeting with everything stored about it, and its transcript read by `transcript` (all of it, or a count). */
async function loadAround<T>(stores: Stores, meetingId: string, transcript: (meetingId: string) => Promise<T>) {
  const meeting = await stores.meetings.get(meetingId);
  const [attendees, lines, actionItems, decisions, notes, summaries] = await Promise.all([
    stores.attendees.list(meetingId),
    transcript(meetingId),
    stores.minutes.listActionItems({ meetingId }),
    stores.minutes.listDecisions(meetingId),
    stores.minutes.listNotes(meetingId),
    stores.minutes.listSummaries(meetingId),
  ]);
  return { rest: { meeting, attendees, actionItems, decisions, notes, summaries }, lines };
}

/** Everything stored about one meeting; throws MEETING_NOT_FOUND for an unknown id. */
export async function loadBundle(stores: Stores, meetingId: string): Promise<MeetingBundle> {
  const { rest, lines } = await loadAround(stores, meetingId, (id) => stores.transcripts.list(id));
  return { ...rest, segments: lines };
}

/** The same without the transcript (which can be long), with its length instead. */
export async function loadBundleHead(stores: Stores, meetingId: string): Promise<Omit<MeetingBundle, 'segments'> & { segmentCount: number }> {
  const { rest, lines } = await loadAround(stores, meetingId, (id) => stores.transcripts.count(id));
  return { ...rest, segmentCount: lines };
}
