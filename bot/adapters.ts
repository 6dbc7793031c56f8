import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';

/**
 * Which platform adapters this process could run and the variables that turn
 * each on. An adapter without its credentials stays off with one log line
 * saying how to enable it, so a bare `npm start` is quiet but discoverable.
 */
export const ADAPTERS = [
  { name: 'discord', vars: ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID'] },
  { name: 'slack', vars: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'] },
  { name: 'teams', vars: ['TEAMS_APP_ID', 'TEAMS_APP_PASSWORD'] },
] as const satisfies readonly { name: string; vars: readonly (keyof Config)[] }[];

export type AdapterName = (typeof ADAPTERS)[number]['name'];

export interface AdapterStatus {
  name: AdapterName;
  enabled: boolean;
  missing: string[];
}

export function adapterStatuses(config: Config): AdapterStatus[] {
  return ADAPTERS.map(({ name, vars }) => {
    let missing: string[] = vars.filter((v) => !config[v]);
    if (name === 'slack') {
      // Slack runs with one bot token, or installed into many workspaces through OAuth instead.
      if (config.SLACK_SIGNING_SECRET && config.SLACK_CLIENT_ID) missing = [];
      // Socket Mode: payloads come over the app's own WebSocket, so no signing secret is needed.
      if (config.SLACK_APP_TOKEN) missing = config.SLACK_BOT_TOKEN || config.SLACK_CLIENT_ID ? [] : ['SLACK_BOT_TOKEN'];
    }
    return { name, enabled: missing.length === 0, missing };
  });
}

/** Adapters this build includes; the others only say that they are not there yet. */
const BUILT: readonly AdapterName[] = ['discord', 'slack', 'teams'];

export function startAdapters(config: Config, logger: Logger): AdapterStatus[] {
  const statuses = adapterStatuses(config);
  for (const s of statuses) {
    const log = logger.child({ adapter: s.name });
    if (!s.enabled) {
      log.info(`${s.name} adapter off: set ${s.missing.join(' and ')} to turn it on`);
    } else if (!BUILT.includes(s.name)) {
      // Credentials are present but this build has no such adapter yet: say so rather than pretend.
      log.warn(`${s.name} adapter is configured but not included in this build yet; its credentials are unused`);
    }
  }
  return statuses;
}
