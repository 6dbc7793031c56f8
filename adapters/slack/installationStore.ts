import { webApi, type Installation, type InstallationQuery, type InstallationStore } from '@slack/bolt';
import type { Knex } from 'knex';
import type { WorkspaceStore } from '../../core/store/WorkspaceStore.ts';
import type { OrganizationStore } from '../../core/store/OrganizationStore.ts';
import type { TokenCipher } from './tokenCrypto.ts';

/** Picks the organization a newly installed Slack workspace files its meetings under. */
export type OrganizationFor = (team: { id: string; name: string }) => Promise<string>;

export interface SlackInstallationStoreOptions {
  db: Knex;
  workspaces: WorkspaceStore;
  cipher: TokenCipher;
  /** Called once per new workspace (WorkspaceStore.resolve); bot/ passes `organizationResolver(c, 'slack', 'Slack')`. */
  organizationFor: OrganizationFor;
}

/** What a Slack event needs to act for a workspace, decrypted. */
export interface SlackBotCredentials {
  teamId: string | null;
  enterpriseId: string | null;
  botToken: string;
  botUserId: string | null;
  botId: string | null;
  scopes: string[];
  organizationId: string | null;
}

export class InstallationNotFoundError extends Error {
  readonly code = 'SLACK_INSTALLATION_NOT_FOUND';
  constructor(key: string) {
    super(`No Slack installation for ${key}`);
    this.name = 'InstallationNotFoundError';
  }
}

const TABLE = 'slack_installations';

/** `T:<team>` for a workspace install, `E:<enterprise>` for an org-wide install. */
export function installationKey(q: { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean | undefined }): string {
  if (q.isEnterpriseInstall) {
    if (!q.enterpriseId) throw new Error('An enterprise installation needs an enterprise id');
    return `E:${q.enterpriseId}`;
  }
  if (!q.teamId) throw new Error('A workspace installation needs a team id');
  return `T:${q.teamId}`;
}

/**
 * @slack/oauth's InstallationStore over Postgres/PGlite. One row per
 * workspace (or enterprise org); a reinstall replaces it. The bot token and
 * the whole installation JSON are encrypted with `cipher`, bound to the row's
 * key, so a ciphertext copied onto another workspace's row does not decrypt.
 * Installing maps the workspace to an organization (platform_workspaces).
 */
export class SlackInstallationStore implements InstallationStore {
  constructor(private readonly options: SlackInstallationStoreOptions) {}

  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(installation: Installation<AuthVersion, boolean>): Promise<void> {
    const { db, cipher, workspaces, organizationFor } = this.options;
    const teamId = installation.team?.id;
    const enterpriseId = installation.enterprise?.id;
    const isEnterpriseInstall = installation.isEnterpriseInstall === true;
    const key = installationKey({ teamId, enterpriseId, isEnterpriseInstall });
    let organizationId: string | null = null;
    if (!isEnterpriseInstall && teamId) {
      const team = { id: teamId, name: installation.team?.name?.trim() || teamId };
      organizationId = (await workspaces.resolve('slack', team.id, team.name, () => organizationFor(team))).organizationId;
    }
    const row = {
      installation_key: key,
      team_id: teamId ?? null,
      enterprise_id: enterpriseId ?? null,
      is_enterprise_install: isEnterpriseInstall,
      bot_token_enc: installation.bot?.token ? cipher.encrypt(installation.bot.token, key) : null,
      bot_user_id: installation.bot?.userId ?? null,
      bot_scopes: (installation.bot?.scopes ?? []).join(','),
      user_id: installation.user?.id ?? null,
      installation_enc: cipher.encrypt(JSON.stringify(installation), key),
      organization_id: organizationId,
    };
    await db(TABLE)
      .insert(row)
      .onConflict('installation_key')
      .merge({ ...row, installed_at: db.fn.now(), updated_at: db.fn.now() });
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const key = installationKey(query);
    const row = await this.options.db(TABLE).where({ installation_key: key }).first();
    if (!row) throw new InstallationNotFoundError(key);
    return JSON.parse(this.options.cipher.decrypt(row.installation_enc, key)) as Installation<'v1' | 'v2', boolean>;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.options.db(TABLE).where({ installation_key: installationKey(query) }).delete();
  }

  /** The bot credentials of a workspace (or null when the app is not installed there); for `clientFor(teamId)`. */
  async botCredentials(teamId: string, enterpriseId?: string): Promise<SlackBotCredentials | null> {
    const { db, cipher } = this.options;
    const keys = [installationKey({ teamId }), ...(enterpriseId ? [installationKey({ enterpriseId, isEnterpriseInstall: true })] : [])];
    const rows = await db(TABLE).whereIn('installation_key', keys);
    const row = keys.map((k) => rows.find((r: { installation_key: string }) => r.installation_key === k)).find((r) => r?.bot_token_enc);
    if (!row) return null;
    const installation = JSON.parse(cipher.decrypt(row.installation_enc, row.installation_key)) as Installation;
    return {
      teamId: row.team_id,
      enterpriseId: row.enterprise_id,
      botToken: cipher.decrypt(row.bot_token_enc, row.installation_key),
      botUserId: row.bot_user_id,
      botId: installation.bot?.id ?? null,
      scopes: row.bot_scopes ? String(row.bot_scopes).split(',') : [],
      organizationId: row.organization_id,
    };
  }

  /** Team ids with the app installed, optionally of one organization. */
  async teams(filter: { organizationId?: string } = {}): Promise<string[]> {
    const query = this.options.db(TABLE).whereNotNull('team_id').select('team_id').orderBy('team_id');
    if (filter.organizationId) query.where({ organization_id: filter.organizationId });
    return (await query).map((r: { team_id: string }) => r.team_id);
  }
}

/** The default `organizationFor`: one organization per Slack workspace, named after it. */
export function organizationPerWorkspace(organizations: OrganizationStore): OrganizationFor {
  return async (team) => (await organizations.ensure(`Slack: ${team.name} (${team.id})`)).id;
}

/**
 * `clientFor(teamId)` for code that posts outside a Slack request (live
 * insights, minutes of subscribed channels): the workspace's bot client from
 * its installation, or one client with `botToken` for a single-workspace
 * setup; null when the app is not installed there. Clients are cached per token.
 */
export function createClientFor(options: {
  installations?: Pick<SlackInstallationStore, 'botCredentials'>;
  botToken?: string;
  clientOptions?: { slackApiUrl?: string };
}): (teamId: string) => Promise<InstanceType<typeof webApi.WebClient> | null> {
  const clients = new Map<string, InstanceType<typeof webApi.WebClient>>();
  const clientOf = (token: string) => {
    let client = clients.get(token);
    if (!client) {
      client = new webApi.WebClient(token, { ...(options.clientOptions?.slackApiUrl ? { slackApiUrl: options.clientOptions.slackApiUrl } : {}) });
      clients.set(token, client);
    }
    return client;
  };
  return async (teamId) => {
    const creds = options.installations ? await options.installations.botCredentials(teamId) : null;
    const token = creds?.botToken ?? options.botToken;
    return token ? clientOf(token) : null;
  };
}
