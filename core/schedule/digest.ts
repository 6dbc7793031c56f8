import type { Priority } from '../types.ts';
import type { Digest, DigestItem } from './types.ts';

/**
 * Digests are about calendar days in server time (cron runs in server time,
 * and due dates are days without a zone), so days are computed locally.
 */
export function localDay(d: Date): string {
  const m = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${m}-${day}`;
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return localDay(new Date(y, m - 1, d + n));
}

/** A day's local midnight plus `hour` hours. */
export function atHour(day: string, hour: number): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, hour);
}

/** The Monday starting the week of `now` (weekly digests are keyed by it). */
export function weekStart(now: Date): string {
  const day = localDay(now);
  return addDays(day, -((now.getDay() + 6) % 7));
}

/** The dashboard address of an action item (the meeting page, scrolled to the item's row). */
export function itemLink(publicUrl: string, meetingId: string, itemId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/meetings/${encodeURIComponent(meetingId)}#item-${encodeURIComponent(itemId)}`;
}

/** An open item as the store returns it, before the link is added. */
export type OpenItem = Omit<DigestItem, 'link'>;

const RANK: Record<Priority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const byDueThenPriority = (a: DigestItem, b: DigestItem): number =>
  (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || RANK[a.priority] - RANK[b.priority] || a.id.localeCompare(b.id);

/**
 * An organization's open items grouped for a digest: overdue (due before
 * today), due within the rolling week (today … today+6), and without a due
 * date; items due later are only counted. Pure: the clock is `now`.
 */
export function buildDigest(organizationId: string, items: OpenItem[], now: Date, publicUrl: string): Digest {
  const day = localDay(now);
  const weekEnd = addDays(day, 6);
  const withLinks = items.map((i) => ({ ...i, link: itemLink(publicUrl, i.meetingId, i.id) })).sort(byDueThenPriority);
  return {
    organizationId,
    day,
    weekEnd,
    overdue: withLinks.filter((i) => i.dueDate !== null && i.dueDate < day),
    dueThisWeek: withLinks.filter((i) => i.dueDate !== null && i.dueDate >= day && i.dueDate <= weekEnd),
    noDueDate: withLinks.filter((i) => i.dueDate === null),
    laterCount: withLinks.filter((i) => i.dueDate !== null && i.dueDate > weekEnd).length,
    dashboardUrl: `${publicUrl.replace(/\/+$/, '')}/actions`,
  };
}

/** True when the digest lists nothing (it is then not posted). */
export const isEmptyDigest = (d: Digest): boolean => d.overdue.length + d.dueThisWeek.length + d.noDueDate.length === 0;

/** The part of a digest one owner is responsible for (their DM). */
export function digestForOwner(d: Digest, userId: string): Digest {
  const mine = (items: DigestItem[]) => items.filter((i) => i.ownerUserId === userId);
  return { ...d, overdue: mine(d.overdue), dueThisWeek: mine(d.dueThisWeek), noDueDate: mine(d.noDueDate), laterCount: 0 };
}

/** Owners (internal user ids) with at least one listed item. */
export function ownersOf(d: Digest): string[] {
  return [...new Set([...d.overdue, ...d.dueThisWeek, ...d.noDueDate].map((i) => i.ownerUserId).filter((u): u is string => Boolean(u)))].sort();
}
