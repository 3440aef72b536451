// The reference Anaconda server (docs/protocols/anaconda.md): one process with two faces, the
// identity provider (oidc-provider, identityProvider.ts) and the API that turns the IdP's access
// tokens into API keys (JWTs with an `exp`), lists and revokes them, and says who a key is for.
// Everything in memory, on 127.0.0.1 with an ephemeral port.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createFaultInjector, type Faults } from '../common/faults.ts';
import { listen, parseAuthorization, readBody, sendJson } from '../common/httpServer.ts';
import { createIdentityProvider, type IdpUser } from './identityProvider.ts';

/** The public client id of anaconda-auth (anaconda_auth/config.py). */
export const ANACONDA_PUBLIC_CLIENT_ID = 'b4ad7f1d-c784-46b5-a9fe-106e50441f5a';

export const DEFAULT_ANACONDA_USERS: readonly (IdpUser & { firstName: string; lastName: string })[] = [
  { username: 'alice', password: 'wonderland-secret', email: 'alice@example.com', name: 'Alice Liddell', firstName: 'Alice', lastName: 'Liddell' },
  { username: 'bob', password: 'builder-secret', email: 'bob@example.com', name: 'Bob Builder', firstName: 'Bob', lastName: 'Builder' },
];

export interface ApiKeyRecord {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly tags: readonly string[];
  readonly createdAt: string;
  readonly expiresAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}

export interface AnacondaServerOptions {
  https?: boolean;
  /** Lifetime of minted API keys; default one year. */
  apiKeyLifetimeSeconds?: number;
  deviceCodeTtlSeconds?: number;
  /** Serve no /api/auth/api-keys, so clients fall back to /api/iam/api-keys. */
  withoutAuthApiKeys?: boolean;
}

