import type { Knex } from 'knex';
import type { WorkspaceStore } from '../../core/store/WorkspaceStore.ts';

/**
 * Channels that follow an organization's meetings (`/minutes subscribe`).
 * The adapter core keeps them as `settings.slack.subscriptions: string[]`
 * (channel ids) on the Slack workspace's platform_workspaces row; an
 * organization can have several Slack workspaces.
 */
export interface SlackChannelRef {
  teamId: string;
  channelId: string;
}

export type ChannelsFor = (organizationId: string) => Promise<SlackChannelRef[]>;

/** The channel ids in a workspace's settings, tolerant of rows written before subscriptions existed. */
export function subscriptionsOf(settings: Record<string, unknown> | null | undefined): string[] {
  const slack = settings?.slack;
  const list = slack && typeof slack === 'object' ? (slack as { subscriptions?: unknown }).subscriptions : undefined;
  return Array.isArray(list) ? [...new Set(list.filter((c): c is string => typeof c === 'string' && /^[CGD][A-Z0-9]+$/.test(c)))] : [];
}

/** `channelsFor(organizationId)` over platform_workspaces (every Slack workspace filed under the organization). */
export function createChannelsFor(db: Knex): ChannelsFor {
  return async (organizationId) => {
    const rows = await db('platform_workspaces')
      .where({ platform: 'slack', organization_id: organizationId })
      .select('external_id', 'settings')
      .orderBy('external_id');
    return rows.flatMap((row: { external_id: string; settings: unknown }) => {
      const settings = (typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings) as Record<string, unknown>;
      return subscriptionsOf(settings).map((channelId) => ({ teamId: row.external_id, channelId }));
    });
  };
}

/**
 * Adds or removes a channel in a workspace's subscriptions, keeping the other
 * `settings.slack` keys; returns the new list (null when the workspace is unknown).
 */
export async function setSubscribed(workspaces: WorkspaceStore, teamId: string, channelId: string, subscribed: boolean): Promise<string[] | null> {
  const ws = await workspaces.find('slack', teamId);
  if (!ws) return null;
  const slack = (ws.settings.slack && typeof ws.settings.slack === 'object' ? ws.settings.slack : {}) as Record<string, unknown>;
  const current = subscriptionsOf(ws.settings);
  const next = subscribed ? [...new Set([...current, channelId])] : current.filter((c) => c !== channelId);
  await workspaces.updateSettings('slack', teamId, { slack: { ...slack, subscriptions: next } });
  return next;
}
