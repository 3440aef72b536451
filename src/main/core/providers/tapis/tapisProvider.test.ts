import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTapisServer, type TapisServer } from '../../../../../test/servers/tapis/tapisServer';
import { createHttpClient } from '../../http/httpClient';
import type { HttpClient } from '../../http/types';
import { expectKeyportError, serverContext, serverRecord } from '../../../../../test/support/providerTesting';
import type { ServerRecord } from '../../vault/records';
import type { ServerContext, SessionMaterial, SignInResult, TokenAuth } from '../provider';
import { renderAgaveCurrent } from './agaveCurrent';
import { decodeCredential } from './tapisCredential';
import { defaultClientName, tapisProvider as provider } from './tapisProvider';

const signInWithPassword = provider.signInWithPassword!.bind(provider);
const renewSession = provider.renewSession!.bind(provider);

let tapis: TapisServer;
let http: HttpClient;
/** Every secret value a test handled, to check that no error text carries one. */
let secrets: string[];

beforeAll(async () => {
  tapis = await startTapisServer();
  http = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/0' });
});
afterAll(async () => {
  await http.close();
  await tapis.close();
});
beforeEach(() => {
  tapis.faults.clear();
  for (const user of tapis.users) for (const name of tapis.clientNames(user.username)) tapis.deleteClient(user.username, name);
  tapis.requestLog.length = 0;
  secrets = tapis.users.map((u) => u.password);
});

const record = (overrides: Partial<ServerRecord> = {}): ServerRecord =>
  serverRecord({ name: 'Test Tapis', kind: 'tapis', url: tapis.url }, { options: { tenantId: tapis.tenantId }, ...overrides });
const ctx = (overrides: Partial<ServerRecord> = {}): ServerContext => serverContext(record(overrides), http);
const keyportError = (promise: Promise<unknown>) => expectKeyportError(promise, secrets);

const ALICE_PASSWORD = 'wonderland-secret'; // the reference server's password for alice
/** A token call as the token service makes it for this kind: the session and the password. */
const auth = (password: string | null = ALICE_PASSWORD): TokenAuth => ({ session: 'unused', username: 'alice', password });

/** Signs alice in with a new client and remembers the secrets it got. */
async function aliceSignedIn(): Promise<SignInResult & { credential: string }> {
  const result = await signInWithPassword(ctx(), 'alice', ALICE_PASSWORD);
  if (result.credential === null) throw new Error('no credential');
  const credential = decodeCredential(result.credential);
  secrets.push(result.session, credential.secret, credential.refreshToken);
  return { ...result, credential: result.credential };
}

function seedClient(name: string): { key: string; secret: string } {
  const { consumerKey, consumerSecret } = tapis.createClient('alice', name);
  secrets.push(consumerSecret);
  return { key: consumerKey, secret: consumerSecret };
}

const requests = () => tapis.requestLog.map((e) => [e.method, e.path, e.auth, e.grantType, e.status]);

