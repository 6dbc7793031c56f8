import { pathToFileURL } from 'node:url';
import { bootstrap, fail } from './bootstrap.ts';
import { createContainer, type Container } from './container.ts';
import { startServer, type RunningServer } from './server.ts';

/**
 * `npm start`: the roles in ROLE (default all: dashboard, API, bots, jobs) in
 * one process. SIGTERM stops intake, flushes buffered segments, finishes
 * in-flight posts and jobs, leaves voice channels, and exits within
 * SHUTDOWN_TIMEOUT_MS whatever happens.
 */
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
    const started = Date.now();
    logger.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ ms: Date.now() - started }, 'shutdown took too long; exiting');
      logger.flush?.();
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    await server?.stop().catch((err: unknown) => logger.error({ err }, 'stopping the service failed'));
    await container?.close().catch((err: unknown) => logger.error({ err }, 'closing the container failed'));
    logger.info({ ms: Date.now() - started }, 'stopped');
    logger.flush?.();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runService();
}
