import type { StoreContext } from '../../../test/support/databases.ts';
import { digestForOwner, ownersOf } from '../digest.ts';
import { countOutcome, emptyDelivery, type Deliver, type Digest, type DeliveryReport, type Notifier, type ReminderItem, type ScheduledTask } from '../types.ts';

const DAY_MS = 86_400_000;

/** A notifier that records what it would post: a digest to one channel, and each owner with an account their own items. */
export class RecordingNotifier implements Notifier {
  readonly platform = 'fake';
  readonly posts: { organizationId: string; target: string; digest: Digest }[] = [];
  readonly reminders: ReminderItem[] = [];
  /** Sends to these targets throw (once each). */
  readonly failOnce = new Set<string>();

  constructor(readonly accounts = new Set<string>()) {}

  async digest(organizationId: string, digest: Digest, deliver: Deliver): Promise<DeliveryReport> {
    const report = emptyDelivery();
    const send = (target: string, d: Digest) => async () => {
      if (this.failOnce.delete(target)) throw new Error(`fake failure of ${target}`);
      this.posts.push({ organizationId, target, digest: d });
    };
    countOutcome(report, await deliver('channel:C1', send('channel:C1', digest)));
    for (const owner of ownersOf(digest)) {
      if (!this.accounts.has(owner)) report.ownersWithoutAccount++;
      else countOutcome(report, await deliver(`dm:${owner}`, send(`dm:${owner}`, digestForOwner(digest, owner))));
    }
    return report;
  }

  async remind(_organizationId: string, item: ReminderItem): Promise<boolean> {
    if (!this.accounts.has(item.ownerUserId)) return false;
    this.reminders.push(item);
    return true;
  }
}

/**
 * A meeting of `ctx.org` (or `organizationId`) with a transcript and minutes,
 * ended `endedDaysAgo` days before `now`, or still in progress when null.
 */
export async function seedMeeting(ctx: StoreContext, options: { organizationId?: string; endedDaysAgo: number | null; now?: Date; title?: string }) {
  const now = options.now ?? new Date();
  const meeting = await ctx.service.createMeeting({ organizationId: options.organizationId ?? ctx.org.id, platform: 'web', title: options.title ?? 'Weekly sync' });
  await ctx.service.startMeeting(meeting.id);
  await ctx.service.appendSegments(meeting.id, [
    { speaker: 'Alice', startMs: 0, endMs: 1000, text: 'We ship on Friday.', sourceSeq: 1 },
    { speaker: 'Bob', startMs: 1000, endMs: 2000, text: 'I will write the notes.', sourceSeq: 2 },
  ]);
  if (options.endedDaysAgo !== null) {
    await ctx.service.endMeeting(meeting.id);
    const endedAt = new Date(now.getTime() - options.endedDaysAgo * DAY_MS);
    await ctx.db.knex('meetings').where({ id: meeting.id }).update({ started_at: new Date(endedAt.getTime() - 3_600_000), ended_at: endedAt });
  }
  const { stores } = ctx;
  await stores.minutes.addActionItems([{ meetingId: meeting.id, description: 'Write the notes', ownerName: 'Bob' }]);
  await stores.minutes.addDecisions([{ meetingId: meeting.id, text: 'Ship on Friday' }]);
  await stores.minutes.addNotes([{ meetingId: meeting.id, kind: 'question', text: 'Which Friday?' }]);
  await stores.minutes.addSummary({ meetingId: meeting.id, text: 'Shipping talk.' });
  return meeting;
}

/** Rows left of a meeting's transcript and minutes. */
export async function leftOf(ctx: StoreContext, meetingId: string) {
  const count = async (table: string) => Number(((await ctx.db.knex(table).where({ meeting_id: meetingId }).count({ n: '*' })) as [{ n: string | number }])[0].n);
  return {
    segments: await count('transcript_segments'), actionItems: await count('action_items'),
    minutes: (await count('summaries')) + (await count('decisions')) + (await count('meeting_notes')),
  };
}

/** A task that records the clock of each run. */
export function countingTask(name = 'count'): ScheduledTask & { runs: Date[] } {
  const runs: Date[] = [];
  return { name, cron: '* * * * *', runs, run: async (now) => { runs.push(now); await new Promise((r) => setTimeout(r, 5)); return { n: runs.length }; } };
}