describe('Tapis sign-in', () => {
  it('creates a client named keyport-<host>-<6 hex>, runs the password grant and asks who the user is', async () => {
    const result = await aliceSignedIn();
    const name = result.attributes?.clientName ?? '';
    expect(name).toMatch(/^keyport-[A-Za-z0-9-]{1,40}-[0-9a-f]{6}$/);
    expect(tapis.clientNames('alice')).toEqual([name]);
    expect(result.user).toEqual({ name: 'alice', email: 'alice@example.com' });
    expect(result.dependsOnTokenId).toBe(name);
    expect(result.attributes).toEqual({ clientName: name, clientKey: tapis.getClient('alice', name)?.consumerKey });
    expect(tapis.isAccessTokenValid(result.session)).toBe(true);
    const credential = decodeCredential(result.credential);
    expect(credential).toMatchObject({ clientName: name, key: tapis.getClient('alice', name)?.consumerKey, expiresIn: tapis.accessTokenLifetimeSeconds });
    expect(tapis.isRefreshTokenValid(credential.refreshToken)).toBe(true);
    expect(requests()).toEqual([
      ['POST', '/clients/v2', 'basic', null, 201],
      ['POST', '/token', 'basic', 'password', 200],
      ['GET', '/profiles/v2/me', 'bearer', null, 200],
    ]);
  });

  it('the default client name is safe in a URL path whatever the host is called', () => {
    expect(defaultClientName('My Laptop.local')).toMatch(/^keyport-My-Laptop-local-[0-9a-f]{6}$/);
    expect(defaultClientName('--')).toMatch(/^keyport-host-[0-9a-f]{6}$/);
    expect(defaultClientName('x'.repeat(80))).toMatch(/^keyport-x{40}-[0-9a-f]{6}$/);
    expect(defaultClientName('h')).not.toBe(defaultClientName('h'));
  });

  it('takes the client name the person chose', async () => {
    const result = await signInWithPassword(ctx(), 'alice', ALICE_PASSWORD, { type: 'new', name: 'my-laptop' });
    secrets.push(result.session);
    expect(tapis.clientNames('alice')).toEqual(['my-laptop']);
    expect(result.dependsOnTokenId).toBe('my-laptop');
  });

  it('reuses an existing client by key and secret, creating none', async () => {
    const client = seedClient('existing');
    const result = await signInWithPassword(ctx(), 'alice', ALICE_PASSWORD, { type: 'existing', ...client, name: 'existing' });
    secrets.push(result.session);
    expect(tapis.clientNames('alice')).toEqual(['existing']);
    expect(requests().map(([method, path]) => `${method} ${path}`)).toEqual(['POST /token', 'GET /profiles/v2/me']);
    expect(result.attributes).toEqual({ clientName: 'existing', clientKey: client.key });
    expect(result.dependsOnTokenId).toBe('existing');
    // Without its name, the session depends on nothing Keyport could name.
    const anonymous = await signInWithPassword(ctx(), 'alice', ALICE_PASSWORD, { type: 'existing', ...client });
    secrets.push(anonymous.session);
    expect(anonymous.dependsOnTokenId).toBeUndefined();
    expect(anonymous.attributes).toEqual({ clientKey: client.key });
  });

  it('a wrong password is AUTH_FAILED on the password field, and no client is left behind', async () => {
    secrets.push('not-the-fake-password');
    const error = await keyportError(signInWithPassword(ctx(), 'alice', 'not-the-fake-password'));
    expect(error.toShape()).toMatchObject({ code: 'AUTH_FAILED', field: 'password' });
    expect(tapis.clientNames('alice')).toEqual([]);
    // With an existing client, the password grant refuses it the same way.
    const client = seedClient('existing');
    const viaGrant = await keyportError(signInWithPassword(ctx(), 'alice', 'not-the-fake-password', { type: 'existing', ...client }));
    expect(viaGrant.toShape()).toMatchObject({ code: 'AUTH_FAILED', field: 'password' });
    expect(tapis.tokenRequests.password).toBeGreaterThan(0);
  });

  it('when the token grant or the profile call fails after Keyport created the client, the client is deleted again', async () => {
    for (const failing of [/^\/token$/, /^\/profiles\/v2\/me$/]) {
      tapis.faults.clear();
      tapis.faults.add({ kind: 'status', status: 500, match: failing, times: 1 });
      const error = await keyportError(signInWithPassword(ctx(), 'alice', ALICE_PASSWORD));
      expect(error.code, String(failing)).toBe('SERVER_ERROR');
      expect(tapis.clientNames('alice'), String(failing)).toEqual([]);
    }
    // A client the person brought is theirs: a failed sign-in never deletes it.
    const client = seedClient('mine');
    tapis.faults.add({ kind: 'status', status: 500, match: /^\/token$/, times: 1 });
    await keyportError(signInWithPassword(ctx(), 'alice', ALICE_PASSWORD, { type: 'existing', name: 'mine', ...client }));
    expect(tapis.clientNames('alice')).toEqual(['mine']);
  });

  it('a wrong client secret is AUTH_FAILED on the clientSecret field', async () => {
    const { key } = seedClient('existing');
    secrets.push('not-the-client-secret');
    const error = await keyportError(signInWithPassword(ctx(), 'alice', ALICE_PASSWORD, { type: 'existing', key, secret: 'not-the-client-secret' }));
    expect(error.toShape()).toMatchObject({ code: 'AUTH_FAILED', field: 'clientSecret' });
  });

  it('a taken client name is CONFLICT on the clientName field', async () => {
    seedClient('taken');
    const error = await keyportError(signInWithPassword(ctx(), 'alice', ALICE_PASSWORD, { type: 'new', name: 'taken' }));
    expect(error.toShape()).toMatchObject({ code: 'CONFLICT', field: 'clientName' });
  });

  it('computes the expiry from expires_in', async () => {
    const short = await startTapisServer({ accessTokenLifetimeSeconds: 7 });
    try {
      const now = new Date('2026-03-01T10:00:00.000Z');
      const context = serverContext(serverRecord({ name: 'Short', kind: 'tapis', url: short.url }), http, () => now);
      const result = await signInWithPassword(context, 'alice', ALICE_PASSWORD);
      expect(result.expiresAt).toBe('2026-03-01T10:00:07.000Z');
      expect(decodeCredential(result.credential)).toMatchObject({ issuedAt: now.getTime() / 1000, expiresIn: 7 });
      expect((await renewSession(context, result.credential ?? '')).expiresAt).toBe('2026-03-01T10:00:07.000Z');
    } finally {
      await short.close();
    }
  });
});

