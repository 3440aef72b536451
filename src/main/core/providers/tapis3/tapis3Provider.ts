import { abortableDelay } from '../../abortableDelay';
import type { UserInfo } from '../../../../shared/model';
import { KeyportError } from '../../errors';
import { errorForStatus, parseJson } from '../../http/responses';
import type { HttpResponse } from '../../http/types';
import { ok, send } from '../serverHttp';
import { devicePollSeconds, signInTimedOut } from '../../oauth/signInLimits';
import { descriptionSettings, type Provider, type ProviderToken, type ResolvedClientChoice, type ServerContext, type SessionGrant, type SignInResult } from '../provider';
import { defaultClientName } from '../tapis/tapisProvider';
import { decodeTapis3Credential, encodeTapis3Credential, type Tapis3Credential } from './tapis3Credential';
import {
  CLIENTS_MAX_PAGES,
  CLIENTS_PAGE_SIZE,
  TAPIS3_EXPECTED,
  TAPIS3_PATHS,
  TAPIS_TOKEN_HEADER,
  clientListAnswer,
  createdClientAnswer,
  deviceCodeAnswer,
  errorAnswer,
  jwtExpiry,
  profileAnswer,
  tenantsAnswer,
  tokenAnswer,
  type Tapis3Client,
  type Tapis3Tenant,
} from './tapis3Protocol';
import { renderTapis3SessionCopy, TAPIS3_SESSION_COPY_FORMATS } from './tapis3Copy';

/** Tenant ids as Tapis names them (tacc, designsafe, a2cps). */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Keyport's rule for client ids it creates or is given: safe in the /clients/{id} path. */
const CLIENT_ID = /^[A-Za-z0-9_.-]{1,80}$/;

const withToken = (session: string) => ({ [TAPIS_TOKEN_HEADER]: session });

/** The server's error text, only to recognise it; never shown (a server could put anything there). */
function errorText(res: HttpResponse): string {
  try {
    const parsed = errorAnswer.safeParse(JSON.parse(res.text));
    return parsed.success ? parsed.data.message : '';
  } catch {
    return '';
  }
}

/** A refused X-Tapis-Token is AUTH_FAILED, so the session service renews once, then signs out. */
function apiError(ctx: ServerContext, res: HttpResponse, notFound?: KeyportError): KeyportError {
  return errorForStatus(res, ctx.server.name, {
    401: new KeyportError('AUTH_FAILED', `${ctx.server.name} did not accept the access token.`, { hint: 'Sign in again.' }),
    ...(notFound ? { 404: notFound } : {}),
  });
}

// --- Tenants ---------------------------------------------------------------------------------

async function listTenants(ctx: ServerContext): Promise<Tapis3Tenant[]> {
  const res = await send(ctx, { method: 'GET', path: TAPIS3_PATHS.tenants });
  if (!ok(res)) {
    throw errorForStatus(res, ctx.server.name, {
      404: new KeyportError('VALIDATION', `${ctx.server.name} has no Tapis v3 tenants API at this address.`, { hint: `Use the base URL of ${TAPIS3_EXPECTED}.`, field: 'url' }),
    });
  }
  return parseJson(res, tenantsAnswer, ctx.server.name, TAPIS3_EXPECTED).result;
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

/** The tenant this server is: the typed tenant id, or (as tapipy does without one) the tenant
 * whose base_url is the server's URL. An unknown tenant, or one served elsewhere, is refused. */
async function resolveTenant(ctx: ServerContext, listed?: Tapis3Tenant[]): Promise<Tapis3Tenant> {
  const tenants = listed ?? (await listTenants(ctx));
  const typed = ctx.server.options.tenantId ?? '';
  const known = tenants.map((t) => t.tenant_id).slice(0, 10).join(', ');
  if (typed === '') {
    const found = tenants.find((t) => sameUrl(t.base_url, ctx.server.url));
    if (found) return found;
    throw new KeyportError('VALIDATION', `No tenant of ${ctx.server.name} has the base URL ${ctx.server.url}.`, { hint: `Type the tenant id (${known}).`, field: 'tenantId' });
  }
  const found = tenants.find((t) => t.tenant_id === typed);
  if (!found) throw new KeyportError('VALIDATION', `${ctx.server.name} has no tenant “${typed}”.`, { hint: `Its tenants are: ${known}.`, field: 'tenantId' });
  if (!sameUrl(found.base_url, ctx.server.url)) {
    throw new KeyportError('VALIDATION', `The tenant “${typed}” is served at ${found.base_url}, not at this address.`, { hint: 'Use that base URL for this server.', field: 'url' });
  }
  return found;
}

// --- Tokens ----------------------------------------------------------------------------------

type Grant =
  | { grant_type: 'password'; username: string; password: string }
  | { grant_type: 'refresh_token'; refresh_token: string }
  | { grant_type: 'device_code'; device_code: string; client_id: string };

type Client = { clientId: string; clientKey: string };

interface IssuedTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: string;
}

