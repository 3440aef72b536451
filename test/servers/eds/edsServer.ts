// Reference Enthought Deployment Server (EDS, formerly "brood") for Keyport's tests and for
// the conformance suite that drives the real `hatcher` CLI against it.
// The wire protocol is described in docs/protocols/eds.md; every fact there names the hatcher
// module that confirms it. This file must run under plain `node --experimental-strip-types`
// (npm run servers), so it uses only erasable TypeScript and imports nothing from src/.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createFaultInjector } from '../common/faults.ts';
import type { Fault, FaultAction, Faults } from '../common/faults.ts';
import { listen, readBody as readRequestBody, requestHandler, sameSecret, sendJson } from '../common/httpServer.ts';
import type { AuthScheme, Credentials } from '../common/httpServer.ts';

export interface EdsUser {
  readonly username: string;
  readonly password: string;
  readonly email: string;
}

export interface EdsServerOptions {
  /** Replaces the default users (alice and bob). */
  users?: readonly EdsUser[];
  /** How long a session token stays valid; default one hour. */
  sessionLifetimeMs?: number;
  /** Serve HTTPS with a self-signed certificate generated at start. */
  https?: boolean;
}

/** What a fault does to a matching request (see test/servers/common/faults.ts). */
export type EdsFaultAction = FaultAction;

export type EdsFault = Fault;

export type EdsFaults = Faults;

export type EdsAuthScheme = AuthScheme;

/** One request as the server saw it. Never holds credentials or token values. */
export interface EdsRequestLogEntry {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Raw query string without "?" ("" when none); hatcher sends `force=False` on delete. */
  readonly query: string;
  readonly auth: EdsAuthScheme;
  /** Status sent, or null while pending or when the connection was reset. */
  status: number | null;
}

export interface EdsServer {
  /** http(s)://127.0.0.1:PORT, no trailing slash. */
  readonly url: string;
  /** PEM of the self-signed certificate to trust; undefined for plain HTTP. */
  readonly caPem: string | undefined;
  readonly users: readonly EdsUser[];
  readonly requestLog: EdsRequestLogEntry[];
  readonly faults: EdsFaults;
  /** Names of the user's API tokens, in creation order. */
  tokenNames(username: string): string[];
  hasApiToken(username: string, name: string): boolean;
  /** True when the value is an API token this server issued and that is not deleted. */
  isApiTokenValid(tokenValue: string): boolean;
  /** Seeds an API token; returns its value. Throws on an unknown user or a taken name. */
  createApiToken(username: string, name: string): string;
  /** Deletes an API token as the DELETE endpoint does; false when there was none. */
  revokeApiToken(username: string, name: string): boolean;
  /** Ends every session at once, so that clients must sign in again. */
  expireSessions(): void;
  /** Every session token this server has issued, live or ended: for tests that check a
   * client never shows, logs or stores one in the clear. */
  sessionTokens(): string[];
  close(): Promise<void>;
}

export const DEFAULT_EDS_USERS: readonly EdsUser[] = [
  { username: 'alice', password: 'wonderland-secret', email: 'alice@example.com' },
  { username: 'bob', password: 'builder-secret', email: 'bob@example.com' },
];

const DEFAULT_SESSION_LIFETIME_MS = 60 * 60 * 1000;
// Same header as the real tokens quoted in the hatcher docs (eyJhbGciOiJIUzI1NiJ9 = {"alg":"HS256"}).
const JWT_HEADER = Buffer.from('{"alg":"HS256"}').toString('base64url');
const ROUTE = /^\/api\/v[01]\/json\/auth\/(?:(tokens\/auth)|(tokens\/api)(?:\/([^/]+))?|(user))$/;

interface ApiTokenRecord {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  readonly created: string;
  lastUsed: string | null;
}

interface Session {
  readonly username: string;
  readonly expiresAt: number;
  /** Set when the session was bought with an API token: deleting that token ends it. */
  readonly apiTokenId: number | null;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return readRequestBody(req, () => new HttpError(413, 'Request body too large'));
}

function sendError(res: ServerResponse, status: number, message: string, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, status, { error: message }, headers);
}

