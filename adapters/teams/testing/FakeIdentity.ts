// A loopback OpenID provider that plays two Microsoft roles in tests:
//  - login.botframework.com: OpenID metadata + JWKS used to validate the channel → bot
//    tokens Teams sends to /api/messages (iss https://api.botframework.com, aud = app id,
//    `serviceurl` claim), and
//  - login.microsoftonline.com: the client-credentials token endpoint the bot uses for
//    outbound calls (Bot Connector: scope https://api.botframework.com/.default; Graph:
//    scope https://graph.microsoft.com/.default), plus Entra v2 metadata/keys per tenant.
// Tokens are real RS256 JWTs signed with a key generated at start.
import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { bearer, startServer, type FakeRequest, type FakeResponse, type LoopbackServer } from './http.ts';

/** The issuer the real Bot Framework channel puts in tokens it sends to bots. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** Audience of client-credential tokens for the Bot Connector (scope minus `/.default`). */
export const BOT_CONNECTOR_AUDIENCE = 'https://api.botframework.com';
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

export type ChannelTokenOptions = {
  /** `aud`; defaults to the app id. */
  audience?: string;
  /** Lifetime in seconds; negative → already expired. Default 3600. */
  expiresInSec?: number;
  /** `iss`; defaults to https://api.botframework.com. */
  issuer?: string;
  /** `serviceurl` claim (the real claim name is lower-case). */
  serviceUrl?: string;
  /** Sign with a key that is NOT in the JWKS (same `kid`, so it is a bad signature, not an unknown key). */
  signWithForeignKey?: boolean;
  /** `alg: none` token with an empty signature. */
  unsigned?: boolean;
  /** Extra claims. */
  claims?: Record<string, unknown>;
};

type KeyPair = { publicKey: CryptoKey; privateKey: CryptoKey };

export class FakeIdentity {
  readonly appId: string;
  readonly appSecret: string;
  readonly tenantId: string;
  readonly baseUrl: string;
  /** Like https://login.botframework.com/v1/.well-known/openidconfiguration */
  readonly openIdMetadataUrl: string;
  /** Like https://login.botframework.com/v1/.well-known/keys (the Teams SDK derives this from the metadata URL by replacing `/openidconfiguration` with `/keys`). */
  readonly jwksUrl: string;
  /** Client-credentials endpoint, `${baseUrl}/${tenantId}/oauth2/v2.0/token` (any tenant segment is accepted, e.g. `botframework.com`). */
  readonly tokenUrl: string;
  /** Every successful client-credential grant. */
  readonly tokenRequests: { clientId: string; scope: string; tenant: string }[] = [];
  /** Every refused grant. */
  readonly refusedTokenRequests: { clientId: string; scope: string; error: string }[] = [];
  /** Counts of metadata / JWKS fetches (to prove a validator really went to the network). */
  readonly fetches = { metadata: 0, jwks: 0 };

  private readonly kid: string;
  private readonly key: KeyPair;
  private readonly foreignKey: KeyPair;
  private readonly publicJwk: JWK;
  private readonly clients = new Map<string, string>();
  private readonly server: LoopbackServer;

  private constructor(init: {
    server: LoopbackServer;
    appId: string;
    appSecret: string;
    tenantId: string;
    kid: string;
    key: KeyPair;
    foreignKey: KeyPair;
    publicJwk: JWK;
  }) {
    this.server = init.server;
    this.baseUrl = init.server.baseUrl;
    this.appId = init.appId;
    this.appSecret = init.appSecret;
    this.tenantId = init.tenantId;
    this.kid = init.kid;
    this.key = init.key;
    this.foreignKey = init.foreignKey;
    this.publicJwk = init.publicJwk;
    this.openIdMetadataUrl = `${this.baseUrl}/v1/.well-known/openidconfiguration`;
    this.jwksUrl = `${this.baseUrl}/v1/.well-known/keys`;
    this.tokenUrl = `${this.baseUrl}/${this.tenantId}/oauth2/v2.0/token`;
    this.clients.set(this.appId, this.appSecret);
  }

  static async start(options: { appId?: string; appSecret?: string; tenantId?: string } = {}): Promise<FakeIdentity> {
    const key = await generateKeyPair('RS256', { extractable: true });
    const foreignKey = await generateKeyPair('RS256', { extractable: true });
    const kid = `fake-${randomUUID().slice(0, 8)}`;
    const publicJwk = { ...(await exportJWK(key.publicKey)), kid, use: 'sig', alg: 'RS256' };
    let self: FakeIdentity | undefined;
    const server = await startServer((req) => {
      if (!self) return { status: 503 };
      return self.handle(req);
    });
    self = new FakeIdentity({
      server,
      appId: options.appId ?? randomUUID(),
      appSecret: options.appSecret ?? `secret-${randomUUID()}`,
      tenantId: options.tenantId ?? randomUUID(),
      kid,
      key,
      foreignKey,
      publicJwk,
    });
    return self;
  }

  /** Register another confidential client (e.g. a second bot). */
  addClient(clientId: string, clientSecret: string): void {
    this.clients.set(clientId, clientSecret);
  }

