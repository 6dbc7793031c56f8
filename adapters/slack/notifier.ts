import type { WebClient } from '@slack/web-api';
import type { Knex } from 'knex';
import type { Logger } from '../../core/logger.ts';
import { digestForOwner, ownersOf } from '../../core/schedule/digest.ts';
import { countOutcome, emptyDelivery, type Deliver, type Digest, type DigestItem, type DeliveryReport, type Notifier, type ReminderItem } from '../../core/schedule/types.ts';
import { OrganizationStore } from '../../core/store/OrganizationStore.ts';
import { context, header, section, type Block, type SlackMessage } from './blocks.ts';
import { LIMITS, NO_PARSE, link, packLines, safe, truncate } from './escape.ts';
import { subscriptionsOf } from './subscriptions.ts';

export interface SlackNotifierOptions {
  /** The adapter's Web API client (SlackAdapter.client); tokens are passed per call. */
  client: WebClient;
  /** The bot token of a workspace (SlackAdapter.tokenFor). */
  tokenFor: (teamId: string) => Promise<string>;
  db: Knex;
  logger: Logger;
}

const GROUPS = [
  ['overdue', '⚠️ Overdue'],
  ['dueThisWeek', '📅 Due this week'],
  ['noDueDate', '🗂️ No due date'],
] as const;

/** Room for the header, the context line and the "more on the dashboard" note. */
const MAX_SECTIONS = LIMITS.blocksPerMessage - 3;

function itemLine(item: DigestItem, withOwner: boolean): string {
  const parts = [link(item.link, truncate(item.description.replace(/\s+/g, ' ').trim(), 300))];
  if (withOwner) parts.push(`👤 ${safe(item.ownerName ?? 'unassigned', 80)}`);
  if (item.dueDate) parts.push(`due ${item.dueDate}`);
  if (item.priority === 'high' || item.priority === 'critical') parts.push(`*${item.priority}*`);
  parts.push(`_${safe(item.meetingTitle || 'meeting', 80)}_`);
  return `• ${parts.join(' · ')}`;
}

/**
 * A digest as one Block Kit message: a section list per group, packed to
 * Slack's limits; what does not fit is left to the dashboard link. Said
 * words only enter through `link()`/`safe()` (escaped: no mentions, no links).
 */
export function digestMessage(digest: Digest, options: { personal: boolean }): SlackMessage {
  const sections: string[] = [];
  for (const [key, title] of GROUPS) {
    const items = digest[key];
    if (items.length) sections.push(...packLines([`*${title}* (${items.length})`, ...items.map((i) => itemLine(i, !options.personal))]));
  }
  const shown = sections.slice(0, MAX_SECTIONS);
  const blocks: Block[] = [
    header(options.personal ? '📋 Your open action items' : '📋 Open action items'),
    context(`${digest.day} · ${link(digest.dashboardUrl, 'Open the action board')}`),
    ...shown.map((t) => section(t)),
  ];
  const more = [sections.length > shown.length ? 'More items than fit here' : '', digest.laterCount ? `${digest.laterCount} more due later` : ''].filter(Boolean);
  if (more.length) blocks.push(context(`${more.join(' · ')}: ${link(digest.dashboardUrl, 'see the dashboard')}`));
  const text = `Action items: ${digest.overdue.length} overdue, ${digest.dueThisWeek.length} due this week, ${digest.noDueDate.length} without a due date`;
  return { text, blocks };
}

export function reminderMessage(item: ReminderItem): SlackMessage {
  const priority = item.priority === 'high' || item.priority === 'critical' ? ` · *${item.priority}*` : '';
  return {
    text: truncate(`Reminder: "${safe(item.description, 200)}" is due ${item.dueDate}`, LIMITS.fallbackText),
    blocks: [
      section(`⏰ *Due ${item.dueDate}*: ${link(item.link, truncate(item.description.replace(/\s+/g, ' ').trim(), 500))}${priority}`),
      context(`From _${safe(item.meetingTitle || 'a meeting', 150)}_`),
    ],
  };
}

