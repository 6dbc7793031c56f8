import type { Logger } from '../../core/logger.ts';

export const DEFAULT_TOKEN_URL = 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token';

interface Cached { token: string; expiresAt: number }

/**
 * OAuth 2.0 client-credentials tokens for the bot's outbound calls (Bot
 * Connector: scope https://api.botframework.com/.default, tenant
 * botframework.com unless the app is single-tenant; Graph: the meeting's
 * tenant). Handed to the Teams SDK as its `token` factory.
 *
 * Why not the SDK's own client-credentials path: it goes through MSAL, whose
 * authority must be https and is discovered from login.microsoftonline.com,
 * so it cannot be pointed at a token endpoint of our choosing (a loopback
 * fake in tests, a proxy). This is the same request MSAL makes
 * (POST {login}/{tenant}/oauth2/v2.0/token, grant_type=client_credentials),
 * with a per scope+tenant cache renewed five minutes before expiry and
 * concurrent callers sharing one request.
 */
export class ClientCredentials {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly options: { clientId: string; clientSecret: string; tenantId?: string; tokenUrl?: string; logger: Logger; now?: () => number }) {}

  /** A bearer token for `scope` in `tenantId` (default: the app's tenant, else `fallbackTenant`). */
  token(scope: string | string[], tenantId?: string, fallbackTenant = 'botframework.com'): Promise<string> {
    const scopes = Array.isArray(scope) ? scope.join(' ') : scope;
    const tenant = tenantId || this.options.tenantId || fallbackTenant;
    const key = `${tenant} ${scopes}`;
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - 5 * 60_000 > now) return Promise.resolve(hit.token);
    const running = this.inFlight.get(key);
    if (running) return running;
    const request = this.fetchToken(scopes, tenant).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, request);
    return request;
  }

  private async fetchToken(scope: string, tenant: string): Promise<string> {
    const url = (this.options.tokenUrl ?? DEFAULT_TOKEN_URL).replace('{tenant}', encodeURIComponent(tenant));
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.options.clientId, client_secret: this.options.clientSecret, scope });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(15_000) });
    const json = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number | string; error?: string; error_description?: string };
    if (!res.ok || !json.access_token) {
      // Never log the secret or the body we sent; the error code is enough to act on.
      this.options.logger.warn({ status: res.status, error: json.error, scope, tenant }, 'teams client-credentials token request failed');
      throw new Error(`Token request for ${scope} failed (${res.status}${json.error ? ` ${json.error}` : ''})`);
    }
    const expiresIn = Number(json.expires_in ?? 3600);
    this.cache.set(`${tenant} ${scope}`, { token: json.access_token, expiresAt: (this.options.now ?? Date.now)() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000 });
    return json.access_token;
  }
}
