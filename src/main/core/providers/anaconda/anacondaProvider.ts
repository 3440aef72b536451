import { z } from 'zod';
import type { UserInfo } from '../../../../shared/model';
import { ENVIRONMENT_COPY_FORMATS, renderCopyText } from '../../clipboard/copyFormats';
import { KeyportError } from '../../errors';
import { errorForStatus, parseJson } from '../../http/responses';
import type { HttpRequest, HttpResponse } from '../../http/types';
import { ok } from '../serverHttp';
import type { OidcTokens } from '../../oauth/oidcClient';
import { loadOidcClient } from '../../oauth/oidcLoader';
import type { ServerRecord } from '../../vault/records';
import type { Provider, ProviderToken, ServerContext, SignInResult } from '../provider';
import { probeAddress } from '../serverProbe';
import { keyringDomain, keyringPath, parseKeyring, removeFromKeyring, renderKeyring } from './anacondaKeyring';
import { requireApiKeyExpiry } from './apiKeyJwt';

/** The public client id of the anaconda CLIs (anaconda_auth/config.py). */
export const ANACONDA_PUBLIC_CLIENT_ID = 'b4ad7f1d-c784-46b5-a9fe-106e50441f5a';
/** What anaconda-auth's browser login asks for (actions.py make_auth_code_request_url). */
const BROWSER_SCOPE = 'openid email profile offline_access';
/** Its device login asks for `openid` only (actions.py _do_device_flow). */
const DEVICE_SCOPE = 'openid';
/** The scopes anaconda-auth mints its key with (actions.py get_api_key). */
const KEY_SCOPES = ['cloud:read', 'cloud:write', 'repo:read'];
const KEY_TAGS = ['keyport'];
const EXPECTED = 'an Anaconda site';
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$/;

const mintedAnswer = z.object({ api_key: z.string().min(1), id: z.string().optional(), expires_at: z.string().optional() });
const keyListAnswer = z.array(
  z.object({
    id: z.string(),
    name: z.string().nullable().optional(),
    scopes: z.array(z.string()).nullable().optional(),
    created_at: z.string().nullable().optional(),
    expires_at: z.string().nullable().optional(),
    last_used_at: z.string().nullable().optional(),
  }),
);
const accountAnswer = z.object({
  user: z.object({ email: z.string().nullable().optional(), username: z.string().nullable().optional(), first_name: z.string().nullable().optional(), last_name: z.string().nullable().optional() }),
});

/** domain_validator of anaconda-auth: keep host[:port] of whatever was typed. */
function hostOf(value: string): string {
  const withScheme = /^https?:\/\//i.test(value) ? value : `https://${value}`;
  try {
    return new URL(withScheme).host;
  } catch {
    return '';
  }
}

/** Where sign-in lives: the auth-domain override, else the site itself, with the site's scheme. */
const authBase = (server: ServerRecord): string => {
  const site = new URL(server.url);
  return server.options.authDomain ? `${site.protocol}//${server.options.authDomain}` : `${site.protocol}//${site.host}`;
};

/** Headers Keyport sets itself (the credential), or that change how the request is framed or
 * routed: a stored option must not be able to smuggle a second request or a different host. */
const RESERVED_HEADERS = new Set(['authorization', 'proxy-authorization', 'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer']);

/** A token name (RFC 9110) that is not reserved, and a one-line Latin-1 value (what HTTP/1.1
 * can carry; fetch refuses the rest at send time, too late to say which option is wrong). */
function isExtraHeader(name: string, value: unknown): boolean {
  return (
    /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(name) &&
    !RESERVED_HEADERS.has(name.toLowerCase()) &&
    typeof value === 'string' &&
    value.length <= 4096 &&
    /^[\t\x20-\x7e\x80-\xff]*$/.test(value)
  );
}

function extraHeaders(server: ServerRecord): Record<string, string> {
  return server.options.extraHeaders ? (JSON.parse(server.options.extraHeaders) as Record<string, string>) : {};
}

async function send(ctx: ServerContext, request: Omit<HttpRequest, 'headers'>): Promise<HttpResponse> {
  return ctx.http.send(ctx.target, { ...request, headers: extraHeaders(ctx.server) });
}

/** A key the site no longer accepts means the session is over (AUTH_FAILED). */
function apiError(ctx: ServerContext, res: HttpResponse, overrides: Partial<Record<number, KeyportError>> = {}): KeyportError {
  return errorForStatus(res, ctx.server.name, {
    401: new KeyportError('AUTH_FAILED', `${ctx.server.name} no longer accepts Keyport’s API key.`, { hint: 'Sign in again.' }),
    ...overrides,
  });
}

