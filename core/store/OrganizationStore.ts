import type { Knex } from 'knex';
import { MinutesError } from '../errors.ts';
import type { Organization, Platform, User, UserRole } from '../types.ts';
import { toOrganization, toUser } from './rows.ts';

export class OrganizationStore {
  constructor(private readonly db: Knex) {}

  /** Finds an organization by name or creates it: the default org on first start, a Slack workspace later. */
  async ensure(name: string): Promise<Organization> {
    const { rows } = await this.db.raw(
      `INSERT INTO organizations (name) VALUES (?)
       ON CONFLICT (name) DO UPDATE SET name = excluded.name
       RETURNING *`,
      [name],
    );
    return toOrganization(rows[0]);
  }

  async get(id: string): Promise<Organization> {
    const row = await this.db('organizations').where({ id }).first();
    if (!row) throw new MinutesError('ORGANIZATION_NOT_FOUND', `No organization with id ${id}`, { details: { id } });
    return toOrganization(row);
  }

  async list(): Promise<Organization[]> {
    return (await this.db('organizations').orderBy('created_at')).map(toOrganization);
  }

  async createUser(input: { organizationId: string; displayName: string; email?: string | null; role?: UserRole }): Promise<User> {
    const [row] = await this.db('users')
      .insert({
        organization_id: input.organizationId,
        display_name: input.displayName,
        email: input.email ?? null,
        role: input.role ?? 'member',
      })
      .returning('*');
    return toUser(row);
  }

  async getUser(id: string): Promise<User | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await this.db('users').where({ id }).first();
    return row ? toUser(row) : null;
  }

  /** Links a platform account (Discord user, Slack member, Teams AAD object) to a user. Idempotent. */
  async linkIdentity(input: {
    userId: string;
    platform: Platform;
    externalUserId: string;
    externalTeamId?: string;
    displayName?: string;
  }): Promise<void> {
    await this.db.raw(
      `INSERT INTO platform_identities (user_id, platform, external_team_id, external_user_id, display_name)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (platform, external_team_id, external_user_id)
       DO UPDATE SET user_id = excluded.user_id, display_name = excluded.display_name`,
      [input.userId, input.platform, input.externalTeamId ?? '', input.externalUserId, input.displayName ?? null],
    );
  }

  async findUserByIdentity(platform: Platform, externalUserId: string, externalTeamId = ''): Promise<User | null> {
    const row = await this.db('users')
      .join('platform_identities as pi', 'pi.user_id', 'users.id')
      .where({ 'pi.platform': platform, 'pi.external_user_id': externalUserId, 'pi.external_team_id': externalTeamId })
      .first('users.*');
    return row ? toUser(row) : null;
  }

  /** Platform account ids of users (e.g. Discord user ids), for mentioning the owner of an item. */
  async externalIdsOf(platform: Platform, userIds: string[], externalTeamId = ''): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db('platform_identities')
      .where({ platform, external_team_id: externalTeamId })
      .whereIn('user_id', userIds)
      .select('user_id', 'external_user_id');
    return new Map(rows.map((r: { user_id: string; external_user_id: string }) => [r.user_id, r.external_user_id]));
  }

  /** Merges `patch` into the organization's settings (top-level keys replaced) in one statement. */
  async updateSettings(id: string, patch: Record<string, unknown>): Promise<Organization> {
    const [row] = await this.db('organizations').where({ id }).update({ settings: this.db.raw('settings || ?::jsonb', [JSON.stringify(patch)]) }).returning('*');
    if (!row) throw new MinutesError('ORGANIZATION_NOT_FOUND', `No organization with id ${id}`, { details: { id } });
    return toOrganization(row);
  }
}
