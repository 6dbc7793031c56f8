import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { createAuthService, type AuthService } from '../../core/auth/index.ts';
import { createLogger } from '../../core/logger.ts';
import { IngestTokens } from '../../core/meetings/ingestTokens.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { Database } from '../../core/store/db.ts';
import { createStores, type Stores } from '../../core/store/index.ts';
import type { Organization, UserRole } from '../../core/types.ts';

/**
 * The side of a load or fault run that plays "the rest of the world" against
 * the service's own database: the organization it serves (DEFAULT_ORGANIZATION),
 * signed-in users (sessions signed with the service's AUTH_SECRET, sent as
 * Bearer tokens) and running meetings with ingest tokens, made through the core
 * as a media bot's backend would. The service reads all of it from the database.
 */
export interface Harness {
  stores: Stores;
  meetings: MeetingService;
  tokens: IngestTokens;
  auth: AuthService;
  org: Organization;
}

export async function harness(db: Database, organization: string, authSecret: string): Promise<Harness> {
  const stores = createStores(db.knex);
  const logger = createLogger({ level: 'silent' });
  return {
    stores,
    // Its events reach no one but this process: the service learns everything from the database.
    meetings: new MeetingService({ stores, bus: new InProcessEventBus(logger), logger }),
    tokens: new IngestTokens(db.knex),
    auth: createAuthService({ db: db.knex, secret: authSecret }),
    org: await stores.organizations.ensure(organization),
  };
}

/** A signed-in user: the access token to send as `Authorization: Bearer`. */
export async function signedIn(h: Harness, displayName: string, role: UserRole = 'member'): Promise<{ userId: string; bearer: string }> {
  const user = await h.stores.organizations.createUser({ organizationId: h.org.id, displayName, role });
  const session = await h.auth.startSession(user, { userAgent: 'synthetic' });
  return { userId: user.id, bearer: session.accessToken };
}

export interface LiveMeeting {
  id: string;
  title: string;
  token: string;
}

/** `count` meetings started now, each with its ingest token. */
export async function liveMeetings(h: Harness, count: number, title: string): Promise<LiveMeeting[]> {
  const out: LiveMeeting[] = [];
  for (let i = 0; i < count; i++) {
    const m = await h.meetings.createMeeting({ organizationId: h.org.id, platform: 'ingest', title: `${title} ${i + 1}` });
    await h.meetings.startMeeting(m.id);
    out.push({ id: m.id, title: m.title, token: await h.tokens.issue(m.id, { createdBy: 'synthetic' }) });
  }
  return out;
}