/** As anaconda-auth's get_api_key: the auth domain's /api/auth/api-keys, then the site's
 * /api/iam/api-keys; only a 201 counts. */
async function mintApiKey(ctx: ServerContext, accessToken: string): Promise<{ apiKey: string; id: string | null }> {
  const urls = [`${authBase(ctx.server)}/api/auth/api-keys`, `${ctx.server.url}/api/iam/api-keys`];
  let last: HttpResponse | null = null;
  for (const url of urls) {
    const res = await send(ctx, { method: 'POST', url, bearer: accessToken, json: { scopes: KEY_SCOPES, tags: KEY_TAGS } });
    if (res.status === 201) {
      const minted = parseJson(res, mintedAnswer, ctx.server.name, EXPECTED);
      return { apiKey: minted.api_key, id: minted.id ?? null };
    }
    last = res;
  }
  throw new KeyportError('AUTH_FAILED', `${ctx.server.name} signed you in but gave no API key (HTTP ${last?.status ?? '?'}).`, {
    hint: 'Your account may not be allowed to create API keys. Try again later.',
  });
}

async function account(ctx: ServerContext, apiKey: string): Promise<UserInfo> {
  const res = await send(ctx, { method: 'GET', url: `${ctx.server.url}/api/account`, bearer: apiKey });
  if (!ok(res)) throw apiError(ctx, res);
  const { user } = parseJson(res, accountAnswer, ctx.server.name, EXPECTED);
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username || user.email || 'Anaconda user';
  const info: UserInfo = { name: user.username || name };
  if (user.email) info.email = user.email;
  return info;
}

/** Mints the session's API key. A sign-in cancelled while the tokens were on their way mints
 * nothing; one cancelled while the key was being minted revokes it again (best effort), so a
 * Cancel never leaves a key on the account that nobody holds. */
async function sessionFrom(ctx: ServerContext, tokens: OidcTokens, signal: AbortSignal): Promise<SignInResult> {
  if (signal.aborted) throw cancelledBy(signal);
  const { apiKey, id } = await mintApiKey(ctx, tokens.accessToken);
  if (signal.aborted) {
    if (id) await revokeApiKey(ctx, apiKey, id).catch(() => undefined);
    throw cancelledBy(signal);
  }
  const expiresAt = requireApiKeyExpiry(apiKey, ctx.server.name).toISOString();
  const user = await account(ctx, apiKey);
  return { session: apiKey, credential: null, expiresAt, user, dependsOnTokenId: id ?? undefined };
}

async function revokeApiKey(ctx: ServerContext, session: string, id: string): Promise<void> {
  const res = await send(ctx, { method: 'DELETE', url: `${ctx.server.url}/api/iam/api-keys/${encodeURIComponent(id)}`, bearer: session });
  if (ok(res)) return;
  throw apiError(ctx, res, { 404: new KeyportError('NOT_FOUND', `${ctx.server.name} has no such API key.`, { hint: 'It may have been revoked already. Reload the list.' }) });
}

const cancelledBy = (signal: AbortSignal): KeyportError =>
  signal.reason instanceof KeyportError ? signal.reason : new KeyportError('CANCELLED', 'The sign-in was cancelled.');

const oidcSettings = (server: ServerRecord) => ({ issuer: authBase(server), clientId: server.options.clientId || ANACONDA_PUBLIC_CLIENT_ID });

/** The two generations of the anaconda tools, each with its own variables: anaconda-auth (0.8
 * and later: ANACONDA_AUTH_*) and the older anaconda-cloud-auth 0.7 (ANACONDA_CLOUD_* only, and
 * anaconda.cloud as its default domain). anaconda-auth still reads ANACONDA_CLOUD_* too, but
 * prints a notice about them on stdout, so a copy never mixes the two. */
type Generation = 'auth' | 'cloud';
const CLOUD_PREFIX = 'cloud-';
const ENVIRONMENT_FORMAT_IDS = ENVIRONMENT_COPY_FORMATS.filter((f) => f.id !== 'raw');

/** Token only, then one set of environment formats per generation. */
const COPY_FORMATS = [
  ...ENVIRONMENT_COPY_FORMATS.map((f) => (f.id === 'raw' ? f : { id: f.id, label: `${f.label} — anaconda-auth` })),
  ...ENVIRONMENT_FORMAT_IDS.map((f) => ({ id: `${CLOUD_PREFIX}${f.id}`, label: `${f.label} — anaconda-cloud-auth 0.7` })),
];

/** Everything the generation's client needs to call the site with the key: the domain, the key,
 * how to check the site's certificate, and the extra headers (both clients' settings take these
 * from the environment: anaconda_auth/config.py, anaconda_cloud_auth/config.py). */
