import type * as oidc from 'openid-client';
import { z } from 'zod';
import type { UserInfo } from '../../../../shared/model';
import { KeyportError } from '../../errors';
import type { OidcTokens } from '../../oauth/oidcClient';
import { loadOidcClient } from '../../oauth/oidcLoader';
import { ACCESS_TOKEN_COPY, AUTHORIZATION_HEADER_COPY, sessionCopyFormats, type SessionCopyFormat } from '../sessionCopy';
import { noTokenList, type Provider, type ServerContext, type SessionGrant, type SignInResult } from '../provider';

/** What Keyport asks for unless the server's settings say otherwise: who you are, and a
 * refresh token (offline_access) so the session outlives the access token. */
export const DEFAULT_OIDC_SCOPES = 'openid profile email offline_access';
/** The loopback redirect's path: register http://127.0.0.1/callback (any port, RFC 8252 §7.3). */
export const OIDC_REDIRECT_PATH = '/callback';
/** RFC 6749 §3.3 scope-token: printable ASCII except space, " and \. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const CLIENT_ID = /^[\x21-\x7e]{1,200}$/;
/** ID token and UserInfo claims that are about the token or the provider's session, not about
 * the person (RFC 7519 §4.1, OpenID Connect Core §2 and §3.1.3.6, and what Keycloak adds):
 * kept out of "who you are". They stay in the ID token, which can be copied. */
export const PROTOCOL_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'typ', 'azp', 'sid', 'session_state', 'acr', 'amr', 'auth_time',
  'nonce', 'at_hash', 'c_hash', 's_hash', 'cnf',
]);
/** Claims that are times (seconds since 1970), shown as dates. */
const TIME_CLAIMS = new Set(['updated_at']);

/** What a session is renewed from, kept encrypted as the session's credential; only this
 * provider reads it. The ID token is kept for the "copy ID token" format. */
const credentialSchema = z.object({ refreshToken: z.string().min(1).nullable(), idToken: z.string().min(1).nullable() });
type OidcCredential = z.infer<typeof credentialSchema>;

/** null (the server gave neither token) reads as a credential holding nothing. */
function decodeCredential(text: string | null): OidcCredential {
  if (text === null) return { refreshToken: null, idToken: null };
  {
    try {
      const parsed = credentialSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through
    }
  }
  // AUTH_FAILED: the session cannot be renewed from it, so the session service signs out.
  throw new KeyportError('AUTH_FAILED', 'Keyport’s copy of this OpenID Connect session is damaged.', { hint: 'Sign in again.' });
}

const scopesOf = (ctx: ServerContext): string => ctx.server.options.scopes || DEFAULT_OIDC_SCOPES;

/** Discovery with the server's client. An issuer written with a trailing slash (Auth0's are)
 * loses it when Keyport normalizes the address, and discovery compares issuers exactly: one retry
 * with the slash puts it back. */
async function configure(ctx: ServerContext): Promise<oidc.Configuration> {
  const clientSecret = (await ctx.secretSetting?.('clientSecret')) ?? undefined;
  const settings = { issuer: ctx.server.url, clientId: ctx.server.options.clientId ?? '', clientSecret };
  const { discover } = await loadOidcClient();
  try {
    return await discover(ctx, settings);
  } catch (error) {
    if (!(error instanceof KeyportError) || error.code !== 'BAD_RESPONSE' || ctx.server.url.endsWith('/')) throw error;
    try {
      return await discover(ctx, { ...settings, issuer: `${ctx.server.url}/` });
    } catch {
      throw error;
    }
  }
}

