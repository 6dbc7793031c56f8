import type { Knex } from 'knex';
import type { Platform } from '../types.ts';

export interface Workspace {
  platform: Platform;
  externalId: string;
  organizationId: string;
  name: string;
  settings: Record<string, unknown>;
}

const toWorkspace = (row: Record<string, unknown>): Workspace => ({
  platform: row.platform as Platform,
  externalId: row.external_id as string,
  organizationId: row.organization_id as string,
  name: row.name as string,
  settings: (typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings) as Record<string, unknown>,
});

/**
 * Which organization a platform workspace (Discord guild, Slack workspace,
 * Teams tenant) belongs to, its settings, and its people's standing consent.
 */
export class WorkspaceStore {
  constructor(private readonly db: Knex) {}

  async find(platform: Platform, externalId: string): Promise<Workspace | null> {
    const row = await this.db('platform_workspaces').where({ platform, external_id: externalId }).first();
    return row ? toWorkspace(row) : null;
  }

  /**
   * The workspace's mapping, created on first sight with the organization
   * `organizationFor` picks. Two racing first sights agree on one row.
   */
  async resolve(platform: Platform, externalId: string, name: string, organizationFor: () => Promise<string>): Promise<Workspace> {
    const found = await this.find(platform, externalId);
    if (found) return found;
    const organizationId = await organizationFor();
    await this.db('platform_workspaces')
      .insert({ platform, external_id: externalId, organization_id: organizationId, name })
      .onConflict(['platform', 'external_id'])
      .ignore();
    return (await this.find(platform, externalId))!;
  }

  /** Merges `patch` into the workspace's settings in one statement. */
  async updateSettings(platform: Platform, externalId: string, patch: Record<string, unknown>): Promise<Workspace | null> {
    const [row] = await this.db('platform_workspaces')
      .where({ platform, external_id: externalId })
      .update({ settings: this.db.raw('settings || ?::jsonb', [JSON.stringify(patch)]), updated_at: this.db.fn.now() })
      .returning('*');
    return row ? toWorkspace(row) : null;
  }

  async setOptOut(platform: Platform, teamId: string, userId: string, optedOut: boolean): Promise<void> {
    await this.db('consent_preferences')
      .insert({ platform, external_team_id: teamId, external_user_id: userId, opted_out: optedOut })
      .onConflict(['platform', 'external_team_id', 'external_user_id'])
      .merge({ opted_out: optedOut, updated_at: this.db.fn.now() });
  }

  /** Of `userIds`, those who asked never to be recorded in this workspace. */
  async optedOut(platform: Platform, teamId: string, userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.db('consent_preferences')
      .where({ platform, external_team_id: teamId, opted_out: true })
      .whereIn('external_user_id', userIds)
      .select('external_user_id');
    return new Set(rows.map((r: { external_user_id: string }) => r.external_user_id));
  }
}
