import * as oidc from 'openid-client';
import { KeyportError } from '../errors';
import type { HttpMethod } from '../http/types';
import type { ServerContext } from '../providers/provider';
import { listenForRedirect } from './loopbackRedirect';

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
 * test or a development server); anything else must be https. */
export async function discover(ctx: ServerContext, settings: OidcClientSettings): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  const loopback = issuer.hostname === '127.0.0.1' || issuer.hostname === 'localhost' || issuer.hostname === '[::1]';
  if (issuer.protocol === 'http:' && !loopback) {
    throw new KeyportError('VALIDATION', 'Sign-in servers must use https.', { hint: 'Use the https address of the sign-in server.', field: 'url' });
  }
  try {
    return await oidc.discovery(issuer, settings.clientId, settings.clientSecret ? { client_secret: settings.clientSecret } : undefined, settings.clientSecret ? oidc.ClientSecretPost(settings.clientSecret) : oidc.None(), {
      [oidc.customFetch]: fetchThrough(ctx),
      execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
    });
  } catch (error) {
    throw oauthError(error, ctx, 'discovery');
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
      throw oauthError(error, ctx, 'code');
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
  /** Polls at the server's interval (slowing down when told) until the person approves. */
  tokens: Promise<OidcTokens>;
}

/** RFC 8628. Refused with UNSUPPORTED when the server does not advertise it. */
export async function startDeviceSignIn(ctx: ServerContext, config: oidc.Configuration, scope: string, signal: AbortSignal, now: () => Date): Promise<DeviceSignIn> {
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new KeyportError('UNSUPPORTED', `${ctx.server.name} does not offer sign-in with a code.`, { hint: 'Sign in with the browser instead.' });
  }
  let response: oidc.DeviceAuthorizationResponse;
  try {
    response = await oidc.initiateDeviceAuthorization(config, { scope });
  } catch (error) {
    throw oauthError(error, ctx, 'device');
  }
  // openid-client looks at the signal only between polls (every `interval` seconds): racing it
  // makes Cancel and the time limit take effect at once.
  const polled = oidc.pollDeviceAuthorizationGrant(config, response, undefined, { signal }).then(tokensFrom);
  polled.catch(() => undefined);
  const tokens = Promise.race([polled, rejectWhenAborted(signal)]).catch((error: unknown) => {
    throw oauthError(error, ctx, 'device');
  });
  tokens.catch(() => undefined);
  return {
    code: {
      userCode: response.user_code,
      verificationUri: response.verification_uri,
      verificationUriComplete: response.verification_uri_complete ?? null,
      expiresAt: new Date(now().getTime() + response.expires_in * 1000).toISOString(),
      intervalSeconds: response.interval ?? 5,
    },
    tokens,
  };
}

/** Rejects with the signal's reason when it aborts: a KeyportError (TIMEOUT) passes through
 * oauthError as it is; a plain abort is a cancel. */
function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

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
export function oauthError(error: unknown, ctx: ServerContext, step: 'discovery' | 'code' | 'device' | 'refresh'): KeyportError {
  if (error instanceof KeyportError) return error;
  const name = ctx.server.name;
  if (error instanceof oidc.ResponseBodyError) {
    switch (error.error) {
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
      case 'unauthorized_client':
        return new KeyportError('AUTH_FAILED', `${name} does not accept Keyport’s client id (${error.error}).`, { hint: 'Check the client id in the server’s settings.', field: 'clientId' });
      default:
        return new KeyportError('AUTH_FAILED', `${name} refused the sign-in (${/^[\w.-]{1,64}$/.test(error.error) ? error.error : 'error'}).`, { hint: 'Try again.' });
    }
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
    if (step === 'discovery') {
      return new KeyportError('BAD_RESPONSE', `${name} did not answer as an OpenID Connect sign-in server.`, {
        hint: 'Check the address: Keyport reads <address>/.well-known/openid-configuration.',
        field: 'url',
      });
    }
    return new KeyportError('BAD_RESPONSE', `${name} answered the sign-in in an unexpected way.`, { hint: 'Try again; if it repeats, the server may not support this sign-in.' });
  }
  if (error instanceof Error && error.name === 'AbortError') return new KeyportError('CANCELLED', 'The sign-in was cancelled.');
  if (error instanceof Error && error.name === 'TimeoutError') return signInTimedOut();
  return new KeyportError('INTERNAL', 'The sign-in failed unexpectedly.', { hint: 'Try again.' });
}

/** Keyport's own time limit on a sign-in that waits for the person (not the server's code expiry). */
export const signInTimedOut = (): KeyportError =>
  new KeyportError('TIMEOUT', 'The sign-in took too long and was stopped.', { hint: 'Start it again when you are ready to finish it.' });
