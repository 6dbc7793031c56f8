import type { WebClient } from '@slack/web-api';
import type { ActionItem } from '../../core/types.ts';
import { actionItemBlocks, context, header, section, today, type Block } from './blocks.ts';
import { LIMITS, link, safe } from './escape.ts';
import type { SlackCore } from './types.ts';

export type TitledItem = ActionItem & { meetingTitle: string };

/** The Slack user's names as Slack knows them (users.info; needs users:read), lower-cased; empty when the call fails. */
export async function slackNames(client: WebClient, userId: string, token?: string): Promise<string[]> {
  try {
    const res = await client.users.info({ user: userId, ...(token ? { token } : {}) });
    const u = res.user;
    return [u?.real_name, u?.profile?.display_name, u?.profile?.real_name, u?.name].filter((n): n is string => Boolean(n?.trim())).map((n) => n.trim().toLowerCase());
  } catch {
    return [];
  }
}

/** How Slack shows a user (real name, display name or handle); null when users.info fails. */
export async function slackDisplayName(client: WebClient, user: string, token?: string): Promise<string | null> {
  try {
    const res = await client.users.info({ user, ...(token ? { token } : {}) });
    return res.user?.real_name || res.user?.profile?.display_name || res.user?.name || null;
  } catch {
    return null;
  }
}

/**
 * Open action items a Slack user owns in an organization: items assigned to
 * the core user linked to this Slack identity (directly or through their
 * attendee record), then, as a fallback for people never linked, items whose
 * owner name is one of the user's Slack names.
 */
export async function itemsOwnedBy(core: SlackCore, client: WebClient, who: { teamId: string; userId: string; organizationId: string; dueBefore?: string; token?: string }): Promise<TitledItem[]> {
  const { stores } = core;
  const status: ActionItem['status'][] = ['pending', 'in_progress'];
  const user = await stores.organizations.findUserByIdentity('slack', who.userId, who.teamId);
  const linked = user && user.organizationId === who.organizationId
    ? await stores.minutes.listActionItems({ organizationId: who.organizationId, ownerUserId: user.id, status, limit: 200, ...(who.dueBefore ? { dueBefore: who.dueBefore } : {}) })
    : [];
  const names = new Set(await slackNames(client, who.userId, who.token));
  if (user) names.add(user.displayName.trim().toLowerCase());
  const seen = new Set(linked.map((a) => a.id));
  const byName = names.size
    ? (await stores.minutes.listActionItems({ organizationId: who.organizationId, status, limit: 500, ...(who.dueBefore ? { dueBefore: who.dueBefore } : {}) }))
      .filter((a) => !seen.has(a.id) && !a.ownerUserId && a.ownerName && names.has(a.ownerName.trim().toLowerCase()))
    : [];
  return withTitles(core, [...linked, ...byName]);
}

/** Items with their meeting's title, for lists across meetings. */
export async function withTitles(core: SlackCore, items: ActionItem[]): Promise<TitledItem[]> {
  const titles = new Map<string, string>();
  for (const id of new Set(items.map((a) => a.meetingId))) titles.set(id, (await core.meetings.getMeeting(id)).title);
  return items.map((a) => ({ ...a, meetingTitle: titles.get(a.meetingId) ?? '' }));
}

export const ownerName = (a: ActionItem): string => safe(a.ownerName ?? 'unassigned', 200);

/** The App Home tab: the user's open action items across meetings, with the same buttons as the minutes; ≤ 100 blocks. */
export function homeView(input: { items: TitledItem[]; links: SlackCore['links']; linked: boolean }): { type: 'home'; blocks: Block[] } {
  const { items, links } = input;
  const day = today();
  const overdue = items.filter((a) => a.dueDate && a.dueDate < day).length;
  const blocks: Block[] = [
    header('Your open action items'),
    context(`${items.length} open${overdue ? ` · ${overdue} overdue` : ''} · ${link(links.home(), 'Open the dashboard')} · \`/minutes help\``),
  ];
  if (items.length === 0) {
    blocks.push(section(input.linked
      ? 'Nothing open. 🎉'
      : 'Nothing open that I can tell is yours. Items are matched by your Slack name; `/minutes link` signs you in to the dashboard and links your account.'));
    return { type: 'home', blocks };
  }
  // Two blocks per item; keep room for the "more" note.
  const room = Math.floor((LIMITS.blocksPerView - blocks.length - 1) / 2);
  for (const a of items.slice(0, room)) {
    blocks.push(...actionItemBlocks(a, { links, ownerLabel: ownerName, meetingTitle: a.meetingTitle, today: day }));
  }
  if (items.length > room) blocks.push(context(`…and ${items.length - room} more on the ${link(links.home(), 'dashboard')}.`));
  return { type: 'home', blocks };
}

/** Publishes the App Home of one user. */
export async function publishHome(core: SlackCore, client: WebClient, who: { teamId: string; teamName: string; userId: string; token?: string }): Promise<void> {
  const organizationId = await core.organizationFor({ id: who.teamId, name: who.teamName });
  const items = await itemsOwnedBy(core, client, { ...who, organizationId });
  const linked = Boolean(await core.stores.organizations.findUserByIdentity('slack', who.userId, who.teamId));
  await client.views.publish({ user_id: who.userId, view: homeView({ items, links: core.links, linked }) as never, ...(who.token ? { token: who.token } : {}) });
}
