import { abortableDelay } from '../abortableDelay';
import * as oidc from 'openid-client';
import { KeyportError } from '../errors';
import type { HttpMethod } from '../http/types';
import type { ServerContext } from '../providers/provider';
import { listenForRedirect } from './loopbackRedirect';
import { DEVICE_POLL_MAX_SECONDS, DEVICE_SLOW_DOWN_SECONDS, devicePollSeconds, signInTimedOut, type Wait } from './signInLimits';

// Loaded with import() through oidcLoader.ts only (openid-client stays out of start-up); what
// other kinds share with it without openid-client is in signInLimits.ts.
export type { Wait } from './signInLimits';

/** OpenID Connect for the kinds that sign in through a browser (anaconda, oidc): discovery,
 * authorization code + PKCE over a loopback redirect (RFC 8252), and the device authorization
 * grant (RFC 8628), all by panva's openid-client. Its HTTP goes through Keyport's own client,
 * so per-server TLS, the proxy settings and timeouts apply as for every other call. */

export interface OidcClientSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
}

export interface OidcTokens {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** Seconds, as the server said, or null. */
  expiresIn: number | null;
  scope: string | null;
  claims: Record<string, unknown> | null;
}

/** openid-client's fetch, carried by Keyport's HTTP client. */
function fetchThrough(ctx: ServerContext): oidc.CustomFetch {
  return async (url, options) => {
    const headers: Record<string, string> = { ...options.headers };
    const body = options.body;
    const rawBody = body === undefined || body === null ? undefined : body instanceof URLSearchParams ? body.toString() : typeof body === 'string' ? body : undefined;
    if (body !== undefined && body !== null && rawBody === undefined) throw new KeyportError('INTERNAL', 'An OAuth request had a body Keyport cannot send.');
    const res = await ctx.http.send(ctx.target, { method: options.method as HttpMethod, url, headers, rawBody, signal: options.signal });
    return new Response(res.status === 204 || res.status === 205 || res.status === 304 ? null : res.text, { status: res.status, headers: res.headers });
  };
}

/** Reads the issuer's discovery document. Plain http is allowed only for loopback issuers (a
 * test or a development server); anything else must be https. With a client secret, the client
 * authenticates as the server advertises: client_secret_basic unless only client_secret_post is
 * listed (OpenID Connect Discovery 1.0 §3: basic is the default when the list is absent).
 *
 * ID tokens: `alg: none` is never accepted, even where the discovery lists it, and every ID
 * token's signature is verified against the provider's JWKS (`jwks_uri`, fetched through
 * Keyport's HTTP client) — also over loopback http, where TLS proves nothing. openid-client
 * trusts the TLS channel by default (Core §3.1.3.7 allows it); its non-repudiation checks add
 * the signature check to every token answer that carries an ID token (code, device, refresh). */
export async function discover(ctx: ServerContext, settings: OidcClientSettings): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  const loopback = issuer.hostname === '127.0.0.1' || issuer.hostname === 'localhost' || issuer.hostname === '[::1]';
  if (issuer.protocol === 'http:' && !loopback) {
    throw new KeyportError('VALIDATION', 'Sign-in servers must use https.', { hint: 'Use the https address of the sign-in server.', field: 'url' });
  }
  const insecure = issuer.protocol === 'http:';
  let discovered: oidc.Configuration;
  try {
    discovered = await oidc.discovery(issuer, settings.clientId, undefined, oidc.None(), {
      [oidc.customFetch]: fetchThrough(ctx),
      execute: insecure ? [oidc.allowInsecureRequests] : [],
    });
  } catch (error) {
    throw oauthError(error, ctx, 'discovery');
  }
  const server = withoutUnsignedIdTokens(discovered.serverMetadata());
  let config: oidc.Configuration;
  if (settings.clientSecret) {
    const methods = server.token_endpoint_auth_methods_supported;
    const usePost = Array.isArray(methods) && methods.includes('client_secret_post') && !methods.includes('client_secret_basic');
    config = new oidc.Configuration(
      server,
      settings.clientId,
      { client_secret: settings.clientSecret },
      usePost ? oidc.ClientSecretPost(settings.clientSecret) : oidc.ClientSecretBasic(settings.clientSecret),
    );
  } else {
    config = new oidc.Configuration(server, settings.clientId, undefined, oidc.None());
  }
  config[oidc.customFetch] = fetchThrough(ctx);
  if (insecure) oidc.allowInsecureRequests(config);
  oidc.enableNonRepudiationChecks(config);
  return config;
}