function environment(server: ServerRecord, apiKey: string, generation: Generation = 'auth'): Array<[string, string]> {
  const prefix = generation === 'auth' ? 'ANACONDA_AUTH_' : 'ANACONDA_CLOUD_';
  const env: Array<[string, string]> = [];
  const domain = keyringDomain(server);
  // anaconda-cloud-auth 0.7 defaults to anaconda.cloud, so it always needs the domain.
  if (generation === 'cloud' || domain !== 'anaconda.com') env.push([`${prefix}DOMAIN`, domain]);
  env.push([`${prefix}API_KEY`, apiKey]);
  if (server.allowInsecureTls) env.push([`${prefix}SSL_VERIFY`, '0']);
  else if (server.caCertificatePath !== null) {
    // anaconda-auth takes a CA file as ssl_verify; 0.7's ssl_verify is a bool, but its requests
    // calls read the bundle from REQUESTS_CA_BUNDLE.
    env.push(generation === 'auth' ? [`${prefix}SSL_VERIFY`, server.caCertificatePath] : ['REQUESTS_CA_BUNDLE', server.caCertificatePath]);
  }
  if (server.options.extraHeaders) env.push([`${prefix}EXTRA_HEADERS`, server.options.extraHeaders]);
  return env;
}

/** The copy text of an API key in one of COPY_FORMATS. */
function renderKeyCopy(server: ServerRecord, apiKey: string, format: string): string {
  const generation: Generation = format.startsWith(CLOUD_PREFIX) ? 'cloud' : 'auth';
  const base = generation === 'cloud' ? format.slice(CLOUD_PREFIX.length) : format;
  if (generation === 'cloud' && base === 'raw') throw new KeyportError('VALIDATION', `Unknown copy format “${format}”.`, { field: 'format' });
  return renderCopyText(base, apiKey, environment(server, apiKey, generation));
}

