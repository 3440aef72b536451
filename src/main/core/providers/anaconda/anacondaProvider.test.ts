import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAnacondaServer, type AnacondaServer } from '../../../../../test/servers/anaconda/anacondaServer';
import { KeyportError } from '../../errors';
import { createHttpClient } from '../../http/httpClient';
import type { HttpClient } from '../../http/types';
import { browserSignInAsPerson, personAt, type PersonOptions } from '../../../../../test/support/anacondaPerson';
import { expectKeyportError, serverContext, serverRecord } from '../../../../../test/support/providerTesting';
import type { ServerRecord } from '../../vault/records';
import type { ServerContext, SessionMaterial, SignInResult, TokenAuth } from '../provider';
import { ANACONDA_PUBLIC_CLIENT_ID, anacondaProvider as provider } from './anacondaProvider';

const checkServer = provider.checkServer!.bind(provider);
const signInWithBrowser = provider.signInWithBrowser!.bind(provider);
const startDeviceSignIn = provider.startDeviceSignIn!.bind(provider);
const checkSession = provider.checkSession!.bind(provider);
const renderSessionCopy = provider.renderSessionCopy!.bind(provider);

let anaconda: AnacondaServer;
let http: HttpClient;
/** Every secret a test handled, to check that no error carries one. */
let secrets: string[];
/** Servers a test started besides the shared one. */
const extraServers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  anaconda = await startAnacondaServer();
  http = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/0', env: {} });
});
afterAll(async () => {
  await http.close();
  await anaconda.close();
});
beforeEach(() => {
  anaconda.faults.clear();
  secrets = anaconda.users.map((u) => u.password);
});
afterEach(async () => {
  await Promise.all(extraServers.splice(0).map((s) => s.close()));
});

const record = (overrides: Partial<ServerRecord> = {}, server: { url: string } = anaconda): ServerRecord =>
  serverRecord({ name: 'Test Anaconda', kind: 'anaconda', url: server.url }, overrides);
const ctx = (overrides: Partial<ServerRecord> = {}, server: { url: string } = anaconda): ServerContext => serverContext(record(overrides, server), http);
const keyportError = (promise: Promise<unknown>) => expectKeyportError(promise, secrets);
const thrown = (fn: () => unknown): KeyportError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeyportError) return error;
    throw error;
  }
  throw new Error('expected a KeyportError');
};

/** A key for alice, minted on the server without a request. */
function aliceKey(name?: string): { id: string; apiKey: string } {
  const key = anaconda.mintApiKey('alice', { name });
  secrets.push(key.apiKey);
  return key;
}
const auth = (session: string): TokenAuth => ({ session, username: 'alice', password: null });

/** A browser sign-in in which "the person" logs in as told; returns the result and the URL opened. */
async function browserSignIn(context: ServerContext = ctx(), person: PersonOptions = {}): Promise<{ result: SignInResult; opened: string[] }> {
  const { result, opened } = await browserSignInAsPerson(signInWithBrowser, context, person);
  secrets.push(result.session);
  return { result, opened };
}

