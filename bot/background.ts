import express, { type RequestHandler } from 'express';
import type { DiscordAdapter } from '../adapters/discord/index.ts';
import type { RoleName } from '../core/config.ts';
import { metricsHandler, type MetricsRegistry } from '../dashboard/metrics/index.ts';
import { readyHandler } from '../dashboard/app.ts';
import type { Container } from './container.ts';
import { startDiscord } from './discord.ts';
import { startSlack, stopSlack } from './slack.ts';
import { startWorker } from './worker.ts';

/** What the bot and worker roles run in this process, for /ready, /metrics and shutdown. */
export interface BackgroundRoles {
  discord: DiscordAdapter | null;
  /** Adapters that are configured but failed to start, with why: /ready reports them. */
  failed: Record<string, string>;
  /** Open WebSocket connections by endpoint (set by the web role). */
  sockets: Record<string, () => number>;
  stop(): Promise<void>;
}

/**
 * The `bot` role: the Discord gateway (this process's shards) and, when no web
 * role here serves Slack's webhooks, Slack over Socket Mode. The `worker`
 * role: jobs and schedules. A platform that fails to start is logged and
 * reported by /ready; the rest keeps running.
 */
export async function startBackgroundRoles(c: Container, roles: readonly RoleName[], options: { webhooksHere: boolean }): Promise<BackgroundRoles> {
  const failed: Record<string, string> = {};
  let discord: DiscordAdapter | null = null;
  if (roles.includes('bot')) {
    try {
      discord = await startDiscord(c);
    } catch (err) {
      // A bad token or an unreachable Discord must not take the dashboard down with it.
      c.logger.error({ err, adapter: 'discord' }, 'discord adapter failed to start; the rest keeps running');
      failed.discord = `failed to start: ${(err as Error).message}`;
    }
    if (!options.webhooksHere && c.config.SLACK_APP_TOKEN) startSlack(c);
  }
  const worker = roles.includes('worker') ? await startWorker(c) : null;
  return {
    discord, failed, sockets: {},
    async stop() {
      // Leaves voice channels cleanly (audio flushed, meetings ended, summaries posted) before jobs stop.
      await discord?.stop().catch((err: unknown) => c.logger.warn({ err }, 'discord adapter stop failed'));
      if (!options.webhooksHere) await stopSlack(c).catch((err: unknown) => c.logger.warn({ err }, 'slack adapter stop failed'));
      await worker?.stop();
    },
  };
}

/** A process without the web role still answers health probes and scrapes. */
export function startOpsServer(c: Container, metrics: MetricsRegistry, checks: Record<string, () => Promise<void>>): RequestHandler {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(metrics.httpMiddleware);
  app.get('/metrics', metricsHandler(metrics, { token: c.config.METRICS_TOKEN ?? null }));
  app.get('/health', (_req, res) => void res.json({ status: 'ok', roles: c.config.ROLE, uptimeSeconds: Math.round(process.uptime()) }));
  app.get('/ready', readyHandler(checks));
  app.use((_req, res) => void res.status(404).json({ error: { code: 'NOT_FOUND', message: 'This process runs no dashboard (ROLE has no web)' } }));
  return app;
}
