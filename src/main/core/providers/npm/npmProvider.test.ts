import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startVerdaccio, type VerdaccioServer } from '../../../../../test/servers/npm/verdaccioServer';
import { renderCopyText } from '../../clipboard/copyFormats';
import type { KeyportError } from '../../errors';
import { createHttpClient } from '../../http/httpClient';
import type { HttpClient } from '../../http/types';
import { HOSTILE_PASTE_VALUES } from '../../../../../test/support/hostilePasteValues';
import { expectKeyportError, serverContext, serverRecord } from '../../../../../test/support/providerTesting';
import type { ServerContext, TokenAuth } from '../provider';
import { createProviderRegistry } from '../registry';
import { asksForOtp, isTokenObject, nerfDart, parseCidrList, tokenObjectSchema } from './npmProtocol';
import { npmProvider as provider } from './npmProvider';

const signInWithPassword = provider.signInWithPassword!.bind(provider);
const signInWithToken = provider.signInWithToken!.bind(provider);

let verdaccio: VerdaccioServer;
let http: HttpClient;
/** Every secret value a test handled, to check no error text carries one. */
let secrets: string[];

beforeAll(async () => {
  verdaccio = await startVerdaccio();
  http = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/0', env: {} });
});
afterAll(async () => {
  await http.close();
  await verdaccio.close();
});
beforeEach(() => {
  secrets = verdaccio.users.map((u) => u.password);
});

const ctxFor = (url: string): ServerContext => serverContext(serverRecord({ name: 'Test registry', kind: 'npm', url }), http);
const ctx = () => ctxFor(verdaccio.url);
const keyportError = (promise: Promise<unknown>): Promise<KeyportError> => expectKeyportError(promise, secrets);

const alice = () => verdaccio.users[0]!;
const auth = (session: string, password: string | null = alice().password): TokenAuth => ({ session, username: 'alice', password });

async function aliceSession(): Promise<string> {
  const { session } = await signInWithPassword(ctx(), alice().username, alice().password);
  secrets.push(session);
  return session;
}

async function createToken(session: string, fields: Record<string, string>): Promise<{ key: string; secret: string }> {
  const created = await provider.createToken(ctx(), auth(session), { name: 'ci', fields });
  secrets.push(created.secret);
  return { key: created.token.id, secret: created.secret };
}

