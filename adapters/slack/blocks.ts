import { clock } from '../../core/format.ts';
import type { MinutesView } from '../../core/minutes/stored.ts';
import type { ActionItem, Attendee, MeetingBundle, Segment } from '../../core/types.ts';
import { LIMITS, link, mrkdwn, packLines, plain, safe, truncate } from './escape.ts';
import type { Links } from './types.ts';

/**
 * Every Block Kit payload of minutes and action items is built here. Said
 * words only ever enter through `safe()`/`mrkdwn()` (escaped) or `plain()`
 * (plain_text, never parsed); block ids of an action item are `ai:<id>` and
 * `ai:<id>:m|l`, so a click can re-render exactly that item in place.
 */
export interface Block { type: string; block_id?: string; [key: string]: unknown }
export interface SlackMessage { text: string; blocks: Block[] }

export const ACTION = { done: 'minutes_done', reassign: 'minutes_reassign', snooze: 'minutes_snooze' } as const;
export const SNOOZE_DAYS = 7;

const OPEN = new Set(['pending', 'in_progress']);
export const isOpen = (a: Pick<ActionItem, 'status'>): boolean => OPEN.has(a.status);
export const today = (): string => new Date().toISOString().slice(0, 10);
export const itemBlockId = (itemId: string): string => `ai:${itemId}`;
/** The action item a block belongs to (`ai:<id>` or `ai:<id>:m|l`), or null. */
export const itemIdOfBlock = (blockId: string | undefined): string | null => /^ai:([0-9a-f-]{36})(?::[ml])?$/i.exec(blockId ?? '')?.[1] ?? null;
/** How an item was rendered (the suffix of its actions block): `m` in minutes (attendee select), `l` in lists across meetings. */
export const variantOfBlock = (blockId: string | undefined): 'm' | 'l' => (/:l$/.test(blockId ?? '') ? 'l' : 'm');

export const section = (text: string, blockId?: string): Block => ({ type: 'section', ...(blockId ? { block_id: blockId } : {}), text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } });
export const context = (...texts: string[]): Block => ({ type: 'context', elements: texts.slice(0, LIMITS.contextElements).map((t) => ({ type: 'mrkdwn', text: truncate(t, LIMITS.sectionText) })) });
export const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: plain(text, LIMITS.headerText), emoji: true } });
export const divider = (): Block => ({ type: 'divider' });

/** Escaped text split on spaces into chunks of at most `max` characters (a long summary becomes several sections). */
export function splitText(text: string, max: number = LIMITS.sectionText): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks;
}

export interface ItemContext {
  links: Links;
  /** The owner as safe mrkdwn (a name, or a mention when the adapter mentions owners). */
  ownerLabel: (item: ActionItem) => string;
  /** Attendees to reassign to (a static select); a users_select when absent or empty. */
  attendees?: Pick<Attendee, 'id' | 'displayName'>[];
  /** Shown with the item in lists across meetings (App Home, /minutes actions). */
  meetingTitle?: string;
  today?: string;
}

/** One action item: a section, and (while it is open) its buttons. */
export function actionItemBlocks(item: ActionItem, ctx: ItemContext): Block[] {
  const open = isOpen(item);
  const day = ctx.today ?? today();
  const desc = safe(item.description, 1500);
  const due = item.dueDate ? ` · due ${item.dueDate}${open && item.dueDate < day ? ' ⚠️ *overdue*' : ''}` : '';
  const where = ctx.meetingTitle !== undefined ? ` · ${link(ctx.links.meeting(item.meetingId), truncate(ctx.meetingTitle || 'meeting', 80))}` : '';
  const status = item.status === 'completed' ? ' · done' : item.status === 'cancelled' ? ' · cancelled' : '';
  const line = open ? `▫️ *${desc}*` : `☑️ ~${desc}~`;
  const blocks: Block[] = [section(`${line}\n👤 ${ctx.ownerLabel(item)}${due}${status}${where}`, itemBlockId(item.id))];
  if (!open) return blocks;
  const people = (ctx.attendees ?? []).slice(0, LIMITS.options);
  const reassign = people.length
    ? {
        type: 'static_select', action_id: ACTION.reassign, placeholder: { type: 'plain_text', text: 'Reassign…' },
        options: people.map((a) => ({ text: { type: 'plain_text', text: plain(a.displayName, LIMITS.optionText) }, value: a.id })),
        ...(item.ownerAttendeeId && people.some((a) => a.id === item.ownerAttendeeId)
          ? { initial_option: ((a) => ({ text: { type: 'plain_text', text: plain(a.displayName, LIMITS.optionText) }, value: a.id }))(people.find((a) => a.id === item.ownerAttendeeId)!) }
          : {}),
      }
    : { type: 'users_select', action_id: ACTION.reassign, placeholder: { type: 'plain_text', text: 'Reassign…' } };
  blocks.push({
    type: 'actions', block_id: `${itemBlockId(item.id)}:${ctx.meetingTitle !== undefined ? 'l' : 'm'}`,
    elements: [
      { type: 'button', action_id: ACTION.done, text: { type: 'plain_text', text: '✓ Mark done' }, style: 'primary', value: item.id },
      reassign,
      { type: 'button', action_id: ACTION.snooze, text: { type: 'plain_text', text: `Snooze ${SNOOZE_DAYS} days` }, value: item.id },
    ],
  });
  return blocks;
}

/** Units (blocks that must stay together) packed into messages of at most `max` blocks. */
export function packUnits(units: Block[][], max: number = LIMITS.blocksPerMessage): Block[][] {
  const messages: Block[][] = [];
  let current: Block[] = [];
  for (const unit of units) {
    if (current.length && current.length + unit.length > max) {
      messages.push(current);
      current = [];
    }
    current.push(...unit.slice(0, max));
  }
  if (current.length) messages.push(current);
  return messages;
}

