// The reference OpenID Connect provider (docs/protocols/oidc.md): panva's oidc-provider through
// the identity provider the anaconda server uses too (../anaconda/identityProvider.ts), with a
// public and a confidential client, short access tokens (to see refresh), rotated refresh
// tokens, revocation, the device flow and PKCE required. HTTPS with a CA made at start by
// default, so Keyport's custom-CA path is what a test exercises. 127.0.0.1, ephemeral port.
import { randomBytes } from 'node:crypto';
import { createFaultInjector, type Faults } from '../common/faults.ts';
import { listen, sendJson } from '../common/httpServer.ts';
import { createIdentityProvider, type IdentityProvider, type IdpUser } from '../anaconda/identityProvider.ts';

export const OIDC_PUBLIC_CLIENT_ID = 'keyport-public';
export const OIDC_CONFIDENTIAL_CLIENT_ID = 'keyport-confidential';
/** Where Keyport's loopback listener answers (any port). */
export const OIDC_REDIRECT_URI = 'http://127.0.0.1/callback';

export const DEFAULT_OIDC_USERS: readonly IdpUser[] = [
  { username: 'alice', password: 'wonderland-secret', email: 'alice@example.com', name: 'Alice Liddell' },
  { username: 'bob', password: 'builder-secret', email: 'bob@example.com', name: 'Bob Builder' },
];

export interface OidcServerOptions {
  /** Default true: HTTPS with a fresh CA (see `caPem`). */
  https?: boolean;
  /** Lifetime of access tokens, in seconds (default 3600; tests use a few to see refresh). */
  accessTokenTtlSeconds?: number;
  deviceCodeTtlSeconds?: number;
}

export interface OidcServer {
  /** The issuer. */
  readonly url: string;
  readonly caPem: string | undefined;
  readonly publicClientId: string;
  readonly confidentialClient: { id: string; secret: string };
  readonly users: readonly IdpUser[];
  readonly faults: Faults;
  readonly stats: IdentityProvider['stats'];
  isRefreshTokenValid(refreshToken: string): Promise<boolean>;
  /** The account an access token was issued to, or null when it is not (or no longer) valid. */
  accountFor(accessToken: string): Promise<string | null>;
  revokeGrants(username: string): Promise<void>;
  close(): Promise<void>;
}

export async function startOidcServer(options: OidcServerOptions = {}): Promise<OidcServer> {
  const secret = randomBytes(24).toString('base64url');
  const faults = createFaultInjector({
    errorBody: (status, message) => ({ error: status >= 500 ? 'server_error' : 'invalid_request', error_description: message }),
    malformedJson: '{"issuer": ',
  });
  let idp: IdentityProvider | null = null;
  const server = await listen({ https: options.https ?? true, faults }, (req, res) => {
    void (async () => {
      if (await faults.apply(req, res, new URL(req.url ?? '/', 'http://127.0.0.1').pathname)) return;
      if (idp) idp.handle(req, res);
      else sendJson(res, 503, { error: 'temporarily_unavailable' });
    })().catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
    });
  });
  const grantTypes = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'];
  const common = { application_type: 'native' as const, redirect_uris: [OIDC_REDIRECT_URI], grant_types: grantTypes, response_types: ['code' as const], id_token_signed_response_alg: 'ES256' as const };
  idp = createIdentityProvider({
    issuer: server.url,
    clientId: OIDC_PUBLIC_CLIENT_ID,
    users: DEFAULT_OIDC_USERS,
    deviceCodeTtlSeconds: options.deviceCodeTtlSeconds ?? 600,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    rotateRefreshTokens: true,
    loginTitle: 'Sign in to the test identity provider',
    clients: [
      { ...common, client_id: OIDC_PUBLIC_CLIENT_ID, token_endpoint_auth_method: 'none' },
      { ...common, client_id: OIDC_CONFIDENTIAL_CLIENT_ID, client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' },
    ],
  });
  const provider = idp;
  return {
    url: server.url,
    caPem: server.caPem,
    publicClientId: OIDC_PUBLIC_CLIENT_ID,
    confidentialClient: { id: OIDC_CONFIDENTIAL_CLIENT_ID, secret },
    users: DEFAULT_OIDC_USERS,
    faults: faults.faults,
    stats: provider.stats,
    isRefreshTokenValid: (token) => provider.isRefreshTokenValid(token),
    accountFor: (token) => provider.accountFor(token),
    revokeGrants: (username) => provider.revokeGrants(username),
    close: () => server.close(),
  };
}