/** The text of a refused grant, as the real Authenticator words it (HTTP 400 for all). */
const DEVICE_PENDING = /not ready|pending/i;

/** "device code not ready.": the person has not approved yet; the poll loop keeps going. It
 * never leaves startDeviceSignIn. */
class DeviceNotReady extends Error {}

function grantError(ctx: ServerContext, res: HttpResponse, grant: Grant['grant_type']): Error {
  if (res.status !== 400 && res.status !== 401) return errorForStatus(res, ctx.server.name);
  const message = errorText(res);
  if (grant === 'device_code' && DEVICE_PENDING.test(message)) return new DeviceNotReady();
  if (/client/i.test(message) && grant !== 'refresh_token') {
    return new KeyportError('AUTH_FAILED', `${ctx.server.name} did not accept the OAuth client’s id and key.`, {
      hint: 'The client may have been deleted. Sign in again and let Keyport create a new client.',
      field: 'clientSecret',
    });
  }
  switch (grant) {
    case 'password':
      return new KeyportError('AUTH_FAILED', 'Authentication failed.', { hint: 'Check your user name and password.', field: 'password' });
    case 'refresh_token':
      return new KeyportError('AUTH_FAILED', `${ctx.server.name} no longer accepts the refresh token.`, { hint: 'Sign in again.' });
    case 'device_code':
      if (/denied/i.test(message)) return new KeyportError('CANCELLED', 'The sign-in was denied on the other device.', { hint: 'Sign in again when you are ready.' });
      if (/expired/i.test(message)) return new KeyportError('TIMEOUT', 'The sign-in code expired before it was used.', { hint: 'Start again and enter the new code soon.' });
      return new KeyportError('AUTH_FAILED', `${ctx.server.name} refused the sign-in code.`, { hint: 'Start the sign-in again.' });
  }
}

/** Runs a grant. Tokens that tapipy could not use (not a JWT with exp) are refused here, before
 * anything is saved, so a bad answer never replaces a working session. */
async function requestTokens(ctx: ServerContext, client: Client | null, grant: Grant, signal?: AbortSignal): Promise<IssuedTokens> {
  const res = await send(ctx, {
    method: 'POST',
    path: TAPIS3_PATHS.tokens,
    json: grant,
    ...(client ? { basicAuth: { username: client.clientId, password: client.clientKey } } : {}),
    signal,
  });
  if (!ok(res)) throw grantError(ctx, res, grant.grant_type);
  const { result } = parseJson(res, tokenAnswer, ctx.server.name, TAPIS3_EXPECTED);
  const accessToken = result.access_token.access_token;
  const expiry = jwtExpiry(accessToken);
  if (!expiry) {
    throw new KeyportError('BAD_RESPONSE', `${ctx.server.name} sent an access token that is not a Tapis JWT.`, {
      hint: 'tapipy needs a JWT with an expiry; check that the URL points to a Tapis v3 tenant. Nothing was changed.',
    });
  }
  return { accessToken, refreshToken: result.refresh_token?.refresh_token ?? null, expiresAt: new Date(expiry.exp * 1000).toISOString() };
}

function grantFrom(ctx: ServerContext, tokens: IssuedTokens, client: Client): SessionGrant {
  if (tokens.refreshToken === null) {
    throw new KeyportError('BAD_RESPONSE', `${ctx.server.name} gave Keyport no refresh token for the OAuth client “${client.clientId}”.`, {
      hint: 'Without one the session cannot renew itself; let Keyport create a client.',
    });
  }
  const credential: Tapis3Credential = { clientId: client.clientId, clientKey: client.clientKey, refreshToken: tokens.refreshToken };
  return { session: tokens.accessToken, credential: encodeTapis3Credential(credential), expiresAt: tokens.expiresAt };
}

/** Best effort: a token that cannot be revoked expires on its own. */
async function revoke(ctx: ServerContext, token: string): Promise<boolean> {
  try {
    return ok(await send(ctx, { method: 'POST', path: TAPIS3_PATHS.revoke, json: { token } }));
  } catch {
    return false;
  }
}

// --- Who am I and the clients API: X-Tapis-Token -------------------------------------------

