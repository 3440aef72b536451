// Reference registry for the public npm registry (registry.npmjs.org) as it works since
// December 2025: web login with 2-hour session tokens, granular access tokens only (paged list,
// create with packages/scopes/orgs/permissions/expiry/CIDR/bypass-2FA, revoke), two-factor
// authentication by authenticator code (`WWW-Authenticate: OTP`) or in the browser
// (`authUrl`/`doneUrl` in the 401 body), whoami and publish permission checks.
// Its behaviour is pinned by the real npm CLI 11 in conformance/npmjsWithNpm.test.ts; what the
// CLI cannot show is marked "assumed" in docs/protocols/npm.md. Runs under plain
// `node --experimental-strip-types`: erasable TypeScript only, nothing imported from src/.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createFaultInjector } from '../common/faults.ts';
import type { Faults } from '../common/faults.ts';
import { listen, readBody, requestHandler, sameSecret, send, sendJson } from '../common/httpServer.ts';
import type { Credentials, LogEntryBase } from '../common/httpServer.ts';

export interface NpmjsUser {
  readonly username: string;
  readonly password: string;
  /** Two-factor authentication for sign-in and writes (npm's "auth-and-writes"). */
  readonly twoFactor: boolean;
  /** Packages the user maintains (unscoped or `@scope/name`). */
  readonly packages: readonly string[];
  readonly scopes: readonly string[];
  readonly orgs: readonly string[];
}

export const DEFAULT_NPMJS_USERS: readonly NpmjsUser[] = [
  { username: 'alice', password: 'wonderland-secret', twoFactor: false, packages: ['alice-pkg', '@alice/tools'], scopes: ['@alice'], orgs: ['alice-org'] },
  { username: 'carol', password: 'two-factor-secret', twoFactor: true, packages: ['carol-pkg'], scopes: ['@carol'], orgs: [] },
];

/** The code the authenticator app of a two-factor user shows (fixed: tests type it). */
export const NPMJS_OTP = '123456';

export type Permission = 'no-access' | 'read-only' | 'read-write';
const PERMISSIONS: readonly string[] = ['no-access', 'read-only', 'read-write'];

export interface NpmjsServerOptions {
  users?: readonly NpmjsUser[];
  /** Whether `POST /-/v1/login` is offered (default true). */
  webLogin?: boolean;
  /** Session token lifetime; default two hours, as npm's since 2025. */
  sessionLifetimeMs?: number;
  /** `retry-after` seconds of a pending doneUrl (npm waits that many seconds). Default 1. */
  pollSeconds?: number;
  /** How long a login or web OTP request may wait for the person; default ten minutes. */
  pendingLifetimeMs?: number;
  /** Tokens per list page; default 100. */
  pageSize?: number;
  /** 'code': a 401 with `WWW-Authenticate: OTP`; 'web': the same, plus authUrl/doneUrl. */
  otpMode?: 'code' | 'web';
}

/** One request as the registry saw it; `body` is the JSON body with `password` replaced by
 * "<password>" (never a secret), for comparing what clients send. */
export interface NpmjsLogEntry extends LogEntryBase {
  body?: unknown;
  otp: boolean;
}

export interface NpmjsTokenRecord {
  readonly key: string;
  readonly username: string;
  readonly name: string;
  readonly description: string | null;
  readonly created: string;
  readonly expires: string;
  lastUsed: string | null;
  readonly packages: string[];
  readonly packagesAll: boolean;
  readonly scopes: string[];
  readonly orgs: string[];
  readonly packagesPermission: Permission;
  readonly orgsPermission: Permission;
  readonly cidr: string[];
  readonly bypass2fa: boolean;
}

