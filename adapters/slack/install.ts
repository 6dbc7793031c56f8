import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackOptions, CodedError, Installation, InstallationStore, InstallURLOptions, OrgInstallation } from '@slack/oauth';
import type { Logger } from '../../core/logger.ts';

/**
 * Multi-workspace install: the options Bolt's ExpressReceiver (or the
 * adapter core's `oauth` option) takes to serve `GET /slack/install` (a page
 * whose button goes to slack.com/oauth/v2/authorize with a signed `state`,
 * also set as a browser cookie) and `GET /slack/oauth_redirect?code&state`
 * (state checked against the cookie and its signature → `oauth.v2.access` →
 * `installationStore.storeInstallation` → a success page). A missing or
 * foreign state, a cancelled install or a code Slack rejects ends on an error
 * page and stores nothing.
 */

/** Bot scopes the app asks for (also in the app manifest). */
export const SLACK_BOT_SCOPES = [
  'app_mentions:read', 'channels:history', 'channels:read', 'chat:write', 'chat:write.public', 'commands', 'files:read',
  'groups:history', 'groups:read', 'im:history', 'im:read', 'im:write', 'users:read',
] as const;

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

export interface SlackInstallConfig {
  clientId: string;
  clientSecret: string;
  /** Signs the OAuth `state` (SLACK_STATE_SECRET); at least 16 characters. */
  stateSecret: string;
  installationStore: InstallationStore;
  scopes?: readonly string[];
  /** Full URL of `/slack/oauth_redirect` as registered in the Slack app (PUBLIC_URL + path); Slack's default when unset. */
  redirectUri?: string;
  /** Web API base (tests: the loopback fake Slack). */
  slackApiUrl?: string;
  /** Where the install button sends people (tests: the fake's authorize page). */
  authorizationUrl?: string;
  /** Skip the landing page and redirect to Slack at once. */
  directInstall?: boolean;
  /** Where the success page links to (the dashboard). */
  dashboardUrl?: string;
  appName?: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/** Spread into `new ExpressReceiver({ signingSecret, ...slackInstallOptions(cfg) })`, or pass as the adapter's `oauth`. */
export interface SlackInstallOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  installationStore: InstallationStore;
  scopes: string[];
  redirectUri?: string;
  installerOptions: {
    installPath: string;
    redirectUriPath: string;
    directInstall: boolean;
    stateCookieName: string;
    stateCookieExpirationSeconds: number;
    clientOptions?: { slackApiUrl: string };
    authorizationUrl?: string;
    renderHtmlForInstallPath: (url: string) => string;
    callbackOptions: CallbackOptions;
  };
}

export function slackInstallOptions(cfg: SlackInstallConfig): SlackInstallOptions {
  if (!cfg.clientId || !cfg.clientSecret) throw new Error('Slack OAuth needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET');
  if (!cfg.stateSecret || cfg.stateSecret.length < 16) throw new Error('Slack OAuth needs SLACK_STATE_SECRET of at least 16 characters');
  const appName = cfg.appName ?? 'Open Minutes';
  const apiUrl = cfg.slackApiUrl ? `${cfg.slackApiUrl.replace(/\/+$/, '')}/` : undefined;
  return {
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    stateSecret: cfg.stateSecret,
    installationStore: cfg.installationStore,
    scopes: [...(cfg.scopes ?? SLACK_BOT_SCOPES)],
    ...(cfg.redirectUri ? { redirectUri: cfg.redirectUri } : {}),
    installerOptions: {
      installPath: INSTALL_PATH,
      redirectUriPath: REDIRECT_PATH,
      directInstall: cfg.directInstall ?? false,
      stateCookieName: 'slack-app-oauth-state',
      stateCookieExpirationSeconds: 600,
      ...(apiUrl ? { clientOptions: { slackApiUrl: apiUrl } } : {}),
      ...(cfg.authorizationUrl ? { authorizationUrl: cfg.authorizationUrl } : {}),
      renderHtmlForInstallPath: (url) => installPage(appName, url),
      callbackOptions: installCallbacks({ appName, ...(cfg.dashboardUrl ? { dashboardUrl: cfg.dashboardUrl } : {}), ...(cfg.logger ? { logger: cfg.logger } : {}) }),
    },
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}a.button{display:inline-block;padding:.6rem 1rem;background:#4a154b;color:#fff;border-radius:6px;text-decoration:none}</style>
</head><body>${body}</body></html>`;

export function installPage(appName: string, authorizeUrl: string): string {
  return page(`Add ${appName} to Slack`, `<h1>Add ${escapeHtml(appName)} to Slack</h1>
<p>Minutes of your meetings — summaries, decisions and action items — in your Slack channels, with <code>/minutes</code> to search and ask.</p>
<p><a class="button" href="${escapeHtml(authorizeUrl)}">Add to Slack</a></p>`);
}

/** Why an install failed, in words for the person installing (codes from @slack/oauth). */
export function installFailureReason(error: CodedError): { status: number; text: string } {
  switch (error.code) {
    case 'slack_oauth_missing_state':
    case 'slack_oauth_invalid_state':
      return { status: 400, text: 'This install link has expired or was opened in another browser. Start again from the install page.' };
    case 'slack_oauth_missing_code':
      return { status: 400, text: 'Slack did not send an authorization code. Start again from the install page.' };
    case 'slack_oauth_installer_authorization_error':
      return { status: 400, text: 'The installation was cancelled.' };
    default:
      return { status: 502, text: 'Slack did not accept the installation. Please try again; if it keeps failing, ask the person who runs this service to check its Slack client id and secret.' };
  }
}

export function installCallbacks(opts: { appName: string; dashboardUrl?: string; logger?: Pick<Logger, 'info' | 'warn'> }): CallbackOptions {
  const { appName, dashboardUrl, logger } = opts;
  return {
    success: (installation: Installation | OrgInstallation, _options: InstallURLOptions, _req: IncomingMessage, res: ServerResponse) => {
      const where = installation.team?.name ?? installation.enterprise?.name ?? 'your workspace';
      logger?.info({ teamId: installation.team?.id, enterpriseId: installation.enterprise?.id }, 'slack app installed');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(page(`${appName} installed`, `<h1>${escapeHtml(appName)} is installed in ${escapeHtml(where)}</h1>
<p>Invite it to a channel (<code>/invite @${escapeHtml(appName)}</code>), then try <code>/minutes help</code>. Share a recording or transcript with it to get minutes in the thread.</p>
${dashboardUrl ? `<p><a class="button" href="${escapeHtml(dashboardUrl)}">Open the dashboard</a></p>` : ''}`));
    },
    failure: (error: CodedError, _options: InstallURLOptions, _req: IncomingMessage, res: ServerResponse) => {
      const { status, text } = installFailureReason(error);
      logger?.warn({ code: error.code, err: error.message }, 'slack app install failed');
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(page('Installation failed', `<h1>The installation did not finish</h1><p>${escapeHtml(text)}</p><p><small>reason: ${escapeHtml(error.code)}</small></p>
<p><a href="${INSTALL_PATH}">Start again</a></p>`));
    },
  };
}