export interface MinutesInput {
  bundle: MeetingBundle;
  view: MinutesView;
  links: Links;
  ownerLabel: (item: ActionItem) => string;
  /** Transcript lines quoted in the thread (evidence of decisions and action items first). */
  excerptLimit?: number;
}

export interface MinutesMessages {
  /** The message in the channel. */
  main: SlackMessage;
  /** Replies in its thread: action items that did not fit, topics, questions, blockers, transcript excerpts. */
  thread: SlackMessage[];
}

/** A meeting's minutes as Block Kit: the channel message plus its thread, every message within Slack's limits. */
export function minutesMessages(input: MinutesInput): MinutesMessages {
  const { bundle, view, links } = input;
  const m = bundle.meeting;
  const when = (m.startedAt ?? m.createdAt).toISOString().slice(0, 16).replace('T', ' ');
  const itemCtx: ItemContext = { links, ownerLabel: input.ownerLabel, attendees: bundle.attendees };
  const head: Block[][] = [
    [header(`📝 Minutes: ${m.title}`)],
    [context(`${when} UTC · ${link(links.meeting(m.id), 'Open in dashboard')} · minutes by ${mrkdwn(view.writtenBy)}`)],
  ];
  const abstract = view.abstract ? mrkdwn(view.abstract) : '_No summary: nothing was transcribed._';
  splitText(`*Summary*\n${abstract}`).forEach((t) => head.push([section(t)]));
  if (view.decisions.length) {
    packLines(['*📌 Decisions*', ...view.decisions.map((d) => `• ${safe(d.text, 1000)}`)]).forEach((t) => head.push([section(t)]));
  }
  const talk = [...bundle.attendees].sort((a, b) => b.talkTimeMs - a.talkTimeMs)
    .map((a) => `${safe(a.displayName, 80)} ${clock(a.talkTimeMs)}${a.consent === 'opted_out' ? ' (opted out)' : ''}`);
  if (talk.length) head.push([context(truncate(`👥 ${talk.join(' · ')}`, LIMITS.sectionText))]);
  const items = [...view.actionItems].sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)));
  const open = items.filter(isOpen).length;
  head.push([divider(), section(items.length ? `*✅ Action items* (${open} open of ${items.length})` : '*✅ Action items*: none')]);
  const units = [...head, ...items.map((a) => actionItemBlocks(a, itemCtx))];
  const first: Block[] = [];
  let taken = 0;
  while (taken < units.length && first.length + units[taken]!.length <= LIMITS.blocksPerMessage) first.push(...units[taken++]!);
  const fallback = truncate(`Minutes: ${mrkdwn(m.title)} — ${view.abstract ? safe(view.abstract, 300) : 'no summary'}`, LIMITS.fallbackText);
  // Action items that did not fit continue in the thread, under a heading (so those messages hold one block less).
  const thread: SlackMessage[] = packUnits(units.slice(taken), LIMITS.blocksPerMessage - 1)
    .map((blocks) => ({ text: `More action items of ${mrkdwn(m.title)}`, blocks: [section('*✅ Action items (continued)*'), ...blocks] }));
  const details = detailUnits(input);
  if (details.length) thread.push(...packUnits(details).map((blocks) => ({ text: `Details of ${mrkdwn(m.title)}`, blocks })));
  return { main: { text: fallback, blocks: first }, thread };
}

function detailUnits(input: MinutesInput): Block[][] {
  const { bundle, view, links } = input;
  const units: Block[][] = [];
  const list = (title: string, lines: string[]) => packLines([title, ...lines]).forEach((t) => units.push([section(t)]));
  for (const [i, t] of view.topics.entries()) splitText(`${i === 0 ? '*🗂️ Topics*\n' : ''}*${safe(t.title, 200)}*\n${mrkdwn(t.text)}`).forEach((s) => units.push([section(s)]));
  if (view.questions.length) list('*❓ Open questions*', view.questions.map((q) => `• ${safe(q.text, 1000)}`));
  if (view.blockers.length) list('*⚠️ Blockers*', view.blockers.map((b) => `• ${safe(b.text, 1000)}`));
  const byId = new Map(bundle.segments.map((s) => [s.id, s]));
  const cited = [...new Set([...view.decisions, ...view.actionItems].flatMap((x) => x.evidenceSegmentIds))]
    .map((id) => byId.get(id)).filter((s): s is Segment => Boolean(s)).sort((a, b) => a.startMs - b.startMs);
  const excerpts = (cited.length ? cited : bundle.segments).slice(0, input.excerptLimit ?? 30);
  if (excerpts.length) list('*🗒️ Transcript excerpts*', excerpts.map((s) => excerptLine(s, links, bundle.meeting.id)));
  return units;
}

export function excerptLine(s: Pick<Segment, 'id' | 'speaker' | 'startMs' | 'text'>, links: Links, meetingId: string): string {
  return `> ${link(links.meeting(meetingId, s.id), clock(s.startMs))} *${safe(s.speaker, 80)}*: ${safe(s.text, 500)}`;
}

/** Replaces an item's blocks (`ai:<id>`, `ai:<id>:m|l`) in a message or view with freshly rendered ones. */
export function replaceItemBlocks(blocks: Block[], itemId: string, fresh: Block[]): Block[] {
  const mine = (b: Block) => itemIdOfBlock(b.block_id) === itemId;
  const at = blocks.findIndex(mine);
  if (at < 0) return blocks;
  const rest = blocks.filter((b) => !mine(b));
  return [...rest.slice(0, at), ...fresh, ...rest.slice(at)];
}
