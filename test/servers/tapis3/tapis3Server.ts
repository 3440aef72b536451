// Reference TACC Tapis v3 server (the Tenants API and the Authenticator's OAuth2 API) for
// Keyport's tests and for the conformance suite that drives the real `tapipy` (pinned in
// conformance/requirements-tapipy.txt) against it. The wire protocol is docs/protocols/tapis3.md;
// its answers are checked against tapipy's bundled OpenAPI specs in tapis3Server.test.ts. The
// assumed details (texts, lifetimes, the device page) are the constants at the top.
// This file must run under plain `node --experimental-strip-types` (npm run servers), so it
// uses only erasable TypeScript and imports nothing from src/.
import { createSign, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createFaultInjector } from '../common/faults.ts';
import type { Fault, Faults } from '../common/faults.ts';
import { JSON_TYPE, listen, readBody as readRequestBody, requestHandler, sameSecret, send, sendJson } from '../common/httpServer.ts';
import type { AuthScheme, Credentials } from '../common/httpServer.ts';

export interface Tapis3User {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly name: string;
}

export interface Tapis3ServerOptions {
  users?: readonly Tapis3User[];
  /** The tenant this server is; default 'keyport'. */
  tenantId?: string;
  /** Other tenants GET /v3/tenants lists (same site, other base URLs that nobody serves). */
  otherTenants?: readonly { tenantId: string; baseUrl: string }[];
  /** Access token lifetime in seconds; default 14400 (4 hours, Tapis' default). */
  accessTokenLifetimeSeconds?: number;
  /** Refresh token lifetime in seconds; default 1 year (assumed). */
  refreshTokenLifetimeSeconds?: number;
  /** Device code lifetime in seconds; default 600 (assumed). */
  deviceCodeLifetimeSeconds?: number;
  /** Adds an RFC 8628 `interval` to the device code answer (not in Tapis' spec); tests set 1. */
  deviceIntervalSeconds?: number;
  https?: boolean;
}

export interface Tapis3RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly auth: AuthScheme;
  /** Whether an X-Tapis-Token header was sent (never its value). */
  tapisToken: boolean;
  /** grant_type of POST /v3/oauth2/tokens, once the body is read. */
  grantType: string | null;
  status: number | null;
}

export interface Tapis3IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string | null;
}

export interface Tapis3Server {
  readonly url: string;
  readonly caPem: string | undefined;
  readonly tenantId: string;
  readonly users: readonly Tapis3User[];
  readonly requestLog: Tapis3RequestLogEntry[];
  readonly faults: Faults;
  /** Token grants that reached the handler, by grant type. */
  readonly tokenRequests: { readonly password: number; readonly refresh: number; readonly device: number };
  /** The user's client ids, in creation order. */
  clientIds(username: string): string[];
  hasClient(clientId: string): boolean;
  /** Seeds a client as POST /v3/oauth2/clients does. */
  createClient(username: string, clientId?: string): { clientId: string; clientKey: string };
  deleteClient(clientId: string): boolean;
  /** Issues tokens as the password grant does (a refresh token only with a client). */
  issueTokens(username: string, clientId?: string): Tapis3IssuedTokens;
  /** What the person does on the device page, for tests that do not drive a browser. */
  approveDevice(userCode: string, username: string): void;
  denyDevice(userCode: string): void;
  /** User codes of the device codes issued so far, oldest first. */
  deviceUserCodes(): string[];
  isAccessTokenValid(token: string): boolean;
  /** How many access tokens of the user still work. */
  liveAccessTokenCount(username: string): number;
  isRefreshTokenValid(token: string): boolean;
  /** Revokes every refresh token of the user, as a sign-out elsewhere would; returns how many. */
  revokeRefreshTokens(username: string): number;
  expireAccessTokens(username?: string): void;
  close(): Promise<void>;
}

export const DEFAULT_TAPIS3_USERS: readonly Tapis3User[] = [
  { username: 'alice', password: 'wonderland-secret', email: 'alice@example.com', name: 'Alice Liddell' },
  { username: 'bob', password: 'builder-secret', email: 'bob@example.com', name: 'Bob Builder' },
];
export const DEFAULT_TAPIS3_TENANT_ID = 'keyport';

