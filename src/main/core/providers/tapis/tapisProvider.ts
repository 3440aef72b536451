import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { echoInput } from '../../../../shared/echoInput';
import type { UserInfo } from '../../../../shared/model';
import { ENVIRONMENT_COPY_FORMATS, renderCopyText } from '../../clipboard/copyFormats';
import { KeyportError } from '../../errors';
import { errorForStatus, parseJson } from '../../http/responses';
import type { HttpResponse } from '../../http/types';
import { ok, send } from '../serverHttp';
import { ACCESS_TOKEN_COPY, AUTHORIZATION_HEADER_COPY, sessionCopyFormats } from '../sessionCopy';
import { descriptionSettings, type Provider, type ProviderToken, type ResolvedClientChoice, type ServerContext, type SessionGrant, type SignInResult, type TokenAuth } from '../provider';
import { probeAddress } from '../serverProbe';
import { renderAgaveConfig } from './agaveConfig';
import { agaveCurrentPath, exportWarnings, parseAgaveCurrent, renderAgaveCurrent } from './agaveCurrent';
import { decodeCredential, encodeCredential, type TapisCredential } from './tapisCredential';
import {
  TAPIS_DEFAULT_TIER,
  TAPIS_EXPECTED,
  TAPIS_PATHS,
  TAPIS_SCOPE,
  clientListAnswer,
  createdClientAnswer,
  gatewayFault,
  oauthErrorAnswer,
  profileAnswer,
  tokenAnswer,
} from './tapisProtocol';

/** Tenant ids as TACC names them (tacc.prod, designsafe, iplantc.org). */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The reference server's rule, which keeps the name safe in the /clients/v2/{name} path that
 * agavepy builds by plain string formatting. */