interface SlackTeam { teamId: string; channels: string[] }

/** Digests to the subscribed channels of an organization's Slack workspaces, and DMs (digest, reminders) to owners. */
export class SlackNotifier implements Notifier {
  readonly platform = 'slack';
  private readonly log: Logger;
  private readonly organizations: OrganizationStore;

  constructor(private readonly options: SlackNotifierOptions) {
    this.log = options.logger.child({ adapter: 'slack', component: 'notifier' });
    this.organizations = new OrganizationStore(options.db);
  }

  async digest(organizationId: string, digest: Digest, deliver: Deliver): Promise<DeliveryReport> {
    const report = emptyDelivery();
    const teams = await this.teamsOf(organizationId);
    const tokens = new Map<string, string>();
    for (const team of teams) {
      const token = await this.options.tokenFor(team.teamId).catch((err: unknown) => {
        this.log.warn({ err, teamId: team.teamId }, 'no slack token for a workspace; its digest is skipped');
        return null;
      });
      if (!token) {
        report.failed += team.channels.length;
        continue;
      }
      tokens.set(team.teamId, token);
      const message = digestMessage(digest, { personal: false });
      for (const channel of team.channels) {
        countOutcome(report, await deliver(`${team.teamId}:${channel}`, () => this.post(token, channel, message)));
      }
    }
    const accounts = await this.accountsOf(ownersOf(digest), [...tokens.keys()]);
    for (const owner of ownersOf(digest)) {
      const account = accounts.get(owner);
      if (!account) {
        report.ownersWithoutAccount++;
        continue;
      }
      const message = digestMessage(digestForOwner(digest, owner), { personal: true });
      countOutcome(report, await deliver(`dm:${account.teamId}:${account.slackId}`, () => this.dm(tokens.get(account.teamId)!, account.slackId, message)));
    }
    return report;
  }

  async remind(organizationId: string, item: ReminderItem): Promise<boolean> {
    const teams = (await this.teamsOf(organizationId)).map((t) => t.teamId);
    const account = (await this.accountsOf([item.ownerUserId], teams)).get(item.ownerUserId);
    if (!account) return false;
    await this.dm(await this.options.tokenFor(account.teamId), account.slackId, reminderMessage(item));
    return true;
  }

  private async teamsOf(organizationId: string): Promise<SlackTeam[]> {
    const rows = await this.options.db('platform_workspaces').where({ platform: 'slack', organization_id: organizationId }).select('external_id', 'settings').orderBy('external_id');
    return rows.map((r: { external_id: string; settings: unknown }) => ({
      teamId: r.external_id,
      channels: subscriptionsOf((typeof r.settings === 'string' ? JSON.parse(r.settings) : r.settings) as Record<string, unknown>),
    }));
  }

  /** Each user's Slack account, in the first of `teamIds` where they have one. */
  private async accountsOf(userIds: string[], teamIds: string[]): Promise<Map<string, { teamId: string; slackId: string }>> {
    const found = new Map<string, { teamId: string; slackId: string }>();
    for (const teamId of teamIds) {
      const missing = userIds.filter((u) => !found.has(u));
      if (!missing.length) break;
      for (const [userId, slackId] of await this.organizations.externalIdsOf('slack', missing, teamId)) found.set(userId, { teamId, slackId });
    }
    return found;
  }

  private async post(token: string, channel: string, message: SlackMessage): Promise<void> {
    await this.options.client.chat.postMessage({ token, channel, text: message.text, blocks: message.blocks as never, ...NO_PARSE });
  }

  private async dm(token: string, slackUserId: string, message: SlackMessage): Promise<void> {
    const opened = await this.options.client.conversations.open({ token, users: slackUserId });
    const channel = opened.channel?.id;
    if (!channel) throw new Error(`conversations.open gave no channel for ${slackUserId}`);
    await this.post(token, channel, message);
  }
}
