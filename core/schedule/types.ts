import type { Priority } from '../types.ts';

/** One open action item as a digest or a reminder shows it. */
export interface DigestItem {
  id: string;
  meetingId: string;
  meetingTitle: string;
  description: string;
  /** The internal user who owns it (directly, or through their attendee record); null when nobody linked. */
  ownerUserId: string | null;
  ownerName: string | null;
  /** Calendar day `YYYY-MM-DD`, or null. */
  dueDate: string | null;
  priority: Priority;
  /** The item on the dashboard: `${publicUrl}/meetings/<meeting>#item-<item>`. */
  link: string;
}

export type DigestPeriod = 'daily' | 'weekly';

/** What an organization's digest says: open items, grouped. Items due after `weekEnd` are only counted. */
export interface Digest {
  organizationId: string;
  /** The server-local day it is for (`YYYY-MM-DD`). */
  day: string;
  /** Last day of "due this week": `day` + 6 (a rolling week, so a Friday digest still shows next Tuesday). */
  weekEnd: string;
  overdue: DigestItem[];
  dueThisWeek: DigestItem[];
  noDueDate: DigestItem[];
  /** Open items due after `weekEnd` (not listed). */
  laterCount: number;
  /** The dashboard's action-items page. */
  dashboardUrl: string;
}

export interface ReminderItem extends DigestItem {
  organizationId: string;
  ownerUserId: string;
  dueDate: string;
}

export type DeliveryOutcome = 'sent' | 'duplicate' | 'failed';

/**
 * Sends one message to one target at most once per digest period: the task
 * claims `digest:<org>:<period>:<platform>:<target>` first (a unique row, so
 * two runs or two instances never both send) and releases the claim if
 * `send` throws, so a later run can retry.
 */
export type Deliver = (target: string, send: () => Promise<void>) => Promise<DeliveryOutcome>;

export interface DeliveryReport {
  sent: number;
  duplicates: number;
  failed: number;
  /** Owners with items in the digest but no account on this platform: no DM. */
  ownersWithoutAccount: number;
}

/** A platform that can post digests and DM reminders (adapters implement it). */
export interface Notifier {
  readonly platform: string;
  /** Posts `digest` to each subscribed channel of the organization, and each owner's own items as a DM. */
  digest(organizationId: string, digest: Digest, deliver: Deliver): Promise<DeliveryReport>;
  /** DMs the owner; false when they have no account on this platform (nothing sent). Throws when sending failed. */
  remind(organizationId: string, item: ReminderItem): Promise<boolean>;
}

/** Counts of what a run did, for the log line and the admin CLI. */
export type TaskReport = Record<string, number>;

export interface ScheduledTask {
  name: string;
  /** A cron expression (5 fields, or 6 with seconds), server time. */
  cron: string;
  run(now: Date): Promise<TaskReport>;
}

/** Who runs a tick: with N instances, only the one that acquires the key. */
export interface SchedulerLock {
  /** True when this caller now holds `key` for `ttlMs`; false when someone else does, or when unsure. */
  acquire(key: string, ttlMs: number): Promise<boolean>;
}

export const emptyDelivery = (): DeliveryReport => ({ sent: 0, duplicates: 0, failed: 0, ownersWithoutAccount: 0 });

export function countOutcome(report: DeliveryReport, outcome: DeliveryOutcome): DeliveryReport {
  if (outcome === 'sent') report.sent++;
  else if (outcome === 'duplicate') report.duplicates++;
  else report.failed++;
  return report;
}