/** The claims about the person, as text: times as dates, lists and objects as JSON. */
export function claimsAsText(claims: Record<string, unknown>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(claims)) {
    if (PROTOCOL_CLAIMS.has(name) || value === undefined || value === null) continue;
    if (TIME_CLAIMS.has(name) && typeof value === 'number') pairs.push([name, new Date(value * 1000).toISOString()]);
    else pairs.push([name, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return pairs;
}

function userFrom(claims: Record<string, unknown> | null, fallback: string): UserInfo {
  const text = (name: string): string | undefined => {
    const value = claims?.[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const user: UserInfo = { name: text('preferred_username') ?? text('name') ?? text('email') ?? text('sub') ?? fallback };
  const email = text('email');
  if (email) user.email = email;
  return user;
}

/** The session from a token answer. `previous` is what a renewal starts from: a server that does
 * not rotate the refresh token, or sends no new ID token, leaves the old ones in use. */
function grantFrom(ctx: ServerContext, tokens: OidcTokens, previous: OidcCredential | null): SessionGrant {
  const credential: OidcCredential = {
    refreshToken: tokens.refreshToken ?? previous?.refreshToken ?? null,
    idToken: tokens.idToken ?? previous?.idToken ?? null,
  };
  const attributes: Record<string, string> = { scope: tokens.scope ?? scopesOf(ctx) };
  if (tokens.claims) attributes.claims = JSON.stringify(claimsAsText(tokens.claims));
  return {
    session: tokens.accessToken,
    // Without a refresh token there is nothing to renew from: the session ends with the access token.
    credential: credential.refreshToken || credential.idToken ? JSON.stringify(credential) : null,
    expiresAt: tokens.expiresIn !== null ? new Date(ctx.now().getTime() + tokens.expiresIn * 1000).toISOString() : null,
    attributes,
  };
}

/** The session of a finished sign-in. Who you are: the ID token's claims, completed with the
 * UserInfo endpoint's (best effort: the ID token alone is enough to sign in). */
async function signInFrom(ctx: ServerContext, config: oidc.Configuration, tokens: OidcTokens): Promise<SignInResult> {
  const subject = typeof tokens.claims?.sub === 'string' ? tokens.claims.sub : null;
  const { fetchUserClaims } = await loadOidcClient();
  const userInfo = await fetchUserClaims(ctx, config, tokens.accessToken, subject).catch(() => null);
  const claims = userInfo || tokens.claims ? { ...userInfo, ...tokens.claims } : null;
  const withClaims = { ...tokens, claims };
  return { ...grantFrom(ctx, withClaims, null), user: userFrom(claims, ctx.server.name) };
}

function describe(config: oidc.Configuration): Array<{ label: string; value: string }> {
  const m = config.serverMetadata();
  const list = (value: unknown, absent: string): string => (Array.isArray(value) && value.length > 0 ? value.join(', ') : absent);
  const endpoint = (value: string | undefined): string => value ?? 'not offered';
  return [
    { label: 'Issuer', value: m.issuer },
    { label: 'Authorization endpoint', value: endpoint(m.authorization_endpoint) },
    { label: 'Token endpoint', value: endpoint(m.token_endpoint) },
    { label: 'Device authorization endpoint', value: endpoint(m.device_authorization_endpoint) },
    { label: 'Revocation endpoint', value: endpoint(m.revocation_endpoint) },
    { label: 'UserInfo endpoint', value: endpoint(m.userinfo_endpoint) },
    // OpenID Connect Discovery 1.0 §3: absent means authorization_code and implicit.
    { label: 'Grant types supported', value: list(m.grant_types_supported, 'authorization_code, implicit (not listed)') },
    { label: 'Scopes supported', value: list(m.scopes_supported, 'not listed') },
    { label: 'PKCE methods', value: list(m.code_challenge_methods_supported, 'not listed') },
    { label: 'Client authentication', value: list(m.token_endpoint_auth_methods_supported, 'client_secret_basic (not listed)') },
  ];
}

/** A token kept in the session's credential, or NOT_FOUND with what to do about it. */
const credentialCopy = (id: string, label: string, field: keyof OidcCredential, missing: { what: string; hint: string }): SessionCopyFormat => ({
  id,
  label,
  render(server, material) {
    const value = decodeCredential(material.credential)[field];
    if (!value) throw new KeyportError('NOT_FOUND', `${server.name} gave Keyport no ${missing.what}.`, { hint: missing.hint });
    return value;
  },
});

/** What can be copied from an OpenID Connect session. */
const SESSION_COPY = sessionCopyFormats([
  ACCESS_TOKEN_COPY,
  AUTHORIZATION_HEADER_COPY,
  credentialCopy('refresh-token', 'Refresh token', 'refreshToken', { what: 'refresh token', hint: 'Add offline_access to the scopes and sign in again.' }),
  credentialCopy('id-token', 'ID token', 'idToken', { what: 'ID token', hint: 'Sign in again.' }),
]);

export const oidcProvider: Provider = {
  descriptor: {
    kind: 'oidc',
    label: 'OpenID Connect',
    description: 'Any OpenID Connect provider (Keycloak, Auth0, Okta, Dex…): browser or code sign-in, access and refresh tokens that renew themselves.',
    urlLabel: 'Issuer',
    urlPlaceholder: 'https://login.example.com/realms/main',
    signInMethods: ['browser', 'device'],
    tokenNoun: 'token',
    tokenColumns: { created: false, lastUsed: false, expires: false, scopes: false },
    extraColumns: [],
    createFields: [],
    revokeVerb: 'Revoke',
    tokensNeedPassword: false,
    refreshableSession: true,
    tokenList: false,
    serverDescription: { title: 'Discovery' },
    serverFields: [
      { id: 'clientId', label: 'Client id', placeholder: 'keyport', required: true, hint: `The client registered for Keyport; its redirect URI is http://127.0.0.1${OIDC_REDIRECT_PATH} (any port).` },
      { id: 'clientSecret', label: 'Client secret', secret: true, hint: 'Only for a confidential client. Kept encrypted in Keyport.' },
      { id: 'scopes', label: 'Scopes', placeholder: DEFAULT_OIDC_SCOPES, hint: 'Separated by spaces; offline_access asks for a refresh token.' },
    ],
    copyFormats: [{ id: 'raw', label: 'Token' }],
    defaultCopyFormat: 'raw',
    sessionCopyFormats: SESSION_COPY.descriptors,
  },

  checkServer(url, options) {
    const checked: Record<string, string> = {};
    const clientId = options.clientId ?? '';
    if (!CLIENT_ID.test(clientId)) throw new KeyportError('VALIDATION', 'A client id has no spaces or special characters.', { field: 'clientId' });
    checked.clientId = clientId;
    if (options.scopes) {
      const scopes = options.scopes.split(/\s+/).filter(Boolean);
      if (!scopes.every((s) => SCOPE_TOKEN.test(s))) {
        throw new KeyportError('VALIDATION', 'Scopes are words separated by spaces, without quotes or backslashes.', { field: 'scopes' });
      }
      if (!scopes.includes('openid')) {
        throw new KeyportError('VALIDATION', 'The scopes must include openid.', { hint: `For example: ${DEFAULT_OIDC_SCOPES}.`, field: 'scopes' });
      }
      const normalized = [...new Set(scopes)].join(' ');
      if (normalized !== DEFAULT_OIDC_SCOPES) checked.scopes = normalized;
    }
    return { url, options: checked };
  },

  async describeServer(ctx) {
    return describe(await configure(ctx));
  },

  async signInWithBrowser(ctx, flow) {
    const config = await configure(ctx);
    const { browserSignIn } = await loadOidcClient();
    const tokens = await browserSignIn(ctx, config, {
      scope: scopesOf(ctx),
      openBrowser: flow.openBrowser,
      timeoutMs: flow.timeoutMs,
      signal: flow.signal,
      redirectPath: OIDC_REDIRECT_PATH,
    });
    return signInFrom(ctx, config, tokens);
  },

  async startDeviceSignIn(ctx, signal) {
    const config = await configure(ctx);
    const { startDeviceSignIn } = await loadOidcClient();
    const started = await startDeviceSignIn(ctx, config, scopesOf(ctx), signal, ctx.now);
    return { code: started.code, result: started.tokens.then((tokens) => signInFrom(ctx, config, tokens)) };
  },

  async renewSession(ctx, credentialText) {
    const previous = decodeCredential(credentialText);
    if (!previous.refreshToken) throw new KeyportError('AUTH_FAILED', `${ctx.server.name} gave Keyport no refresh token.`, { hint: 'Sign in again (the scopes need offline_access).' });
    const config = await configure(ctx);
    const { refreshTokens } = await loadOidcClient();
    const grant = grantFrom(ctx, await refreshTokens(ctx, config, previous.refreshToken), previous);
    // Who you are was settled at sign-in, with the UserInfo claims a refreshed ID token lacks:
    // keep those rather than show fewer claims after each refresh.
    delete grant.attributes?.claims;
    return grant;
  },

  async checkSession(ctx, accessToken) {
    const config = await configure(ctx);
    const { checkAccessToken } = await loadOidcClient();
    await checkAccessToken(ctx, config, accessToken);
  },

  /** RFC 7009: the refresh token first (on most servers that ends the whole grant), then the
   * access token. Both are tried; the first failure is what the person is told. */
  async endSession(ctx, { session, credential }) {
    const config = await configure(ctx);
    const { revokeToken } = await loadOidcClient();
    const refreshToken = credential === null ? null : decodeCredential(credential).refreshToken;
    let failure: unknown = null;
    for (const [token, hint] of [
      [refreshToken, 'refresh_token'],
      [session, 'access_token'],
    ] as const) {
      if (token === null) continue;
      try {
        await revokeToken(ctx, config, token, hint);
      } catch (error) {
        failure ??= error;
        if (error instanceof KeyportError && error.code === 'UNSUPPORTED') break;
      }
    }
    if (failure !== null) throw failure;
  },

  ...noTokenList('OpenID Connect', 'token'),

  copyEnvironment: () => [],

  renderSessionCopy: SESSION_COPY.render,
};
