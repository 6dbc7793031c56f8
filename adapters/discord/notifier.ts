import { REST, RESTJSONErrorCodes, Routes, type APIAllowedMentions, type APIEmbed, type APIEmbedField, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Knex } from 'knex';
import { MinutesError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { digestForOwner, ownersOf } from '../../core/schedule/digest.ts';
import { countOutcome, emptyDelivery, type Deliver, type Digest, type DigestItem, type DeliveryReport, type Notifier, type ReminderItem } from '../../core/schedule/types.ts';
import { LIMITS, packLines, safe, truncate } from './render.ts';

/** What the notifier needs of @discordjs/rest: a `REST` (the adapter's `client.rest`, or `discordRest()`) fits. */
export type DiscordRest = Pick<REST, 'post'>;

export interface DiscordNotifierOptions {
  rest: DiscordRest;
  db: Knex;
  logger: Logger;
}

/** A REST client for a process without a gateway connection (the worker); `api` points tests at a loopback fake. */
export function discordRest(token: string, api?: string): REST {
  return new REST({ version: '10', ...(api ? { api } : {}) }).setToken(token);
}

/** Sent with every DM: nothing in an item's text may ping anyone. */
const noParse = (): APIAllowedMentions => ({ parse: [] });

const GROUPS = [
  ['overdue', '⚠️ Overdue'],
  ['dueThisWeek', '📅 Due this week'],
  ['noDueDate', '🗂️ No due date'],
] as const;

/** A masked link whose label is said words: escaped, and no bracket left that could end the label early. */
function itemLink(item: DigestItem, max: number): string {
  const label = truncate(safe(item.description), max).replace(/(?<!\\)[[\]]/g, '\\$&');
  return `[${label}](${item.link})`;
}

function itemLine(item: DigestItem): string {
  const parts = [itemLink(item, 200)];
  if (item.dueDate) parts.push(`due ${item.dueDate}`);
  if (item.priority === 'high' || item.priority === 'critical') parts.push(`**${item.priority}**`);
  parts.push(`_${truncate(safe(item.meetingTitle || 'meeting'), 80)}_`);
  return `• ${parts.join(' · ')}`;
}

/**
 * One owner's digest as a DM: an embed with a field list per group, kept
 * inside Discord's embed limits; what does not fit is left to the dashboard.
 */
export function digestMessage(digest: Digest): RESTPostAPIChannelMessageJSONBody {
  const fields: APIEmbedField[] = [];
  for (const [key, title] of GROUPS) {
    const items = digest[key];
    packLines(items.map(itemLine)).forEach((value, i) => fields.push({ name: `${title} (${items.length})${i ? ' (cont.)' : ''}`, value }));
  }
  const description = `${digest.day} · [Open the action board](${digest.dashboardUrl})`;
  const title = '📋 Your open action items';
  // Room for the "more" field, within the per-embed 6,000-character budget.
  let budget = LIMITS.embedTotal - title.length - description.length - 200;
  const kept = fields.slice(0, LIMITS.fields - 1).filter((f) => (budget -= f.name.length + f.value.length) >= 0);
  const more = [kept.length < fields.length ? 'More items than fit here' : '', digest.laterCount ? `${digest.laterCount} more due later` : ''].filter(Boolean);
  if (more.length) kept.push({ name: '…', value: `${more.join(' · ')}: [see the dashboard](${digest.dashboardUrl})` });
  const embed: APIEmbed = { title, url: digest.dashboardUrl, description, fields: kept };
  const content = `Action items: ${digest.overdue.length} overdue, ${digest.dueThisWeek.length} due this week, ${digest.noDueDate.length} without a due date`;
  return { content, embeds: [embed], allowed_mentions: noParse() };
}

export function reminderMessage(item: ReminderItem): RESTPostAPIChannelMessageJSONBody {
  const priority = item.priority === 'high' || item.priority === 'critical' ? ` · **${item.priority}**` : '';
  const label = truncate(safe(item.description), 500).replace(/(?<!\\)[[\]]/g, '\\$&');
  const lines = [
    `⏰ **Due ${item.dueDate}**: [${label}](<${item.link}>)${priority}`,
    `From _${truncate(safe(item.meetingTitle || 'a meeting'), 150)}_`,
  ];
  return { content: truncate(lines.join('\n'), LIMITS.content), allowed_mentions: noParse() };
}

/** Discord's "Cannot send messages to this user": the user's privacy settings refuse DMs from the bot. */
export const dmsClosed = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser;

/** DM channel ids are stable; caching them saves a rate-limited call per message. Bounded for a long-lived worker. */
const MAX_CACHED_CHANNELS = 10_000;

/**
 * Digests and reminders as Discord DMs, through the REST API only (works in
 * a worker without a gateway connection). There are no channel
 * subscriptions on Discord: each owner gets their own items.
 */
export class DiscordNotifier implements Notifier {
  readonly platform = 'discord';
  private readonly log: Logger;
  private readonly channels = new Map<string, string>();

  constructor(private readonly options: DiscordNotifierOptions) {
    this.log = options.logger.child({ adapter: 'discord', component: 'notifier' });
  }

  async digest(organizationId: string, digest: Digest, deliver: Deliver): Promise<DeliveryReport> {
    const report = emptyDelivery();
    const owners = ownersOf(digest);
    const accounts = await this.accountsOf(owners);
    for (const owner of owners) {
      const discordId = accounts.get(owner);
      if (!discordId) {
        report.ownersWithoutAccount++;
        continue;
      }
      const message = digestMessage(digestForOwner(digest, owner));
      const send = () => this.dm(discordId, message).catch((err: unknown) => {
        if (dmsClosed(err)) this.log.info({ organizationId, discordUserId: discordId }, 'this user does not accept DMs from the bot; their digest is not sent');
        throw err;
      });
      // A deliver that lets an error through must not cost the other owners their DM.
      countOutcome(report, await deliver(`dm:${discordId}`, send).catch(() => 'failed' as const));
    }
    return report;
  }

  /** False when the owner has no Discord account, or refuses DMs from the bot (another platform may reach them). */
  async remind(organizationId: string, item: ReminderItem): Promise<boolean> {
    const discordId = (await this.accountsOf([item.ownerUserId])).get(item.ownerUserId);
    if (!discordId) return false;
    try {
      await this.dm(discordId, reminderMessage(item));
      return true;
    } catch (err) {
      if (!dmsClosed(err)) throw err;
      this.log.info({ organizationId, discordUserId: discordId, actionItemId: item.id }, 'this user does not accept DMs from the bot; no Discord reminder');
      return false;
    }
  }

  /**
   * Each user's Discord account. Discord user ids are global (the guild a
   * link was made in does not matter for a DM), and a user belongs to one
   * organization, so any linked identity of theirs will do.
   */
  private async accountsOf(userIds: string[]): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    const rows: { user_id: string; external_user_id: string }[] = await this.options.db('platform_identities')
      .where({ platform: 'discord' })
      .whereIn('user_id', userIds)
      .orderBy([{ column: 'external_team_id' }, { column: 'external_user_id' }])
      .select('user_id', 'external_user_id');
    const found = new Map<string, string>();
    for (const r of rows) if (!found.has(r.user_id)) found.set(r.user_id, r.external_user_id);
    return found;
  }

  private async dm(discordUserId: string, body: RESTPostAPIChannelMessageJSONBody): Promise<void> {
    const channelId = await this.dmChannel(discordUserId);
    await this.options.rest.post(Routes.channelMessages(channelId), { body });
  }

  private async dmChannel(discordUserId: string): Promise<string> {
    const cached = this.channels.get(discordUserId);
    if (cached) return cached;
    const channel = (await this.options.rest.post(Routes.userChannels(), { body: { recipient_id: discordUserId } })) as { id?: unknown } | null;
    if (typeof channel?.id !== 'string') throw new MinutesError('PLATFORM_UNAVAILABLE', 'Discord gave no DM channel id', { details: { discordUserId } });
    if (this.channels.size >= MAX_CACHED_CHANNELS) this.channels.clear();
    this.channels.set(discordUserId, channel.id);
    return channel.id;
  }
}
