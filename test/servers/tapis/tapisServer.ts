// Reference TACC Agave / Tapis v2 server for Keyport's tests and for the conformance suite
// that drives the real `agavepy` (pinned in conformance/requirements.txt) against it.
// The wire protocol is described in docs/protocols/tapis.md; every fact there names the
// agavepy module that confirms it or says that it is assumed. The assumed details (texts,
// status codes, name rules, lifetimes) are the constants at the top of this file.
// This file must run under plain `node --experimental-strip-types` (npm run servers), so it
// uses only erasable TypeScript and imports nothing from src/.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createFaultInjector } from '../common/faults.ts';
import type { Fault, FaultAction, Faults } from '../common/faults.ts';
import { JSON_TYPE, listen, readBody as readRequestBody, requestHandler, sameSecret, sendJson } from '../common/httpServer.ts';
import type { AuthScheme, Credentials } from '../common/httpServer.ts';

export interface TapisUser {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
}

export interface TapisServerOptions {
  /** Replaces the default users (alice and bob). */
  users?: readonly TapisUser[];
  /** Tenant id reported by GET /tenants; default 'keyport.test'. */
  tenantId?: string;
  /** Lifetime of access tokens, a positive integer; default 14400 (4 hours). Tests set a few seconds. */
  accessTokenLifetimeSeconds?: number;
  /** Lifetime of refresh tokens, a positive integer; default 30 days (assumed). */
  refreshTokenLifetimeSeconds?: number;
  /** Serve HTTPS with a self-signed certificate generated at start. */
  https?: boolean;
}

/** What a fault does to a matching request (see test/servers/common/faults.ts). */
export type TapisFaultAction = FaultAction;

export type TapisFault = Fault;

export type TapisFaults = Faults;

export type TapisAuthScheme = AuthScheme;

/** One request as the server saw it. Never holds passwords, secrets or token values. */
export interface TapisRequestLogEntry {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Raw query string without "?" ("" when none); agavepy's password grant sends `pretty=true`. */
  readonly query: string;
  readonly auth: TapisAuthScheme;
  /** The form's grant_type on POST /token (set once the body is read); null elsewhere. */
  grantType: string | null;
  /** Status sent, or null while pending or when the connection was reset. */
  status: number | null;
}

/** Requests that reached the /token handler (after faults), by grant type, successful or not. */
export interface TapisTokenRequestCounts {
  readonly password: number;
  readonly refresh: number;
  /** Every /token request that reached the handler, including unsupported grants. */
  readonly total: number;
}

/** An OAuth client as the inspection helpers report it (the secret only from createClient). */
export interface TapisClientInfo {
  readonly name: string;
  readonly description: string;
  readonly tier: string;
  readonly callbackUrl: string;
  readonly consumerKey: string;
}

export interface TapisIssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
}

export interface TapisServer {
  /** http(s)://127.0.0.1:PORT, no trailing slash: the api_server / baseurl of agavepy. */
  readonly url: string;
  /** PEM of the self-signed certificate to trust; undefined for plain HTTP. */
  readonly caPem: string | undefined;
  readonly tenantId: string;
  readonly users: readonly TapisUser[];
  readonly accessTokenLifetimeSeconds: number;
  readonly requestLog: TapisRequestLogEntry[];
  readonly faults: TapisFaults;
  /** Live counters of POST /token requests by grant (to test single-flight refresh). */
  readonly tokenRequests: TapisTokenRequestCounts;
  /** Names of the user's OAuth clients, in creation order. */
  clientNames(username: string): string[];
  hasClient(username: string, name: string): boolean;
  /** The user's client by name (no secret), or undefined. */
  getClient(username: string, name: string): TapisClientInfo | undefined;
  /** Seeds a client as POST /clients/v2 does; throws on an unknown user, a bad or taken name. */
  createClient(username: string, name: string, description?: string): { consumerKey: string; consumerSecret: string };
  /** Deletes a client as DELETE does (its tokens stop working); false when there was none. */
  deleteClient(username: string, name: string): boolean;
  /** Issues a token pair as the password grant does, without a request. */
  issueTokens(username: string, clientName: string): TapisIssuedTokens;
  /** True when the access token was issued here, is not revoked or rotated away, and has not expired. */
  isAccessTokenValid(token: string): boolean;
  /** True when the refresh token was issued here and can still be used once. */
  isRefreshTokenValid(token: string): boolean;
  /** Revokes every refresh token of the user (access tokens stay valid); returns how many. */
  revokeRefreshTokens(username: string): number;
  /** Makes every access token (of one user, or of everyone) expire now. */
  expireAccessTokens(username?: string): void;
  close(): Promise<void>;
}