const CLIENT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The default name of a client Keyport creates: which machine it is for, and unique. */
export function defaultClientName(host: string = hostname()): string {
  const safeHost = host.replace(/[^A-Za-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'host';
  return `keyport-${safeHost}-${randomBytes(3).toString('hex')}`;
}

// --- The clients API: HTTP Basic with the account's user name and password -----------------

const wrongPassword = (ctx: ServerContext) =>
  new KeyportError('PASSWORD_REQUIRED', `${ctx.server.name} did not accept the user name and password.`, {
    hint: 'Check your password; the OAuth clients API needs it for every change.',
    field: 'password',
  });

function clientsError(ctx: ServerContext, res: HttpResponse, name?: string): KeyportError {
  return errorForStatus(res, ctx.server.name, {
    401: wrongPassword(ctx),
    403: wrongPassword(ctx),
    ...(name === undefined
      ? {}
      : {
          404: new KeyportError('NOT_FOUND', `${ctx.server.name} has no OAuth client named “${name}”.`, {
            hint: 'It may have been deleted already. Reload the list.',
            field: 'name',
          }),
          409: new KeyportError('CONFLICT', `An OAuth client named “${name}” already exists on ${ctx.server.name}.`, {
            hint: 'Choose another name, or delete the existing client first.',
            field: 'name',
          }),
          400: new KeyportError('VALIDATION', `${ctx.server.name} did not accept the client name “${name}”.`, {
            hint: 'Use up to 64 letters, digits, dots, dashes and underscores.',
            field: 'name',
          }),
        }),
  });
}

function requirePassword(auth: TokenAuth): { username: string; password: string } {
  if (auth.password === null) throw new KeyportError('PASSWORD_REQUIRED', 'Your password is needed for this.', { field: 'password' });
  return { username: auth.username, password: auth.password };
}

function checkClientName(name: string): void {
  if (!CLIENT_NAME.test(name)) {
    throw new KeyportError('VALIDATION', `“${echoInput(name)}” cannot be an OAuth client name.`, {
      hint: 'Use up to 64 letters, digits, dots, dashes and underscores.',
      field: 'name',
    });
  }
}

async function createClient(ctx: ServerContext, basicAuth: { username: string; password: string }, name: string, description: string) {
  checkClientName(name);
  const res = await send(ctx, {
    method: 'POST',
    path: TAPIS_PATHS.clients,
    basicAuth,
    form: { clientName: name, description, tier: TAPIS_DEFAULT_TIER, callbackUrl: '' },
  });
  if (!ok(res)) throw clientsError(ctx, res, name);
  return parseJson(res, createdClientAnswer, ctx.server.name, TAPIS_EXPECTED).result;
}

// --- Tokens: HTTP Basic with the client's key and secret -----------------------------------

type Grant = { grant_type: 'password'; username: string; password: string } | { grant_type: 'refresh_token'; refresh_token: string };

/** Runs a grant. Every refusal is AUTH_FAILED with words for what was wrong; never the body,
 * which for a password grant agavepy would echo with the password in it. */
async function requestTokens(ctx: ServerContext, client: { key: string; secret: string }, grant: Grant) {
  const res = await send(ctx, {
    method: 'POST',
    path: TAPIS_PATHS.token,
    basicAuth: { username: client.key, password: client.secret },
    form: { ...grant, scope: TAPIS_SCOPE },
  });
  if (ok(res)) {
    const answer = parseJson(res, tokenAnswer, ctx.server.name, TAPIS_EXPECTED);
    return { ...answer, issuedAt: Math.floor(ctx.now().getTime() / 1000) };
  }
  const oauth = safeJson(res, oauthErrorAnswer);
  if (res.status === 401 || oauth?.error === 'invalid_client') {
    throw new KeyportError('AUTH_FAILED', `${ctx.server.name} did not accept the OAuth client’s key and secret.`, {
      hint: 'The client may have been deleted. Sign in again and let Keyport create a new client.',
      field: 'clientSecret',
    });
  }
  if (oauth?.error === 'invalid_grant') {
    throw grant.grant_type === 'password'
      ? new KeyportError('AUTH_FAILED', 'Authentication failed.', { hint: 'Check your user name and password.', field: 'password' })
      : new KeyportError('AUTH_FAILED', `${ctx.server.name} no longer accepts the refresh token.`, { hint: 'Sign in again.' });
  }
  throw errorForStatus(res, ctx.server.name, { 400: new KeyportError('BAD_RESPONSE', `${ctx.server.name} refused the token request (HTTP 400).`, { hint: `Check that the URL points to ${TAPIS_EXPECTED}.` }) });
}

function safeJson<T>(res: HttpResponse, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(res.text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function grantFrom(answer: Awaited<ReturnType<typeof requestTokens>>, client: { name: string | null; key: string; secret: string }): SessionGrant & { credential: string } {
  const credential: TapisCredential = {
    clientName: client.name,
    key: client.key,
    secret: client.secret,
    refreshToken: answer.refresh_token,
    issuedAt: answer.issuedAt,
    expiresIn: answer.expires_in,
  };
  return {
    session: answer.access_token,
    credential: encodeCredential(credential),
    expiresAt: new Date((answer.issuedAt + answer.expires_in) * 1000).toISOString(),
  };
}

// --- API calls: Bearer access token, refused by the gateway's fault ------------------------

async function whoAmI(ctx: ServerContext, accessToken: string): Promise<UserInfo> {
  const res = await send(ctx, { method: 'GET', path: TAPIS_PATHS.me, bearer: accessToken });
  if (res.status === 401 && safeJson(res, gatewayFault)) {
    throw new KeyportError('AUTH_FAILED', `${ctx.server.name} did not accept the access token.`, { hint: 'Sign in again.' });
  }
  if (!ok(res)) throw errorForStatus(res, ctx.server.name);
  const profile = parseJson(res, profileAnswer, ctx.server.name, TAPIS_EXPECTED).result;
  const user: UserInfo = { name: profile.username };
  if (profile.email) user.email = profile.email;
  return user;
}

/** What can be copied from a Tapis v2 session. */
const SESSION_COPY = sessionCopyFormats([
  ACCESS_TOKEN_COPY,
  AUTHORIZATION_HEADER_COPY,
  {
    id: 'access-token-shell',
    label: 'Access token (export)',
    render: (server, material) =>
      renderCopyText('shell', material.session, [
        ['AGAVE_API_SERVER', server.url],
        ['AGAVE_ACCESS_TOKEN', material.session],
      ]),
  },
  { id: 'refresh-token', label: 'Refresh token', render: (_server, material) => decodeCredential(material.credential).refreshToken },
  {
    id: 'client',
    label: 'Client key:secret',
    render(_server, material) {
      const credential = decodeCredential(material.credential);
      return `${credential.key}:${credential.secret}`;
    },
  },
  { id: 'agave-current', label: '~/.agave/current (JSON)', render: renderAgaveCurrent },
]);

export const tapisProvider: Provider = {
  descriptor: {
    kind: 'tapis',
    label: 'Tapis (TACC Agave v2)',
    description: 'TACC Agave / Tapis v2 tenants, as agavepy uses them: OAuth clients and access tokens that renew themselves.',
    urlLabel: 'API server',
    urlPlaceholder: 'https://api.tacc.utexas.edu',
    signInMethods: ['password'],
    tokenNoun: 'OAuth client',
    tokenColumns: { created: false, lastUsed: false, expires: false, scopes: false },
    extraColumns: [
      { id: 'description', label: 'Description' },
      { id: 'tier', label: 'Tier' },
      { id: 'key', label: 'Key' },
    ],
    createFields: [{ id: 'description', label: 'Description', placeholder: 'What this client is for', hint: 'Optional; shown in the clients list.' }],
    revokeVerb: 'Delete',
    tokensNeedPassword: true,
    oauthClient: { noun: 'OAuth client', defaultNamePrefix: 'keyport-' },
    refreshableSession: true,
    serverFields: [{ id: 'tenantId', label: 'Tenant id', placeholder: 'tacc.prod', hint: 'The tenant’s code, as agavepy’s tenant_id; written to ~/.agave/current.' }],
    copyFormats: [{ id: 'key-secret', label: 'key:secret (curl -u)' }, { id: 'raw', label: 'Secret only' }, ...ENVIRONMENT_COPY_FORMATS.filter((f) => f.id !== 'raw')],
    defaultCopyFormat: 'key-secret',
    sessionCopyFormats: SESSION_COPY.descriptors,
    ownTokenPrefix: 'keyport-',
    sessionFile: {
      displayPath: '~/.agave/current',
      consumer: 'agavepy and the Tapis CLI',
      exportNote:
        'The file holds the access token, the refresh token and the OAuth client’s secret. Keyport and the other program will share the refresh token: whichever refreshes first leaves the other to import or sign in again.',
    },
  },

  /** agavepy's client list without credentials: a Tapis (Agave v2) server refuses it with 401
   * in its service envelope ({status: "error", …}); a private npm registry also says 401, but
   * not in the envelope. */
  async probeServer(ctx) {
    await probeAddress(ctx, { request: { method: 'GET', path: TAPIS_PATHS.clients }, statuses: [401], body: (answer) => answer.status === 'error', expected: TAPIS_EXPECTED });
  },

  checkServer(url, options) {
    const parsed = new URL(url);
    if (parsed.pathname !== '/' && parsed.pathname !== '') {
      throw new KeyportError('VALIDATION', 'A Tapis API server address has no path.', {
        hint: `Use ${parsed.protocol}//${parsed.host}: agavepy adds /token and /clients/v2 to it.`,
        field: 'url',
      });
    }
    const tenantId = options.tenantId ?? '';
    if (tenantId !== '' && !TENANT_ID.test(tenantId)) {
      throw new KeyportError('VALIDATION', 'That is not a tenant id, such as tacc.prod.', { hint: 'Letters, digits, dots, dashes and underscores.', field: 'tenantId' });
    }
    const checked: Record<string, string> = tenantId ? { tenantId } : {};
    return { url: `${parsed.protocol}//${parsed.host}`, options: checked };
  },

  async signInWithPassword(ctx, username, password, choice?: ResolvedClientChoice): Promise<SignInResult> {
    let client: { name: string | null; key: string; secret: string };
    let createdHere = false;
    if (choice?.type === 'existing') {
      client = { name: choice.name ?? null, key: choice.key, secret: choice.secret };
    } else {
      const name = choice?.name ?? defaultClientName();
      let created;
      try {
        created = await createClient(ctx, { username, password }, name, 'Created by Keyport for signing in');
      } catch (error) {
        // At sign-in, a refused password is an authentication failure like any other.
        if (error instanceof KeyportError && error.code === 'PASSWORD_REQUIRED') {
          throw new KeyportError('AUTH_FAILED', 'Authentication failed.', { hint: 'Check your user name and password.', field: 'password' });
        }
        if (error instanceof KeyportError && error.field === 'name') throw new KeyportError(error.code, error.message, { hint: error.hint, field: 'clientName' });
        throw error;
      }
      client = { name: created.name, key: created.consumerKey, secret: created.consumerSecret };
      createdHere = true;
    }
    let grant: SessionGrant;
    let user: UserInfo;
    try {
      grant = grantFrom(await requestTokens(ctx, client, { grant_type: 'password', username, password }), client);
      user = await whoAmI(ctx, grant.session);
    } catch (error) {
      // A client Keyport created for this sign-in is of no use to anyone once the sign-in
      // failed: delete it again (best effort; the original error is what the person sees).
      if (createdHere && client.name) {
        await send(ctx, { method: 'DELETE', path: TAPIS_PATHS.client(client.name), basicAuth: { username, password } }).catch(() => undefined);
      }
      throw error;
    }
    const attributes: Record<string, string> = { clientKey: client.key };
    if (client.name) attributes.clientName = client.name;
    return { ...grant, user, attributes, dependsOnTokenId: client.name ?? undefined };
  },

  async renewSession(ctx, credentialText) {
    const credential = decodeCredential(credentialText);
    const answer = await requestTokens(ctx, credential, { grant_type: 'refresh_token', refresh_token: credential.refreshToken });
    return grantFrom(answer, { name: credential.clientName, key: credential.key, secret: credential.secret });
  },

  sessionClient(credentialText) {
    try {
      const { clientName, key, secret } = decodeCredential(credentialText);
      return clientName ? { name: clientName, key, secret } : null;
    } catch {
      return null;
    }
  },

  async checkSession(ctx, accessToken) {
    await whoAmI(ctx, accessToken);
  },

  async listTokens(ctx, auth): Promise<ProviderToken[]> {
    const res = await send(ctx, { method: 'GET', path: TAPIS_PATHS.clients, basicAuth: requirePassword(auth) });
    if (!ok(res)) throw clientsError(ctx, res);
    return parseJson(res, clientListAnswer, ctx.server.name, TAPIS_EXPECTED).result.map((c) => ({
      id: c.name,
      name: c.name,
      createdAt: null,
      lastUsedAt: null,
      expiresAt: null,
      scopes: null,
      extra: { description: c.description, tier: c.tier, key: c.consumerKey },
    }));
  },

  async listedSettings(ctx, auth, tokenId) {
    return descriptionSettings(await tapisProvider.listTokens(ctx, auth), tokenId, ctx.server.name);
  },

  async createToken(ctx, auth, { name, fields }) {
    const created = await createClient(ctx, requirePassword(auth), name, fields.description ?? '');
    return {
      token: {
        id: created.name,
        name: created.name,
        createdAt: null,
        lastUsedAt: null,
        expiresAt: null,
        scopes: null,
        extra: { description: created.description, tier: created.tier, key: created.consumerKey },
      },
      secret: created.consumerSecret,
      identifier: { label: 'Key', value: created.consumerKey },
    };
  },

  async revokeToken(ctx, auth, name) {
    const res = await send(ctx, { method: 'DELETE', path: TAPIS_PATHS.client(name), basicAuth: requirePassword(auth) });
    if (!ok(res)) throw clientsError(ctx, res, name);
  },

  /** Names after agavepy's keyword arguments (Agave(api_server=…, api_key=…, …)): Tapis' own
   * tools read no environment variables for a client. */
  copyEnvironment(server, secret, attributes) {
    return [
      ['AGAVE_API_SERVER', server.url],
      ['AGAVE_TENANT_ID', server.options.tenantId ?? ''],
      ['AGAVE_API_KEY', attributes.key ?? ''],
      ['AGAVE_API_SECRET', secret],
    ];
  },

  renderTokenCopy(format, secret, attributes) {
    if (format !== 'key-secret') return null;
    if (!attributes.key) throw new KeyportError('NOT_FOUND', 'Keyport does not know this client’s key.', { hint: 'Copy the secret only.' });
    return `${attributes.key}:${secret}`;
  },

  renderSessionCopy: SESSION_COPY.render,

  sessionFile: {
    defaultPath: agaveCurrentPath,
    parse: async (text, readSibling) => [await parseAgaveCurrent(text, readSibling)],
    render: (server, material, existing) => ({ text: renderAgaveCurrent(server, material, existing), warnings: exportWarnings(server) }),
    // load_configs() (the Tapis CLI's path) reads config.json, not current.
    companions: [{ name: 'config.json', render: renderAgaveConfig }],
  },
};
