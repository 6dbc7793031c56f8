/** Scheduled work: digests, reminders, retention, stale meetings, and the once-per-tick runner. node-cron lives in adapters/cron. */
export * from './types.ts';
export { buildDigest, digestForOwner, isEmptyDigest, itemLink, localDay, ownersOf, type OpenItem } from './digest.ts';
export { DigestTask, type DigestTaskOptions } from './DigestTask.ts';
export { ReminderTask, type ReminderTaskOptions } from './ReminderTask.ts';
export { RetentionTask, retentionDaysOf, type PurgeAudio, type RetentionTaskOptions } from './RetentionTask.ts';
export { StaleMeetingTask, type StaleMeetingTaskOptions } from './StaleMeetingTask.ts';
export { Scheduler, type SchedulerOptions, type TickResult } from './Scheduler.ts';
export { InProcessLock } from './InProcessLock.ts';
export { ScheduleStore } from './ScheduleStore.ts';
export type { OrganizationsSource } from './organizations.ts';
