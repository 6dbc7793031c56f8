import type { IncomingMessage, Server } from 'node:http';
import type { AuthService } from '../core/auth/index.ts';
import { ACCESS_COOKIE, readCookie } from '../dashboard/auth/index.ts';
import type { Container } from './container.ts';

/** Who opened a WebSocket: the dashboard's access cookie (or a Bearer token), checked like any request. */
export function socketAuthenticator(c: Pick<Container, 'db'>, auth: AuthService) {
  return async (req: IncomingMessage): Promise<{ userId: string; organizationId: string; name: string } | null> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? readCookie(req as never, ACCESS_COOKIE);
    if (!token) return null;
    try {
      const claims = await auth.verifyAccessToken(token);
      const user = await c.db.knex('users').where({ id: claims.userId }).first('display_name');
      return { userId: claims.userId, organizationId: claims.organizationId, name: (user?.display_name as string | undefined) ?? 'Someone' };
    } catch {
      return null;
    }
  };
}

export async function meetingOrganization(c: Pick<Container, 'stores'>, meetingId: string): Promise<string | null> {
  return (await c.stores.meetings.find(meetingId))?.organizationId ?? null;
}

export type { Server };