/** The provider's metadata with `none` struck from the ID token algorithms: an unsigned ID token
 * is refused as having an unexpected `alg`, whatever the provider lists. */
function withoutUnsignedIdTokens(server: oidc.ServerMetadata): oidc.ServerMetadata {
  const algs = server.id_token_signing_alg_values_supported;
  if (!Array.isArray(algs)) return server;
  return { ...server, id_token_signing_alg_values_supported: algs.filter((alg) => typeof alg === 'string' && alg.toLowerCase() !== 'none') };
}

/** The refresh token grant (RFC 6749 §6). A server that rotates refresh tokens sends a new one;
 * one that does not leaves `refreshToken` null, and the old one stays in use. */
export async function refreshTokens(ctx: ServerContext, config: oidc.Configuration, refreshToken: string): Promise<OidcTokens> {
  try {
    return tokensFrom(await oidc.refreshTokenGrant(config, refreshToken));
  } catch (error) {
    throw oauthError(error, ctx, 'refresh', config);
  }
}

/** Token revocation (RFC 7009) at the advertised `revocation_endpoint`; UNSUPPORTED when the
 * server advertises none. Revoking a refresh token also ends the access tokens of its grant on
 * most servers (RFC 7009 §2.1 "should"). */
export async function revokeToken(ctx: ServerContext, config: oidc.Configuration, token: string, hint: 'refresh_token' | 'access_token'): Promise<void> {
  if (!config.serverMetadata().revocation_endpoint) {
    throw new KeyportError('UNSUPPORTED', `${ctx.server.name} offers no way to revoke tokens.`, { hint: 'The tokens stay valid until they expire.' });
  }
  try {
    await oidc.tokenRevocation(config, token, { token_type_hint: hint });
  } catch (error) {
    throw oauthError(error, ctx, 'revoke', config);
  }
}

/** The UserInfo endpoint's claims (OpenID Connect Core §5.3), checked to be about the ID
 * token's subject; null when the server advertises none. Many servers put only `sub` in the ID
 * token and the rest (email, name) here. */
export async function fetchUserClaims(ctx: ServerContext, config: oidc.Configuration, accessToken: string, subject: string | null): Promise<Record<string, unknown> | null> {
  if (!config.serverMetadata().userinfo_endpoint) return null;
  try {
    return (await oidc.fetchUserInfo(config, accessToken, subject ?? oidc.skipSubjectCheck)) as Record<string, unknown>;
  } catch (error) {
    throw oauthError(error, ctx, 'userinfo', config);
  }
}

/** Asks the UserInfo endpoint whether an access token still works: AUTH_FAILED when the server
 * refuses it. Does nothing when the server advertises no UserInfo endpoint. */
export async function checkAccessToken(ctx: ServerContext, config: oidc.Configuration, accessToken: string): Promise<void> {
  if (!config.serverMetadata().userinfo_endpoint) return;
  try {
    await oidc.fetchUserInfo(config, accessToken, oidc.skipSubjectCheck);
  } catch (error) {
    if (error instanceof oidc.WWWAuthenticateChallengeError || (error instanceof oidc.ResponseBodyError && error.status === 401)) {
      throw new KeyportError('AUTH_FAILED', `${ctx.server.name} no longer accepts the access token.`, { hint: 'Keyport refreshes it, or asks you to sign in again.' });
    }
    throw oauthError(error, ctx, 'userinfo', config);
  }
}

export interface BrowserSignInOptions {
  scope: string;
  openBrowser(url: string): Promise<void>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The path of the loopback redirect (anaconda-auth uses /auth/oidc). */
  redirectPath: string;
  /** Lets a test see the listener (port, closed) while the flow runs. */
  onListening?(info: { redirectUri: string; isClosed(): boolean }): void;
}

/** Authorization code + PKCE S256 + state + nonce, through the system browser and a one-shot
 * loopback listener on an ephemeral port. */
export async function browserSignIn(ctx: ServerContext, config: oidc.Configuration, options: BrowserSignInOptions): Promise<OidcTokens> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const listener = await listenForRedirect({ path: options.redirectPath, expectedState: state, timeoutMs: options.timeoutMs, signal: options.signal });
  options.onListening?.({ redirectUri: listener.redirectUri, isClosed: () => listener.closed });
  try {
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: listener.redirectUri,
      scope: options.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    await options.openBrowser(url.href);
    const callback = await listener.callback;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: options.scope.split(' ').includes('openid'),
      });
      return tokensFrom(tokens);
    } catch (error) {
      throw oauthError(error, ctx, 'code', config, options.scope);
    }
  } finally {
    listener.close();
  }
}