async function whoAmI(ctx: ServerContext, session: string): Promise<UserInfo> {
  const res = await send(ctx, { method: 'GET', path: TAPIS3_PATHS.userinfo, headers: withToken(session) });
  if (!ok(res)) throw apiError(ctx, res);
  const profile = parseJson(res, profileAnswer, ctx.server.name, TAPIS3_EXPECTED).result;
  const user: UserInfo = { name: profile.username };
  if (profile.email) user.email = profile.email;
  return user;
}

function checkClientId(id: string, field = 'name'): void {
  if (!CLIENT_ID.test(id)) {
    throw new KeyportError('VALIDATION', `“${id}” cannot be an OAuth client id.`, { hint: 'Use up to 80 letters, digits, dots, dashes and underscores.', field });
  }
}

async function createClient(ctx: ServerContext, session: string, clientId: string, description: string, field = 'name'): Promise<Tapis3Client & { client_key: string }> {
  checkClientId(clientId, field);
  const res = await send(ctx, { method: 'POST', path: TAPIS3_PATHS.clients, headers: withToken(session), json: { client_id: clientId, display_name: clientId, description } });
  if (!ok(res)) {
    if (res.status === 400 && /exist|taken|use/i.test(errorText(res))) {
      throw new KeyportError('CONFLICT', `An OAuth client “${clientId}” already exists on ${ctx.server.name}.`, { hint: 'Choose another id.', field });
    }
    throw apiError(ctx, res);
  }
  return parseJson(res, createdClientAnswer, ctx.server.name, TAPIS3_EXPECTED).result;
}

async function deleteClient(ctx: ServerContext, session: string, clientId: string): Promise<void> {
  const res = await send(ctx, { method: 'DELETE', path: TAPIS3_PATHS.client(clientId), headers: withToken(session) });
  if (!ok(res)) {
    throw apiError(ctx, res, new KeyportError('NOT_FOUND', `${ctx.server.name} has no OAuth client “${clientId}”.`, { hint: 'It may have been deleted already. Reload the list.' }));
  }
}