const API_VERSION = 'dev';
const SITE_ID = 'keyport-site';
const DEFAULT_ACCESS_S = 14400;
const DEFAULT_REFRESH_S = 365 * 24 * 3600;
const DEFAULT_DEVICE_S = 600;
const FORM_TYPE = 'application/x-www-form-urlencoded';
const CLIENT_ID = /^[A-Za-z0-9_.-]{1,80}$/;

// Error texts. "device code not ready." is the real Authenticator's (see the issue); the others
// are assumed.
export const TAPIS3_ERRORS = {
  badPassword: 'Invalid username/password combination.',
  badClient: 'Invalid client credentials.',
  missingClient: 'Client credentials are required for this grant type.',
  badRefresh: 'Invalid refresh token.',
  notReady: 'device code not ready.',
  denied: 'device code denied.',
  expired: 'device code expired.',
  badDevice: 'Invalid device code.',
  noToken: 'No Tapis access token found in the request.',
  badToken: 'Invalid Tapis token.',
  clientTaken: 'client_id already exists.',
  noClient: 'Client not found.',
} as const;

class TapisError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

/** The Authenticator's error envelope: status "error", HTTP 400 unless said otherwise. */
export function errorEnvelope(message: string): Record<string, unknown> {
  return { result: null, status: 'error', message, version: API_VERSION, metadata: {} };
}

