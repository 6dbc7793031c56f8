import type { MeetingBundle } from '../types.ts';
import type { Stores } from './index.ts';

/** Everything stored about one meeting; throws MEETING_NOT_FOUND for an unknown id. */
export async function loadBundle(stores: Stores, meetingId: string): Promise<MeetingBundle> {
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

/** The same without the transcript (which can be long), with its length instead. */
export async function loadBundleHead(stores: Stores, meetingId: string): Promise<Omit<MeetingBundle, 'segments'> & { segmentCount: number }> {
  const meeting = await stores.meetings.get(meetingId);
  const [attendees, segmentCount, actionItems, decisions, notes, summaries] = await Promise.all([
    stores.attendees.list(meetingId),
    stores.transcripts.count(meetingId),
    stores.minutes.listActionItems({ meetingId }),
    stores.minutes.listDecisions(meetingId),
    stores.minutes.listNotes(meetingId),
    stores.minutes.listSummaries(meetingId),
  ]);
  return { meeting, attendees, segmentCount, actionItems, decisions, notes, summaries };
}
