import {
  ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, StringSelectMenuBuilder, escapeMarkdown,
  type MessageMentionOptions,
} from 'discord.js';
import type { Answer } from '../../core/meetings/ask.ts';
import type { MinutesView } from '../../core/minutes/stored.ts';
import type { Insight } from '../../core/minutes/types.ts';
import { clock, packLines as packTextLines, transcribedBy, truncate } from '../../core/format.ts';
import { exportMarkdown } from '../../core/transcript/export/markdown.ts';
import type { SearchResult } from '../../core/store/index.ts';
import type { ActionItem, MeetingBundle, Segment } from '../../core/types.ts';

/**
 * Everything the bot posts is built here. Two rules hold for every payload:
 * words people said are escaped (no markdown, no mentions, no masked links
 * they did not write as such), and `allowed_mentions` is explicit, so a
 * transcript line saying "@everyone" can never ping anyone.
 */
export const NO_MENTIONS: MessageMentionOptions = { parse: [], repliedUser: false };
export const mentionOnly = (userIds: string[]): MessageMentionOptions => ({ parse: [], users: userIds, repliedUser: false });

export const LIMITS = { content: 2000, embedDescription: 4096, fieldValue: 1024, fields: 25, embedTotal: 6000, selectOptions: 25, optionLabel: 100, title: 256 };

export { truncate };