export async function startEdsServer(options: EdsServerOptions = {}): Promise<EdsServer> {
  const users: readonly EdsUser[] = [...(options.users ?? DEFAULT_EDS_USERS)];
  const sessionLifetimeMs = options.sessionLifetimeMs ?? DEFAULT_SESSION_LIFETIME_MS;
  const signingKey = randomBytes(32);
  const apiTokens = new Map<number, ApiTokenRecord>();
  const sessions = new Map<string, Session>();
  const issuedSessions: string[] = [];
  const requestLog: EdsRequestLogEntry[] = [];
  const faults = createFaultInjector({
    errorBody: (_status, message) => ({ error: message }),
    malformedJson: '{"token": "abc", "tokens": [',
  });
  let nextTokenId = 1;

  const findUser = (username: string): EdsUser | undefined => users.find((u) => u.username === username);

  const signApiToken = (id: number): string => {
    const payload = Buffer.from(JSON.stringify({ id })).toString('base64url');
    const signature = createHmac('sha256', signingKey).update(`${JWT_HEADER}.${payload}`).digest('base64url');
    return `${JWT_HEADER}.${payload}.${signature}`;
  };

  const apiTokenRecord = (value: string): ApiTokenRecord | undefined => {
    const parts = value.split('.');
    if (parts.length !== 3) return undefined;
    const [header = '', payload = '', signature = ''] = parts;
    if (header !== JWT_HEADER) return undefined;
    const expected = createHmac('sha256', signingKey).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { id?: unknown }).id;
    } catch {
      return undefined;
    }
    return typeof id === 'number' ? apiTokens.get(id) : undefined;
  };

  const findApiToken = (username: string, name: string): ApiTokenRecord | undefined =>
    [...apiTokens.values()].find((t) => t.username === username && t.name === name);

  const createApiToken = (username: string, name: string): { record: ApiTokenRecord; token: string } => {
    if (findUser(username) === undefined) throw new HttpError(404, `No user named '${username}'`);
    if (name.trim() === '') throw new HttpError(400, 'The API token name must not be empty');
    if (findApiToken(username, name) !== undefined) {
      throw new HttpError(409, `An API token named '${name}' already exists`);
    }
    const record: ApiTokenRecord = { id: nextTokenId++, username, name, created: new Date().toISOString(), lastUsed: null };
    apiTokens.set(record.id, record);
    return { record, token: signApiToken(record.id) };
  };

  const revokeApiToken = (username: string, name: string): boolean => {
    const record = findApiToken(username, name);
    if (record === undefined) return false;
    apiTokens.delete(record.id);
    // Sessions bought with the token die with it; checked again in sessionUser for safety.
    for (const [key, session] of sessions) if (session.apiTokenId === record.id) sessions.delete(key);
    return true;
  };

  const sessionUser = (credentials: Credentials): EdsUser => {
    if (credentials.scheme !== 'bearer') throw new HttpError(401, 'Authentication failed');
    const session = sessions.get(credentials.token);
    if (session === undefined) throw new HttpError(401, 'Authentication failed');
    if (Date.now() >= session.expiresAt || (session.apiTokenId !== null && !apiTokens.has(session.apiTokenId))) {
      sessions.delete(credentials.token);
      throw new HttpError(401, 'Authentication failed');
    }
    const user = findUser(session.username);
    if (user === undefined) throw new HttpError(401, 'Authentication failed');
    return user;
  };

  // POST .../auth/tokens/auth: Basic username:password, or Bearer <API token> (hatcher/core/auth.py).
  const openSession = (credentials: Credentials): string => {
    let username: string;
    let apiTokenId: number | null = null;
    if (credentials.scheme === 'basic') {
      const user = findUser(credentials.username);
      if (user === undefined || !sameSecret(user.password, credentials.password)) {
        throw new HttpError(401, 'Authentication failed');
      }
      username = user.username;
    } else if (credentials.scheme === 'bearer') {
      const record = apiTokenRecord(credentials.token);
      if (record === undefined) throw new HttpError(401, 'Authentication failed');
      record.lastUsed = new Date().toISOString();
      username = record.username;
      apiTokenId = record.id;
    } else {
      throw new HttpError(401, 'Authentication failed');
    }
    const token = randomBytes(32).toString('base64url');
    sessions.set(token, { username, expiresAt: Date.now() + sessionLifetimeMs, apiTokenId });
    issuedSessions.push(token);
    return token;
  };

  const methodNotAllowed = (res: ServerResponse, allow: string): void =>
    sendError(res, 405, 'Method Not Allowed', { Allow: allow });

  const route = async (req: IncomingMessage, res: ServerResponse, path: string, credentials: Credentials): Promise<void> => {
    const match = ROUTE.exec(path);
    if (match === null) {
      // Drain the body so that keep-alive connections stay usable.
      await readBody(req).catch(() => undefined);
      sendError(res, 404, 'Not Found');
      return;
    }
    const [, authPath, apiPath, rawName, userPath] = match;
    const method = req.method ?? 'GET';
    // The body is read for every route (hatcher posts an empty form to the auth endpoint).
    const body = await readBody(req);

    if (authPath !== undefined) {
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      sendJson(res, 200, { token: openSession(credentials) });
      return;
    }

    if (userPath !== undefined) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      const user = sessionUser(credentials);
      sendJson(res, 200, { name: user.username, email: user.email });
      return;
    }

    if (apiPath !== undefined && rawName === undefined) {
      if (method === 'GET') {
        const user = sessionUser(credentials);
        const tokens = [...apiTokens.values()]
          .filter((t) => t.username === user.username)
          .map((t) => ({ name: t.name, created: t.created, last_used: t.lastUsed }));
        sendJson(res, 200, { tokens });
        return;
      }
      if (method === 'POST') {
        const user = sessionUser(credentials);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw new HttpError(400, 'The request body must be JSON like {"name": "..."}');
        }
        const name = typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown }).name : undefined;
        if (typeof name !== 'string') throw new HttpError(400, 'The API token name must not be empty');
        const { record, token } = createApiToken(user.username, name);
        sendJson(res, 200, { name: record.name, token, created: record.created });
        return;
      }
      return methodNotAllowed(res, 'GET, POST');
    }

    if (rawName !== undefined) {
      if (method !== 'DELETE') return methodNotAllowed(res, 'DELETE');
      const user = sessionUser(credentials);
      let name: string;
      try {
        name = decodeURIComponent(rawName);
      } catch {
        throw new HttpError(400, 'Malformed token name in path');
      }
      // hatcher appends ?force=False (hatcher/core/brood_url_handler.py); it changes nothing here.
      if (!revokeApiToken(user.username, name)) throw new HttpError(404, `No API token named '${name}'`);
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
      return;
    }

    sendError(res, 404, 'Not Found');
  };

  const server = await listen(
    { https: options.https, faults },
    requestHandler({
      requestLog,
      faults,
      // hatcher sends Basic credentials through requests, which encodes them in latin-1
      // (requests/auth.py _basic_auth_str); a server hatcher works with reads them that way.
      basicCharset: 'latin1',
      entry: (base): EdsRequestLogEntry => base,
      route,
      fail: (res, error) => {
        if (error instanceof HttpError) {
          const headers: OutgoingHttpHeaders = error.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="eds"' } : {};
          sendError(res, error.status, error.message, headers);
        } else {
          sendError(res, 500, 'Internal Server Error');
        }
      },
    }),
  );

  return {
    url: server.url,
    caPem: server.caPem,
    users,
    requestLog,
    faults: faults.faults,
    tokenNames: (username) => [...apiTokens.values()].filter((t) => t.username === username).map((t) => t.name),
    hasApiToken: (username, name) => findApiToken(username, name) !== undefined,
    isApiTokenValid: (tokenValue) => apiTokenRecord(tokenValue) !== undefined,
    createApiToken: (username, name) => createApiToken(username, name).token,
    revokeApiToken,
    expireSessions: () => sessions.clear(),
    sessionTokens: () => [...issuedSessions],
    close: server.close,
  };
}