describe('npm descriptor and protocol helpers', () => {
  it('declares its capabilities and is in the registry', () => {
    expect(provider.descriptor).toMatchObject({
      kind: 'npm',
      signInMethods: ['browser', 'password', 'token'],
      tokensNeedPassword: false,
      tokenCreationNeedsPassword: true,
      defaultCopyFormat: 'npmrc',
      revokeVerb: 'Revoke',
    });
    expect(provider.descriptor.copyFormats.map((f) => f.id)).toEqual(['raw', 'shell', 'powershell', 'cmd', 'dotenv', 'npmrc', 'npmrc-registry', 'github-actions']);
    expect(provider.descriptor.createFields.map((f) => f.id)).toEqual(['access', 'expires', 'packages', 'scopes', 'orgs', 'orgsAccess', 'description', 'cidr', 'bypass2fa']);
    expect(provider.descriptor.createNote?.url).toBe('https://docs.npmjs.com/trusted-publishers');
    expect(createProviderRegistry().get('npm')).toBe(provider);
  });

  it('checks list entries as the token schema does (the one-pass check of long lists)', () => {
    const granular = { key: 'k', token: 'npm_abcd', name: 'ci', description: null, created: '2026-01-01T00:00:00.000Z', expires: '2026-02-01T00:00:00.000Z', last_used: null, packages: ['a'], packages_all: false, scopes: [], orgs: null, packages_and_scopes_permission: 'read-write', orgs_permission: 'no-access', bypass_2fa: true, cidr_whitelist: ['10.0.0.0/8'] };
    const legacy = { user: 'alice', token: 'abcde...vwxyz', key: 'k2', cidr: [], readonly: true, created: 1767225600000 };
    const samples: unknown[] = [
      granular,
      legacy,
      { key: 'k3' },
      {},
      { key: '' },
      { key: 1 },
      null,
      [],
      'k',
      { ...granular, packages: ['a', 1] },
      { ...granular, packages_all: 'yes' },
      { ...granular, expires: 5 },
      { ...legacy, readonly: null },
      { ...legacy, created: true },
      { ...legacy, cidr: 'x' },
      { ...granular, name: 3 },
      { ...granular, token: null },
    ];
    for (const sample of samples) expect(isTokenObject(sample), JSON.stringify(sample)).toBe(tokenObjectSchema.safeParse(sample).success);
  });

  it('keys .npmrc lines by npm’s nerf dart: no protocol, the path kept up to its trailing slash', () => {
    expect(nerfDart('https://registry.npmjs.org')).toBe('//registry.npmjs.org/');
    expect(nerfDart('https://registry.npmjs.org/')).toBe('//registry.npmjs.org/');
    expect(nerfDart('http://127.0.0.1:4873')).toBe('//127.0.0.1:4873/');
    expect(nerfDart('https://npm.example.com/api/npm/npm-local')).toBe('//npm.example.com/api/npm/npm-local/');
    expect(nerfDart('https://npm.example.com:8443/a/b/')).toBe('//npm.example.com:8443/a/b/');
  });

  it('checks CIDR lists as npm token create does: IPv4 only', () => {
    expect(parseCidrList('')).toEqual({ ok: true, list: [] });
    expect(parseCidrList(' 192.168.1.0/24, 10.0.0.1/32 ')).toEqual({ ok: true, list: ['192.168.1.0/24', '10.0.0.1/32'] });
    expect(parseCidrList('192.168.1.0')).toEqual({ ok: false, bad: '192.168.1.0', ipv6: false });
    expect(parseCidrList('10.0.0.0/33')).toMatchObject({ ok: false, bad: '10.0.0.0/33' });
    expect(parseCidrList('256.1.1.1/8')).toMatchObject({ ok: false });
    expect(parseCidrList('2001:db8::/32')).toEqual({ ok: false, bad: '2001:db8::/32', ipv6: true });
  });

  it('recognizes npm’s ways of asking for a one-time password', () => {
    const res = (status: number, headers: Record<string, string>, text = '') => ({ status, headers, text });
    expect(asksForOtp(res(401, { 'www-authenticate': 'OTP' }))).toBe(true);
    expect(asksForOtp(res(401, { 'www-authenticate': 'Basic realm="x", otp' }))).toBe(true);
    expect(asksForOtp(res(401, {}, '{"error":"You must provide a one-time pass. Upgrade your client."}'))).toBe(true);
    expect(asksForOtp(res(401, { 'www-authenticate': 'Basic realm="otpless"' }))).toBe(false);
    expect(asksForOtp(res(403, { 'www-authenticate': 'OTP' }))).toBe(false);
  });
});

describe('npm sign-in against Verdaccio', () => {
  it('signs in with a password: the login token is the session, the user from whoami', async () => {
    const result = await signInWithPassword(ctx(), 'alice', alice().password);
    secrets.push(result.session);
    expect(result).toMatchObject({ user: { name: 'alice' }, credential: null, expiresAt: null });
    expect(result.session.length).toBeGreaterThan(20);
    await provider.checkSession!(ctx(), result.session);
  });

  it('a password session is a login, ended at sign-out as npm logout ends it; a pasted token is not', async () => {
    const result = await signInWithPassword(ctx(), 'alice', alice().password);
    secrets.push(result.session);
    expect(result.attributes).toEqual({ npmLogin: 'true' });
    await provider.endSession!(ctx(), { session: result.session, credential: null, attributes: result.attributes });
    const fake = await startFake((_req, _body, res) => json(res, 200, { ok: 'Logged out' }));
    try {
      await provider.endSession!(ctxFor(fake.url), { session: 'tok/en=', credential: null, attributes: { npmLogin: 'true' } });
      await provider.endSession!(ctxFor(fake.url), { session: 'pasted', credential: null, attributes: {} });
      expect(fake.requests.map((r) => [r.method, r.path])).toEqual([['DELETE', '/-/user/token/tok%2Fen%3D']]);
    } finally {
      await fake.close();
    }
  });

  it('a wrong password or an unknown user is AUTH_FAILED on the password field, without the password', async () => {
    secrets.push('not-the-password');
    const wrong = await keyportError(signInWithPassword(ctx(), 'alice', 'not-the-password'));
    expect(wrong.toShape()).toEqual({ code: 'AUTH_FAILED', message: 'Authentication failed.', hint: 'Check your user name and password.', field: 'password' });
    expect((await keyportError(signInWithPassword(ctx(), 'mallory', alice().password))).code).toBe('AUTH_FAILED');
    // Verdaccio answers 400 for a short password it would have registered: still a refusal.
    expect((await keyportError(signInWithPassword(ctx(), 'alice', 'x'))).code).toBe('AUTH_FAILED');
  });

  it('signs in with an existing token, validated with /-/whoami; the list then marks that token as the session’s', async () => {
    const { key, secret } = await createToken(await aliceSession(), { access: 'read-only' });
    const result = await signInWithToken(ctx(), secret);
    expect(result).toEqual({ session: secret, credential: null, expiresAt: null, user: { name: 'alice' } });
    const listed = await provider.listTokens(ctx(), auth(secret, null));
    expect(listed.filter((t) => t.isSession).map((t) => t.id)).toEqual([key]);
    // A login token is in no list: no listed token is the session's.
    const login = await aliceSession();
    expect((await provider.listTokens(ctx(), auth(login, null))).some((t) => t.isSession)).toBe(false);
  });

  it('Verdaccio answers npm’s web login with an error: sign-in with the browser says so and points to the password', async () => {
    const opened: string[] = [];
    const error = await keyportError(
      provider.signInWithBrowser!(ctx(), { openBrowser: async (url) => void opened.push(url), signal: new AbortController().signal, timeoutMs: 5_000 }),
    );
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.hint).toMatch(/user name and password/);
    expect(opened).toEqual([]);
  });

  it('a token the registry does not know is AUTH_FAILED on the token field', async () => {
    secrets.push('bm90LWEtdG9rZW4=');
    const error = await keyportError(signInWithToken(ctx(), 'bm90LWEtdG9rZW4='));
    expect(error.toShape()).toMatchObject({ code: 'AUTH_FAILED', field: 'token' });
    expect(error.hint).toMatch(/revoked/);
  });
});