/** Said words as inert text: markdown escaped, mentions and invite-style tokens broken with a zero-width space. */
export function safe(text: string): string {
  const escaped = escapeMarkdown(text.replace(/\s+/g, ' ').trim(), { heading: true, bulletedList: true, numberedList: true, maskedLink: true });
  return escaped
    .replace(/@(everyone|here)/gi, '@\u200b$1')
    .replace(/<(@[!&]?|#|\/|t:|a?:)/g, '<\u200b$1');
}

/** Dashboard addresses every message links to (bot/ builds them from PUBLIC_URL). */
export interface Links {
  home: () => string;
  meeting: (meetingId: string, segmentId?: number) => string;
}

const KIND_LABEL: Record<Insight['kind'], string> = { action_item: '✅ Action item', decision: '📌 Decision', question: '❓ Open question', blocker: '⚠️ Blocker' };

export function evidenceLines(evidence: Pick<Segment, 'id' | 'speaker' | 'startMs' | 'text'>[], links: Links, meetingId: string): string[] {
  return evidence.slice(0, 3).map((s) => `> [${clock(s.startMs)}](<${links.meeting(meetingId, s.id)}>) **${safe(s.speaker)}**: ${truncate(safe(s.text), 300)}`);
}

/** A thread post for one live insight; the owner is mentioned only when `ownerUserId` is given. */
export function insightMessage(input: { meetingId: string; insight: Insight; evidence: Pick<Segment, 'id' | 'speaker' | 'startMs' | 'text'>[]; ownerUserId: string | null; links: Links }) {
  const { insight, ownerUserId } = input;
  const parts = [`**${KIND_LABEL[insight.kind]}**: ${truncate(safe(insight.text), 600)}`];
  if (insight.kind === 'action_item') {
    const owner = ownerUserId ? `<@${ownerUserId}>` : insight.ownerName ? safe(insight.ownerName) : 'no owner yet';
    parts.push(`Owner: ${owner}${insight.dueDate ? ` · due ${insight.dueDate}` : ''}`);
  }
  parts.push(...evidenceLines(input.evidence, input.links, input.meetingId));
  return { content: truncate(parts.join('\n'), LIMITS.content), allowedMentions: ownerUserId ? mentionOnly([ownerUserId]) : NO_MENTIONS };
}

export interface LiveView {
  title: string;
  startedAt: Date;
  now: Date;
  speakers: string[];
  recent: Pick<Segment, 'speaker' | 'startMs' | 'text'>[];
  delayed: boolean;
  optedOut: number;
}

/** The one message in the thread that is edited every few seconds. */
export function liveMessage(v: LiveView, links: Links, meetingId: string) {
  const elapsed = clock(Math.max(0, v.now.getTime() - v.startedAt.getTime()));
  const head = `🔴 **Taking notes: ${safe(v.title)}** · ${elapsed} · ${v.speakers.length} speaker(s)${v.optedOut ? ` · ${v.optedOut} opted out` : ''}`;
  const lines = v.recent.slice(-8).map((s) => `\`${clock(s.startMs)}\` **${safe(s.speaker)}**: ${truncate(safe(s.text), 180)}`);
  const body = lines.length ? lines.join('\n') : '_Listening… nothing transcribed yet._';
  const tail = `${v.delayed ? '⏳ transcription is running behind\n' : ''}[Live view](<${links.meeting(meetingId)}>) · \`/minutes optout\` to stop being recorded`;
  return { content: truncate(`${head}\n${body}\n${tail}`, LIMITS.content), allowedMentions: NO_MENTIONS };
}

export function consentNotice(input: { startedBy: string; channelName: string; retention: string; keepAudio: boolean; meetingId: string; links: Links }) {
  const audio = input.keepAudio ? `Audio of consenting speakers is kept for ${input.retention}.` : 'No audio is kept: it is transcribed and discarded.';
  return {
    content: [
      `🎙️ **${safe(input.startedBy)} started taking notes in ${safe(input.channelName)}.**`,
      'What is said in the voice channel is transcribed; minutes with decisions and action items are posted here when the call ends.',
      `${audio} Transcripts and minutes are kept for ${input.retention}.`,
      'Do not want to be recorded? Use `/minutes optout`: your voice is ignored from that moment (and in later meetings) — `/minutes optin` undoes it.',
      `Dashboard: <${input.links.meeting(input.meetingId)}>`,
    ].join('\n'),
    allowedMentions: NO_MENTIONS,
  };
}

const ownerText = (a: ActionItem, userIdOf: (attendeeId: string | null) => string | null): string => {
  const uid = userIdOf(a.ownerAttendeeId);
  return uid ? `<@${uid}>` : a.ownerName ? safe(a.ownerName) : 'unassigned';
};

export function actionLine(a: ActionItem, userIdOf: (attendeeId: string | null) => string | null): string {
  const done = a.status === 'completed' ? '~~' : '';
  return `${a.status === 'completed' ? '☑️' : '▫️'} ${done}${truncate(safe(a.description), 200)}${done} — ${ownerText(a, userIdOf)}${a.dueDate ? ` · due ${a.dueDate}` : ''}`;
}

/** Lines packed into embed field values within the 1,024-character limit, never splitting a line. */
export const packLines = (lines: string[], max: number = LIMITS.fieldValue): string[] => packTextLines(lines, max);

export interface SummaryInput {
  bundle: MeetingBundle;
  view: MinutesView;
  links: Links;
  /** Discord user of an attendee, when known: owners are then shown as mentions (which never ping: see allowedMentions). */
  userIdOf: (attendeeId: string | null) => string | null;
  /** Mention owners (ping them) in the summary. */
  pingOwners: boolean;
}

export function summaryMessage(input: SummaryInput) {
  const { bundle, view, links } = input;
  const m = bundle.meeting;
  const embed = new EmbedBuilder()
    .setTitle(truncate(`📝 Minutes: ${m.title}`, LIMITS.title))
    .setURL(links.meeting(m.id))
    .setDescription(truncate(view.abstract ? safe(view.abstract) : '_No summary: nothing was transcribed._', 1500));
  const fields: { name: string; value: string }[] = [];
  const addList = (name: string, lines: string[]) => packLines(lines).forEach((value, i) => fields.push({ name: i ? `${name} (cont.)` : name, value }));
  addList('📌 Decisions', view.decisions.map((d) => `• ${truncate(safe(d.text), 300)}`));
  addList('✅ Action items', view.actionItems.map((a) => actionLine(a, input.userIdOf)));
  addList('❓ Open questions', view.questions.map((q) => `• ${truncate(safe(q.text), 300)}`));
  const talk = [...bundle.attendees].sort((a, b) => b.talkTimeMs - a.talkTimeMs)
    .map((a) => `${safe(a.displayName)} ${clock(a.talkTimeMs)}${a.consent === 'opted_out' ? ' (opted out)' : ''}`);
  if (talk.length) addList('👥 Attendees (talk time)', [talk.join(' · ')]);
  // Stay inside the per-embed 6,000-character budget: drop trailing fields and say so.
  let budget = LIMITS.embedTotal - (embed.data.title?.length ?? 0) - (embed.data.description?.length ?? 0) - 200;
  const kept = fields.slice(0, LIMITS.fields - 1).filter((f) => (budget -= f.name.length + f.value.length) >= 0);
  if (kept.length < fields.length) kept.push({ name: '…', value: `More in the attached file and on the [dashboard](${links.meeting(m.id)}).` });
  embed.addFields(kept);
  const engine = transcribedBy(bundle.segments);
  embed.setFooter({ text: truncate(`Minutes by ${view.writtenBy}${engine ? ` · transcribed by ${engine}` : ''}`, 2048) });
  const open = view.actionItems.filter((a) => a.status !== 'completed' && a.status !== 'cancelled').slice(0, LIMITS.selectOptions);
  const components: ActionRowBuilder<ButtonBuilder | StringSelectMenuBuilder>[] = [
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('Open in dashboard').setURL(links.meeting(m.id)),
      new ButtonBuilder().setStyle(ButtonStyle.Secondary).setLabel('Regenerate').setCustomId(`minutes:regen:${m.id}`),
    ),
  ];
  if (open.length) {
    components.push(new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
      new StringSelectMenuBuilder().setCustomId(`minutes:done:${m.id}`).setPlaceholder('Mark an action item done…')
        .addOptions(open.map((a) => ({ label: truncate(a.description.replace(/\s+/g, ' '), LIMITS.optionLabel), value: a.id, description: truncate(a.ownerName ?? 'unassigned', 100) }))),
    ));
  }
  const owners = input.pingOwners ? [...new Set(open.map((a) => input.userIdOf(a.ownerAttendeeId)).filter((u): u is string => Boolean(u)))] : [];
  const file = new AttachmentBuilder(Buffer.from(exportMarkdown(bundle).body, 'utf8'), { name: `minutes-${m.id.slice(0, 8)}.md`, description: 'Full minutes and transcript' });
  return { embeds: [embed], components, files: [file], allowedMentions: owners.length ? mentionOnly(owners) : NO_MENTIONS };
}