function isoOrNull(text: string): string | null {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function tokenOf(c: Tapis3Client): ProviderToken {
  return {
    id: c.client_id,
    name: c.client_id,
    createdAt: isoOrNull(c.create_time),
    lastUsedAt: null,
    expiresAt: null,
    scopes: null,
    extra: { description: c.description },
  };
}

// --- Sign-in ---------------------------------------------------------------------------------

/** The client a device sign-in uses: creating one needs a token, which the device flow is there
 * to get, so it is the one in the server's settings. */
async function settingsClient(ctx: ServerContext): Promise<Client> {
  const clientId = ctx.server.options.clientId ?? '';
  const clientKey = (await ctx.secretSetting?.('clientKey')) ?? '';
  if (clientId === '' || clientKey === '') {
    throw new KeyportError('VALIDATION', 'Signing in with a code needs an OAuth client.', {
      hint: 'Enter an OAuth client id and key in the server’s settings (create one under OAuth clients after a password sign-in), or sign in with your password.',
      field: 'clientId',
    });
  }
  return { clientId, clientKey };
}

async function finishSignIn(ctx: ServerContext, grant: SessionGrant, client: Client, tenant: Tapis3Tenant): Promise<SignInResult> {
  const user = await whoAmI(ctx, grant.session);
  return { ...grant, user, attributes: { clientId: client.clientId, tenantId: tenant.tenant_id }, dependsOnTokenId: client.clientId };
}


function abortError(signal: AbortSignal): KeyportError {
  const reason: unknown = signal.reason;
  if (reason instanceof KeyportError) return reason;
  return new KeyportError('CANCELLED', 'The sign-in was cancelled.');
}

export const tapis3Provider: Provider = {
  descriptor: {
    kind: 'tapis3',
    label: 'Tapis v3 (TACC)',
    description: 'TACC Tapis v3 tenants, as tapipy uses them: sign in with a code or a password; OAuth clients; JWT access tokens that renew themselves.',
    urlLabel: 'Tenant base URL',
    urlPlaceholder: 'https://tacc.tapis.io',
    signInMethods: ['device', 'password'],
    tokenNoun: 'OAuth client',
    tokenColumns: { created: true, lastUsed: false, expires: false, scopes: false },
    extraColumns: [{ id: 'description', label: 'Description' }],
    createFields: [{ id: 'description', label: 'Description', placeholder: 'What this client is for', hint: 'Optional; shown in the clients list.' }],
    revokeVerb: 'Delete',
    tokensNeedPassword: false,
    oauthClient: { noun: 'OAuth client', defaultNamePrefix: 'keyport-', keyLabel: 'Client id', secretLabel: 'Client key' },
    refreshableSession: true,
    serverDescription: { title: 'Tenants' },
    serverFields: [
      { id: 'tenantId', label: 'Tenant id', placeholder: 'tacc', hint: 'Found from the base URL when left empty (as tapipy does).' },
      { id: 'clientId', label: 'OAuth client id', placeholder: 'my-laptop', hint: 'For signing in with a code: an OAuth client of yours.' },
      { id: 'clientKey', label: 'OAuth client key', secret: true, hint: 'The key of that client. Kept encrypted in Keyport.' },
    ],
    copyFormats: [
      { id: 'raw', label: 'Client key only' },
      { id: 'shell', label: 'Shell (export)' },
      { id: 'powershell', label: 'PowerShell' },
      { id: 'cmd', label: 'Command Prompt' },
      { id: 'dotenv', label: '.env file' },
    ],
    defaultCopyFormat: 'shell',
    sessionCopyFormats: TAPIS3_SESSION_COPY_FORMATS,
  },

  checkServer(url, options) {
    const parsed = new URL(url);
    if (parsed.pathname !== '/' && parsed.pathname !== '') {
      throw new KeyportError('VALIDATION', 'A Tapis tenant base URL has no path.', { hint: `Use ${parsed.protocol}//${parsed.host}: tapipy adds /v3/… to it.`, field: 'url' });
    }
    const tenantId = (options.tenantId ?? '').trim();
    if (tenantId !== '' && !TENANT_ID.test(tenantId)) {
      throw new KeyportError('VALIDATION', 'That is not a tenant id, such as tacc.', { hint: 'Letters, digits, dots, dashes and underscores.', field: 'tenantId' });
    }
    const clientId = (options.clientId ?? '').trim();
    if (clientId !== '') checkClientId(clientId, 'clientId');
    const checked: Record<string, string> = {};
    if (tenantId) checked.tenantId = tenantId;
    if (clientId) checked.clientId = clientId;
    return { url: `${parsed.protocol}//${parsed.host}`, options: checked };
  },

  async describeServer(ctx) {
    const tenants = await listTenants(ctx);
    const tenant = await resolveTenant(ctx, tenants);
    const others = tenants.filter((t) => t.tenant_id !== tenant.tenant_id);
    return [
      { label: 'Tenant', value: tenant.tenant_id },
      ...(tenant.description ? [{ label: 'Description', value: tenant.description }] : []),
      ...(others.length > 0 ? [{ label: 'Other tenants of the site', value: others.map((t) => `${t.tenant_id} (${t.base_url})`).join(', ') }] : []),
    ];
  },

  async signInWithPassword(ctx, username, password, choice?: ResolvedClientChoice): Promise<SignInResult> {
    const tenant = await resolveTenant(ctx);
    if (choice?.type === 'existing') {
      const client = { clientId: choice.key, clientKey: choice.secret };
      const grant = grantFrom(ctx, await requestTokens(ctx, client, { grant_type: 'password', username, password }), client);
      return finishSignIn(ctx, grant, client, tenant);
    }
    // A new client needs a token to create it: a first password grant without a client gives
    // one (no refresh token); it is revoked once the client's own tokens are there.
    const bootstrap = await requestTokens(ctx, null, { grant_type: 'password', username, password });
    let client: Client | null = null;
    try {
      const created = await createClient(ctx, bootstrap.accessToken, choice?.name ?? defaultClientName(), 'Created by Keyport for signing in', 'clientName');
      client = { clientId: created.client_id, clientKey: created.client_key };
      const grant = grantFrom(ctx, await requestTokens(ctx, client, { grant_type: 'password', username, password }), client);
      const result = await finishSignIn(ctx, grant, client, tenant);
      await revoke(ctx, bootstrap.accessToken);
      return result;
    } catch (error) {
      // A client created for a sign-in that failed is of no use: delete it again (best effort).
      if (client) await deleteClient(ctx, bootstrap.accessToken, client.clientId).catch(() => undefined);
      await revoke(ctx, bootstrap.accessToken);
      throw error;
    }
  },

  async startDeviceSignIn(ctx, signal) {
    const tenant = await resolveTenant(ctx);
    const client = await settingsClient(ctx);
    const res = await send(ctx, { method: 'POST', path: TAPIS3_PATHS.deviceCode, json: { client_id: client.clientId }, signal });
    if (!ok(res)) {
      throw errorForStatus(res, ctx.server.name, {
        400: new KeyportError('VALIDATION', `${ctx.server.name} did not accept the OAuth client “${client.clientId}” for a code.`, { hint: 'Check the client id in the server’s settings.', field: 'clientId' }),
      });
    }
    const device = parseJson(res, deviceCodeAnswer, ctx.server.name, TAPIS3_EXPECTED).result;
    const expiresAtMs = ctx.now().getTime() + device.expires_in * 1000;
    // The server's interval, clamped to [5 s, 60 s] as for every device sign-in (RFC 8628).
    const intervalSeconds = devicePollSeconds(device.interval);
    const poll = async (): Promise<SignInResult> => {
      for (;;) {
        try {
          await abortableDelay(intervalSeconds * 1000, signal);
        } catch {
          throw abortError(signal);
        }
        if (ctx.now().getTime() >= expiresAtMs + intervalSeconds * 1000) throw signInTimedOut();
        try {
          const tokens = await requestTokens(ctx, client, { grant_type: 'device_code', device_code: device.device_code, client_id: client.clientId }, signal);
          return await finishSignIn(ctx, grantFrom(ctx, tokens, client), client, tenant);
        } catch (error) {
          if (signal.aborted) throw abortError(signal);
          if (!(error instanceof DeviceNotReady)) throw error;
        }
      }
    };
    const result = poll();
    result.catch(() => undefined);
    return {
      code: { userCode: device.user_code, verificationUri: device.verification_uri, verificationUriComplete: null, expiresAt: new Date(expiresAtMs).toISOString(), intervalSeconds },
      result,
    };
  },

  async renewSession(ctx, credentialText) {
    const credential = decodeTapis3Credential(credentialText);
    const client = { clientId: credential.clientId, clientKey: credential.clientKey };
    return grantFrom(ctx, await requestTokens(ctx, client, { grant_type: 'refresh_token', refresh_token: credential.refreshToken }), client);
  },

  async checkSession(ctx, session) {
    await whoAmI(ctx, session);
  },

  async endSession(ctx, { session, credential }) {
    const refreshToken = credential === null ? null : decodeTapis3Credential(credential).refreshToken;
    const results = await Promise.all([refreshToken === null ? true : revoke(ctx, refreshToken), revoke(ctx, session)]);
    if (results.includes(false)) {
      throw new KeyportError('SERVER_ERROR', `${ctx.server.name} did not confirm that the session’s tokens were revoked.`, { hint: 'They stop working when they expire.' });
    }
  },

  async listTokens(ctx, auth) {
    const all: ProviderToken[] = [];
    for (let page = 0; page < CLIENTS_MAX_PAGES; page += 1) {
      const res = await send(ctx, {
        method: 'GET',
        path: TAPIS3_PATHS.clients,
        query: { limit: String(CLIENTS_PAGE_SIZE), offset: String(page * CLIENTS_PAGE_SIZE) },
        headers: withToken(auth.session),
      });
      if (!ok(res)) throw apiError(ctx, res);
      const clients = parseJson(res, clientListAnswer, ctx.server.name, TAPIS3_EXPECTED).result;
      all.push(...clients.map(tokenOf));
      if (clients.length < CLIENTS_PAGE_SIZE) break;
    }
    return all;
  },

  async listedSettings(ctx, auth, tokenId) {
    return descriptionSettings(await tapis3Provider.listTokens(ctx, auth), tokenId, ctx.server.name);
  },

  async createToken(ctx, auth, { name, fields }) {
    const created = await createClient(ctx, auth.session, name, fields.description ?? '');
    return { token: tokenOf(created), secret: created.client_key, identifier: { label: 'Client id', value: created.client_id } };
  },

  async revokeToken(ctx, auth, clientId) {
    await deleteClient(ctx, auth.session, clientId);
  },

  /** Keyport's own names (tapipy reads no variables), as in the session's copy formats. Without
   * a typed tenant id the variable is left out: tapipy finds the tenant from the base URL. */
  copyEnvironment(server, secret, attributes) {
    const tenantId = server.options.tenantId ?? '';
    return [
      ['TAPIS_BASE_URL', server.url],
      ...(tenantId ? [['TAPIS_TENANT_ID', tenantId] as [string, string]] : []),
      ['TAPIS_CLIENT_ID', attributes.key ?? attributes.tokenId ?? ''],
      ['TAPIS_CLIENT_KEY', secret],
    ];
  },

  renderSessionCopy(server, material, format) {
    return renderTapis3SessionCopy(server, material, format, (credential) => decodeTapis3Credential(credential));
  },
};