export interface DeviceCode {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  expiresAt: string;
  intervalSeconds: number;
}

export interface DeviceSignIn {
  code: DeviceCode;
  /** Polls at the (clamped) interval, slowing down when told, until the person approves. */
  tokens: Promise<OidcTokens>;
}



const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628. Refused with UNSUPPORTED when the server does not advertise it. Sends PKCE S256
 * (RFC 7636) when the server lists S256, as for the browser sign-in: providers that require
 * PKCE of a client require it on the device grant too. `wait` lets tests see the polling. */
export async function startDeviceSignIn(
  ctx: ServerContext,
  config: oidc.Configuration,
  scope: string,
  signal: AbortSignal,
  now: () => Date,
  wait: Wait = abortableDelay,
): Promise<DeviceSignIn> {
  const metadata = config.serverMetadata();
  if (!metadata.device_authorization_endpoint) {
    throw new KeyportError('UNSUPPORTED', `${ctx.server.name} does not offer sign-in with a code.`, { hint: 'Sign in with the browser instead.' });
  }
  const verifier = offersS256(config) ? oidc.randomPKCECodeVerifier() : null;
  const parameters: Record<string, string> = { scope };
  if (verifier !== null) Object.assign(parameters, { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  let response: oidc.DeviceAuthorizationResponse;
  try {
    response = await oidc.initiateDeviceAuthorization(config, parameters);
  } catch (error) {
    throw oauthError(error, ctx, 'device', config, scope);
  }
  const intervalSeconds = devicePollSeconds(response.interval);
  const grant: Record<string, string> = { device_code: response.device_code };
  if (verifier !== null) grant.code_verifier = verifier;
  const polled = pollDeviceGrant(config, grant, intervalSeconds, signal, wait);
  polled.catch(() => undefined);
  // A poll under way ends within the HTTP time limit; racing the signal makes Cancel and
  // Keyport's time limit take effect at once.
  const tokens = Promise.race([polled, rejectWhenAborted(signal)]).catch((error: unknown) => {
    throw oauthError(error, ctx, 'device', config, scope);
  });
  tokens.catch(() => undefined);
  return {
    code: {
      userCode: response.user_code,
      verificationUri: response.verification_uri,
      verificationUriComplete: response.verification_uri_complete ?? null,
      expiresAt: new Date(now().getTime() + response.expires_in * 1000).toISOString(),
      intervalSeconds,
    },
    tokens,
  };
}

/** RFC 8628 §3.4–3.5: waits the interval, asks, and goes on while the answer is
 * `authorization_pending` (same interval) or `slow_down` (5 s more). Anything else ends it; so
 * does the signal (Cancel, lock, Keyport's time limit, which covers the code's expiry too). */
async function pollDeviceGrant(config: oidc.Configuration, grant: Record<string, string>, intervalSeconds: number, signal: AbortSignal, wait: Wait): Promise<OidcTokens> {
  let interval = intervalSeconds;
  for (;;) {
    await wait(interval * 1000, signal);
    let answer: Awaited<ReturnType<typeof oidc.genericGrantRequest>>;
    try {
      answer = await oidc.genericGrantRequest(config, DEVICE_GRANT, grant);
    } catch (error) {
      signal.throwIfAborted();
      if (!(error instanceof oidc.ResponseBodyError)) throw error;
      if (error.error === 'slow_down') interval = Math.min(DEVICE_POLL_MAX_SECONDS, interval + DEVICE_SLOW_DOWN_SECONDS);
      else if (error.error !== 'authorization_pending') throw error;
      continue;
    }
    // Cancelled while the last request was under way: the tokens are not taken.
    signal.throwIfAborted();
    return tokensFrom(answer);
  }
}

/** Rejects with the signal's reason when it aborts: a KeyportError (TIMEOUT) passes through
 * oauthError as it is; a plain abort is a cancel. */
function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

const offersS256 = (config: oidc.Configuration): boolean => {
  const methods = config.serverMetadata().code_challenge_methods_supported;
  return Array.isArray(methods) && methods.includes('S256');
};

function tokensFrom(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): OidcTokens {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    idToken: tokens.id_token ?? null,
    expiresIn: tokens.expiresIn() ?? null,
    scope: tokens.scope ?? null,
    claims: (tokens.claims() as Record<string, unknown> | undefined) ?? null,
  };
}

/** openid-client's errors, as errors people can act on. OAuth error codes are echoed (they are
 * fixed vocabulary); descriptions are not (a server could put anything there). */
export function oauthError(
  error: unknown,
  ctx: ServerContext,
  step: 'discovery' | 'code' | 'device' | 'refresh' | 'revoke' | 'userinfo',
  config?: oidc.Configuration,
  scope?: string,
): KeyportError {
  if (error instanceof KeyportError) return error;
  const name = ctx.server.name;
  if (error instanceof oidc.ResponseBodyError && step === 'discovery') return notAnIssuer(name);
  if (step === 'discovery') {
    const named = issuerNamed(error);
    if (named !== null) return issuerMismatch(name, ctx.server.url, named);
  }
  // A refused client authentication (HTTP Basic) comes back as a WWW-Authenticate challenge
  // carrying the OAuth error code rather than as a JSON body.
  const code = error instanceof oidc.ResponseBodyError ? error.error : error instanceof oidc.WWWAuthenticateChallengeError ? challengeError(error) : null;
  if (code !== null) {
    switch (code) {
      case 'access_denied':
        return new KeyportError('CANCELLED', 'The sign-in was denied in the browser.', { hint: 'Sign in again when you are ready.' });
      case 'expired_token':
        return new KeyportError('TIMEOUT', 'The sign-in code expired before it was used.', { hint: 'Start again and enter the new code soon.' });
      case 'invalid_grant':
        return step === 'refresh'
          ? new KeyportError('AUTH_FAILED', `${name} no longer accepts the refresh token.`, { hint: 'Sign in again.' })
          : new KeyportError('AUTH_FAILED', `${name} refused to finish the sign-in (invalid_grant).`, {
              hint: 'The login code or its PKCE proof did not match. Start the sign-in again.',
            });
      case 'invalid_client':
        // A confidential client is refused for its secret far more often than for its id.
        if (config && isConfidential(config)) {
          return new KeyportError('AUTH_FAILED', `${name} does not accept Keyport’s client id and secret (invalid_client).`, {
            hint: 'Check the client id and client secret in the server’s settings.',
            field: 'clientSecret',
          });
        }
        return new KeyportError('AUTH_FAILED', `${name} does not accept Keyport’s client id (${code}).`, { hint: 'Check the client id in the server’s settings.', field: 'clientId' });
      case 'unauthorized_client':
        // RFC 6749 §5.2: the client is known but may not use this grant. Some providers
        // (Keycloak) also answer it to a wrong client secret.
        if (config && isConfidential(config)) {
          return new KeyportError('AUTH_FAILED', `${name} does not accept Keyport’s client secret, or does not let this client sign in this way (${code}).`, {
            hint: 'Check the client secret in the server’s settings; if it is right, let the client use this sign-in at the provider (for a code: the device authorization grant).',
            field: 'clientSecret',
          });
        }
        return new KeyportError('AUTH_FAILED', `${name} does not let Keyport’s client sign in this way (${code}).`, {
          hint: 'Let the client use this sign-in at the provider (for a code: the device authorization grant), or check the client id in the server’s settings.',
          field: 'clientId',
        });
      case 'not_allowed':
      case 'invalid_scope':
        if (scope?.split(' ').includes('offline_access')) {
          return new KeyportError('AUTH_FAILED', `${name} refused the scopes Keyport asked for (${code}); it may not allow offline_access for this client.`, {
            hint: 'Remove offline_access from the scopes in the server’s settings (you then sign in again when the access token expires), or allow offline access for the client at the provider.',
            field: 'scopes',
          });
        }
        return new KeyportError('AUTH_FAILED', `${name} refused the scopes Keyport asked for (${code}).`, { hint: 'Check the scopes in the server’s settings.', field: 'scopes' });
      default:
        return new KeyportError('AUTH_FAILED', `${name} refused the sign-in (${/^[\w.-]{1,64}$/.test(code) ? code : 'error'}).`, { hint: 'Try again.' });
    }
  }
  const idTokenProblem = unverifiableIdToken(error);
  if (idTokenProblem !== null) {
    return new KeyportError('BAD_RESPONSE', `${name} sent an ID token Keyport could not verify (${idTokenProblem}), so Keyport refused it.`, {
      hint: 'Try again. If it repeats, something between you and the provider may be altering its answers, or the provider signs ID tokens in a way Keyport does not accept (it needs an asymmetric signature: RS256, ES256, PS256, EdDSA…).',
    });
  }
  if (error instanceof oidc.AuthorizationResponseError) {
    return new KeyportError('AUTH_FAILED', `${name} refused the sign-in.`, { hint: 'Try again.' });
  }
  if (error instanceof oidc.ClientError) {
    const cause = error.cause;
    if (cause instanceof KeyportError) return cause;
    // Cancel, lock, or Keyport's own sign-in time limit stopped the polling.
    if (cause instanceof Error && cause.name === 'TimeoutError') return signInTimedOut();
    if (cause instanceof Error && cause.name === 'AbortError') {
      return new KeyportError('CANCELLED', 'The sign-in was cancelled or took too long.', { hint: 'Start it again when you are ready.' });
    }
    if (step === 'discovery') return notAnIssuer(name);
    return new KeyportError('BAD_RESPONSE', `${name} answered the sign-in in an unexpected way.`, { hint: 'Try again; if it repeats, the server may not support this sign-in.' });
  }
  if (error instanceof Error && error.name === 'AbortError') return new KeyportError('CANCELLED', 'The sign-in was cancelled.');
  if (error instanceof Error && error.name === 'TimeoutError') return signInTimedOut();
  // A discovery document openid-client cannot even read (an issuer that is no URL) is still
  // the server's fault, not Keyport's.
  if (step === 'discovery') return notAnIssuer(name);
  return new KeyportError('INTERNAL', 'The sign-in failed unexpectedly.', { hint: 'Try again.' });
}

/** Why an ID token was refused, in words, or null when the error is about something else. */
function unverifiableIdToken(error: unknown): string | null {
  const cause: unknown = error instanceof oidc.ClientError ? error.cause : error;
  if (!(cause instanceof Error)) return null;
  if (cause.message === 'unexpected JWT "alg" header parameter') {
    const alg = (cause.cause as { header?: { alg?: unknown } } | undefined)?.header?.alg;
    return typeof alg === 'string' && alg.toLowerCase() === 'none' ? 'it is not signed: alg none' : 'signed with an algorithm the provider does not list';
  }
  if (cause.message === 'JWT signature verification failed') return 'its signature does not match the provider’s keys';
  if (cause.message.startsWith('error when selecting a JWT verification key')) return 'none of the provider’s published keys fits its signature';
  if (cause.message === 'unsupported JWS algorithm') return 'signed with a shared secret, which proves nothing TLS does not';
  return null;
}

/** The OAuth error code of a WWW-Authenticate challenge (RFC 6750 §3), or 'error'. */
function challengeError(error: oidc.WWWAuthenticateChallengeError): string {
  const challenges: unknown = error.cause;
  if (Array.isArray(challenges)) {
    for (const challenge of challenges as Array<{ parameters?: Record<string, string | undefined> }>) {
      const value = challenge.parameters?.error;
      if (typeof value === 'string') return value;
    }
  }
  return 'error';
}

/** The issuer a discovery document names when it is not the address Keyport asked (OpenID
 * Connect Discovery §4.3), as a URL for people, or null for any other error. */
function issuerNamed(error: unknown): string | null {
  if (!(error instanceof oidc.ClientError) || error.code !== 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') return null;
  // openid-client's own check of the discovered issuer: the cause is { expected, body, attribute }.
  const detail = error.cause as { attribute?: unknown; body?: { issuer?: unknown } } | undefined;
  if (detail?.attribute !== 'issuer') return null;
  const issuer = detail.body?.issuer;
  if (typeof issuer !== 'string' || issuer.length > 300) return 'another address';
  const url = URL.parse(issuer);
  return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') ? url.href : 'another address';
}

const issuerMismatch = (name: string, typed: string, named: string): KeyportError =>
  new KeyportError('BAD_RESPONSE', `${name} is an OpenID Connect server, but its issuer is ${named}, not ${typed} as entered.`, {
    hint: 'Enter the issuer exactly as the server names it (the host name and path must match).',
    field: 'url',
  });

const notAnIssuer = (name: string): KeyportError =>
  new KeyportError('BAD_RESPONSE', `${name} did not answer as an OpenID Connect sign-in server.`, {
    hint: 'Check the address: Keyport reads <address>/.well-known/openid-configuration.',
    field: 'url',
  });

const isConfidential = (config: oidc.Configuration): boolean => typeof config.clientMetadata().client_secret === 'string';