export function actionsMessage(items: (ActionItem & { meetingTitle?: string })[], title: string, links: Links) {
  if (items.length === 0) return { content: `${title}: nothing open. 🎉`, allowedMentions: NO_MENTIONS };
  const lines = items.slice(0, 20).map((a) => `${actionLine(a, () => null)} · [${truncate(safe(a.meetingTitle ?? 'meeting'), 60)}](<${links.meeting(a.meetingId)}>)`);
  const more = items.length > 20 ? `\n…and ${items.length - 20} more on the dashboard.` : '';
  return { content: truncate(`**${title}**\n${lines.join('\n')}${more}`, LIMITS.content), allowedMentions: NO_MENTIONS };
}

export function answerMessage(answer: Answer, links: Links) {
  const cites = answer.citations.slice(0, 5).map((c) =>
    `> [${safe(c.meetingTitle)} ${clock(c.startMs)}](<${links.meeting(c.meetingId, c.segmentId)}>) **${safe(c.speaker)}**: ${truncate(safe(c.text), 200)}`);
  const head = answer.mode === 'llm' ? truncate(safe(answer.answer), 1000) : answer.citations.length ? '_No language model is configured: here are the passages that match best._' : '_Nothing in the meetings matches that question._';
  return { content: truncate([`**Q:** ${truncate(safe(answer.question), 300)}`, head, ...cites].join('\n'), LIMITS.content), allowedMentions: NO_MENTIONS };
}

export function searchMessage(query: string, result: SearchResult, links: Links) {
  if (result.hits.length === 0) return { content: `No transcript line matches **${truncate(safe(query), 200)}**.`, allowedMentions: NO_MENTIONS };
  const lines = result.hits.slice(0, 8).map((h) =>
    `> [${truncate(safe(h.meeting.title), 60)} ${clock(h.segment.startMs)}](<${links.meeting(h.meeting.id, h.segment.id)}>) **${safe(h.segment.speaker)}**: ${truncate(safe(h.segment.text), 200)}`);
  return { content: truncate([`**${result.total}** line(s) match **${truncate(safe(query), 200)}**`, ...lines].join('\n'), LIMITS.content), allowedMentions: NO_MENTIONS };
}
