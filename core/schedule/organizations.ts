import type { Knex } from 'knex';
import { OrganizationStore } from '../store/OrganizationStore.ts';
import type { Organization } from '../types.ts';

/** Which organizations a task goes through; all of them unless a caller (a test, an admin run) narrows it. */
export type OrganizationsSource = () => Promise<Organization[]>;

export const allOrganizations = (db: Knex): OrganizationsSource => () => new OrganizationStore(db).list();