function envelope(message: string, result: unknown, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { result, status: 'success', message, version: API_VERSION, metadata };
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface ClientRecord {
  readonly clientId: string;
  readonly clientKey: string;
  readonly username: string;
  readonly displayName: string;
  readonly description: string;
  readonly callbackUrl: string;
  readonly createTime: string;
}

interface TokenRecord {
  readonly username: string;
  readonly clientId: string | null;
  readonly type: 'access' | 'refresh';
  expiresAt: number;
  revoked: boolean;
  /** For refresh tokens: the access token issued with it. */
  readonly partner: string | null;
}

interface DeviceRecord {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly clientId: string;
  readonly expiresAt: number;
  state: 'pending' | 'approved' | 'denied' | 'used';
  username: string | null;
}

export async function startTapis3Server(options: Tapis3ServerOptions = {}): Promise<Tapis3Server> {
  const users = [...(options.users ?? DEFAULT_TAPIS3_USERS)];
  const tenantId = options.tenantId ?? DEFAULT_TAPIS3_TENANT_ID;
  const accessS = positiveInteger('accessTokenLifetimeSeconds', options.accessTokenLifetimeSeconds, DEFAULT_ACCESS_S);
  const refreshS = positiveInteger('refreshTokenLifetimeSeconds', options.refreshTokenLifetimeSeconds, DEFAULT_REFRESH_S);
  const deviceS = positiveInteger('deviceCodeLifetimeSeconds', options.deviceCodeLifetimeSeconds, DEFAULT_DEVICE_S);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const clients = new Map<string, ClientRecord>();
  const tokens = new Map<string, TokenRecord>();
  const devices = new Map<string, DeviceRecord>();
  const requestLog: Tapis3RequestLogEntry[] = [];
  const counts = { password: 0, refresh: 0, device: 0 };
  const faults = createFaultInjector({
    errorBody: (_status, message) => errorEnvelope(message),
    malformedJson: '{"result": {"access_token": {"access_token": "ey',
  });
  let url = '';

  const findUser = (username: string): Tapis3User | undefined => users.find((u) => u.username === username);

  /** An RS256 JWT with the claims Tapis documents (docs/protocols/tapis3.md). */
  const jwt = (username: string, type: 'access' | 'refresh', lifetimeS: number, clientId: string | null): { token: string; jti: string; exp: number } => {
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const exp = now + lifetimeS;
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256' }));
    const claims: Record<string, unknown> = {
      jti,
      iss: `${url}/v3/tokens`,
      sub: `${username}@${tenantId}`,
      'tapis/tenant_id': tenantId,
      'tapis/token_type': type,
      'tapis/delegation': false,
      'tapis/delegation_sub': null,
      'tapis/username': username,
      'tapis/account_type': 'user',
      exp,
      'tapis/client_id': clientId,
      'tapis/grant_type': 'password',
    };
    const payload = base64url(JSON.stringify(claims));
    const signer = createSign('RSA-SHA256');
    signer.update(`${header}.${payload}`);
    return { token: `${header}.${payload}.${signer.sign(privateKey).toString('base64url')}`, jti, exp };
  };

  const tokenObject = (kind: 'access_token' | 'refresh_token', issued: { token: string; jti: string; exp: number }, lifetimeS: number) => ({
    [kind]: issued.token,
    expires_at: new Date(issued.exp * 1000).toISOString().replace('Z', '+00:00'),
    expires_in: lifetimeS,
    jti: issued.jti,
  });

  const issue = (username: string, clientId: string | null) => {
    const access = jwt(username, 'access', accessS, clientId);
    const result: Record<string, unknown> = { access_token: tokenObject('access_token', access, accessS) };
    let refreshToken: string | null = null;
    if (clientId !== null) {
      const refresh = jwt(username, 'refresh', refreshS, clientId);
      refreshToken = refresh.token;
      tokens.set(refresh.token, { username, clientId, type: 'refresh', expiresAt: refresh.exp * 1000, revoked: false, partner: access.token });
      result.refresh_token = tokenObject('refresh_token', refresh, refreshS);
    }
    tokens.set(access.token, { username, clientId, type: 'access', expiresAt: access.exp * 1000, revoked: false, partner: null });
    return { result, accessToken: access.token, refreshToken };
  };

  const live = (token: string, type: 'access' | 'refresh'): TokenRecord | undefined => {
    const record = tokens.get(token);
    if (record === undefined || record.type !== type || record.revoked || Date.now() >= record.expiresAt) return undefined;
    if (record.clientId !== null && !clients.has(record.clientId)) return undefined;
    return record;
  };

  const tapisUser = (req: IncomingMessage): Tapis3User => {
    const header = req.headers['x-tapis-token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined || token === '') throw new TapisError(TAPIS3_ERRORS.noToken, 401);
    const record = live(token, 'access');
    const user = record === undefined ? undefined : findUser(record.username);
    if (user === undefined) throw new TapisError(TAPIS3_ERRORS.badToken, 401);
    return user;
  };

  const newClient = (username: string, fields: Record<string, string>): ClientRecord => {
    const clientId = fields.client_id ?? `${username}-${randomBytes(6).toString('hex')}`;
    if (!CLIENT_ID.test(clientId)) throw new TapisError('Invalid client_id: use up to 80 letters, digits, ".", "-" and "_".');
    if (clients.has(clientId)) throw new TapisError(TAPIS3_ERRORS.clientTaken);
    const record: ClientRecord = {
      clientId,
      clientKey: fields.client_key ?? randomBytes(24).toString('base64url'),
      username,
      displayName: fields.display_name ?? clientId,
      description: fields.description ?? '',
      callbackUrl: fields.callback_url ?? '',
      createTime: new Date().toUTCString(),
    };
    clients.set(clientId, record);
    return record;
  };

  const clientJson = (c: ClientRecord, withKey: boolean): Record<string, unknown> => ({
    client_id: c.clientId,
    ...(withKey ? { client_key: c.clientKey } : {}),
    callback_url: c.callbackUrl,
    create_time: c.createTime,
    last_update_time: c.createTime,
    display_name: c.displayName,
    description: c.description,
    owner: c.username,
    tenant_id: tenantId,
    active: true,
  });

  const removeClient = (clientId: string): boolean => clients.delete(clientId);

  /** Client credentials: HTTP Basic (tapipy), or client_id/client_key in the body. */
  const clientOf = (credentials: Credentials, fields: Record<string, string>): ClientRecord | null => {
    const id = credentials.scheme === 'basic' ? credentials.username : fields.client_id;
    const key = credentials.scheme === 'basic' ? credentials.password : fields.client_key;
    if (id === undefined || key === undefined) return null;
    const client = clients.get(id);
    if (client === undefined || !sameSecret(client.clientKey, key)) throw new TapisError(TAPIS3_ERRORS.badClient);
    return client;
  };

  const tokenGrant = (fields: Record<string, string>, credentials: Credentials, entry: Tapis3RequestLogEntry) => {
    const grant = fields.grant_type ?? '';
    entry.grantType = grant;
    if (grant === 'password') {
      counts.password += 1;
      const client = clientOf(credentials, fields);
      const user = findUser(fields.username ?? '');
      if (user === undefined || !sameSecret(user.password, fields.password ?? '')) throw new TapisError(TAPIS3_ERRORS.badPassword);
      return issue(user.username, client?.clientId ?? null);
    }
    if (grant === 'refresh_token') {
      counts.refresh += 1;
      const client = clientOf(credentials, fields);
      if (client === null) throw new TapisError(TAPIS3_ERRORS.missingClient);
      const record = live(fields.refresh_token ?? '', 'refresh');
      if (record === undefined || record.clientId !== client.clientId) throw new TapisError(TAPIS3_ERRORS.badRefresh);
      // Rotation (assumed): the used refresh token and its access token end.
      record.revoked = true;
      const partner = record.partner === null ? undefined : tokens.get(record.partner);
      if (partner !== undefined) partner.revoked = true;
      return issue(record.username, client.clientId);
    }
    if (grant === 'device_code') {
      counts.device += 1;
      const device = devices.get(fields.device_code ?? '');
      if (device === undefined || device.state === 'used') throw new TapisError(TAPIS3_ERRORS.badDevice);
      const client = clientOf(credentials, fields);
      if (device.clientId !== (client?.clientId ?? fields.client_id)) throw new TapisError(TAPIS3_ERRORS.badDevice);
      if (Date.now() >= device.expiresAt) throw new TapisError(TAPIS3_ERRORS.expired);
      if (device.state === 'denied') throw new TapisError(TAPIS3_ERRORS.denied);
      if (device.state === 'pending' || device.username === null) throw new TapisError(TAPIS3_ERRORS.notReady);
      device.state = 'used';
      // Assumed: a refresh token only when the client authenticated.
      return issue(device.username, client === null ? null : client.clientId);
    }
    throw new TapisError(`Invalid grant_type: ${grant.slice(0, 40)}`);
  };

  const readFields = async (req: IncomingMessage): Promise<Record<string, string>> => {
    const body = await readRequestBody(req, () => new TapisError('Request body too large.', 413));
    const text = body.toString('utf8');
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const fields: Record<string, string> = {};
    if (text === '') return fields;
    if (type === FORM_TYPE) {
      for (const [k, v] of new URLSearchParams(text)) fields[k] ??= v;
      return fields;
    }
    if (type !== JSON_TYPE) throw new TapisError(`Unsupported Content-Type: ${type.slice(0, 60)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TapisError('Invalid JSON in the request body.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TapisError('The request body must be a JSON object.');
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') fields[k] = v;
    return fields;
  };

  const tenantJson = (id: string, baseUrl: string) => ({
    tenant_id: id,
    base_url: baseUrl,
    site_id: SITE_ID,
    token_service: `${baseUrl}/v3/tokens`,
    security_kernel: `${baseUrl}/v3/security`,
    authenticator: `${baseUrl}/v3/oauth2`,
    owner: 'admin@example.com',
    admin_user: 'admin',
    token_gen_services: ['authenticator'],
    public_key: id === tenantId ? publicPem : '',
    description: id === tenantId ? 'Keyport reference tenant' : 'Another tenant of the site',
    status: 'active',
    create_time: 'Mon, 01 Jan 2024 00:00:00 GMT',
    last_update_time: 'Mon, 01 Jan 2024 00:00:00 GMT',
  });

  const allTenants = () => [tenantJson(tenantId, url), ...(options.otherTenants ?? []).map((t) => tenantJson(t.tenantId, t.baseUrl))];

  const devicePage = (res: ServerResponse, status: number, note: string): void => {
    const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tapis device sign-in</title></head>
<body><main><h1>Sign in a device to ${escapeHtml(tenantId)}</h1>
${note === '' ? '' : `<p role="status">${escapeHtml(note)}</p>`}
<form method="post" action="/v3/oauth2/device">
<p><label for="user_code">User code</label> <input id="user_code" name="user_code" autocomplete="off"></p>
<p><label for="username">User name</label> <input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button name="action" value="approve" type="submit">Approve</button> <button name="action" value="deny" type="submit">Deny</button></p>
</form></main></body></html>`;
    send(res, status, html, { 'Content-Type': 'text/html; charset=utf-8' });
  };

  const findDevice = (userCode: string): DeviceRecord | undefined => [...devices.values()].find((d) => d.userCode === userCode.trim().toUpperCase());

  const route = async (req: IncomingMessage, res: ServerResponse, path: string, credentials: Credentials, entry: Tapis3RequestLogEntry): Promise<void> => {
    const method = req.method ?? 'GET';
    const fields = method === 'GET' || method === 'DELETE' ? (await readRequestBody(req), {}) : await readFields(req);
    const trimmed = path.replace(/\/+$/, '') || '/';
    const ok = (message: string, result: unknown, metadata?: Record<string, unknown>) => sendJson(res, 200, envelope(message, result, metadata));

    if (trimmed === '/v3/sites' && method === 'GET') {
      ok('Sites retrieved successfully.', [
        { site_id: SITE_ID, base_url: url, primary: true, services: ['tenants', 'authenticator', 'tokens'], tenant_base_url_template: '$' + '{tenant_id}.keyport.test', site_admin_tenant_id: 'admin' },
      ]);
      return;
    }
    if (trimmed === '/v3/tenants' && method === 'GET') {
      ok('Tenants retrieved successfully.', allTenants());
      return;
    }
    const tenantMatch = /^\/v3\/tenants\/([^/]+)$/.exec(trimmed);
    if (tenantMatch !== null && method === 'GET') {
      const found = allTenants().find((t) => t.tenant_id === decodeURIComponent(tenantMatch[1] ?? ''));
      if (found === undefined) throw new TapisError('Tenant not found.', 404);
      ok('Tenant retrieved successfully.', found);
      return;
    }
    if (trimmed === '/v3/oauth2/tokens' && method === 'POST') {
      const issued = tokenGrant(fields, credentials, entry);
      ok('Token created successfully.', issued.result);
      return;
    }
    if (trimmed === '/v3/oauth2/tokens/revoke' && method === 'POST') {
      const record = tokens.get(fields.token ?? '');
      if (record !== undefined) record.revoked = true;
      ok('Token revoked successfully.', null);
      return;
    }
    if (trimmed === '/v3/oauth2/device/code' && method === 'POST') {
      const clientId = fields.client_id ?? '';
      if (!clients.has(clientId)) throw new TapisError(TAPIS3_ERRORS.noClient);
      const record: DeviceRecord = {
        deviceCode: randomBytes(24).toString('base64url'),
        userCode: randomBytes(4).toString('hex').toUpperCase(),
        clientId,
        expiresAt: Date.now() + deviceS * 1000,
        state: 'pending',
        username: null,
      };
      devices.set(record.deviceCode, record);
      const result: Record<string, unknown> = {
        device_code: record.deviceCode,
        user_code: record.userCode,
        client_id: clientId,
        expires_in: String(deviceS),
        verification_uri: `${url}/v3/oauth2/device`,
      };
      if (options.deviceIntervalSeconds !== undefined) result.interval = options.deviceIntervalSeconds;
      ok('Device code created successfully.', result);
      return;
    }
    if (trimmed === '/v3/oauth2/device') {
      if (method === 'GET') {
        devicePage(res, 200, '');
        return;
      }
      if (method === 'POST') {
        const device = findDevice(fields.user_code ?? '');
        if (device === undefined || device.state !== 'pending' || Date.now() >= device.expiresAt) {
          devicePage(res, 400, 'That code is unknown, used or expired.');
          return;
        }
        if (fields.action === 'deny') {
          device.state = 'denied';
          devicePage(res, 200, 'Access denied. You can close this window.');
          return;
        }
        const user = findUser(fields.username ?? '');
        if (user === undefined || !sameSecret(user.password, fields.password ?? '')) {
          devicePage(res, 401, TAPIS3_ERRORS.badPassword);
          return;
        }
        device.state = 'approved';
        device.username = user.username;
        devicePage(res, 200, 'Device approved. You can close this window.');
        return;
      }
    }
    if (trimmed === '/v3/oauth2/userinfo' && method === 'GET') {
      const user = tapisUser(req);
      ok('User profile retrieved successfully.', { username: user.username, email: user.email, name: user.name });
      return;
    }
    if (trimmed === '/v3/oauth2/clients') {
      const user = tapisUser(req);
      if (method === 'GET') {
        const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
        const limit = Math.max(0, Math.min(Number(query.get('limit') ?? 1000) || 1000, 1000));
        const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
        const mine = [...clients.values()].filter((c) => c.username === user.username);
        ok('Clients retrieved successfully.', mine.slice(offset, offset + limit).map((c) => clientJson(c, false)), { total: mine.length, limit, offset });
        return;
      }
      if (method === 'POST') {
        ok('Client created successfully.', clientJson(newClient(user.username, fields), true));
        return;
      }
    }
    const clientMatch = /^\/v3\/oauth2\/clients\/([^/]+)$/.exec(trimmed);
    if (clientMatch !== null && (method === 'GET' || method === 'DELETE')) {
      const user = tapisUser(req);
      const client = clients.get(decodeURIComponent(clientMatch[1] ?? ''));
      if (client === undefined || client.username !== user.username) throw new TapisError(TAPIS3_ERRORS.noClient, 404);
      if (method === 'GET') {
        ok('Client retrieved successfully.', clientJson(client, false));
        return;
      }
      removeClient(client.clientId);
      ok('Client deleted successfully.', null);
      return;
    }
    throw new TapisError(`${method} ${trimmed.slice(0, 80)} not found.`, 404);
  };

  const server = await listen(
    { https: options.https, faults },
    requestHandler<Tapis3RequestLogEntry>({
      requestLog,
      faults,
      entry: (base) => ({ ...base, tapisToken: false, grantType: null }),
      route: async (req, res, path, credentials, entry) => {
        entry.tapisToken = req.headers['x-tapis-token'] !== undefined;
        await route(req, res, path, credentials, entry);
      },
      fail: (res, error) => {
        if (error instanceof TapisError) sendJson(res, error.status, errorEnvelope(error.message));
        else sendJson(res, 500, errorEnvelope('Internal server error.'));
      },
    }),
  );
  url = server.url;

  const userCodeDevice = (userCode: string): DeviceRecord => {
    const device = findDevice(userCode);
    if (device === undefined) throw new Error(`No device code with user code ${userCode}`);
    return device;
  };

  return {
    url,
    caPem: server.caPem,
    tenantId,
    users,
    requestLog,
    faults: faults.faults,
    tokenRequests: counts,
    clientIds: (username) => [...clients.values()].filter((c) => c.username === username).map((c) => c.clientId),
    hasClient: (clientId) => clients.has(clientId),
    createClient: (username, clientId) => {
      if (findUser(username) === undefined) throw new Error(`No user ${username}`);
      const record = newClient(username, clientId === undefined ? {} : { client_id: clientId });
      return { clientId: record.clientId, clientKey: record.clientKey };
    },
    deleteClient: removeClient,
    issueTokens: (username, clientId) => {
      const issued = issue(username, clientId ?? null);
      return { accessToken: issued.accessToken, refreshToken: issued.refreshToken };
    },
    approveDevice: (userCode, username) => {
      const device = userCodeDevice(userCode);
      device.state = 'approved';
      device.username = username;
    },
    denyDevice: (userCode) => {
      userCodeDevice(userCode).state = 'denied';
    },
    deviceUserCodes: () => [...devices.values()].map((d) => d.userCode),
    isAccessTokenValid: (token) => live(token, 'access') !== undefined,
    liveAccessTokenCount: (username) => [...tokens.keys()].filter((t) => tokens.get(t)?.username === username && live(t, 'access') !== undefined).length,
    isRefreshTokenValid: (token) => live(token, 'refresh') !== undefined,
    revokeRefreshTokens: (username) => {
      let n = 0;
      for (const record of tokens.values()) {
        if (record.type === 'refresh' && record.username === username && !record.revoked) {
          record.revoked = true;
          n += 1;
        }
      }
      return n;
    },
    expireAccessTokens: (username) => {
      const now = Date.now();
      for (const record of tokens.values()) if (record.type === 'access' && (username === undefined || record.username === username)) record.expiresAt = now;
    },
    close: server.close,
  };
}

export type { Fault as Tapis3Fault };