describe('npm tokens against Verdaccio', () => {
  it('creates read-only and publish tokens, lists them masked with access and ranges, revokes one', async () => {
    const session = await aliceSession();
    const readOnly = await provider.createToken(ctx(), auth(session), { name: 'laptop', fields: { access: 'read-only' } });
    secrets.push(readOnly.secret);
    expect(readOnly.token).toMatchObject({ name: 'laptop', lastUsedAt: null, expiresAt: null, scopes: null, extra: { access: 'Read-only', cidr: 'Any address' } });
    expect(readOnly.token.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const publish = await provider.createToken(ctx(), auth(session), { name: 'ci', fields: { access: 'publish', cidr: '127.0.0.1/32, 10.0.0.0/8' } });
    secrets.push(publish.secret);
    expect(publish.token.extra).toMatchObject({ access: 'Publish', cidr: '127.0.0.1/32, 10.0.0.0/8' });

    const listed = await provider.listTokens(ctx(), auth(session, null));
    const byKey = new Map(listed.map((t) => [t.id, t]));
    const listedReadOnly = byKey.get(readOnly.token.id);
    expect(listedReadOnly?.extra).toMatchObject({ access: 'Read-only', cidr: 'Any address', key: readOnly.token.id });
    // Masked as Verdaccio masks: never the whole value.
    expect(listedReadOnly?.name).toMatch(/^.{5}\.\.\..{5}$/);
    expect(listedReadOnly?.name).not.toBe(readOnly.secret);
    expect(byKey.get(publish.token.id)?.extra?.access).toBe('Publish');

    // Both work, then the revoked one no longer does.
    expect((await signInWithToken(ctx(), publish.secret)).user.name).toBe('alice');
    await provider.revokeToken(ctx(), auth(session, null), readOnly.token.id);
    expect((await keyportError(signInWithToken(ctx(), readOnly.secret))).code).toBe('AUTH_FAILED');
    expect((await provider.listTokens(ctx(), auth(session, null))).map((t) => t.id)).not.toContain(readOnly.token.id);
  });

  it('a token limited to other addresses is refused by the registry', async () => {
    const { secret } = await createToken(await aliceSession(), { access: 'read-only', cidr: '10.0.0.0/8' });
    expect((await keyportError(signInWithToken(ctx(), secret))).code).toBe('AUTH_FAILED');
  });

  it('creating needs the account password: none is PASSWORD_REQUIRED before any request, a wrong one too', async () => {
    const session = await aliceSession();
    const none = await keyportError(provider.createToken(ctx(), auth(session, null), { name: 'x', fields: {} }));
    expect(none.toShape()).toMatchObject({ code: 'PASSWORD_REQUIRED', field: 'password' });
    secrets.push('wrong-password');
    const wrong = await keyportError(provider.createToken(ctx(), auth(session, 'wrong-password'), { name: 'x', fields: {} }));
    expect(wrong.toShape()).toMatchObject({ code: 'PASSWORD_REQUIRED', field: 'password', message: 'Test registry did not accept your password.' });
  });

  it('bad access or CIDR values are VALIDATION on their fields', async () => {
    const session = await aliceSession();
    const cidr = await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: { cidr: '10.0.0.0' } }));
    expect(cidr.toShape()).toMatchObject({ code: 'VALIDATION', field: 'cidr', message: '“10.0.0.0” is not an IPv4 range in CIDR form.' });
    const v6 = await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: { cidr: '::1/128' } }));
    expect(v6.message).toBe('npm tokens accept only IPv4 ranges, not “::1/128”.');
    const access = await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: { access: 'admin' } }));
    expect(access.toShape()).toMatchObject({ code: 'VALIDATION', field: 'access' });
  });

  it('a read-only token as the session cannot create tokens: FORBIDDEN with a hint', async () => {
    const { secret } = await createToken(await aliceSession(), { access: 'read-only' });
    const error = await keyportError(provider.createToken(ctx(), auth(secret), { name: 'x', fields: {} }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.hint).toMatch(/read-only token/);
  });

  it('a session the registry no longer accepts is AUTH_FAILED for the list', async () => {
    const { key, secret } = await createToken(await aliceSession(), { access: 'publish' });
    await provider.revokeToken(ctx(), auth(secret, null), key);
    expect((await keyportError(provider.listTokens(ctx(), auth(secret, null)))).code).toBe('AUTH_FAILED');
  });
});

