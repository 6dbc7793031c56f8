import { pathToFileURL } from 'node:url';
import { bootstrap, fail } from './bootstrap.ts';
import { createContainer, type Container } from './container.ts';
import { startServer, type RunningServer } from './server.ts';

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** `npm start`: one process running the dashboard, API and every configured adapter. */
export async function runService(): Promise<void> {
  const { config, logger } = bootstrap();
  let container: Container | null = null;
  let server: RunningServer | null = null;
  try {
    container = await createContainer(config, logger);
    server = await startServer(container);
  } catch (err) {
    await container?.close().catch(() => undefined);
    fail(err, logger);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    await server?.stop();
    await container?.close();
    logger.info('stopped');
    logger.flush?.();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runService();
}
