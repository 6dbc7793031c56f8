import type { Server } from 'node:http';
import { createDashboard } from '../dashboard/app.ts';
import { startAdapters } from './adapters.ts';
import type { Container } from './container.ts';

export interface RunningServer {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** Starts the HTTP server (dashboard, API, health) and the adapters that have credentials. */
export async function startServer(c: Container): Promise<RunningServer> {
  const app = createDashboard({
    meetings: c.meetings,
    minutes: c.minutes,
    orchestrator: c.orchestrator,
    stores: c.stores,
    organizationId: c.defaultOrganization.id,
    logger: c.logger.child({ component: 'dashboard' }),
    readiness: { database: () => c.db.ping() },
  });
  startAdapters(c.config, c.logger);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(c.config.PORT, c.config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : c.config.PORT;
  const url = c.config.PUBLIC_URL ?? `http://${c.config.HOST === '0.0.0.0' ? 'localhost' : c.config.HOST}:${port}`;
  c.logger.info({ url }, `dashboard listening on ${url}`);
  return {
    url,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