describe('Tapis session renewal', () => {
  it('rotates the refresh token: the old one and its access token stop working', async () => {
    const first = await aliceSignedIn();
    const old = decodeCredential(first.credential);
    const renewed = await renewSession(ctx(), first.credential);
    const next = decodeCredential(renewed.credential);
    secrets.push(renewed.session, next.refreshToken);
    expect(renewed.credential).not.toBe(first.credential);
    expect(next.refreshToken).not.toBe(old.refreshToken);
    expect({ ...next, refreshToken: '', issuedAt: 0 }).toEqual({ ...old, refreshToken: '', issuedAt: 0 });
    expect(tapis.isRefreshTokenValid(old.refreshToken)).toBe(false);
    expect(tapis.isRefreshTokenValid(next.refreshToken)).toBe(true);
    expect(tapis.isAccessTokenValid(first.session)).toBe(false);
    expect(tapis.isAccessTokenValid(renewed.session)).toBe(true);
    expect(tapis.requestLog.at(-1)).toMatchObject({ path: '/token', grantType: 'refresh_token', status: 200 });
    // Renewing again from the old credential fails: Keyport must keep the rotated one.
    expect((await keyportError(renewSession(ctx(), first.credential))).code).toBe('AUTH_FAILED');
  });

  it('a revoked refresh token is AUTH_FAILED', async () => {
    const first = await aliceSignedIn();
    expect(tapis.revokeRefreshTokens('alice')).toBeGreaterThan(0);
    const error = await keyportError(renewSession(ctx(), first.credential));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toMatch(/no longer accepts the refresh token/);
  });

  it('a deleted client is AUTH_FAILED on the clientSecret field', async () => {
    const first = await aliceSignedIn();
    tapis.deleteClient('alice', first.dependsOnTokenId ?? '');
    expect((await keyportError(renewSession(ctx(), first.credential))).toShape()).toMatchObject({ code: 'AUTH_FAILED', field: 'clientSecret' });
  });

  it('a damaged credential is AUTH_FAILED before any request', async () => {
    expect((await keyportError(renewSession(ctx(), '{"not":"a credential"}'))).code).toBe('AUTH_FAILED');
    expect(tapis.requestLog).toEqual([]);
  });

  it('checkSession accepts a live access token and refuses an expired one with AUTH_FAILED', async () => {
    const first = await aliceSignedIn();
    await provider.checkSession?.(ctx(), first.session);
    tapis.expireAccessTokens('alice');
    expect((await keyportError(provider.checkSession!(ctx(), first.session))).code).toBe('AUTH_FAILED');
  });
});