/** A plain HTTP server that records the headers of every request and answers with `answer`. */
async function recordingServer(answer: (path: string) => { status: number; body: unknown }) {
  const seen: Array<{ method: string; path: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    seen.push({ method: req.method ?? '', path, headers: req.headers });
    const { status, body } = answer(path);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handle = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  extraServers.push(handle);
  return handle;
}

describe('Anaconda checkServer', () => {
  it('keeps scheme and host[:port] of the site and refuses a path', () => {
    expect(checkServer('https://anaconda.com/', {})).toEqual({ url: 'https://anaconda.com', options: {} });
    expect(checkServer('http://127.0.0.1:8443', {})).toEqual({ url: 'http://127.0.0.1:8443', options: {} });
    for (const url of ['https://anaconda.com/api', 'https://anaconda.com/app/', 'http://127.0.0.1:8443/auth/oidc']) {
      const error = thrown(() => checkServer(url, {}));
      expect(error.toShape()).toMatchObject({ code: 'VALIDATION', field: 'url' });
      expect(error.hint).toBe(`Use ${new URL(url).protocol}//${new URL(url).host}.`);
    }
  });

  it('normalises the sign-in domain to host[:port] as anaconda-auth’s domain_validator does', () => {
    const cases: Array<[string, string]> = [
      ['auth.anaconda.com', 'auth.anaconda.com'],
      ['https://auth.anaconda.com/', 'auth.anaconda.com'],
      ['http://127.0.0.1:9999/path', '127.0.0.1:9999'],
      ['HTTPS://Auth.Example.com:8443/x?y=1', 'auth.example.com:8443'],
      ['auth.example.com:8443', 'auth.example.com:8443'],
    ];
    for (const [typed, kept] of cases) expect(checkServer('https://anaconda.com', { authDomain: typed }).options, typed).toEqual({ authDomain: kept });
    for (const bad of ['not a host', 'https://', 'a_b.example.com', '%%%']) {
      expect(thrown(() => checkServer('https://anaconda.com', { authDomain: bad })).toShape(), bad).toMatchObject({ code: 'VALIDATION', field: 'authDomain' });
    }
  });

  it('takes a client id without spaces or special characters, up to 200 characters', () => {
    expect(checkServer('https://anaconda.com', { clientId: ANACONDA_PUBLIC_CLIENT_ID }).options).toEqual({ clientId: ANACONDA_PUBLIC_CLIENT_ID });
    expect(checkServer('https://anaconda.com', { clientId: 'x'.repeat(200) }).options.clientId).toHaveLength(200);
    for (const bad of ['a b', 'x'.repeat(201), 'zürich', 'tab\there', 'nul\u0000']) {
      expect(thrown(() => checkServer('https://anaconda.com', { clientId: bad })).toShape(), bad).toMatchObject({ code: 'VALIDATION', field: 'clientId' });
    }
  });

  it('takes extra headers as a JSON object of names to text, stored compact', () => {
    expect(checkServer('https://anaconda.com', { extraHeaders: '{ "X-Org": "acme",\n "x-trace": "" }' }).options).toEqual({ extraHeaders: '{"X-Org":"acme","x-trace":""}' });
    expect(checkServer('https://anaconda.com', { extraHeaders: '{}' }).options).toEqual({ extraHeaders: '{}' });
    // Latin-1 text and tabs are what HTTP/1.1 carries.
    expect(checkServer('https://anaconda.com', { extraHeaders: '{"X-Site": "Zürich\\tcafé"}' }).options).toEqual({ extraHeaders: '{"X-Site":"Zürich\\tcafé"}' });
  });

  it('refuses extra headers that are not JSON, not an object of strings, set Authorization, or carry CR, LF or NUL', () => {
    const bad = [
      '{"X-Org": "acme"',
      'X-Org: acme',
      '["X-Org", "acme"]',
      '"X-Org"',
      'null',
      '42',
      '{"X-Org": 42}',
      '{"X-Org": null}',
      '{"X-Org": ["a"]}',
      '{"Authorization": "Bearer secret-value"}',
      '{"AUTHORIZATION": "Basic c2VjcmV0"}',
      '{"authorization": "x"}',
      '{"X-Org": "acme\\r\\nX-Injected: yes"}',
      '{"X-Org": "acme\\nX-Injected: yes"}',
      '{"X-Org": "acme\\r"}',
      '{"X-Org": "a\\u0000b"}',
      '{"X Org": "acme"}',
      '{"X-Org:": "acme"}',
      '{"": "acme"}',
      '{"X-Org\\r\\nX-Injected": "yes"}',
      `{"${'x'.repeat(65)}": "acme"}`,
      '{"Zürich": "acme"}',
      '{"Host": "evil.example"}',
      '{"transfer-encoding": "chunked"}',
      '{"Connection": "close"}',
      '{"Upgrade": "websocket"}',
      '{"Expect": "100-continue"}',
      '{"Content-Length": "0"}',
      '{"Proxy-Authorization": "Basic secret-value"}',
      '{"X-Org": "東京"}',
      '{"X-Org": "emoji 🔑"}',
      '{"X-Org": "a\u007fb"}',
      `{"X-Org": "${'v'.repeat(4097)}"}`,
    ];
    for (const extraHeaders of bad) {
      const error = thrown(() => checkServer('https://anaconda.com', { extraHeaders }));
      expect(error.toShape(), extraHeaders).toMatchObject({ code: 'VALIDATION', field: 'extraHeaders' });
      expect(JSON.stringify(error.toShape())).not.toContain('secret-value');
    }
  });

  it('drops settings it does not know and empty ones', () => {
    expect(checkServer('https://anaconda.com', { authDomain: '', clientId: '', extraHeaders: '', tenantId: 'x' })).toEqual({ url: 'https://anaconda.com', options: {} });
  });
});

describe('Anaconda browser sign-in against the reference server', () => {
  it('signs in with PKCE over a loopback redirect, mints a key on /api/auth/api-keys, and reads who it is for', async () => {
    const before = { ...anaconda.stats.minted };
    const { result, opened } = await browserSignIn();
    const [url] = opened;
    const request = new URL(url ?? '');
    expect(request.origin).toBe(anaconda.url);
    expect(request.searchParams.get('client_id')).toBe(ANACONDA_PUBLIC_CLIENT_ID);
    expect(request.searchParams.get('scope')).toBe('openid email profile offline_access');
    expect(request.searchParams.get('code_challenge_method')).toBe('S256');
    expect(request.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/oidc$/);
    expect(anaconda.isApiKeyValid(result.session)).toBe(true);
    expect(result.credential).toBeNull();
    expect(result.user).toEqual({ name: 'alice', email: 'alice@example.com' });
    const key = anaconda.apiKeys('alice').find((k) => k.id === result.dependsOnTokenId);
    expect(key?.tags).toEqual(['keyport']);
    expect(key?.scopes).toEqual(['cloud:read', 'cloud:write', 'repo:read']);
    expect(result.expiresAt).toBe(key?.expiresAt.replace(/\.\d{3}Z$/, '.000Z'));
    expect(anaconda.stats.minted).toEqual({ auth: before.auth + 1, iam: before.iam });
    // The listener is gone once the browser came back.
    await expect(fetch(request.searchParams.get('redirect_uri') ?? '', { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });

  it('a Cancel on the login page is CANCELLED, and no key is minted', async () => {
    const before = anaconda.apiKeys('alice').length;
    await expect(browserSignIn(ctx(), { action: 'cancel' })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(anaconda.apiKeys('alice')).toHaveLength(before);
  });

  it('an unknown client id is refused by the sign-in server before any key is minted', async () => {
    const before = anaconda.apiKeys('alice').length;
    const opened: string[] = [];
    const error = await keyportError(
      signInWithBrowser(ctx({ options: { clientId: 'not-a-registered-client' } }), {
        openBrowser: async (url) => {
          opened.push(url);
          // oidc-provider shows an error page instead of redirecting: the person gives up.
          const page = await personAt(url);
          expect(page.text).toContain('invalid_client');
        },
        signal: AbortSignal.timeout(1500),
        timeoutMs: 10_000,
      }),
    );
    expect(['CANCELLED', 'TIMEOUT']).toContain(error.code);
    expect(new URL(opened[0] ?? '').searchParams.get('client_id')).toBe('not-a-registered-client');
    expect(anaconda.apiKeys('alice')).toHaveLength(before);
  });

  it('falls back to /api/iam/api-keys when the site has no /api/auth/api-keys', async () => {
    const site = await startAnacondaServer({ withoutAuthApiKeys: true });
    extraServers.push(site);
    const { result } = await browserSignIn(ctx({}, site));
    expect(site.stats.minted).toEqual({ auth: 0, iam: 1 });
    expect(site.isApiKeyValid(result.session)).toBe(true);
  });

  it('only a 201 counts: a 200 with a key in it moves on to the next URL, as anaconda-auth does', async () => {
    const decoy = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp: 4102444800 })).toString('base64url')}.`;
    anaconda.faults.add({ kind: 'status', status: 200, body: JSON.stringify({ api_key: decoy, id: 'decoy' }), match: /^\/api\/auth\/api-keys$/, times: 1 });
    const before = { ...anaconda.stats.minted };
    const { result } = await browserSignIn();
    expect(result.session).not.toBe(decoy);
    expect(result.dependsOnTokenId).not.toBe('decoy');
    expect(anaconda.isApiKeyValid(result.session)).toBe(true);
    expect(anaconda.stats.minted).toEqual({ auth: before.auth, iam: before.iam + 1 });
  });

  it('no 201 from either URL is AUTH_FAILED naming the last status, and carries no token', async () => {
    anaconda.faults.add({ kind: 'status', status: 404, match: /^\/api\/auth\/api-keys$/ });
    anaconda.faults.add({ kind: 'status', status: 500, match: /^\/api\/iam\/api-keys$/ });
    const error = await keyportError(browserSignIn());
    expect(error.toShape()).toMatchObject({ code: 'AUTH_FAILED', message: 'Test Anaconda signed you in but gave no API key (HTTP 500).' });
  });

  it('a minted key that is not a JWT with an expiry is BAD_RESPONSE', async () => {
    anaconda.faults.add({ kind: 'status', status: 201, body: JSON.stringify({ api_key: 'opaque-key-value', id: 'x' }), match: /^\/api\/auth\/api-keys$/, times: 1 });
    secrets.push('opaque-key-value');
    const error = await keyportError(browserSignIn());
    expect(error.toShape()).toMatchObject({ code: 'BAD_RESPONSE', message: 'Test Anaconda gave an API key Keyport cannot use (it is not a JWT with an expiry).' });
  });

  it('an http issuer that is not loopback is refused before any request', async () => {
    const error = await keyportError(
      signInWithBrowser(serverContext(serverRecord({ name: 'Plain', kind: 'anaconda', url: 'http://anaconda.example.com' }), http), {
        openBrowser: async () => {
          throw new Error('no browser may open');
        },
        signal: new AbortController().signal,
        timeoutMs: 1000,
      }),
    );
    expect(error.toShape()).toMatchObject({ code: 'VALIDATION', field: 'url' });
  });
});

describe('Anaconda device sign-in against the reference server', () => {
  it('returns the code, then signs in once the person approves it on the verification page', { timeout: 30_000 }, async () => {
    const abort = new AbortController();
    const started = await startDeviceSignIn(ctx(), abort.signal);
    try {
      expect(started.code.userCode).toMatch(/\S{4,}/);
      expect(new URL(started.code.verificationUri).origin).toBe(anaconda.url);
      expect(started.code.verificationUriComplete).toContain(encodeURIComponent(started.code.userCode).slice(0, 4));
      expect(Date.parse(started.code.expiresAt)).toBeGreaterThan(Date.now());
      const page = await personAt(started.code.verificationUriComplete ?? started.code.verificationUri);
      expect(page.text).toContain('Device signed in');
      const result = await started.result;
      secrets.push(result.session);
      expect(anaconda.isApiKeyValid(result.session)).toBe(true);
      expect(result.user).toEqual({ name: 'alice', email: 'alice@example.com' });
    } finally {
      abort.abort();
    }
  });

  it('a denial on the confirmation page is CANCELLED', { timeout: 30_000 }, async () => {
    const abort = new AbortController();
    const started = await startDeviceSignIn(ctx(), abort.signal);
    try {
      await personAt(started.code.verificationUriComplete ?? '', { action: 'deny' });
      await expect(started.result).rejects.toMatchObject({ code: 'CANCELLED', message: 'The sign-in was denied in the browser.' });
    } finally {
      abort.abort();
    }
  });
});

describe('Anaconda API keys against the reference server', () => {
  it('lists alice’s live keys with their dates and scopes, naming unnamed ones by id', async () => {
    const { apiKey } = aliceKey('laptop');
    const unnamed = aliceKey();
    const revoked = aliceKey('gone');
    await provider.revokeToken(ctx(), auth(apiKey), revoked.id);
    const tokens = await provider.listTokens(ctx(), auth(apiKey));
    const byId = new Map(tokens.map((t) => [t.id, t]));
    expect(byId.has(revoked.id)).toBe(false);
    const laptop = tokens.find((t) => t.name === 'laptop');
    expect(laptop).toMatchObject({ scopes: ['cloud:read', 'cloud:write', 'repo:read'] });
    expect(laptop?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(laptop?.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The listing request itself used the key.
    expect(laptop?.lastUsedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(byId.get(unnamed.id)?.name).toBe(`Unnamed key (${unnamed.id.slice(0, 8)})`);
    // Only alice's.
    const bobs = anaconda.mintApiKey('bob');
    expect(byId.has(bobs.id)).toBe(false);
  });

  it('creates a named key with Keyport’s scopes and tags, and hands back its secret once', async () => {
    const { apiKey } = aliceKey();
    const now = new Date('2026-01-02T03:04:05.000Z');
    const created = await provider.createToken(serverContext(record(), http, () => now), auth(apiKey), { name: 'ci', fields: {} });
    secrets.push(created.secret);
    expect(anaconda.isApiKeyValid(created.secret)).toBe(true);
    const onServer = anaconda.apiKeys('alice').find((k) => k.id === created.token.id);
    expect(onServer).toMatchObject({ name: 'ci', tags: ['keyport'], scopes: ['cloud:read', 'cloud:write', 'repo:read'] });
    expect(created.token).toEqual({
      id: onServer?.id,
      name: 'ci',
      createdAt: now.toISOString(),
      lastUsedAt: null,
      expiresAt: onServer?.expiresAt.replace(/\.\d{3}Z$/, '.000Z'),
      scopes: ['cloud:read', 'cloud:write', 'repo:read'],
    });
  });

  it('revokes a key by id; then the key no longer works and a second revoke is NOT_FOUND', async () => {
    const { apiKey } = aliceKey();
    const other = aliceKey('to revoke');
    await provider.revokeToken(ctx(), auth(apiKey), other.id);
    expect(anaconda.isApiKeyValid(other.apiKey)).toBe(false);
    const again = await keyportError(provider.revokeToken(ctx(), auth(apiKey), other.id));
    expect(again.toShape()).toMatchObject({ code: 'NOT_FOUND', message: 'Test Anaconda has no such API key.' });
  });

  it('an unknown id, another user’s key or an id with path characters is NOT_FOUND', async () => {
    const { apiKey } = aliceKey();
    const bobs = anaconda.mintApiKey('bob');
    secrets.push(bobs.apiKey);
    for (const id of ['00000000-0000-0000-0000-000000000000', bobs.id, '../../account', 'a/b', '%2e%2e', ' ']) {
      expect((await keyportError(provider.revokeToken(ctx(), auth(apiKey), id))).code, id).toBe('NOT_FOUND');
    }
    expect(anaconda.isApiKeyValid(bobs.apiKey)).toBe(true);
  });

  it('a revoked, forged or unknown key is AUTH_FAILED on every call (the session is over)', async () => {
    const revoked = aliceKey();
    const user = aliceKey();
    await provider.revokeToken(ctx(), auth(user.apiKey), revoked.id);
    const [header, payload] = user.apiKey.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    secrets.push(forged);
    for (const key of [revoked.apiKey, forged, 'not-a-key']) {
      for (const call of [
        () => provider.listTokens(ctx(), auth(key)),
        () => provider.createToken(ctx(), auth(key), { name: 'x', fields: {} }),
        () => provider.revokeToken(ctx(), auth(key), user.id),
        () => checkSession(ctx(), key),
      ]) {
        const error = await keyportError(call());
        expect(error.toShape()).toMatchObject({ code: 'AUTH_FAILED', message: 'Test Anaconda no longer accepts Keyport’s API key.' });
      }
    }
    expect(anaconda.isApiKeyValid(user.apiKey)).toBe(true);
  });

  it('checkSession accepts a live key', async () => {
    await expect(checkSession(ctx(), aliceKey().apiKey)).resolves.toBeUndefined();
  });

  it('an answer of the wrong shape is BAD_RESPONSE, and a server error is not AUTH_FAILED', async () => {
    const { apiKey } = aliceKey();
    anaconda.faults.add({ kind: 'wrong-shape', match: /^\/api\/iam\/api-keys$/, times: 1 });
    expect((await keyportError(provider.listTokens(ctx(), auth(apiKey)))).code).toBe('BAD_RESPONSE');
    anaconda.faults.add({ kind: 'html', status: 502, match: /^\/api\/iam\/api-keys$/, times: 1 });
    expect((await keyportError(provider.listTokens(ctx(), auth(apiKey)))).code).not.toBe('AUTH_FAILED');
  });

  it('sends the extra headers with every API request, without replacing Keyport’s User-Agent or the key', async () => {
    const site = await recordingServer((path) => (path === '/api/iam/api-keys' ? { status: 200, body: [] } : { status: 404, body: {} }));
    const options = { extraHeaders: checkServer(site.url, { extraHeaders: '{"X-Org": "acme", "User-Agent": "spoofed", "X-Trace": "t-1"}' }).options.extraHeaders ?? '' };
    expect(await provider.listTokens(ctx({ options }, site), auth('the-key'))).toEqual([]);
    await keyportError(provider.revokeToken(ctx({ options }, site), auth('the-key'), 'id-1'));
    expect(site.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/iam/api-keys', 'DELETE /api/iam/api-keys/id-1']);
    for (const { headers } of site.seen) {
      expect(headers['x-org']).toBe('acme');
      expect(headers['x-trace']).toBe('t-1');
      expect(headers['user-agent']).toBe('Keyport-Test/0');
      expect(headers.authorization).toBe('Bearer the-key');
    }
  });
});

describe('Anaconda copy formats', () => {
  const KEY = 'eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE4MjY5NzYwMDB9.c2ln';
  const material: SessionMaterial = { session: KEY, credential: null, expiresAt: null, user: { name: 'alice' }, attributes: {} };

  it('anaconda-auth: ANACONDA_AUTH_DOMAIN only for a site other than anaconda.com, the key, and no legacy ANACONDA_CLOUD_* variable', () => {
    expect(provider.copyEnvironment(record({ url: 'https://anaconda.com' }), KEY, {})).toEqual([['ANACONDA_AUTH_API_KEY', KEY]]);
    expect(provider.copyEnvironment(record({ url: 'http://127.0.0.1:8443' }), KEY, {})).toEqual([
      ['ANACONDA_AUTH_DOMAIN', '127.0.0.1:8443'],
      ['ANACONDA_AUTH_API_KEY', KEY],
    ]);
    expect(provider.copyEnvironment(record({ url: 'https://anaconda.com:8443' }), KEY, {})[0]).toEqual(['ANACONDA_AUTH_DOMAIN', 'anaconda.com:8443']);
  });

  it('each generation gets the site\'s certificate settings and extra headers in its own variables', () => {
    const withCa = record({ url: 'https://repo.example.com', caCertificatePath: '/etc/corp-ca.pem', options: { extraHeaders: '{"X-Org":"acme"}' } });
    expect(renderSessionCopy(withCa, material, 'dotenv')).toBe(
      `ANACONDA_AUTH_DOMAIN=repo.example.com\nANACONDA_AUTH_API_KEY=${KEY}\nANACONDA_AUTH_SSL_VERIFY=/etc/corp-ca.pem\nANACONDA_AUTH_EXTRA_HEADERS='{"X-Org":"acme"}'`,
    );
    // anaconda-cloud-auth 0.7's ssl_verify is a bool: the CA reaches its requests calls instead.
    expect(renderSessionCopy(withCa, material, 'cloud-dotenv')).toBe(
      `ANACONDA_CLOUD_DOMAIN=repo.example.com\nANACONDA_CLOUD_API_KEY=${KEY}\nREQUESTS_CA_BUNDLE=/etc/corp-ca.pem\nANACONDA_CLOUD_EXTRA_HEADERS='{"X-Org":"acme"}'`,
    );
    const insecure = record({ url: 'https://repo.example.com', allowInsecureTls: true, caCertificatePath: '/etc/corp-ca.pem' });
    expect(renderSessionCopy(insecure, material, 'shell')).toBe(`export ANACONDA_AUTH_DOMAIN=repo.example.com ANACONDA_AUTH_API_KEY=${KEY} ANACONDA_AUTH_SSL_VERIFY=0`);
    expect(renderSessionCopy(insecure, material, 'cloud-shell')).toBe(`export ANACONDA_CLOUD_DOMAIN=repo.example.com ANACONDA_CLOUD_API_KEY=${KEY} ANACONDA_CLOUD_SSL_VERIFY=0`);
  });

  it('renders the session in each of its formats, one set per client generation', () => {
    const site = record({ url: 'https://repo.example.com' });
    expect(renderSessionCopy(site, material, 'raw')).toBe(KEY);
    expect(renderSessionCopy(site, material, 'shell')).toBe(`export ANACONDA_AUTH_DOMAIN=repo.example.com ANACONDA_AUTH_API_KEY=${KEY}`);
    expect(renderSessionCopy(record({ url: 'https://anaconda.com' }), material, 'powershell')).toBe(`$Env:ANACONDA_AUTH_API_KEY = '${KEY}'`);
    expect(renderSessionCopy(record({ url: 'https://anaconda.com' }), material, 'cmd')).toBe(`set "ANACONDA_AUTH_API_KEY=${KEY}"`);
    // anaconda-cloud-auth 0.7 defaults to anaconda.cloud, so even anaconda.com is named.
    expect(renderSessionCopy(record({ url: 'https://anaconda.com' }), material, 'cloud-shell')).toBe(`export ANACONDA_CLOUD_DOMAIN=anaconda.com ANACONDA_CLOUD_API_KEY=${KEY}`);
    expect(renderSessionCopy(site, material, 'cloud-powershell')).toBe(`$Env:ANACONDA_CLOUD_DOMAIN = 'repo.example.com'\n$Env:ANACONDA_CLOUD_API_KEY = '${KEY}'`);
    expect(renderSessionCopy(site, material, 'cloud-cmd')).toBe(`set "ANACONDA_CLOUD_DOMAIN=repo.example.com"\r\nset "ANACONDA_CLOUD_API_KEY=${KEY}"`);
    for (const format of ['agave-current', 'cloud-raw']) expect(thrown(() => renderSessionCopy(site, material, format)).toShape()).toMatchObject({ code: 'VALIDATION', field: 'format' });
    expect(provider.descriptor.sessionCopyFormats.map((f) => f.id)).toEqual(['raw', 'shell', 'powershell', 'cmd', 'dotenv', 'cloud-shell', 'cloud-powershell', 'cloud-cmd', 'cloud-dotenv']);
    expect(provider.descriptor.copyFormats.map((f) => f.id)).toEqual(provider.descriptor.sessionCopyFormats.map((f) => f.id));
    // A saved API key (the key list) copies the same way.
    expect(provider.renderTokenCopy?.('cloud-shell', KEY, {}, site)).toBe(renderSessionCopy(site, material, 'cloud-shell'));
  });

  it('the session file is the same server when the host matches, whatever the scheme', () => {
    const sameServer = provider.sessionFile?.sameServer;
    expect(sameServer?.(record({ url: 'http://127.0.0.1:8443' }), { url: 'http://127.0.0.1:8443', options: {}, suggestedName: 'x' })).toBe(true);
    expect(sameServer?.(record({ url: 'https://127.0.0.1:8443' }), { url: 'http://127.0.0.1:8443', options: {}, suggestedName: 'x' })).toBe(true);
    expect(sameServer?.(record({ url: 'http://127.0.0.1:8444' }), { url: 'http://127.0.0.1:8443', options: {}, suggestedName: 'x' })).toBe(false);
  });
});
