import { MinutesError } from '../../core/errors.ts';
import type { Stores } from '../../core/store/index.ts';
import type { Meeting } from '../../core/types.ts';

/** A meeting of `organizationId`; another organization's meeting is reported exactly like a missing one. */
export async function scopedMeeting(stores: Pick<Stores, 'meetings'>, organizationId: string, id: string): Promise<Meeting> {
  const meeting = await stores.meetings.find(id);
  if (!meeting || meeting.organizationId !== organizationId) {
    throw new MinutesError('MEETING_NOT_FOUND', `No meeting with id ${id}`, { details: { meetingId: id } });
  }
  return meeting;
}