describe('Tapis OAuth clients (the tokens of this kind)', () => {
  it('lists, creates and deletes clients with HTTP Basic and the account password', async () => {
    seedClient('first');
    const created = await provider.createToken(ctx(), auth(), { name: 'ci', fields: { description: 'For CI' } });
    secrets.push(created.secret);
    const key = tapis.getClient('alice', 'ci')?.consumerKey;
    expect(created).toEqual({
      token: { id: 'ci', name: 'ci', createdAt: null, lastUsedAt: null, expiresAt: null, scopes: null, extra: { description: 'For CI', tier: 'Unlimited', key } },
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{28}$/),
      identifier: { label: 'Key', value: key },
    });
    const listed = await provider.listTokens(ctx(), auth());
    expect(listed.map((t) => [t.id, t.extra])).toEqual([
      ['first', { description: '', tier: 'Unlimited', key: tapis.getClient('alice', 'first')?.consumerKey }],
      ['ci', { description: 'For CI', tier: 'Unlimited', key }],
    ]);
    await provider.revokeToken(ctx(), auth(), 'ci');
    expect(tapis.clientNames('alice')).toEqual(['first']);
    expect(new Set(tapis.requestLog.map((e) => e.auth))).toEqual(new Set(['basic']));
  });

  it('without a password: PASSWORD_REQUIRED before any request', async () => {
    for (const call of [
      provider.listTokens(ctx(), auth(null)),
      provider.createToken(ctx(), auth(null), { name: 'ci', fields: {} }),
      provider.revokeToken(ctx(), auth(null), 'ci'),
    ]) {
      expect((await keyportError(call)).toShape()).toMatchObject({ code: 'PASSWORD_REQUIRED', field: 'password' });
    }
    expect(tapis.requestLog).toEqual([]);
  });

  it('with a wrong password: PASSWORD_REQUIRED (the server answers 403), nothing changes', async () => {
    seedClient('keep');
    secrets.push('not-the-fake-password');
    for (const call of [
      provider.listTokens(ctx(), auth('not-the-fake-password')),
      provider.createToken(ctx(), auth('not-the-fake-password'), { name: 'ci', fields: {} }),
      provider.revokeToken(ctx(), auth('not-the-fake-password'), 'keep'),
    ]) {
      expect((await keyportError(call)).toShape()).toMatchObject({ code: 'PASSWORD_REQUIRED', field: 'password' });
    }
    expect(tapis.requestLog.map((e) => e.status)).toEqual([403, 403, 403]);
    expect(tapis.clientNames('alice')).toEqual(['keep']);
  });

  it('deleting an unknown client is NOT_FOUND; a taken name is CONFLICT; a bad name is VALIDATION without a request', async () => {
    expect((await keyportError(provider.revokeToken(ctx(), auth(), 'ghost'))).toShape()).toMatchObject({ code: 'NOT_FOUND', field: 'name' });
    seedClient('taken');
    expect((await keyportError(provider.createToken(ctx(), auth(), { name: 'taken', fields: {} }))).toShape()).toMatchObject({ code: 'CONFLICT', field: 'name' });
    tapis.requestLog.length = 0;
    for (const name of ['a b', 'x/y', 'x'.repeat(65), 'zürich']) {
      expect((await keyportError(provider.createToken(ctx(), auth(), { name, fields: {} }))).toShape()).toMatchObject({ code: 'VALIDATION', field: 'name' });
    }
    expect(tapis.requestLog).toEqual([]);
  });

  it('another user cannot see or delete alice’s clients', async () => {
    seedClient('mine');
    const bob: TokenAuth = { session: 'unused', username: 'bob', password: 'builder-secret' };
    expect(await provider.listTokens(ctx(), bob)).toEqual([]);
    expect((await keyportError(provider.revokeToken(ctx(), bob, 'mine'))).code).toBe('NOT_FOUND');
    expect(tapis.clientNames('alice')).toEqual(['mine']);
  });
});