export const anacondaProvider: Provider = {
  descriptor: {
    kind: 'anaconda',
    label: 'Anaconda',
    description: 'anaconda.com and Anaconda sites, as anaconda-auth signs in: browser or code login, then API keys.',
    urlLabel: 'Site',
    urlPlaceholder: 'https://anaconda.com',
    signInMethods: ['browser', 'device'],
    tokenNoun: 'API key',
    tokenColumns: { created: true, lastUsed: true, expires: true, scopes: true },
    extraColumns: [],
    createFields: [],
    revokeVerb: 'Revoke',
    tokensNeedPassword: false,
    refreshableSession: false,
    serverFields: [
      { id: 'authDomain', label: 'Sign-in domain', placeholder: 'auth.anaconda.com', hint: 'Only if sign-in lives on another host (anaconda-auth’s auth_domain_override).' },
      { id: 'clientId', label: 'Client id', placeholder: ANACONDA_PUBLIC_CLIENT_ID, hint: 'Leave empty for the public client of the anaconda tools.' },
      { id: 'extraHeaders', label: 'Extra headers (JSON object)', placeholder: '{"X-Org": "acme"}', hint: 'Sent with every API request, as anaconda-auth’s extra_headers.' },
    ],
    copyFormats: COPY_FORMATS,
    defaultCopyFormat: 'shell',
    sessionCopyFormats: COPY_FORMATS.map((f) => ({ id: f.id, label: f.id === 'raw' ? 'API key' : `API key (${f.label})` })),
    sessionFile: {
      displayPath: '~/.anaconda/keyring',
      consumer: 'anaconda-auth and conda',
      removableEntry: true,
      holdsSavedTokens: true,
      exportNote:
        'Keyport writes this site’s API key into the keyring file and leaves every other entry as it is. anaconda-auth ignores the file while ANACONDA_AUTH_API_KEY or ANACONDA_CLOUD_API_KEY is set.',
    },
  },

  /** What anaconda-auth reads first, the sign-in server's OpenID Connect discovery, then the
   * account call without an API key, which an Anaconda site refuses with 401 (or 403): a plain
   * OpenID Connect server has no /api/account, a private npm registry no discovery. */
  async probeServer(ctx) {
    const { discover } = await loadOidcClient();
    await discover(ctx, oidcSettings(ctx.server));
    await probeAddress(ctx, { request: { method: 'GET', path: '/api/account', headers: extraHeaders(ctx.server) }, statuses: [401, 403], expected: EXPECTED });
  },

  checkServer(url, options) {
    const site = new URL(url);
    if (site.pathname !== '/' && site.pathname !== '') {
      throw new KeyportError('VALIDATION', 'An Anaconda site address has no path.', { hint: `Use ${site.protocol}//${site.host}.`, field: 'url' });
    }
    const checked: Record<string, string> = {};
    if (options.authDomain) {
      const host = hostOf(options.authDomain);
      if (!HOST.test(host)) throw new KeyportError('VALIDATION', 'Enter the sign-in domain as a host name, such as auth.anaconda.com.', { field: 'authDomain' });
      checked.authDomain = host;
    }
    if (options.clientId) {
      if (!/^[\x21-\x7e]{1,200}$/.test(options.clientId)) throw new KeyportError('VALIDATION', 'A client id has no spaces or special characters.', { field: 'clientId' });
      checked.clientId = options.clientId;
    }
    if (options.extraHeaders) {
      let headers: unknown;
      try {
        headers = JSON.parse(options.extraHeaders);
      } catch {
        throw new KeyportError('VALIDATION', 'Extra headers must be a JSON object, such as {"X-Org": "acme"}.', { field: 'extraHeaders' });
      }
      const valid = typeof headers === 'object' && headers !== null && !Array.isArray(headers) && Object.entries(headers).every(([k, v]) => isExtraHeader(k, v));
      if (!valid) {
        throw new KeyportError('VALIDATION', 'Extra headers must map header names to text (and cannot set Authorization, Host or connection headers).', {
          hint: 'For example {"X-Org": "acme"}: names of letters, digits and dashes; values on one line, in Latin characters.',
          field: 'extraHeaders',
        });
      }
      checked.extraHeaders = JSON.stringify(headers);
    }
    return { url: `${site.protocol}//${site.host}`, options: checked };
  },

  async signInWithBrowser(ctx, flow) {
    const { discover, browserSignIn } = await loadOidcClient();
    const config = await discover(ctx, oidcSettings(ctx.server));
    const tokens = await browserSignIn(ctx, config, {
      scope: BROWSER_SCOPE,
      openBrowser: flow.openBrowser,
      timeoutMs: flow.timeoutMs,
      signal: flow.signal,
      redirectPath: '/auth/oidc',
    });
    return sessionFrom(ctx, tokens, flow.signal);
  },

  async startDeviceSignIn(ctx, signal) {
    const { discover, startDeviceSignIn } = await loadOidcClient();
    const config = await discover(ctx, oidcSettings(ctx.server));
    const started = await startDeviceSignIn(ctx, config, DEVICE_SCOPE, signal, ctx.now);
    return { code: started.code, result: started.tokens.then((tokens) => sessionFrom(ctx, tokens, signal)) };
  },

  async checkToken(ctx, apiKey) {
    await account(ctx, apiKey);
  },

  async checkSession(ctx, apiKey) {
    await account(ctx, apiKey);
  },

  async listTokens(ctx, { session }): Promise<ProviderToken[]> {
    const res = await send(ctx, { method: 'GET', url: `${ctx.server.url}/api/iam/api-keys`, bearer: session });
    if (!ok(res)) throw apiError(ctx, res);
    return parseJson(res, keyListAnswer, ctx.server.name, EXPECTED).map((k) => ({
      id: k.id,
      name: k.name || `Unnamed key (${k.id.slice(0, 8)})`,
      createdAt: k.created_at ?? null,
      lastUsedAt: k.last_used_at ?? null,
      expiresAt: k.expires_at ?? null,
      scopes: k.scopes ?? null,
    }));
  },

  async createToken(ctx, { session }, { name }) {
    const res = await send(ctx, { method: 'POST', url: `${ctx.server.url}/api/iam/api-keys`, bearer: session, json: { name, scopes: KEY_SCOPES, tags: KEY_TAGS } });
    if (res.status !== 201 && !ok(res)) throw apiError(ctx, res);
    const minted = parseJson(res, mintedAnswer, ctx.server.name, EXPECTED);
    const expiresAt = requireApiKeyExpiry(minted.api_key, ctx.server.name).toISOString();
    const id = minted.id ?? minted.api_key.slice(-12);
    return {
      token: { id, name, createdAt: ctx.now().toISOString(), lastUsedAt: null, expiresAt, scopes: KEY_SCOPES },
      secret: minted.api_key,
    };
  },

  revokeToken: (ctx, { session }, id) => revokeApiKey(ctx, session, id),

  copyEnvironment: (server, secret) => environment(server, secret),

  renderTokenCopy: (format, secret, _attributes, server) => (server === undefined ? null : renderKeyCopy(server, secret, format)),

  renderSessionCopy: (server, material, format) => renderKeyCopy(server, material.session, format),

  sessionFile: {
    defaultPath: keyringPath,
    parse: async (text) => parseKeyring(text),
    sameServer: (server, imported) => new URL(server.url).host === new URL(imported.url).host,
    render: (server, material, existing) => ({ text: renderKeyring(server, material, existing), warnings: [] }),
    remove: removeFromKeyring,
  },
};