describe('npm copy formats', () => {
  const server = (url: string) => serverRecord({ name: 'R', kind: 'npm', url });
  it('renders the .npmrc line for the registry’s nerf dart', () => {
    expect(provider.renderTokenCopy!('npmrc', 'abc=', {}, server('http://127.0.0.1:4873'))).toBe('//127.0.0.1:4873/:_authToken=abc=');
    expect(provider.renderTokenCopy!('npmrc', 'abc', {}, server('https://npm.example.com/api/npm'))).toBe('//npm.example.com/api/npm/:_authToken=abc');
    expect(provider.renderTokenCopy!('shell', 'abc', {}, server('https://r.example'))).toBeNull();
  });

  it('refuses a token with a control or text-direction character for the .npmrc line (issue 22, item 3)', async () => {
    for (const hostile of HOSTILE_PASTE_VALUES) {
      const error = await expectKeyportError((async () => provider.renderTokenCopy!('npmrc', hostile.value, {}, server('https://r.example')))(), [hostile.value]);
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toContain(`(${hostile.codePoint}), so Keyport will not copy it as an .npmrc line`);
      expect(renderCopyText('raw', hostile.value, provider.copyEnvironment(server('https://r.example'), hostile.value, {}))).toBe(hostile.value);
    }
  });

  it('“.npmrc with registry” adds registry= or the named scope’s @scope:registry= line', () => {
    expect(provider.renderTokenCopy!('npmrc-registry', 'abc', {}, server('https://npm.example.com/api/npm'))).toBe('registry=https://npm.example.com/api/npm/\n//npm.example.com/api/npm/:_authToken=abc');
    const scoped = serverRecord({ name: 'R', kind: 'npm', url: 'https://npm.example.com' }, { options: { scope: '@acme' } });
    expect(provider.renderTokenCopy!('npmrc-registry', 'abc', {}, scoped)).toBe('@acme:registry=https://npm.example.com/\n//npm.example.com/:_authToken=abc');
    expect(() => provider.renderTokenCopy!('npmrc-registry', 'a\nb', {}, scoped)).toThrowError(expect.objectContaining({ code: 'VALIDATION' }));
  });

  it('“GitHub Actions” is a setup-node step reading NODE_AUTH_TOKEN from a secret, never the token itself', () => {
    const scoped = serverRecord({ name: 'R', kind: 'npm', url: 'https://npm.example.com' }, { options: { scope: '@acme' } });
    const text = provider.renderTokenCopy!('github-actions', 'npm_secretValue', {}, scoped)!;
    expect(text).toContain('- uses: actions/setup-node@v4');
    expect(text).toContain("    registry-url: 'https://npm.example.com/'");
    expect(text).toContain("    scope: '@acme'");
    expect(text).toContain('    NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}');
    expect(text).not.toContain('npm_secretValue');
    expect(provider.renderTokenCopy!('github-actions', 'x', {}, server('https://r.example'))).not.toContain('scope:');
  });

  it('a scope served by the registry is kept with its @, and refused when npm could not have it', () => {
    expect(provider.checkServer!('https://r.example', { scope: 'acme' })).toEqual({ url: 'https://r.example', options: { scope: '@acme' } });
    expect(provider.checkServer!('https://r.example', { scope: '' })).toEqual({ url: 'https://r.example', options: {} });
    expect(() => provider.checkServer!('https://r.example', { scope: '@Acme Corp' })).toThrowError(expect.objectContaining({ code: 'VALIDATION', field: 'scope' }));
  });

  it('the environment formats export NPM_TOKEN', () => {
    const env = provider.copyEnvironment(server('https://r.example'), 'abc=', {});
    expect(renderCopyText('shell', 'abc=', env)).toBe('export NPM_TOKEN=abc=');
    expect(renderCopyText('powershell', 'abc=', env)).toBe("$Env:NPM_TOKEN = 'abc='");
    expect(renderCopyText('dotenv', 'abc=', env)).toBe('NPM_TOKEN=abc=');
  });
});

