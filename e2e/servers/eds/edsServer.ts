// Reference Enthought Deployment Server (EDS, formerly "brood") for Keyport's tests and for
// the conformance suite that drives the real `hatcher` CLI against it.
// The wire protocol is described in docs/protocols/eds.md; every fact there names the hatcher
// module that confirms it. This file must run under plain `node --experimental-strip-types`
// (npm run servers), so it uses only erasable TypeScript and imports nothing from src/.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';

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

/** What a fault does to a matching request. */
export type EdsFaultAction =
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  | { kind: 'malformed-json' }
  | { kind: 'html'; status?: number }
  | { kind: 'reset' }
  | { kind: 'wrong-shape' };

export type EdsFault = EdsFaultAction & {
  /** Tested against the request path (no query); every path when absent. */
  match?: RegExp;
  /** How many requests the fault applies to; unlimited when absent. */
  times?: number;
};

export interface EdsFaults {
  add(fault: EdsFault): void;
  clear(): void;
}

export type EdsAuthScheme = 'basic' | 'bearer' | 'none' | 'other';

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
const MAX_BODY_BYTES = 64 * 1024;
// hatcher prints error['error'] only when Content-Type is exactly this (hatcher/cli/utils.py).
const JSON_TYPE = 'application/json';
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

type Credentials =
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'none' }
  | { scheme: 'other' };

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function parseAuthorization(header: string | undefined): Credentials {
  if (header === undefined || header.trim() === '') return { scheme: 'none' };
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (scheme.toLowerCase() === 'bearer' && value !== '') return { scheme: 'bearer', token: value };
  if (scheme.toLowerCase() === 'basic' && value !== '') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { scheme: 'other' };
    return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { scheme: 'other' };
}

// Hashing first gives equal-length buffers, so timingSafeEqual never throws and the
// comparison time does not reveal the password length.
function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'Request body too large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
  send(res, status, JSON.stringify(value), { 'Content-Type': JSON_TYPE, ...headers });
}

function sendError(res: ServerResponse, status: number, message: string, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, status, { error: message }, headers);
}

async function makeCertificate(): Promise<{ key: string; cert: string }> {
  // EC keys generate in milliseconds where RSA takes about a second; the SANs let clients
  // connect by IP (the URL we report) or by "localhost". cA:false keeps it a plain server
  // certificate, which both Node and Python's OpenSSL accept as a trust anchor.
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function startEdsServer(options: EdsServerOptions = {}): Promise<EdsServer> {
  const users: readonly EdsUser[] = [...(options.users ?? DEFAULT_EDS_USERS)];
  const sessionLifetimeMs = options.sessionLifetimeMs ?? DEFAULT_SESSION_LIFETIME_MS;
  const signingKey = randomBytes(32);
  const apiTokens = new Map<number, ApiTokenRecord>();
  const sessions = new Map<string, Session>();
  const issuedSessions: string[] = [];
  const requestLog: EdsRequestLogEntry[] = [];
  const faultList: { fault: EdsFault; remaining: number }[] = [];
  const pendingDelays = new Set<() => void>();
  let nextTokenId = 1;
  let closed = false;

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

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingDelays.add(done);
    });

  /** Applies matching faults in the order added; returns true when one answered the request. */
  const applyFaults = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    for (const entry of [...faultList]) {
      const { fault } = entry;
      if (entry.remaining <= 0) continue;
      if (fault.match !== undefined) {
        fault.match.lastIndex = 0; // a /g or /y RegExp would otherwise remember the last match
        if (!fault.match.test(path)) continue;
      }
      entry.remaining -= 1;
      switch (fault.kind) {
        case 'delay':
          await wait(fault.ms);
          if (closed) {
            res.destroy();
            return true;
          }
          continue; // a delay slows the request down; later faults or the real answer follow
        case 'status':
          await readBody(req).catch(() => undefined);
          if (fault.body === undefined) sendError(res, fault.status, STATUS_CODES[fault.status] ?? 'Error');
          else send(res, fault.status, fault.body, { 'Content-Type': fault.contentType ?? JSON_TYPE });
          return true;
        case 'malformed-json':
          await readBody(req).catch(() => undefined);
          send(res, 200, '{"token": "abc", "tokens": [', { 'Content-Type': JSON_TYPE });
          return true;
        case 'html': {
          await readBody(req).catch(() => undefined);
          const status = fault.status ?? 502;
          const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
          send(res, status, `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><hr><center>nginx</center></body></html>\n`, {
            'Content-Type': 'text/html; charset=utf-8',
          });
          return true;
        }
        case 'reset': {
          const socket: Socket = req.socket;
          // A TCP RST is what a crashing proxy produces; TLS sockets cannot reset, so they just close.
          try {
            socket.resetAndDestroy();
          } catch {
            socket.destroy();
          }
          return true;
        }
        case 'wrong-shape':
          await readBody(req).catch(() => undefined);
          sendJson(res, 200, { result: 'ok', data: [] });
          return true;
      }
    }
    return false;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const credentials = parseAuthorization(req.headers.authorization);
    const entry: EdsRequestLogEntry = {
      method: req.method ?? 'GET',
      path: target.pathname,
      query: target.search.replace(/^\?/, ''),
      auth: credentials.scheme,
      status: null,
    };
    requestLog.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    try {
      if (await applyFaults(req, res, target.pathname)) return;
      await route(req, res, target.pathname, credentials);
    } catch (error) {
      if (error instanceof HttpError) {
        const headers: OutgoingHttpHeaders = error.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="eds"' } : {};
        sendError(res, error.status, error.message, headers);
      } else {
        sendError(res, 500, 'Internal Server Error');
      }
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res);
  };

  let caPem: string | undefined;
  let server: Server;
  if (options.https === true) {
    const { key, cert } = await makeCertificate();
    caPem = cert;
    server = createHttpsServer({ key, cert }, listener);
  } else {
    server = createHttpServer(listener);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${options.https === true ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    url,
    caPem,
    users,
    requestLog,
    faults: {
      add(fault: EdsFault): void {
        faultList.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
      },
      clear(): void {
        faultList.length = 0;
      },
    },
    tokenNames: (username) => [...apiTokens.values()].filter((t) => t.username === username).map((t) => t.name),
    hasApiToken: (username, name) => findApiToken(username, name) !== undefined,
    isApiTokenValid: (tokenValue) => apiTokenRecord(tokenValue) !== undefined,
    createApiToken: (username, name) => createApiToken(username, name).token,
    revokeApiToken,
    expireSessions: () => sessions.clear(),
    sessionTokens: () => [...issuedSessions],
    close: async () => {
      if (closed) return;
      closed = true;
      for (const release of [...pendingDelays]) release();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