describe('Tapis server settings', () => {
  const check = (url: string, options: Record<string, string> = {}) => provider.checkServer!(url, options);

  it('keeps scheme://host[:port] and a valid tenant id; an empty tenant id is none', () => {
    expect(check('https://api.tacc.utexas.edu', { tenantId: 'tacc.prod' })).toEqual({ url: 'https://api.tacc.utexas.edu', options: { tenantId: 'tacc.prod' } });
    expect(check('http://127.0.0.1:8080/', { tenantId: 'iplantc.org' })).toEqual({ url: 'http://127.0.0.1:8080', options: { tenantId: 'iplantc.org' } });
    expect(check('https://api.tacc.utexas.edu', { tenantId: '' })).toEqual({ url: 'https://api.tacc.utexas.edu', options: {} });
  });

  it.each(['https://api.tacc.utexas.edu/v2', 'https://api.tacc.utexas.edu/a/b'])('refuses the path of %j on the url field', (url) => {
    expect(() => check(url)).toThrowError(expect.objectContaining({ code: 'VALIDATION', field: 'url' }));
  });

  it.each(['.tacc', 'tacc prod', 'tacc/prod', 'x'.repeat(65), 'zürich'])('refuses the tenant id %j on the tenantId field', (tenantId) => {
    expect(() => check('https://api.tacc.utexas.edu', { tenantId })).toThrowError(expect.objectContaining({ code: 'VALIDATION', field: 'tenantId' }));
  });
});

describe('Tapis copy formats', () => {
  const server = () => record({ url: 'https://api.tacc.utexas.edu', options: { tenantId: 'tacc.prod' } });

  async function material(): Promise<SessionMaterial> {
    const result = await aliceSignedIn();
    return { session: result.session, credential: result.credential, expiresAt: result.expiresAt, user: result.user, attributes: result.attributes ?? {} };
  }

  it('renders every session copy format', async () => {
    const m = await material();
    const credential = decodeCredential(m.credential);
    const render = (format: string) => provider.renderSessionCopy!(server(), m, format);
    expect(render('access-token')).toBe(m.session);
    expect(render('access-token-header')).toBe(`Authorization: Bearer ${m.session}`);
    expect(render('access-token-shell')).toBe(`export AGAVE_API_SERVER=https://api.tacc.utexas.edu AGAVE_ACCESS_TOKEN=${m.session}`);
    expect(render('refresh-token')).toBe(credential.refreshToken);
    expect(render('client')).toBe(`${credential.key}:${credential.secret}`);
    expect(render('agave-current')).toBe(renderAgaveCurrent(server(), m));
    expect(provider.descriptor.sessionCopyFormats.map((f) => f.id).sort()).toEqual(['access-token', 'access-token-header', 'access-token-shell', 'agave-current', 'client', 'refresh-token']);
    const error = await keyportError((async () => render('nope'))());
    expect(error.toShape()).toMatchObject({ code: 'VALIDATION', field: 'format' });
  });

  it('refuses a hostile access token for the export and the header, and copies it exactly alone (issue 22, item 3)', async () => {
    const m = { ...(await material()), session: 'eyJ\x1b[201~\x01touch pwned;\x0b\x0f' };
    const render = (format: string) => provider.renderSessionCopy!(server(), m, format);
    expect(render('access-token')).toBe(m.session);
    expect(() => render('access-token-shell')).toThrow(/U\+001B\), so Keyport will not copy it as a shell export/);
    expect(() => render('access-token-header')).toThrow(/as an Authorization header/);
  });

  it('copies a saved client as key:secret, and as agavepy’s keyword arguments for the environment', async () => {
    expect(provider.renderTokenCopy!('key-secret', 'the-secret', { key: 'the-key' })).toBe('the-key:the-secret');
    expect(provider.renderTokenCopy!('raw', 'the-secret', { key: 'the-key' })).toBeNull();
    expect(provider.renderTokenCopy!('shell', 'the-secret', { key: 'the-key' })).toBeNull();
    const error = await keyportError((async () => provider.renderTokenCopy!('key-secret', 'the-secret', {}))());
    expect(error.code).toBe('NOT_FOUND');
    expect(provider.copyEnvironment(server(), 'the-secret', { key: 'the-key' })).toEqual([
      ['AGAVE_API_SERVER', 'https://api.tacc.utexas.edu'],
      ['AGAVE_TENANT_ID', 'tacc.prod'],
      ['AGAVE_API_KEY', 'the-key'],
      ['AGAVE_API_SECRET', 'the-secret'],
    ]);
    expect(provider.descriptor.copyFormats.map((f) => f.id)).toContain(provider.descriptor.defaultCopyFormat);
    expect(provider.descriptor.defaultCopyFormat).toBe('key-secret');
  });
});