  /** The JWKS document (public keys only). */
  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk, endorsements: ['msteams'] } as JWK] };
  }

  /** A Bot Framework channel token as Teams sends one to the bot. */
  async channelToken(options: ChannelTokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (options.expiresInSec ?? 3600);
    const payload: JWTPayload = {
      ...(options.serviceUrl ? { serviceurl: options.serviceUrl } : {}),
      ...(options.claims ?? {}),
    };
    const iss = options.issuer ?? BOT_FRAMEWORK_ISSUER;
    const aud = options.audience ?? this.appId;
    // Expired tokens get nbf/iat in the past too, so only `exp` is wrong.
    const nbf = Math.min(now, exp - 60) - 5;
    if (options.unsigned) {
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ ...payload, iss, aud, nbf, iat: nbf, exp })}.`;
    }
    const signer = options.signWithForeignKey ? this.foreignKey.privateKey : this.key.privateKey;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(iss)
      .setAudience(aud)
      .setNotBefore(nbf)
      .setIssuedAt(nbf)
      .setExpirationTime(exp)
      .sign(signer);
  }

  /** Verify a token this identity issued (used by the fake Connector/Graph). Throws on failure. */
  async verifyAccessToken(token: string, audiences: string[]): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks()), {
      audience: audiences,
      algorithms: ['RS256'],
    });
    const iss = String(payload.iss ?? '');
    if (!iss.startsWith('https://sts.windows.net/') && !iss.startsWith('https://login.microsoftonline.com/')) {
      throw new Error(`unexpected issuer ${iss}`);
    }
    return payload;
  }

  /** Convenience for fakes: true when the request carries a valid token for one of `audiences`. */
  async authorize(headers: FakeRequest['headers'], audiences: string[]): Promise<JWTPayload | undefined> {
    const token = bearer(headers);
    if (!token) return undefined;
    try {
      return await this.verifyAccessToken(token, audiences);
    } catch {
      return undefined;
    }
  }

  /** Fetch a client-credential token over HTTP (what the bot's token factory does). */
  async fetchToken(scope: string, credentials: { clientId?: string; clientSecret?: string; tenant?: string } = {}): Promise<string> {
    const url = credentials.tenant ? `${this.baseUrl}/${credentials.tenant}/oauth2/v2.0/token` : this.tokenUrl;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: credentials.clientId ?? this.appId,
        client_secret: credentials.clientSecret ?? this.appSecret,
        scope,
      }),
    });
    const body = (await res.json()) as { access_token?: string; error?: string };
    if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${body.error ?? ''}`);
    return body.access_token;
  }

  async stop(): Promise<void> {
    await this.server.close();
  }

  private async handle(req: FakeRequest): Promise<FakeResponse> {
    const p = req.path;
    if (req.method === 'GET' && p === '/v1/.well-known/openidconfiguration') {
      this.fetches.metadata++;
      return {
        status: 200,
        body: {
          issuer: BOT_FRAMEWORK_ISSUER,
          authorization_endpoint: `${this.baseUrl}/v1/.well-known/authorize`,
          jwks_uri: this.jwksUrl,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        },
      };
    }
    if (req.method === 'GET' && (p === '/v1/.well-known/keys' || /^\/[^/]+\/discovery(\/v2\.0)?\/keys$/.test(p))) {
      this.fetches.jwks++;
      return { status: 200, body: this.jwks() };
    }
    let m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(p);
    if (req.method === 'GET' && m) {
      const tenant = decodeURIComponent(m[1]!);
      this.fetches.metadata++;
      return {
        status: 200,
        body: {
          issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
          token_endpoint: `${this.baseUrl}/${tenant}/oauth2/v2.0/token`,
          jwks_uri: `${this.baseUrl}/${tenant}/discovery/v2.0/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        },
      };
    }
    m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(p);
    if (req.method === 'POST' && m) return this.token(decodeURIComponent(m[1]!), req);
    return { status: 404, body: { error: 'not_found' } };
  }

  private async token(tenant: string, req: FakeRequest): Promise<FakeResponse> {
    const form = (req.body ?? {}) as Record<string, string>;
    let clientId = form.client_id ?? '';
    let clientSecret = form.client_secret ?? '';
    const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
    if (basic) {
      const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      clientId ||= decodeURIComponent(id ?? '');
      clientSecret ||= decodeURIComponent(secret ?? '');
    }
    const scope = form.scope ?? '';
    const refuse = (status: number, error: string, description: string): FakeResponse => {
      this.refusedTokenRequests.push({ clientId, scope, error });
      return { status, body: { error, error_description: description } };
    };
    if (form.grant_type !== 'client_credentials') return refuse(400, 'unsupported_grant_type', 'only client_credentials');
    const expected = this.clients.get(clientId);
    if (expected === undefined) return refuse(400, 'unauthorized_client', `AADSTS700016: Application '${clientId}' not found`);
    if (expected !== clientSecret) return refuse(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    if (!scope.endsWith('/.default')) return refuse(400, 'invalid_scope', 'AADSTS1002012: scope must end in /.default');
    const audience = scope.slice(0, -'/.default'.length);
    const tid = tenant === 'botframework.com' ? 'd6d49420-f39b-4df7-a1dc-d59a935871db' : tenant;
    const expiresIn = 3599;
    const accessToken = await new SignJWT({ appid: clientId, azp: clientId, tid, idtyp: 'app', ver: '1.0', roles: [] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(`https://sts.windows.net/${tid}/`)
      .setAudience(audience)
      .setSubject(clientId)
      .setIssuedAt()
      .setNotBefore(Math.floor(Date.now() / 1000) - 5)
      .setExpirationTime(`${expiresIn}s`)
      .setJti(randomUUID())
      .sign(this.key.privateKey);
    this.tokenRequests.push({ clientId, scope, tenant });
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: accessToken },
    };
  }
}
