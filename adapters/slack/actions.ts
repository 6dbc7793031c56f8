import type { BlockAction, BlockElementAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ActionItemPatch } from '../../core/store/index.ts';
import type { ActionItem } from '../../core/types.ts';
import { ACTION, actionItemBlocks, itemIdOfBlock, replaceItemBlocks, SNOOZE_DAYS, today, variantOfBlock, type Block } from './blocks.ts';
import { NO_PARSE, safe } from './escape.ts';
import { friendly } from './commands.ts';
import { ownerName, publishHome, slackDisplayName, slackNames } from './home.ts';
import type { SlackAdapter } from './SlackAdapter.ts';

/** `YYYY-MM-DD` plus `days`. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * A click on an action item's buttons (already acknowledged): the change goes
 * through the core (scoped to the workspace's organization), then the item is
 * re-rendered where it was clicked: `chat.update` of the message, the
 * response_url for ephemeral messages, or a fresh App Home.
 */
export async function handleItemAction(adapter: SlackAdapter, args: { body: BlockAction; action: BlockElementAction; client: WebClient; respond?: RespondFn; token?: string }): Promise<void> {
  const { body, action, client } = args;
  const { core } = adapter;
  const itemId = ('value' in action && typeof action.value === 'string' && action.action_id !== ACTION.reassign ? action.value : null) ?? itemIdOfBlock(action.block_id);
  const teamId = body.team?.id ?? body.user.team_id ?? '';
  try {
    if (!itemId) return;
    const organizationId = await core.organizationFor({ id: teamId, name: body.team?.domain ?? teamId });
    const current = await core.stores.minutes.getActionItem(itemId);
    const patch = await patchFor(adapter, action, current, { teamId, client, ...(args.token ? { token: args.token } : {}) });
    if (!patch) return;
    const updated = await core.minutes.updateActionItem(itemId, patch, { organizationId });
    adapter.log.info({ actionItemId: itemId, action: action.action_id, teamId, userId: body.user.id }, 'action item changed from slack');
    if (body.container?.type === 'view' || body.view) {
      await publishHome(core, client, { teamId, teamName: body.team?.domain ?? teamId, userId: body.user.id, ...(args.token ? { token: args.token } : {}) });
      return;
    }
    const message = body.message as { ts?: string; text?: string; blocks?: Block[] } | undefined;
    if (!message?.blocks) {
      // Ephemeral messages come without their blocks: confirm instead of re-rendering.
      await args.respond?.({ response_type: 'ephemeral', replace_original: false, text: confirmation(action.action_id, updated), ...NO_PARSE });
      return;
    }
    const fresh = await rerender(adapter, updated, variantOfBlock(action.block_id), teamId);
    const blocks = replaceItemBlocks(message.blocks, itemId, fresh);
    const ephemeral = Boolean((body.container as { is_ephemeral?: boolean } | undefined)?.is_ephemeral);
    if (!ephemeral && body.channel?.id && message.ts) {
      try {
        await client.chat.update({ channel: body.channel.id, ts: message.ts, text: message.text ?? 'Minutes', blocks: blocks as never, ...(args.token ? { token: args.token } : {}), link_names: false });
        return;
      } catch (err) {
        adapter.log.info({ err }, 'chat.update failed; replacing through the response_url');
      }
    }
    await args.respond?.({ replace_original: true, text: message.text ?? 'Minutes', blocks: blocks as never, ...NO_PARSE });
  } catch (err) {
    adapter.log.warn({ err, actionItemId: itemId, action: action.action_id }, 'action item button failed');
    await args.respond?.({ response_type: 'ephemeral', replace_original: false, text: `⚠️ ${friendly(err)}` }).catch(() => undefined);
  }
}

async function patchFor(adapter: SlackAdapter, action: BlockElementAction, item: ActionItem, ctx: { teamId: string; client: WebClient; token?: string }): Promise<ActionItemPatch | null> {
  switch (action.action_id) {
    case ACTION.done: return { status: 'completed' };
    case ACTION.snooze: return { dueDate: addDays(item.dueDate ?? today(), SNOOZE_DAYS) };
    case ACTION.reassign: {
      const attendees = await adapter.core.stores.attendees.list(item.meetingId);
      if (action.type === 'static_select') {
        const chosen = attendees.find((a) => a.id === action.selected_option?.value);
        return chosen ? { ownerAttendeeId: chosen.id, ownerUserId: chosen.userId ?? null, ownerName: chosen.displayName } : null;
      }
      if (action.type === 'users_select' && action.selected_user) {
        const user = await adapter.core.stores.organizations.findUserByIdentity('slack', action.selected_user, ctx.teamId);
        if (user) {
          const attendee = attendees.find((a) => a.userId === user.id);
          return { ownerUserId: user.id, ownerAttendeeId: attendee?.id ?? null, ownerName: attendee?.displayName ?? user.displayName };
        }
        const [name] = await slackNames(ctx.client, action.selected_user, ctx.token);
        const attendee = name ? attendees.find((a) => a.displayName.trim().toLowerCase() === name) : undefined;
        const shown = attendee?.displayName ?? (await slackDisplayName(ctx.client, action.selected_user, ctx.token)) ?? 'a Slack user';
        return { ownerUserId: null, ownerAttendeeId: attendee?.id ?? null, ownerName: shown };
      }
      return null;
    }
    default: return null;
  }
}

function confirmation(actionId: string, item: ActionItem): string {
  const what = `*${safe(item.description, 300)}*`;
  if (actionId === ACTION.done) return `☑️ Marked done: ${what}`;
  if (actionId === ACTION.snooze) return `⏰ Snoozed to ${item.dueDate}: ${what}`;
  return `👤 Reassigned to ${safe(item.ownerName ?? 'nobody', 200)}: ${what}`;
}

/** The item's blocks as they were rendered before: in minutes (attendee select, owner labels) or in a list (meeting title). */
async function rerender(adapter: SlackAdapter, item: ActionItem, variant: 'm' | 'l', teamId: string): Promise<Block[]> {
  const { core } = adapter;
  if (variant === 'l') {
    const meeting = await core.meetings.getMeeting(item.meetingId);
    return actionItemBlocks(item, { links: core.links, ownerLabel: ownerName, meetingTitle: meeting.title });
  }
  const bundle = await core.minutes.bundle(item.meetingId);
  return actionItemBlocks(item, { links: core.links, ownerLabel: await adapter.ownerLabeler(bundle, teamId), attendees: bundle.attendees });
}