export interface NpmjsServer {
  readonly url: string;
  readonly users: readonly NpmjsUser[];
  readonly requestLog: NpmjsLogEntry[];
  readonly faults: Faults;
  /** The person in the browser: approves (or denies) a loginUrl or authUrl this server gave.
   * Resolves false for a URL it does not know. */
  person(url: string, decision: { approveAs?: string; deny?: boolean }): Promise<boolean>;
  /** The loginUrls and authUrls waiting for the person, oldest first (what a browser shows). */
  pendingUrls(): string[];
  /** Granular tokens of a user, in creation order. */
  tokens(username: string): NpmjsTokenRecord[];
  /** Seeds granular tokens (read-only, all packages); returns their values. */
  seedTokens(username: string, count: number): string[];
  /** Ends every session token now. */
  expireSessions(): void;
  /** Packages published so far, by name. */
  published(): string[];
  setOtpMode(mode: 'code' | 'web'): void;
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** npm's limits since 2025-11 (GitHub changelog): write tokens live at most 90 days. Read-only
 * tokens at most 365 (assumed). Default 7 days when the client does not say (assumed). */
export const MAX_WRITE_DAYS = 90;
export const MAX_READ_DAYS = 365;
const DEFAULT_DAYS = 7;
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

class HttpError extends Error {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly extra: Record<string, unknown>;
  constructor(status: number, message: string, headers: OutgoingHttpHeaders = {}, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
    this.extra = extra;
  }
}

interface Session {
  readonly username: string;
  readonly expiresAt: number;
}

/** A login or a web OTP that waits for the person. */
interface Pending {
  readonly kind: 'login' | 'otp';
  /** For 'otp': whose account the code is for. */
  readonly username: string | null;
  readonly expiresAt: number;
  state: 'pending' | 'denied' | { approvedAs: string };
  token?: string;
}

const newToken = (): string => `npm_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;

function asStringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) throw new HttpError(400, `${field} must be a list of names`);
  return list.flatMap((v: string) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function permissionOf(value: unknown, field: string): Permission | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !PERMISSIONS.includes(value)) throw new HttpError(400, `${field} must be one of no-access, read-only, read-write`);
  return value as Permission;
}

export async function startNpmjsServer(options: NpmjsServerOptions = {}): Promise<NpmjsServer> {
  const users = [...(options.users ?? DEFAULT_NPMJS_USERS)];
  const sessionLifetimeMs = options.sessionLifetimeMs ?? 2 * 60 * 60 * 1000;
  const pendingLifetimeMs = options.pendingLifetimeMs ?? 10 * 60 * 1000;
  const pollSeconds = options.pollSeconds ?? 1;
  const pageSize = options.pageSize ?? 100;
  let otpMode = options.otpMode ?? 'code';
  const sessions = new Map<string, Session>();
  const tokens = new Map<string, { record: NpmjsTokenRecord; value: string }>();
  const byValue = new Map<string, string>();
  const pending = new Map<string, Pending>();
  const publishedPackages = new Set<string>();
  const requestLog: NpmjsLogEntry[] = [];
  const faults = createFaultInjector({ errorBody: (_s, message) => ({ error: message }), malformedJson: '{"objects": [' });
  let base = '';

  const findUser = (name: string): NpmjsUser | undefined => users.find((u) => u.username === name);

  /** Who a bearer token is: a live session, or a granular token (with its record). */
  const identify = (credentials: Credentials): { user: NpmjsUser; token: NpmjsTokenRecord | null } => {
    if (credentials.scheme !== 'bearer') throw new HttpError(401, 'You must be logged in');
    const session = sessions.get(credentials.token);
    if (session) {
      if (Date.now() >= session.expiresAt) {
        sessions.delete(credentials.token);
        throw new HttpError(401, 'Your session has expired; log in again');
      }
      const user = findUser(session.username);
      if (user) return { user, token: null };
    }
    const key = byValue.get(credentials.token);
    const entry = key === undefined ? undefined : tokens.get(key);
    if (entry && Date.parse(entry.record.expires) > Date.now()) {
      const user = findUser(entry.record.username);
      if (user) {
        entry.record.lastUsed = new Date().toISOString();
        return { user, token: entry.record };
      }
    }
    throw new HttpError(401, 'Invalid or expired token');
  };

  const startPending = (kind: Pending['kind'], username: string | null): { loginUrl: string; doneUrl: string } => {
    const id = randomBytes(16).toString('hex');
    pending.set(id, { kind, username, expiresAt: Date.now() + pendingLifetimeMs, state: 'pending' });
    return { loginUrl: `${base}/-/browser/${id}`, doneUrl: `${base}/-/v1/done?sessionId=${id}` };
  };

  /** Two-factor check of a write (or a password login): the code in `npm-otp`, or a web OTP
   * code this server handed out at a doneUrl. */
  const requireOtp = (req: IncomingMessage, user: NpmjsUser, entry: NpmjsLogEntry): void => {
    if (!user.twoFactor) return;
    const given = req.headers['npm-otp'];
    entry.otp = typeof given === 'string';
    if (typeof given === 'string') {
      const webCode = [...pending.values()].some((p) => p.kind === 'otp' && p.token === given && p.username === user.username);
      if (given === NPMJS_OTP || webCode) return;
      throw new HttpError(401, 'Invalid one-time password', { 'WWW-Authenticate': 'OTP' });
    }
    const extra = otpMode === 'web' ? (({ loginUrl, doneUrl }) => ({ authUrl: loginUrl, doneUrl }))(startPending('otp', user.username)) : {};
    throw new HttpError(401, 'This operation requires a one-time password', { 'WWW-Authenticate': 'OTP' }, extra);
  };

  const openSession = (username: string): string => {
    const token = newToken();
    sessions.set(token, { username, expiresAt: Date.now() + sessionLifetimeMs });
    return token;
  };

  const masked = (value: string): string => value.slice(0, 8);

  const tokenJson = (record: NpmjsTokenRecord, value: string) => ({
    key: record.key,
    token: masked(value),
    name: record.name,
    description: record.description,
    created: record.created,
    updated: record.created,
    expires: record.expires,
    last_used: record.lastUsed,
    readonly: record.packagesPermission !== 'read-write' && record.orgsPermission !== 'read-write',
    cidr_whitelist: record.cidr.length > 0 ? record.cidr : null,
    bypass_2fa: record.bypass2fa,
    packages: record.packages,
    packages_all: record.packagesAll,
    scopes: record.scopes,
    orgs: record.orgs,
    packages_and_scopes_permission: record.packagesPermission,
    orgs_permission: record.orgsPermission,
  });

  const createToken = (user: NpmjsUser, body: Record<string, unknown>): { record: NpmjsTokenRecord; value: string } => {
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    if (name === '') throw new HttpError(400, 'Token name is required');
    if ([...tokens.values()].some((t) => t.record.username === user.username && t.record.name === name)) {
      throw new HttpError(409, `A token named "${name}" already exists`);
    }
    const packages = asStringList(body.packages, 'packages');
    const scopes = asStringList(body.scopes, 'scopes');
    const orgs = asStringList(body.orgs, 'orgs');
    const packagesAll = body.packages_all === true;
    for (const p of packages) if (!user.packages.includes(p)) throw new HttpError(400, `Package not found or not yours: ${p}`);
    for (const s of scopes) if (!user.scopes.includes(s.startsWith('@') ? s : `@${s}`)) throw new HttpError(400, `Scope not found or not yours: ${s}`);
    for (const o of orgs) if (!user.orgs.includes(o)) throw new HttpError(400, `Organization not found or not yours: ${o}`);
    const packagesPermission = permissionOf(body.packages_and_scopes_permission, 'packages_and_scopes_permission') ?? 'read-only';
    const orgsPermission = permissionOf(body.orgs_permission, 'orgs_permission') ?? 'no-access';
    const reachesPackages = (packagesAll || packages.length > 0 || scopes.length > 0) && packagesPermission !== 'no-access';
    const reachesOrgs = orgs.length > 0 && orgsPermission !== 'no-access';
    if (!reachesPackages && !reachesOrgs) throw new HttpError(400, 'The token must have a permission on at least one package, scope or organization');
    const writes = packagesPermission === 'read-write' || orgsPermission === 'read-write';
    const max = writes ? MAX_WRITE_DAYS : MAX_READ_DAYS;
    let days = DEFAULT_DAYS;
    if (body.expires !== undefined && body.expires !== null) {
      if (typeof body.expires !== 'number' || !Number.isInteger(body.expires) || body.expires < 1) throw new HttpError(400, 'expires must be a whole number of days');
      if (body.expires > max) throw new HttpError(400, `Token expiration cannot exceed ${max} days for ${writes ? 'tokens with write access' : 'read-only tokens'}`);
      days = body.expires;
    }
    const cidr = asStringList(body.cidr_whitelist, 'cidr_whitelist');
    for (const c of cidr) if (!IPV4_CIDR.test(c)) throw new HttpError(400, `Invalid CIDR range: ${c}`);
    const description = typeof body.description === 'string' && body.description.trim() !== '' ? body.description : null;
    const now = Date.now();
    const record: NpmjsTokenRecord = {
      key: randomBytes(32).toString('hex'),
      username: user.username,
      name,
      description,
      created: new Date(now).toISOString(),
      expires: new Date(now + days * DAY_MS).toISOString(),
      lastUsed: null,
      packages,
      packagesAll,
      scopes,
      orgs,
      packagesPermission,
      orgsPermission,
      cidr,
      bypass2fa: body.bypass_2fa === true,
    };
    const value = newToken();
    tokens.set(record.key, { record, value });
    byValue.set(value, record.key);
    return { record, value };
  };

  const mayPublish = (user: NpmjsUser, token: NpmjsTokenRecord | null, pkg: string): boolean => {
    const owns = user.packages.includes(pkg) || user.scopes.some((s) => pkg.startsWith(`${s}/`)) || !publishedPackages.has(pkg);
    if (!owns) return false;
    if (token === null) return true;
    if (token.packagesPermission !== 'read-write') return false;
    return token.packagesAll || token.packages.includes(pkg) || token.scopes.some((s) => pkg.startsWith(`${s.startsWith('@') ? s : `@${s}`}/`));
  };

  const readJson = async (req: IncomingMessage, entry: NpmjsLogEntry): Promise<Record<string, unknown>> => {
    const raw = (await readBody(req, () => new HttpError(413, 'Request body too large'))).toString('utf8');
    if (raw === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'Request body is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'Request body must be an object');
    const body = parsed as Record<string, unknown>;
    entry.body = 'password' in body ? { ...body, password: '<password>' } : body;
    return body;
  };

  const checkCidr = (req: IncomingMessage, token: NpmjsTokenRecord | null): void => {
    if (token === null || token.cidr.length === 0) return;
    // Tests run on 127.0.0.1: a token limited to other ranges is refused, as the registry does.
    const allowed = token.cidr.some((c) => c.startsWith('127.') || c === '0.0.0.0/0');
    if (!allowed || req.socket.remoteAddress === undefined) throw new HttpError(401, 'IP address not allowed', { 'WWW-Authenticate': 'ipaddress' });
  };

  const route = async (req: IncomingMessage, res: ServerResponse, path: string, credentials: Credentials, entry: NpmjsLogEntry): Promise<void> => {
    const method = req.method ?? 'GET';
    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;

    // `npm ping` (npm lib/utils/ping.js); registry.npmjs.org answers {} without credentials.
    if (path === '/-/ping' && method === 'GET') {
      sendJson(res, 200, {});
      return;
    }
    if (path === '/-/v1/login' && method === 'POST') {
      await readJson(req, entry);
      if (options.webLogin === false) throw new HttpError(404, 'Not found');
      sendJson(res, 200, startPending('login', null));
      return;
    }
    if (path === '/-/v1/done' && method === 'GET') {
      const id = query.get('sessionId') ?? '';
      const p = pending.get(id);
      if (!p) throw new HttpError(404, 'Unknown or expired login');
      if (Date.now() >= p.expiresAt) {
        pending.delete(id);
        throw new HttpError(404, 'The login request expired');
      }
      if (p.state === 'denied') throw new HttpError(403, 'The login was denied');
      if (p.state === 'pending') {
        sendJson(res, 202, {}, { 'Retry-After': String(pollSeconds) });
        return;
      }
      if (p.kind === 'login') {
        const token = p.token ?? openSession(p.state.approvedAs);
        p.token = token;
        pending.delete(id);
        sendJson(res, 200, { token });
        return;
      }
      sendJson(res, 200, { token: p.token });
      return;
    }
    const browserPage = /^\/-\/browser\/([0-9a-f]+)$/.exec(path);
    if (browserPage && method === 'GET') {
      // What the person sees in the browser: one link per user to approve as, and one to deny
      // (for `npm run servers` and browser tests; conformance tests call person()).
      const id = browserPage[1] ?? '';
      const p = pending.get(id);
      const as = query.get('as');
      if (p && p.state === 'pending' && (as !== null || query.has('deny'))) await decide(id, as === null ? { deny: true } : { approveAs: as });
      const title = p?.kind === 'otp' ? 'Confirm with your security key' : 'Sign in to npm';
      const choices = (p?.kind === 'otp' ? users.filter((u) => u.username === p.username) : users)
        .map((u) => `<li><a href="?as=${encodeURIComponent(u.username)}">Approve as ${u.username}</a></li>`)
        .join('');
      const state = p === undefined ? 'This request expired.' : p.state === 'pending' ? '' : p.state === 'denied' ? 'Denied. You can close this page.' : 'Approved. You can close this page.';
      const body = `<!DOCTYPE html><html lang="en"><head><title>${title}</title></head><body><main><h1>${title}</h1>${
        state ? `<p>${state}</p>` : `<ul>${choices}<li><a href="?deny=1">Deny</a></li></ul>`
      }</main></body></html>`;
      send(res, p ? 200 : 404, body, { 'Content-Type': 'text/html; charset=utf-8' });
      return;
    }

    const couchLogin = /^\/-\/user\/org\.couchdb\.user:([^/]+)$/.exec(path);
    if (couchLogin && method === 'PUT') {
      const body = await readJson(req, entry);
      const name = decodeURIComponent(couchLogin[1] ?? '');
      const user = findUser(name);
      if (!user || typeof body.password !== 'string' || !sameSecret(user.password, body.password)) throw new HttpError(401, 'Incorrect username or password');
      requireOtp(req, user, entry);
      sendJson(res, 201, { ok: true, id: `org.couchdb.user:${name}`, token: openSession(user.username) });
      return;
    }
    const logout = /^\/-\/user\/token\/(.+)$/.exec(path);
    if (logout && method === 'DELETE') {
      identify(credentials);
      sessions.delete(decodeURIComponent(logout[1] ?? ''));
      sendJson(res, 200, { ok: 'Logged out' });
      return;
    }
    if (path === '/-/whoami' && method === 'GET') {
      const { user, token } = identify(credentials);
      checkCidr(req, token);
      sendJson(res, 200, { username: user.username });
      return;
    }
    if (path === '/-/npm/v1/tokens' && method === 'GET') {
      const { user, token } = identify(credentials);
      checkCidr(req, token);
      const mine = [...tokens.values()].filter((t) => t.record.username === user.username);
      const page = Math.max(0, Number.parseInt(query.get('page') ?? '0', 10) || 0);
      const slice = mine.slice(page * pageSize, (page + 1) * pageSize);
      const next = (page + 1) * pageSize < mine.length ? `${base}/-/npm/v1/tokens?page=${page + 1}` : null;
      sendJson(res, 200, { objects: slice.map((t) => tokenJson(t.record, t.value)), total: mine.length, urls: { next } });
      return;
    }
    if (path === '/-/npm/v1/tokens' && method === 'POST') {
      const body = await readJson(req, entry);
      const { user, token } = identify(credentials);
      checkCidr(req, token);
      if (token !== null) throw new HttpError(403, 'Tokens can only be created with a login session');
      if (typeof body.password !== 'string' || !sameSecret(user.password, body.password)) throw new HttpError(401, 'Incorrect password');
      requireOtp(req, user, entry);
      const created = createToken(user, body);
      sendJson(res, 200, { ...tokenJson(created.record, created.value), token: created.value });
      return;
    }
    const revoke = /^\/-\/npm\/v1\/tokens\/token\/([^/]+)$/.exec(path);
    if (revoke && method === 'DELETE') {
      const { user, token } = identify(credentials);
      checkCidr(req, token);
      if (token !== null) throw new HttpError(403, 'Tokens can only be revoked with a login session');
      const key = decodeURIComponent(revoke[1] ?? '');
      const target = tokens.get(key);
      if (!target || target.record.username !== user.username) throw new HttpError(404, 'Token not found');
      requireOtp(req, user, entry);
      tokens.delete(key);
      byValue.delete(target.value);
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
      return;
    }

    // Packages: GET /{name} (npm publish reads it first) and PUT /{name} (publish).
    const pkg = decodeURIComponent(path.slice(1));
    if (pkg !== '' && !pkg.startsWith('-/')) {
      if (method === 'GET') {
        if (!publishedPackages.has(pkg)) throw new HttpError(404, 'Not found');
        sendJson(res, 200, { name: pkg, versions: {}, 'dist-tags': {} });
        return;
      }
      if (method === 'PUT') {
        await readBody(req, () => new HttpError(413, 'Request body too large')).catch((error: unknown) => {
          // Tarballs are larger than the JSON limit; the size does not matter here.
          if (!(error instanceof HttpError)) throw error;
        });
        const { user, token } = identify(credentials);
        checkCidr(req, token);
        if (!mayPublish(user, token, pkg)) throw new HttpError(403, `You do not have permission to publish "${pkg}"`);
        if (token === null || !token.bypass2fa) requireOtp(req, user, entry);
        publishedPackages.add(pkg);
        sendJson(res, 200, { ok: true });
        return;
      }
    }
    throw new HttpError(404, 'Not found');
  };

  const decide = async (id: string, decision: { approveAs?: string; deny?: boolean }): Promise<boolean> => {
    const p = pending.get(id);
    if (!p || p.state !== 'pending') return false;
    if (decision.deny) {
      p.state = 'denied';
      return true;
    }
    const as = decision.approveAs ?? p.username ?? '';
    if (!findUser(as) || (p.username !== null && p.username !== as)) return false;
    p.state = { approvedAs: as };
    if (p.kind === 'otp') p.token = randomBytes(4).readUInt32BE(0).toString().padStart(10, '0').slice(-6);
    return true;
  };

  const handler = requestHandler<NpmjsLogEntry>({
    requestLog,
    faults,
    entry: (b) => ({ ...b, otp: false }),
    route,
    fail(res, error) {
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: error.message, ...error.extra }, error.headers);
        return;
      }
      sendJson(res, 500, { error: 'Internal server error' });
    },
  });
  const listening = await listen({ faults }, handler);
  base = listening.url;

  return {
    url: listening.url,
    users,
    requestLog,
    faults: faults.faults,
    async person(url, decision) {
      const id = /\/-\/browser\/([0-9a-f]+)$/.exec(url)?.[1];
      return id === undefined ? false : decide(id, decision);
    },
    pendingUrls: () => [...pending.entries()].filter(([, p]) => p.state === 'pending').map(([id]) => `${base}/-/browser/${id}`),
    tokens: (username) => [...tokens.values()].filter((t) => t.record.username === username).map((t) => t.record),
    seedTokens(username, count) {
      const user = findUser(username);
      if (!user) throw new Error(`No user ${username}`);
      const values: string[] = [];
      for (let i = 0; i < count; i += 1) {
        values.push(createToken(user, { name: `seed-${tokens.size + 1}`, packages_all: true, expires: 30, description: `Seeded token ${i + 1}` }).value);
      }
      return values;
    },
    expireSessions: () => sessions.clear(),
    published: () => [...publishedPackages],
    setOtpMode(mode) {
      otpMode = mode;
    },
    close: () => listening.close(),
  };
}
