import type { WebClient } from '@slack/web-api';
import { isMinutesError, MinutesError } from '../../core/errors.ts';
import { clock } from '../../core/format.ts';
import type { Answer } from '../../core/meetings/ask.ts';
import type { SearchResult } from '../../core/store/index.ts';
import type { Meeting } from '../../core/types.ts';
import { actionItemBlocks, context, section, today, type Block } from './blocks.ts';
import { LIMITS, link, mrkdwn, packLines, safe, truncate } from './escape.ts';
import { itemsOwnedBy, ownerName, slackDisplayName, withTitles, type TitledItem } from './home.ts';
import type { SlackAdapter } from './SlackAdapter.ts';
import type { SlackCore, SlackWorkspaceSettings } from './types.ts';

/** Who ran `/minutes` and where. */
export interface Invocation { teamId: string; teamName: string; channelId: string; userId: string; userName: string; text: string }
/** An answer through the command's response_url: ephemeral unless `inChannel`. */
export type Reply = (message: { text: string; blocks?: Block[]; inChannel?: boolean }) => Promise<unknown>;

export const SUBCOMMANDS = ['help', 'list', 'summary', 'actions', 'search', 'ask', 'subscribe', 'unsubscribe', 'link'] as const;

export function parseCommand(text: string): { sub: string; rest: string } {
  const trimmed = text.trim();
  const sub = trimmed.split(/\s+/)[0] || 'help';
  return { sub: sub.toLowerCase(), rest: trimmed.slice(sub.length).trim() };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs one `/minutes …` after it was acknowledged; every outcome (errors too) is answered through `reply`. */
export async function runCommand(adapter: SlackAdapter, inv: Invocation, reply: Reply, client: WebClient): Promise<void> {
  const { core } = adapter;
  const { sub, rest } = parseCommand(inv.text);
  try {
    const organizationId = await core.organizationFor({ id: inv.teamId, name: inv.teamName });
    switch (sub) {
      case 'help': return void (await reply(helpMessage()));
      case 'list': return void (await reply(listMessage((await core.meetings.listMeetings({ organizationId, limit: 10 })).items, core.links)));
      case 'summary': return await summary(adapter, inv, organizationId, rest, reply, client);
      case 'actions': return await actions(adapter, inv, organizationId, rest, reply, client);
      case 'search': {
        if (!rest) return void (await reply({ text: 'Usage: `/minutes search <words>` (`"exact phrase"`, `or`, `-word` work).' }));
        return void (await reply(searchMessage(rest, await core.stores.search.search({ q: rest, organizationId, limit: 8 }), core.links)));
      }
      case 'ask': {
        if (!rest) return void (await reply({ text: 'Usage: `/minutes ask <question>`' }));
        return void (await reply(answerMessage(await core.ask({ question: rest, organizationId }), core.links)));
      }
      case 'subscribe':
      case 'unsubscribe': return void (await reply(await subscribe(core, inv, sub === 'subscribe')));
      case 'link': {
        const url = core.signInLink
          ? await core.signInLink({
            organizationId, platform: 'slack', externalUserId: inv.userId, externalTeamId: inv.teamId,
            displayName: (await slackDisplayName(client, inv.userId)) ?? inv.userName,
          })
          : core.links.home();
        return void (await reply({ text: `Your dashboard: ${link(url, core.signInLink ? 'sign in' : url)}${core.signInLink ? ' (a personal sign-in link: do not share it)' : ''}` }));
      }
      default: return void (await reply({ ...helpMessage(), text: `I don't know \`${safe(sub, 40)}\`.\n${helpMessage().text}` }));
    }
  } catch (err) {
    adapter.log.warn({ err, sub, teamId: inv.teamId }, 'slash command failed');
    await reply({ text: `⚠️ ${friendly(err)}` }).catch(() => undefined);
  }
}

export function friendly(err: unknown): string {
  if (!isMinutesError(err)) return 'Something went wrong; the error was logged.';
  switch (err.code) {
    case 'MEETING_NOT_FOUND': return 'That meeting does not exist (or is not in this workspace).';
    case 'ACTION_ITEM_NOT_FOUND': return 'That action item no longer exists.';
    case 'SEARCH_INVALID': return `That search is not valid: ${mrkdwn(err.message)}`;
    default: return mrkdwn(err.message);
  }
}

/** A meeting by id or title words in the organization; the latest finished one when nothing is named. */
export async function pickMeeting(core: SlackCore, organizationId: string, words: string): Promise<Meeting | null> {
  if (UUID.test(words)) {
    const m = await core.meetings.getMeeting(words);
    if (m.organizationId !== organizationId) throw new MinutesError('MEETING_NOT_FOUND', `No meeting with id ${words}`);
    return m;
  }
  if (words) {
    const found = (await core.meetings.listMeetings({ organizationId, title: words, limit: 1 })).items[0];
    if (!found) throw new MinutesError('MEETING_NOT_FOUND', `No meeting titled like "${words}"`);
    return found;
  }
  return (await core.meetings.listMeetings({ organizationId, status: 'completed', limit: 1 })).items[0] ?? null;
}

async function summary(adapter: SlackAdapter, inv: Invocation, organizationId: string, words: string, reply: Reply, client: WebClient): Promise<void> {
  const meeting = await pickMeeting(adapter.core, organizationId, words);
  if (!meeting) return void (await reply({ text: 'No finished meeting yet.' }));
  await adapter.core.minutes.ensure(meeting.id);
  try {
    await adapter.poster.post({ teamId: inv.teamId, channel: inv.channelId, meetingId: meeting.id, fresh: true, client });
  } catch (err) {
    // Not in this (private) channel or a DM the bot cannot write to: the response_url can still answer, without a thread.
    adapter.log.info({ err, channel: inv.channelId }, 'posting minutes failed; answering through the response_url');
    const { main } = await adapter.poster.render(meeting.id, inv.teamId);
    await reply({ ...main, inChannel: true });
  }
}

async function actions(adapter: SlackAdapter, inv: Invocation, organizationId: string, arg: string, reply: Reply, client: WebClient): Promise<void> {
  const { core } = adapter;
  const status: ('pending' | 'in_progress')[] = ['pending', 'in_progress'];
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(arg);
  if (arg === 'mine') {
    const items = await itemsOwnedBy(core, client, { teamId: inv.teamId, userId: inv.userId, organizationId });
    return void (await reply(actionsMessage(items, 'Your open action items', core.links)));
  }
  if (mention) {
    const items = await itemsOwnedBy(core, client, { teamId: inv.teamId, userId: mention[1]!, organizationId });
    return void (await reply({ ...actionsMessage(items, `Open action items of ${mention[0]}`, core.links), inChannel: true }));
  }
  if (arg.startsWith('@')) {
    const name = arg.slice(1).trim().toLowerCase();
    const all = await core.stores.minutes.listActionItems({ organizationId, status, limit: 500 });
    const items = await withTitles(core, all.filter((a) => a.ownerName?.toLowerCase().includes(name)));
    return void (await reply({ ...actionsMessage(items, `Open action items of ${arg}`, core.links), inChannel: true }));
  }
  if (arg && arg !== 'overdue' && arg !== 'open') return void (await reply({ text: 'Usage: `/minutes actions [mine|overdue|@user]`' }));
  const overdue = arg === 'overdue';
  const items = await withTitles(core, await core.stores.minutes.listActionItems({ organizationId, status, limit: 200, ...(overdue ? { dueBefore: today() } : {}) }));
  await reply({ ...actionsMessage(items, overdue ? 'Overdue action items' : 'Open action items', core.links), inChannel: true });
}

async function subscribe(core: SlackCore, inv: Invocation, on: boolean): Promise<{ text: string; inChannel: boolean }> {
  const ws = await core.stores.workspaces.find('slack', inv.teamId);
  const slack = (ws?.settings.slack ?? {}) as SlackWorkspaceSettings & Record<string, unknown>;
  const channels = new Set(slack.subscriptions ?? []);
  const had = channels.has(inv.channelId);
  if (on) channels.add(inv.channelId); else channels.delete(inv.channelId);
  // Read-modify-write of the `slack` key (updateSettings merges top-level keys only); two racing subscribes may lose one.
  if (had !== on) await core.stores.workspaces.updateSettings('slack', inv.teamId, { slack: { ...slack, subscriptions: [...channels] } });
  const who = `<@${inv.userId}>`;
  if (on) return { text: had ? 'This channel already receives the minutes.' : `📬 ${who} subscribed this channel: the minutes of every meeting of this organization (from any platform) will be posted here.`, inChannel: !had };
  return { text: had ? `📭 ${who} unsubscribed this channel from the minutes.` : 'This channel was not subscribed.', inChannel: had };
}

export function helpMessage(): { text: string; blocks: Block[] } {
  const text = [
    '*`/minutes` commands*',
    '`list` — recent meetings',
    '`summary [meeting id or title words]` — post a meeting\'s minutes here (latest when empty)',
    '`actions [mine|overdue|@user]` — open action items',
    '`search <words>` — search every transcript (only you see it)',
    '`ask <question>` — ask the meeting history (only you see it)',
    '`subscribe` / `unsubscribe` — post the minutes of every meeting in this channel',
    '`link` — your personal link to the dashboard',
  ].join('\n');
  return { text, blocks: [section(text)] };
}

export function listMessage(meetings: Meeting[], links: SlackCore['links']): { text: string; blocks: Block[] } {
  if (meetings.length === 0) return { text: 'No meetings yet.', blocks: [section('No meetings yet.')] };
  const lines = meetings.map((m) => `• ${link(links.meeting(m.id), truncate(m.title, 100))} · ${(m.startedAt ?? m.createdAt).toISOString().slice(0, 10)} · ${m.status.replace('_', ' ')} · \`${m.id}\``);
  return { text: 'Recent meetings', blocks: packLines(['*Recent meetings*', ...lines]).map((t) => section(t)) };
}

export function actionsMessage(items: TitledItem[], title: string, links: SlackCore['links']): { text: string; blocks: Block[] } {
  if (items.length === 0) return { text: `${title}: nothing open. 🎉`, blocks: [section(`*${title}*: nothing open. 🎉`)] };
  const room = Math.floor((LIMITS.blocksPerMessage - 2) / 2);
  const blocks: Block[] = [section(`*${title}* (${items.length})`)];
  const day = today();
  for (const a of items.slice(0, room)) blocks.push(...actionItemBlocks(a, { links, ownerLabel: ownerName, meetingTitle: a.meetingTitle, today: day }));
  if (items.length > room) blocks.push(context(`…and ${items.length - room} more on the ${link(links.home(), 'dashboard')}.`));
  return { text: `${title} (${items.length})`, blocks };
}

export function searchMessage(query: string, result: SearchResult, links: SlackCore['links']): { text: string; blocks: Block[] } {
  const q = safe(query, 200);
  if (result.hits.length === 0) return { text: `No transcript line matches ${q}.`, blocks: [section(`No transcript line matches *${q}*.`)] };
  const lines = result.hits.slice(0, 8).map((h) =>
    `> ${link(links.meeting(h.meeting.id, h.segment.id), `${truncate(h.meeting.title, 60)} ${clock(h.segment.startMs)}`)} *${safe(h.segment.speaker, 80)}*: ${safe(h.segment.text, 300)}`);
  return { text: `${result.total} line(s) match ${q}`, blocks: packLines([`*${result.total}* line(s) match *${q}*`, ...lines]).map((t) => section(t)) };
}

export function answerMessage(answer: Answer, links: SlackCore['links']): { text: string; blocks: Block[] } {
  const head = answer.mode === 'llm' ? safe(answer.answer, 2000)
    : answer.citations.length ? '_No language model is configured: here are the passages that match best._' : '_Nothing in the meetings matches that question._';
  const cites = answer.citations.slice(0, 5).map((c) =>
    `> ${link(links.meeting(c.meetingId, c.segmentId), `${truncate(c.meetingTitle, 60)} ${clock(c.startMs)}`)} *${safe(c.speaker, 80)}*: ${safe(c.text, 300)}`);
  const blocks = [section(`*Q:* ${safe(answer.question, 300)}\n${head}`), ...packLines(cites).map((t) => section(t))];
  return { text: `Q: ${safe(answer.question, 300)}`, blocks };
}