// --- A tiny fake registry for what Verdaccio does not do: one-time passwords, the CouchDB-style
// second login step, HTML answers and paginated lists. ---------------------------------------

interface FakeRegistry {
  url: string;
  requests: Array<{ method: string; path: string; otp: string | undefined; body: unknown }>;
  close(): Promise<void>;
}

const OTP = '123456';

async function startFake(handle: (req: IncomingMessage, body: unknown, res: ServerResponse, url: string) => void): Promise<FakeRegistry> {
  const requests: FakeRegistry['requests'] = [];
  let url = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const otp = req.headers['npm-otp'];
      requests.push({ method: req.method ?? '', path: req.url ?? '', otp: typeof otp === 'string' ? otp : undefined, body });
      handle(req, body, res, url);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('npm against a fake registry', () => {
  it('asks for a one-time password (WWW-Authenticate: OTP), then sends it in npm-otp', async () => {
    const fake = await startFake((req, _body, res) => {
      if (req.url === '/-/whoami') return json(res, 200, { username: 'carol' });
      if (req.headers['npm-otp'] !== OTP) return json(res, 401, { error: 'otp required' }, { 'www-authenticate': 'OTP' });
      return json(res, 201, { ok: true, token: 'npm_fakeLoginToken0123456789' });
    });
    try {
      secrets.push('carol-password', 'npm_fakeLoginToken0123456789');
      const asked = await keyportError(signInWithPassword(ctxFor(fake.url), 'carol', 'carol-password'));
      expect(asked.toShape()).toMatchObject({ code: 'OTP_REQUIRED', field: 'otp', message: 'Test registry asks for a one-time password to sign in.' });
      const wrong = await keyportError(signInWithPassword(ctxFor(fake.url), 'carol', 'carol-password', undefined, { otp: '000000' }));
      expect(wrong.toShape()).toMatchObject({ code: 'OTP_REQUIRED', field: 'otp', message: 'Test registry did not accept the one-time password.' });
      const result = await signInWithPassword(ctxFor(fake.url), 'carol', 'carol-password', undefined, { otp: OTP });
      expect(result).toMatchObject({ session: 'npm_fakeLoginToken0123456789', user: { name: 'carol' } });
      const login = fake.requests.filter((r) => r.method === 'PUT').at(-1);
      expect(login).toMatchObject({ path: '/-/user/org.couchdb.user:carol', otp: OTP, body: { _id: 'org.couchdb.user:carol', name: 'carol', type: 'user', roles: [] } });
    } finally {
      await fake.close();
    }
  });

  it('reads a 401 whose body mentions a one-time pass as a request for one (no header)', async () => {
    const fake = await startFake((req, body, res) => {
      // A legacy registry's empty list (Verdaccio's shape): Keyport sends `readonly`.
      if (req.url === '/-/npm/v1/tokens' && req.method === 'GET') return json(res, 200, { objects: [], urls: { next: '' } });
      if (req.url === '/-/npm/v1/tokens' && req.method === 'POST') {
        if (req.headers['npm-otp'] !== OTP) return json(res, 401, { error: 'You must provide a one-time pass.' });
        return json(res, 200, { token: 'npm_created0123456789abcdef', key: 'k1', readonly: (body as { readonly: boolean }).readonly, cidr_whitelist: [], created: '2026-01-02T03:04:05.000Z' });
      }
      return json(res, 404, {});
    });
    try {
      secrets.push('npm_created0123456789abcdef');
      const request = { name: 'ci', fields: { access: 'publish' } };
      const asked = await keyportError(provider.createToken(ctxFor(fake.url), auth('session-token'), request));
      expect(asked.toShape()).toMatchObject({ code: 'OTP_REQUIRED', field: 'otp' });
      const created = await provider.createToken(ctxFor(fake.url), auth('session-token'), { ...request, otp: OTP });
      expect(created).toMatchObject({ secret: 'npm_created0123456789abcdef', token: { id: 'k1', name: 'ci', createdAt: '2026-01-02T03:04:05.000Z', extra: { access: 'Publish' } } });
      expect(fake.requests.at(-1)?.body).toEqual({ name: 'ci', password: alice().password, readonly: false, cidr_whitelist: [] });
    } finally {
      await fake.close();
    }
  });

  it('follows npm-profile’s second login step after a 409 (read the revision, PUT again)', async () => {
    const fake = await startFake((req, _body, res) => {
      if (req.url === '/-/whoami') return json(res, 200, { username: 'dave' });
      if (req.method === 'PUT' && req.url === '/-/user/org.couchdb.user:dave') return json(res, 409, { error: 'conflict' });
      if (req.method === 'GET' && req.url === '/-/user/org.couchdb.user:dave?write=true') return json(res, 200, { _id: 'org.couchdb.user:dave', _rev: '3-abc' });
      if (req.method === 'PUT' && req.url === '/-/user/org.couchdb.user:dave/-rev/3-abc') return json(res, 201, { token: 'second-step-token' });
      return json(res, 500, {});
    });
    try {
      secrets.push('second-step-token');
      const result = await signInWithPassword(ctxFor(fake.url), 'dave', 'dave-password');
      expect(result).toMatchObject({ session: 'second-step-token', user: { name: 'dave' } });
    } finally {
      await fake.close();
    }
  });

  it('an HTML page instead of the registry is BAD_RESPONSE naming npm registries', async () => {
    const fake = await startFake((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>Welcome</body></html>');
    });
    try {
      const error = await keyportError(signInWithPassword(ctxFor(fake.url), 'alice', 'pw'));
      expect(error.code).toBe('BAD_RESPONSE');
      expect(error.message).toMatch(/HTML page/);
      expect(error.hint).toMatch(/npm registry/);
      expect((await keyportError(signInWithToken(ctxFor(fake.url), 'tok'))).code).toBe('BAD_RESPONSE');
    } finally {
      await fake.close();
    }
  });

  it('follows the token list’s next pages on the same registry only', async () => {
    const fake = await startFake((req, _body, res, url) => {
      if (req.url === '/-/npm/v1/tokens') return json(res, 200, { objects: [{ key: 'a', token: 'aaaaa...aaaaa', readonly: true, cidr_whitelist: null, created: '2026-01-01T00:00:00Z' }], urls: { next: `${url}/-/npm/v1/tokens?page=2` } });
      if (req.url === '/-/npm/v1/tokens?page=2') return json(res, 200, { objects: [{ key: 'b', name: 'named', readonly: false, created: null }], urls: { next: 'https://elsewhere.example/steal' } });
      return json(res, 404, {});
    });
    try {
      const listed = await provider.listTokens(ctxFor(fake.url), auth('s', null));
      expect(listed.map((t) => [t.id, t.name, t.extra?.access])).toEqual([
        ['a', 'aaaaa...aaaaa', 'Read-only'],
        ['b', 'named', 'Publish'],
      ]);
      expect(fake.requests).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });

  it('a registry without the token API (404) is TOKENS_UNAVAILABLE with the Verdaccio flag in the hint', async () => {
    const fake = await startFake((_req, _body, res) => json(res, 404, { error: 'not found' }));
    try {
      const error = await keyportError(provider.listTokens(ctxFor(fake.url), auth('s', null)));
      expect(error.code).toBe('TOKENS_UNAVAILABLE');
      expect(error.hint).toMatch(/flags: \{ token: true \}/);
    } finally {
      await fake.close();
    }
  });
});