export const DEFAULT_TAPIS_USERS: readonly TapisUser[] = [
  { username: 'alice', password: 'wonderland-secret', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell' },
  { username: 'bob', password: 'builder-secret', email: 'bob@example.com', firstName: 'Bob', lastName: 'Builder' },
];

export const DEFAULT_TAPIS_TENANT_ID = 'keyport.test';
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 14400;
// Assumed: the real refresh-token lifetime is not public.
const DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS = 30 * 24 * 60 * 60;

const FORM_TYPE = 'application/x-www-form-urlencoded';
// The "version" every Agave service put in its envelope (assumed value).
const API_VERSION = '2.0.0';
// Assumed name rule: WSO2 application names, minus spaces and slashes (which would break the
// /clients/v2/{clientName} path agavepy builds by plain string formatting).
const CLIENT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
// The tiers of ClientRequest in agavepy/resources/api_clients.json.j2; agavepy sends "Unlimited".
const TIERS = ['Unlimited', 'Gold', 'Silver', 'Bronze'];
const BASIC_CHALLENGE = 'Basic realm="Tapis"';
const BEARER_CHALLENGE = 'Bearer realm="Tapis", error="invalid_token"';

// The API gateway (WSO2 API Manager) answers a missing, unknown or expired access token with
// this fault instead of the service envelope; agavepy's with_refresh() (agavepy/agave.py) looks
// for 'Invalid Credentials' in fault.message to decide to refresh and retry.
const INVALID_CREDENTIALS = {
  fault: { code: 900901, message: 'Invalid Credentials', description: 'Invalid Credentials. Make sure you have given the correct access token' },
};
const MISSING_CREDENTIALS = {
  fault: {
    code: 900902,
    message: 'Missing Credentials',
    description: 'Required OAuth credentials not provided. Make sure your API invocation call has a header: "Authorization: Bearer ACCESS_TOKEN"',
  },
};

// Assumed OAuth error texts (WSO2 Identity Server's wording where known).
const ERR_CLIENT_AUTH = 'Client Authentication failed.';
const ERR_BAD_GRANT = 'Provided Authorization Grant is invalid';
const ERR_UNKNOWN_REFRESH = 'Persisted access token data not found';
const ERR_EXPIRED_REFRESH = 'Refresh token is expired.';

const ROUTE = /^\/(?:(token)|(tenants)\/?|(clients)\/v2(?:\/([^/]+))?\/?|(profiles)\/v2\/me\/?)$/;

interface ClientRecord {
  readonly username: string;
  readonly name: string;
  readonly description: string;
  readonly tier: string;
  readonly callbackUrl: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
}

interface AccessTokenRecord {
  readonly username: string;
  readonly consumerKey: string;
  expiresAt: number;
}

interface RefreshTokenRecord {
  readonly username: string;
  readonly consumerKey: string;
  readonly accessToken: string;
  readonly expiresAt: number;
}

/** An error answer with its exact body, so that each route family keeps its own error shape. */
class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: OutgoingHttpHeaders;
  constructor(status: number, message: string, body: unknown, headers: OutgoingHttpHeaders = {}) {
    super(message);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** Service error: the {"status", "message", "result"} envelope. */
function envelopeError(status: number, message: string, headers: OutgoingHttpHeaders = {}): HttpError {
  return new HttpError(status, message, { status: 'error', message, version: API_VERSION, result: null }, headers);
}

/** Token endpoint error: RFC 6749 section 5.2. */
function oauthError(status: number, error: string, description: string): HttpError {
  const headers: OutgoingHttpHeaders = status === 401 ? { 'WWW-Authenticate': BASIC_CHALLENGE } : {};
  return new HttpError(status, description, { error, error_description: description }, headers);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return readRequestBody(req, () => envelopeError(413, 'Request body too large'));
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Form fields of a form-encoded or JSON body (agavepy sends forms; its Swagger client sends JSON). */
function parseFields(req: IncomingMessage, body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  const type = mediaType(req);
  const text = body.toString('utf8');
  if (type === JSON_TYPE) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw envelopeError(400, 'The request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw envelopeError(400, 'The request body must be a JSON object');
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string') fields.set(key, value);
      else if (typeof value === 'number' || typeof value === 'boolean') fields.set(key, String(value));
    }
    return fields;
  }
  if (type === FORM_TYPE || text === '') {
    for (const [key, value] of new URLSearchParams(text)) if (!fields.has(key)) fields.set(key, value);
    return fields;
  }
  throw envelopeError(415, `Unsupported Content-Type '${type}'`);
}

function envelope(message: string, result: unknown): unknown {
  return { status: 'success', message, version: API_VERSION, result };
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/** Opaque token: 32 hex characters, the shape of the WSO2 tokens Agave issued. */
function opaqueToken(): string {
  return randomBytes(16).toString('hex');
}

/** Consumer key or secret: 28 URL-safe characters, the length of WSO2's. */
function consumerCredential(): string {
  return randomBytes(21).toString('base64url');
}

export async function startTapisServer(options: TapisServerOptions = {}): Promise<TapisServer> {
  const users: readonly TapisUser[] = [...(options.users ?? DEFAULT_TAPIS_USERS)];
  const tenantId = options.tenantId ?? DEFAULT_TAPIS_TENANT_ID;
  const accessLifetimeS = positiveInteger('accessTokenLifetimeSeconds', options.accessTokenLifetimeSeconds, DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS);
  const refreshLifetimeS = positiveInteger('refreshTokenLifetimeSeconds', options.refreshTokenLifetimeSeconds, DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS);
  const clients = new Map<string, ClientRecord>(); // by consumerKey, in creation order
  const accessTokens = new Map<string, AccessTokenRecord>();
  const refreshTokens = new Map<string, RefreshTokenRecord>();
  const requestLog: TapisRequestLogEntry[] = [];
  const faults = createFaultInjector({
    errorBody: (_status, message) => ({ status: 'error', message, version: API_VERSION, result: null }),
    malformedJson: '{"status": "success", "access_token": "abc", "result": [',
  });
  const counts = { password: 0, refresh: 0, total: 0 };
  let url = '';

  const findUser = (username: string): TapisUser | undefined => users.find((u) => u.username === username);

  const findClient = (username: string, name: string): ClientRecord | undefined =>
    [...clients.values()].find((c) => c.username === username && c.name === name);

  const userClients = (username: string): ClientRecord[] => [...clients.values()].filter((c) => c.username === username);

  const clientJson = (client: ClientRecord, withSecret: boolean): Record<string, unknown> => {
    const self = `${url}/clients/v2/${encodeURIComponent(client.name)}`;
    return {
      name: client.name,
      description: client.description,
      tier: client.tier,
      callbackUrl: client.callbackUrl,
      consumerKey: client.consumerKey,
      ...(withSecret ? { consumerSecret: client.consumerSecret } : {}),
      _links: {
        self: { href: self },
        subscriber: { href: `${url}/profiles/v2/${encodeURIComponent(client.username)}` },
        subscriptions: { href: `${self}/subscriptions` },
      },
    };
  };

  const createClient = (username: string, fields: Map<string, string>): ClientRecord => {
    if (findUser(username) === undefined) throw envelopeError(404, `No user named '${username}'`);
    const name = fields.get('clientName') ?? '';
    if (!CLIENT_NAME.test(name)) {
      throw envelopeError(400, 'Invalid client name: use 1 to 64 letters, digits, "_", "-" or "."');
    }
    const rawTier = fields.get('tier') ?? '';
    const tier = rawTier === '' ? 'Unlimited' : TIERS.find((t) => t.toLowerCase() === rawTier.toLowerCase());
    if (tier === undefined) throw envelopeError(400, `Invalid tier '${rawTier}': use one of ${TIERS.join(', ')}`);
    if (findClient(username, name) !== undefined) throw envelopeError(409, `A client named '${name}' already exists`);
    const record: ClientRecord = {
      username,
      name,
      description: fields.get('description') ?? '',
      tier,
      callbackUrl: fields.get('callbackUrl') ?? '',
      consumerKey: consumerCredential(),
      consumerSecret: consumerCredential(),
    };
    clients.set(record.consumerKey, record);
    return record;
  };

  const deleteClient = (username: string, name: string): boolean => {
    const client = findClient(username, name);
    if (client === undefined) return false;
    clients.delete(client.consumerKey);
    // "Immediately deletes this client and renders the API keys useless" (api_clients.json.j2).
    for (const [token, record] of accessTokens) if (record.consumerKey === client.consumerKey) accessTokens.delete(token);
    for (const [token, record] of refreshTokens) if (record.consumerKey === client.consumerKey) refreshTokens.delete(token);
    return true;
  };

  const issue = (username: string, consumerKey: string): TapisIssuedTokens => {
    const now = Date.now();
    const accessToken = opaqueToken();
    const refreshToken = opaqueToken();
    accessTokens.set(accessToken, { username, consumerKey, expiresAt: now + accessLifetimeS * 1000 });
    refreshTokens.set(refreshToken, { username, consumerKey, accessToken, expiresAt: now + refreshLifetimeS * 1000 });
    return { accessToken, refreshToken, expiresIn: accessLifetimeS };
  };

  const validAccessToken = (token: string): AccessTokenRecord | undefined => {
    const record = accessTokens.get(token);
    if (record === undefined) return undefined;
    if (Date.now() >= record.expiresAt || !clients.has(record.consumerKey)) return undefined;
    return record;
  };

  /** HTTP Basic username:password of the clients API. */
  const basicUser = (credentials: Credentials): TapisUser => {
    if (credentials.scheme !== 'basic') throw envelopeError(401, 'Authentication required: use HTTP Basic with your username and password', { 'WWW-Authenticate': BASIC_CHALLENGE });
    const user = findUser(credentials.username);
    // 403 for wrong credentials: the responseMessages of agavepy/resources/api_clients.json.j2.
    if (user === undefined || !sameSecret(user.password, credentials.password)) throw envelopeError(403, 'Failed to authenticate the user');
    return user;
  };

  /** Bearer access token, checked as the API gateway does. */
  const bearerUser = (credentials: Credentials): TapisUser => {
    if (credentials.scheme === 'none') throw new HttpError(401, 'Missing Credentials', MISSING_CREDENTIALS, { 'WWW-Authenticate': BEARER_CHALLENGE });
    const record = credentials.scheme === 'bearer' ? validAccessToken(credentials.token) : undefined;
    const user = record === undefined ? undefined : findUser(record.username);
    if (user === undefined) throw new HttpError(401, 'Invalid Credentials', INVALID_CREDENTIALS, { 'WWW-Authenticate': BEARER_CHALLENGE });
    return user;
  };

  /** POST /token: agavepy/tokens/create_access_token.py, agavepy/tokens/refresh_tokens.py, Token in agavepy/agave.py. */
  const token = (req: IncomingMessage, body: Buffer, credentials: Credentials, entry: TapisRequestLogEntry): TapisIssuedTokens => {
    const fields = new URLSearchParams(mediaType(req) === FORM_TYPE ? body.toString('utf8') : '');
    const grantType = fields.get('grant_type');
    entry.grantType = grantType;
    counts.total += 1;
    if (grantType === 'password') counts.password += 1;
    if (grantType === 'refresh_token') counts.refresh += 1;

    if (credentials.scheme !== 'basic') throw oauthError(401, 'invalid_client', ERR_CLIENT_AUTH);
    const client = clients.get(credentials.username);
    if (client === undefined || !sameSecret(client.consumerSecret, credentials.password)) throw oauthError(401, 'invalid_client', ERR_CLIENT_AUTH);
    if (mediaType(req) !== FORM_TYPE) throw oauthError(400, 'invalid_request', `The body must be ${FORM_TYPE}`);

    if (grantType === null || grantType === '') throw oauthError(400, 'invalid_request', 'Missing grant_type parameter value');
    if (grantType === 'password') {
      const username = fields.get('username');
      const password = fields.get('password');
      if (username === null || username === '' || password === null) throw oauthError(400, 'invalid_request', 'Missing username or password parameter');
      const user = findUser(username);
      // Assumed: the user must own the client (Keyport only uses the account's own clients).
      if (user === undefined || !sameSecret(user.password, password) || client.username !== user.username) {
        throw oauthError(400, 'invalid_grant', ERR_BAD_GRANT);
      }
      return issue(user.username, client.consumerKey);
    }
    if (grantType === 'refresh_token') {
      const value = fields.get('refresh_token');
      if (value === null || value === '') throw oauthError(400, 'invalid_request', 'Missing refresh_token parameter value');
      const record = refreshTokens.get(value);
      if (record === undefined || record.consumerKey !== client.consumerKey) throw oauthError(400, 'invalid_grant', ERR_UNKNOWN_REFRESH);
      if (Date.now() >= record.expiresAt) {
        refreshTokens.delete(value);
        throw oauthError(400, 'invalid_grant', ERR_EXPIRED_REFRESH);
      }
      // Rotation: the refresh token is single-use, and the access token issued with it dies too.
      refreshTokens.delete(value);
      accessTokens.delete(record.accessToken);
      return issue(record.username, client.consumerKey);
    }
    throw oauthError(400, 'unsupported_grant_type', `Unsupported grant_type value '${grantType}'`);
  };

  const methodNotAllowed = (allow: string): HttpError => envelopeError(405, 'Method Not Allowed', { Allow: allow });

  const route = async (req: IncomingMessage, res: ServerResponse, path: string, credentials: Credentials, entry: TapisRequestLogEntry): Promise<void> => {
    const match = ROUTE.exec(path);
    // The body is read for every route so that keep-alive connections stay usable.
    const body = await readBody(req);
    if (match === null) throw envelopeError(404, 'Not Found');
    const [, tokenPath, tenantsPath, clientsPath, rawName, profilesPath] = match;
    const method = req.method ?? 'GET';

    if (tokenPath !== undefined) {
      if (method !== 'POST') throw methodNotAllowed('POST');
      const issued = token(req, body, credentials, entry);
      sendJson(
        res,
        200,
        { scope: 'default', token_type: 'bearer', expires_in: issued.expiresIn, refresh_token: issued.refreshToken, access_token: issued.accessToken },
        { Pragma: 'no-cache' },
      );
      return;
    }

    if (tenantsPath !== undefined) {
      // agavepy/tenants/tenants.py reads result[].code, .name and .baseUrl; no authentication.
      if (method !== 'GET') throw methodNotAllowed('GET');
      sendJson(res, 200, envelope('Tenants retrieved successfully.', [{ id: tenantId, code: tenantId, name: `Keyport test tenant (${tenantId})`, baseUrl: `${url}/`, status: 'LIVE' }]));
      return;
    }

    if (clientsPath !== undefined && rawName === undefined) {
      if (method === 'GET') {
        const user = basicUser(credentials);
        sendJson(res, 200, envelope('Clients retrieved successfully.', userClients(user.username).map((c) => clientJson(c, false))));
        return;
      }
      if (method === 'POST') {
        const user = basicUser(credentials);
        const record = createClient(user.username, parseFields(req, body));
        sendJson(res, 201, envelope('Client created successfully.', clientJson(record, true)));
        return;
      }
      throw methodNotAllowed('GET, POST');
    }

    if (clientsPath !== undefined && rawName !== undefined) {
      if (method !== 'GET' && method !== 'DELETE') throw methodNotAllowed('GET, DELETE');
      const user = basicUser(credentials);
      let name: string;
      try {
        name = decodeURIComponent(rawName);
      } catch {
        throw envelopeError(400, 'Malformed client name in path');
      }
      const client = findClient(user.username, name);
      if (client === undefined) throw envelopeError(404, `No client named '${name}'`);
      if (method === 'GET') {
        // A one-element list: the bundled Swagger declares getClientByName as returning
        // MultipleClientResponse (agavepy/resources/api_clients.json.j2), and agavepy's
        // Operation.post_process mangles a bare object into a list of key fragments.
        sendJson(res, 200, envelope('Client retrieved successfully.', [clientJson(client, false)]));
        return;
      }
      deleteClient(user.username, name);
      sendJson(res, 200, envelope('Client deleted successfully.', null));
      return;
    }

    if (profilesPath !== undefined) {
      if (method !== 'GET') throw methodNotAllowed('GET');
      const user = bearerUser(credentials);
      sendJson(
        res,
        200,
        envelope('User details retrieved successfully.', {
          create_time: '20240101000000Z',
          email: user.email,
          first_name: user.firstName,
          full_name: `${user.firstName} ${user.lastName}`,
          last_name: user.lastName,
          mobile_phone: '',
          phone: '',
          status: 'Active',
          uid: 0,
          username: user.username,
        }),
      );
      return;
    }

    throw envelopeError(404, 'Not Found');
  };

  const server = await listen(
    { https: options.https, faults },
    requestHandler({
      requestLog,
      faults,
      entry: (base): TapisRequestLogEntry => ({ ...base, grantType: null, status: null }),
      route,
      fail: (res, error) => {
        if (error instanceof HttpError) sendJson(res, error.status, error.body, error.headers);
        else sendJson(res, 500, { status: 'error', message: 'Internal Server Error', version: API_VERSION, result: null });
      },
    }),
  );
  url = server.url;

  const seedError = (error: unknown): never => {
    throw error instanceof HttpError ? new Error(error.message) : error;
  };

  return {
    url,
    caPem: server.caPem,
    tenantId,
    users,
    accessTokenLifetimeSeconds: accessLifetimeS,
    requestLog,
    faults: faults.faults,
    tokenRequests: {
      get password() {
        return counts.password;
      },
      get refresh() {
        return counts.refresh;
      },
      get total() {
        return counts.total;
      },
    },
    clientNames: (username) => userClients(username).map((c) => c.name),
    hasClient: (username, name) => findClient(username, name) !== undefined,
    getClient: (username, name) => {
      const client = findClient(username, name);
      if (client === undefined) return undefined;
      const { description, tier, callbackUrl, consumerKey } = client;
      return { name: client.name, description, tier, callbackUrl, consumerKey };
    },
    createClient: (username, name, description = '') => {
      try {
        const record = createClient(username, new Map([['clientName', name], ['description', description]]));
        return { consumerKey: record.consumerKey, consumerSecret: record.consumerSecret };
      } catch (error) {
        return seedError(error);
      }
    },
    deleteClient,
    issueTokens: (username, clientName) => {
      const client = findClient(username, clientName);
      if (client === undefined) throw new Error(`No client named '${clientName}' for '${username}'`);
      return issue(username, client.consumerKey);
    },
    isAccessTokenValid: (value) => validAccessToken(value) !== undefined,
    isRefreshTokenValid: (value) => {
      const record = refreshTokens.get(value);
      return record !== undefined && Date.now() < record.expiresAt && clients.has(record.consumerKey);
    },
    revokeRefreshTokens: (username) => {
      let revoked = 0;
      for (const [value, record] of refreshTokens) {
        if (record.username !== username) continue;
        refreshTokens.delete(value);
        revoked += 1;
      }
      return revoked;
    },
    expireAccessTokens: (username) => {
      const now = Date.now();
      for (const record of accessTokens.values()) if (username === undefined || record.username === username) record.expiresAt = now;
    },
    close: server.close,
  };
}
