import type { MinutesView } from '../../core/minutes/stored.ts';
import type { ActionItem, Attendee, Meeting, MeetingBundle } from '../../core/types.ts';
import { cardText } from './escape.ts';
import type { Links } from './types.ts';

/** `Action.Execute` verbs of the minutes card; `data.actionItemId` names the item. */
export const VERB = { done: 'minutes.done', reopen: 'minutes.reopen', reassign: 'minutes.reassign' } as const;

export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard' };

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

const MAX_ITEMS = 15;
const MAX_DECISIONS = 10;
const MAX_TOPICS = 5;

function card(body: unknown[], actions: unknown[] = []): AdaptiveCard {
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', msteams: { width: 'Full' }, body, ...(actions.length ? { actions } : {}) };
}

const text = (t: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: t, wrap: true, ...extra });

/** The card posted in the meeting chat when the meeting starts. */
export function noticeCard(meeting: Pick<Meeting, 'id' | 'title'>, links: Links): AdaptiveCard {
  return card([
    text('📝 Notes are being taken', { weight: 'Bolder', size: 'Medium' }),
    text(`Open Minutes is taking notes of **${cardText(meeting.title, 200)}** from the meeting transcript. Minutes with decisions and action items will be posted here when the meeting ends.`),
    text('Not comfortable with that? Mention me with **optout**: your words are left out of the stored transcript and the minutes (**optin** undoes it).', { isSubtle: true }),
  ], [{ type: 'Action.OpenUrl', title: 'Open the live dashboard', url: links.meeting(meeting.id) }]);
}

function ownerOf(item: ActionItem, attendees: Map<string, Attendee>): string {
  const attendee = item.ownerAttendeeId ? attendees.get(item.ownerAttendeeId) : undefined;
  return item.ownerName ?? attendee?.displayName ?? 'unassigned';
}

function itemBlock(item: ActionItem, attendees: Attendee[], byId: Map<string, Attendee>): Record<string, unknown> {
  const done = item.status === 'completed';
  const choices = attendees.filter((a) => a.consent !== 'opted_out').slice(0, 50).map((a) => ({ title: a.displayName.slice(0, 100), value: a.id }));
  const actions: unknown[] = [
    done
      ? { type: 'Action.Execute', title: 'Reopen', verb: VERB.reopen, data: { actionItemId: item.id } }
      : { type: 'Action.Execute', title: '✔ Mark done', verb: VERB.done, data: { actionItemId: item.id }, style: 'positive' },
  ];
  if (!done && choices.length) {
    actions.push({
      type: 'Action.ShowCard', title: 'Reassign',
      card: {
        type: 'AdaptiveCard',
        body: [{ type: 'Input.ChoiceSet', id: 'ownerAttendeeId', label: 'New owner', style: 'compact', isRequired: true, choices, ...(item.ownerAttendeeId ? { value: item.ownerAttendeeId } : {}) }],
        actions: [{ type: 'Action.Execute', title: 'Reassign', verb: VERB.reassign, data: { actionItemId: item.id } }],
      },
    });
  }
  return {
    type: 'Container', separator: true, id: `item-${item.id}`,
    items: [
      text(`${done ? '✅ ~~' : '☐ '}${cardText(item.description, 500)}${done ? '~~' : ''}`),
      { type: 'FactSet', facts: [
        { title: 'Owner', value: cardText(ownerOf(item, byId), 100) },
        { title: 'Due', value: item.dueDate ?? '—' },
        { title: 'Status', value: item.status.replace('_', ' ') },
      ] },
      { type: 'ActionSet', actions },
    ],
  };
}

/** The minutes card: summary, decisions, action items with owner, due date and buttons. */
export function minutesCard(bundle: MeetingBundle, view: MinutesView, links: Links): AdaptiveCard {
  const { meeting } = bundle;
  const byId = new Map(bundle.attendees.map((a) => [a.id, a]));
  const body: unknown[] = [text(`Minutes: ${cardText(meeting.title, 200)}`, { weight: 'Bolder', size: 'Large' })];
  if (!view.exists) {
    body.push(text('No minutes yet: there was no transcript to write them from.', { isSubtle: true }));
    return card(body, [{ type: 'Action.OpenUrl', title: 'Open in the dashboard', url: links.meeting(meeting.id) }]);
  }
  body.push(text(`Written by ${cardText(view.writtenBy, 100)}`, { isSubtle: true, spacing: 'None', size: 'Small' }));
  body.push(text('Summary', { weight: 'Bolder', spacing: 'Medium' }));
  body.push(text(view.abstract ? cardText(view.abstract, 1500) : '—'));
  for (const topic of view.topics.slice(0, MAX_TOPICS)) body.push(text(`**${cardText(topic.title, 120)}**: ${cardText(topic.text, 600)}`, { spacing: 'Small' }));
  body.push(text(`Decisions (${view.decisions.length})`, { weight: 'Bolder', spacing: 'Medium' }));
  if (!view.decisions.length) body.push(text('None recorded.', { isSubtle: true }));
  for (const d of view.decisions.slice(0, MAX_DECISIONS)) body.push(text(`• ${cardText(d.text, 500)}`, { spacing: 'Small' }));
  if (view.decisions.length > MAX_DECISIONS) body.push(text(`…and ${view.decisions.length - MAX_DECISIONS} more in the dashboard.`, { isSubtle: true }));
  const open = view.actionItems.filter((a) => a.status !== 'completed' && a.status !== 'cancelled').length;
  body.push(text(`Action items (${open} open of ${view.actionItems.length})`, { weight: 'Bolder', spacing: 'Medium' }));
  if (!view.actionItems.length) body.push(text('None recorded.', { isSubtle: true }));
  for (const item of view.actionItems.slice(0, MAX_ITEMS)) body.push(itemBlock(item, bundle.attendees, byId));
  if (view.actionItems.length > MAX_ITEMS) body.push(text(`…and ${view.actionItems.length - MAX_ITEMS} more in the dashboard.`, { isSubtle: true }));
  return card(body, [{ type: 'Action.OpenUrl', title: 'Open in the dashboard', url: links.meeting(meeting.id) }]);
}

/** A short card for replies to buttons that could not be applied. */
export function messageCard(message: string): AdaptiveCard {
  return card([text(message)]);
}