export interface AnacondaServer {
  readonly url: string;
  readonly caPem: string | undefined;
  readonly clientId: string;
  readonly users: typeof DEFAULT_ANACONDA_USERS;
  readonly faults: Faults;
  readonly stats: { logins: number; denied: number; minted: { auth: number; iam: number } };
  /** Every API key minted for the user (revoked ones included), oldest first. */
  apiKeys(username: string): ApiKeyRecord[];
  /** Mints a key as the API does, without a request (seeding). */
  mintApiKey(username: string, options?: { name?: string; lifetimeSeconds?: number }): { id: string; apiKey: string };
  isApiKeyValid(apiKey: string): boolean;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export async function startAnacondaServer(options: AnacondaServerOptions = {}): Promise<AnacondaServer> {
  const users = DEFAULT_ANACONDA_USERS;
  const secret = randomBytes(32);
  const keys = new Map<string, ApiKeyRecord>();
  const stats = { logins: 0, denied: 0, minted: { auth: 0, iam: 0 } };
  const lifetime = options.apiKeyLifetimeSeconds ?? 365 * 24 * 3600;
  const faults = createFaultInjector({
    errorBody: (status, message) => ({ error: { code: status >= 500 ? 'server_error' : 'error', message } }),
    malformedJson: '{"error": {"code": ',
  });

  const sign = (record: ApiKeyRecord): string => {
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify({ sub: record.username, jti: record.id, exp: Math.floor(Date.parse(record.expiresAt) / 1000), iat: Math.floor(Date.parse(record.createdAt) / 1000), scopes: record.scopes }));
    return `${header}.${payload}.${createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')}`;
  };
  const verify = (apiKey: string): ApiKeyRecord | null => {
    const [header, payload, signature] = apiKey.split('.');
    if (!header || !payload || !signature) return null;
    if (createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url') !== signature) return null;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti?: string; exp?: number };
      const record = claims.jti ? keys.get(claims.jti) : undefined;
      if (!record || record.revoked || (claims.exp ?? 0) * 1000 <= Date.now()) return null;
      return record;
    } catch {
      return null;
    }
  };
  const mint = (username: string, fields: { name?: string; scopes?: string[]; tags?: string[]; lifetimeSeconds?: number }) => {
    const now = Date.now();
    const record: ApiKeyRecord = {
      id: randomUUID(),
      username,
      name: fields.name ?? '',
      scopes: fields.scopes ?? ['cloud:read', 'cloud:write', 'repo:read'],
      tags: fields.tags ?? [],
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + (fields.lifetimeSeconds ?? lifetime) * 1000).toISOString(),
      lastUsedAt: null,
      revoked: false,
    };
    keys.set(record.id, record);
    return { record, apiKey: sign(record) };
  };

  let idp: ReturnType<typeof createIdentityProvider> | null = null;
  const authRequired = (res: ServerResponse, message: string) => sendJson(res, 401, { error: { code: 'auth_required', message } }, { 'WWW-Authenticate': 'Bearer' });

  const api = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const credentials = parseAuthorization(req.headers.authorization);
    const token = credentials.scheme === 'bearer' ? credentials.token : null;
    const keyRecord = token ? verify(token) : null;
    if (keyRecord) keyRecord.lastUsedAt = new Date().toISOString();
    const idpAccount = token && !keyRecord && idp ? await idp.accountFor(token) : null;
    const username = keyRecord?.username ?? idpAccount ?? null;

    if ((path === '/api/auth/api-keys' && !options.withoutAuthApiKeys) || path === '/api/iam/api-keys') {
      if (req.method === 'POST') {
        if (!username) return authRequired(res, 'A valid access token or API key is required.');
        const raw = (await readBody(req)).toString('utf8');
        let body: { name?: unknown; scopes?: unknown; tags?: unknown } = {};
        try {
          body = raw ? (JSON.parse(raw) as typeof body) : {};
        } catch {
          return sendJson(res, 400, { error: { code: 'invalid_request', message: 'The body is not JSON.' } });
        }
        const scopes = Array.isArray(body.scopes) && body.scopes.every((s) => typeof s === 'string') ? (body.scopes as string[]) : undefined;
        const tags = Array.isArray(body.tags) && body.tags.every((s) => typeof s === 'string') ? (body.tags as string[]) : undefined;
        if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length > 100)) return sendJson(res, 422, { error: { code: 'invalid_request', message: 'Invalid name.' } });
        const { record, apiKey } = mint(username, { name: typeof body.name === 'string' ? body.name : undefined, scopes, tags });
        if (path.startsWith('/api/auth')) stats.minted.auth++;
        else stats.minted.iam++;
        return sendJson(res, 201, { id: record.id, api_key: apiKey, expires_at: record.expiresAt });
      }
      if (req.method === 'GET' && path === '/api/iam/api-keys') {
        if (!username) return authRequired(res, 'A valid API key is required.');
        const mine = [...keys.values()].filter((k) => k.username === username && !k.revoked);
        return sendJson(
          res,
          200,
          mine.map((k) => ({ id: k.id, name: k.name, scopes: k.scopes, tags: k.tags, created_at: k.createdAt, expires_at: k.expiresAt, last_used_at: k.lastUsedAt })),
        );
      }
      return sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'Method not allowed.' } }, { Allow: 'GET, POST' });
    }
    const one = /^\/api\/iam\/api-keys\/([\w-]+)$/.exec(path);
    if (one) {
      if (req.method !== 'DELETE') return sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'Method not allowed.' } }, { Allow: 'DELETE' });
      if (!username) return authRequired(res, 'A valid API key is required.');
      const record = keys.get(one[1] ?? '');
      if (!record || record.username !== username || record.revoked) return sendJson(res, 404, { error: { code: 'not_found', message: 'No such API key.' } });
      record.revoked = true;
      res.writeHead(204).end();
      return;
    }
    if (path === '/api/account' && req.method === 'GET') {
      if (!keyRecord) return authRequired(res, 'A valid API key is required.');
      const user = users.find((u) => u.username === keyRecord.username);
      return sendJson(res, 200, {
        user: { id: keyRecord.username, email: user?.email ?? null, username: keyRecord.username, first_name: user?.firstName ?? '', last_name: user?.lastName ?? '' },
        profile: { is_confirmed: true, is_disabled: false, is_consented: true },
        subscriptions: [],
      });
    }
    return sendJson(res, 404, { error: { code: 'not_found', message: 'Not found.' } });
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    void (async () => {
      if (await faults.apply(req, res, path)) return;
      if (path.startsWith('/api/')) return api(req, res, path);
      if (path === '/app/local-login-success' || path === '/app/local-login-error') {
        const ok = path.endsWith('success');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>${ok ? 'Signed in' : 'Sign-in failed'}</title><h1>${ok ? 'Signed in' : 'Sign-in failed'}</h1>`);
        return;
      }
      idp?.handle(req, res);
    })().catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'server_error', message: 'Internal error' } });
    });
  };

  const server = await listen({ https: options.https, faults }, handler);
  const url = server.url;
  idp = createIdentityProvider({ issuer: url, clientId: ANACONDA_PUBLIC_CLIENT_ID, users, deviceCodeTtlSeconds: options.deviceCodeTtlSeconds ?? 600, accessTokenTtlSeconds: 3600 });
  const idpStats = idp.stats;
  Object.defineProperty(stats, 'logins', { get: () => idpStats.logins });
  Object.defineProperty(stats, 'denied', { get: () => idpStats.denied });

  return {
    url,
    caPem: server.caPem,
    clientId: ANACONDA_PUBLIC_CLIENT_ID,
    users,
    faults: faults.faults,
    stats,
    apiKeys: (username) => [...keys.values()].filter((k) => k.username === username),
    mintApiKey(username, o = {}) {
      const { record, apiKey } = mint(username, { name: o.name, lifetimeSeconds: o.lifetimeSeconds });
      return { id: record.id, apiKey };
    },
    isApiKeyValid: (apiKey) => verify(apiKey) !== null,
    close: () => server.close(),
  };
}
