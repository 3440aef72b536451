import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEdsServer, type EdsServer } from '../../../../../test/servers/eds/edsServer';
import { KeyportError } from '../../errors';
import { createHttpClient } from '../../http/httpClient';
import type { HttpClient } from '../../http/types';
import type { ServerRecord } from '../../vault/records';
import { expectKeyportError, serverContext, serverRecord } from '../../../../../test/support/providerTesting';
import type { ServerContext } from '../provider';
import { createProviderRegistry } from '../registry';
import { edsProvider } from './edsProvider';

const provider = edsProvider;
const { signInWithPassword, signInWithToken, renewSession } = {
  signInWithPassword: provider.signInWithPassword!.bind(provider),
  signInWithToken: provider.signInWithToken!.bind(provider),
  renewSession: provider.renewSession!.bind(provider),
};

let eds: EdsServer;
let http: HttpClient;
/** Every secret value a test handled, to check no error text carries one. */
let secrets: string[];

beforeAll(async () => {
  eds = await startEdsServer();
  http = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/0' });
});
afterAll(async () => {
  await http.close();
  await eds.close();
});
beforeEach(() => {
  eds.faults.clear();
  eds.requestLog.length = 0;
  for (const user of eds.users) for (const name of eds.tokenNames(user.username)) eds.revokeApiToken(user.username, name);
  secrets = eds.users.map((u) => u.password);
});
afterEach(() => {
  eds.faults.clear();
});

const record = (overrides: Partial<ServerRecord> = {}): ServerRecord => serverRecord({ name: 'Test EDS', kind: 'eds', url: eds.url }, overrides);
const ctx = (overrides: Partial<ServerRecord> = {}): ServerContext => serverContext(record(overrides), http);

/** A token call made with the session only, as for every EDS call. */
const auth = (session: string) => ({ session, username: '', password: null });

const alice = () => {
  const user = eds.users[0];
  if (!user) throw new Error('no user');
  return user;
};

async function aliceSession(): Promise<string> {
  const { session } = await signInWithPassword(ctx(), alice().username, alice().password);
  secrets.push(session);
  return session;
}

function seedToken(name: string): string {
  const token = eds.createApiToken(alice().username, name);
  secrets.push(token);
  return token;
}

const keyportError = (promise: Promise<unknown>): Promise<KeyportError> => expectKeyportError(promise, secrets);

describe('EDS descriptor', () => {
  it('declares its capabilities', () => {
    expect(provider.descriptor).toMatchObject({
      kind: 'eds',
      signInMethods: ['password', 'token'],
      tokenColumns: { created: true, lastUsed: true, expires: false, scopes: false },
      defaultCopyFormat: 'shell',
    });
    expect(provider.descriptor.copyFormats.map((f) => f.id)).toContain(provider.descriptor.defaultCopyFormat);
    expect(createProviderRegistry().get('eds')).toBe(provider);
  });

  it('the registry refuses an unknown kind with UNSUPPORTED on the kind field', () => {
    let caught: unknown;
    try {
      createProviderRegistry().get('gitlab');
    } catch (error) {
      caught = error;
    }
    expect((caught as KeyportError).toShape()).toMatchObject({ code: 'UNSUPPORTED', field: 'kind', hint: 'Choose one of: eds, tapis, anaconda, oidc, npm, tapis3, jupyterhub.' });
  });
});

describe('EDS sign-in', () => {
  it('signs in with a password: a session, who the user is, no credential kept', async () => {
    const result = await signInWithPassword(ctx(), 'alice', alice().password);
    expect(result.session).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(result.user).toEqual({ name: 'alice', email: 'alice@example.com' });
    expect(result.credential).toBeNull();
    expect(eds.requestLog.map((e) => [e.method, e.path, e.auth, e.status])).toEqual([
      ['POST', '/api/v1/json/auth/tokens/auth', 'basic', 200],
      ['GET', '/api/v0/json/auth/user', 'bearer', 200],
    ]);
    // The session works.
    expect(await provider.listTokens(ctx(), auth(result.session))).toEqual([]);
  });

  it('a wrong password is AUTH_FAILED, and says nothing of the password', async () => {
    secrets.push('not-the-fake-password');
    const error = await keyportError(signInWithPassword(ctx(), 'alice', 'not-the-fake-password'));
    expect(error.toShape()).toEqual({ code: 'AUTH_FAILED', message: 'Authentication failed.', hint: 'Check your user name and password.' });
    const unknown = await keyportError(signInWithPassword(ctx(), 'mallory', alice().password));
    expect(unknown.code).toBe('AUTH_FAILED');
  });

  it('signs in with an API token and keeps it as the credential', async () => {
    const token = seedToken('laptop');
    const result = await signInWithToken(ctx(), token);
    secrets.push(result.session);
    expect(result.credential).toBe(token);
    expect(result.session).not.toBe(token);
    expect(result.user).toEqual({ name: 'alice', email: 'alice@example.com' });
    expect(eds.requestLog[0]).toMatchObject({ method: 'POST', path: '/api/v1/json/auth/tokens/auth', auth: 'bearer' });
  });

  it('an unknown API token is AUTH_FAILED with a hint about revoked tokens', async () => {
    const token = seedToken('old');
    eds.revokeApiToken('alice', 'old');
    const error = await keyportError(signInWithToken(ctx(), token));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toBe('Authentication failed: the server did not accept this API token.');
    expect(error.hint).toMatch(/revoked/);
  });

  it('renews a session from the credential', async () => {
    const token = seedToken('renewer');
    const first = await signInWithToken(ctx(), token);
    eds.expireSessions();
    expect((await keyportError(provider.listTokens(ctx(), auth(first.session)))).code).toBe('AUTH_FAILED');
    const renewed = (await renewSession(ctx(), token)).session;
    secrets.push(renewed);
    expect(renewed).not.toBe(first.session);
    expect((await provider.listTokens(ctx(), auth(renewed))).map((t) => t.name)).toEqual(['renewer']);
    // A revoked credential cannot renew.
    eds.revokeApiToken('alice', 'renewer');
    expect((await keyportError(renewSession(ctx(), token))).code).toBe('AUTH_FAILED');
  });

  it('falls back to the typed user name when the who-am-I path is missing (404)', async () => {
    eds.faults.add({ kind: 'status', status: 404, match: /auth\/user$/ });
    const result = await signInWithPassword(ctx(), 'alice', alice().password);
    expect(result.user).toEqual({ name: 'alice' });
    const viaToken = await signInWithToken(ctx(), seedToken('t'));
    expect(viaToken.user).toEqual({ name: 'API token user' });
  });

  it.each([
    ['a 500', { kind: 'status', status: 500 }],
    ['a 401', { kind: 'status', status: 401 }],
    ['an HTML page', { kind: 'html', status: 200 }],
    ['a reset connection', { kind: 'reset' }],
  ] as const)('keeps a granted session when who-am-I answers %s, under the typed name', async (_, fault) => {
    eds.faults.add({ ...fault, match: /auth\/user$/ });
    const result = await signInWithPassword(ctx(), 'alice', alice().password);
    secrets.push(result.session);
    expect(result.user).toEqual({ name: 'alice' });
    // The session the server granted is the one kept, and it works.
    expect(await provider.listTokens(ctx(), auth(result.session))).toEqual([]);
  });
  it('signs in with a latin-1 password on a server that reads Basic as hatcher (requests) sends it', async () => {
    const latin = await startEdsServer({ users: [{ username: 'jörg', password: 'pässwörd', email: 'j@example.com' }] });
    try {
      const latinCtx = serverContext(serverRecord({ name: 'Latin EDS', kind: 'eds', url: latin.url }), http);
      const result = await signInWithPassword(latinCtx, 'jörg', 'pässwörd');
      expect(result.user.name).toBe('jörg');
      expect(latin.requestLog[0]).toMatchObject({ auth: 'basic', status: 200 });
    } finally {
      await latin.close();
    }
  });

  it('a server that is not EDS is BAD_RESPONSE with a hint about the URL', async () => {
    eds.faults.add({ kind: 'html', status: 200, match: /tokens\/auth$/ });
    const error = await keyportError(signInWithPassword(ctx(), 'alice', alice().password));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.hint).toMatch(/an Enthought Deployment Server/);
  });

  it('a 403 on sign-in is AUTH_FAILED too', async () => {
    eds.faults.add({ kind: 'status', status: 403, match: /tokens\/auth$/ });
    expect((await keyportError(signInWithPassword(ctx(), 'alice', alice().password))).code).toBe('AUTH_FAILED');
  });
});

describe('EDS tokens', () => {
  it('creates, lists and revokes API tokens', async () => {
    const session = await aliceSession();
    const created = await provider.createToken(ctx(), auth(session), { name: 'ci', fields: {} });
    secrets.push(created.secret);
    expect(created.token).toEqual({
      id: 'ci',
      name: 'ci',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastUsedAt: null,
      expiresAt: null,
      scopes: null,
    });
    expect(eds.isApiTokenValid(created.secret)).toBe(true);
    seedToken('second');

    const listed = await provider.listTokens(ctx(), auth(session));
    expect(listed.map((t) => [t.id, t.name, t.expiresAt, t.scopes])).toEqual([
      ['ci', 'ci', null, null],
      ['second', 'second', null, null],
    ]);
    expect(listed[0]?.createdAt).toBe(created.token.createdAt);

    await provider.revokeToken(ctx(), auth(session), 'ci');
    expect(eds.tokenNames('alice')).toEqual(['second']);
    expect(eds.isApiTokenValid(created.secret)).toBe(false);
  });

  it('reports last use from the server', async () => {
    const session = await aliceSession();
    const token = seedToken('used');
    await signInWithToken(ctx(), token);
    const [used] = await provider.listTokens(ctx(), auth(session));
    expect(used?.lastUsedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('revokes with force=False, as hatcher does, and escapes the name in the path', async () => {
    const session = await aliceSession();
    seedToken('my token/1');
    eds.requestLog.length = 0;
    await provider.revokeToken(ctx(), auth(session), 'my token/1');
    expect(eds.requestLog).toEqual([
      { method: 'DELETE', path: '/api/v1/json/auth/tokens/api/my%20token%2F1', query: 'force=False', auth: 'bearer', status: 204 },
    ]);
    expect(eds.tokenNames('alice')).toEqual([]);
  });

  it('a taken name is CONFLICT on the name field', async () => {
    const session = await aliceSession();
    seedToken('ci');
    const error = await keyportError(provider.createToken(ctx(), auth(session), { name: 'ci', fields: {} }));
    expect(error.toShape()).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect(error.message).toBe('A token named “ci” already exists on Test EDS.');
  });

  it('a refused name (400) is VALIDATION on the name field, in the server\'s own words', async () => {
    const session = await aliceSession();
    eds.faults.add({ kind: 'status', status: 400, body: '{"error": "Token names may only contain letters and digits"}', contentType: 'application/json', match: /tokens\/api$/ });
    expect((await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: {} }))).toShape()).toEqual({
      code: 'VALIDATION',
      field: 'name',
      message: 'Test EDS did not accept the name “x”. Test EDS says: “Token names may only contain letters and digits”',
      hint: 'Change the name as the server asks, then try again.',
    });
  });

  it('an unexpected status shows the server\'s message with Keyport\'s hint', async () => {
    const session = await aliceSession();
    eds.faults.add({ kind: 'status', status: 422, body: '{"error": "Quota of 20 API tokens reached"}', contentType: 'application/json', times: 1, match: /tokens\/api$/ });
    expect((await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: {} }))).toShape()).toEqual({
      code: 'BAD_RESPONSE',
      message: 'Test EDS answered with an unexpected status (HTTP 422). Test EDS says: “Quota of 20 API tokens reached”',
      hint: 'Check the server’s URL and kind in its settings.',
    });
    eds.faults.add({ kind: 'status', status: 500, body: '{"error": "database is read-only"}', contentType: 'application/json', match: /tokens\/api$/ });
    expect((await keyportError(provider.listTokens(ctx(), auth(session)))).message).toBe('Test EDS had an internal error (HTTP 500). Test EDS says: “database is read-only”');
  });

  it('the server\'s message is shown on one line, with hidden characters made visible and at most 300 characters', async () => {
    const session = await aliceSession();
    const hostile = `Bad\u202Ename\u0007\r\n\tplease  ${'x'.repeat(600)}`;
    eds.faults.add({ kind: 'status', status: 400, body: JSON.stringify({ error: hostile }), contentType: 'application/json', match: /tokens\/api$/ });
    const { message } = await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: {} }));
    const said = /says: “(.*)”$/.exec(message)?.[1] ?? '';
    expect(said.startsWith('Bad<U+202E>name<U+0007> please x')).toBe(true);
    expect([...said]).toHaveLength(300);
    expect(said.endsWith('…')).toBe(true);
    expect([...message].filter((c) => c.charCodeAt(0) < 0x20 || c === '\u202e')).toEqual([]);
  });

  it.each([403, 404])('%i on create or list is TOKENS_UNAVAILABLE with the hosted-EDS hint', async (status) => {
    const session = await aliceSession();
    eds.faults.add({ kind: 'status', status, match: /tokens\/api$/ });
    for (const call of [provider.createToken(ctx(), auth(session), { name: 'ci', fields: {} }), provider.listTokens(ctx(), auth(session))]) {
      const error = await keyportError(call);
      expect(error.code).toBe('TOKENS_UNAVAILABLE');
      expect(error.message).toBe('Test EDS does not offer API tokens to this account.');
      expect(error.hint).toBe(provider.descriptor.tokenCreationNote);
      expect(error.hint).toMatch(/only on Enthought-hosted EDS/);
    }
    expect(eds.tokenNames('alice')).toEqual([]);
  });

  it('revoking a token that is not there is NOT_FOUND', async () => {
    const session = await aliceSession();
    const error = await keyportError(provider.revokeToken(ctx(), auth(session), 'ghost'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Test EDS has no token named “ghost”.');
  });

  it('a session the server no longer accepts is AUTH_FAILED (401) on every call', async () => {
    const session = await aliceSession();
    seedToken('keep');
    eds.expireSessions();
    for (const call of [
      provider.listTokens(ctx(), auth(session)),
      provider.createToken(ctx(), auth(session), { name: 'new', fields: {} }),
      provider.revokeToken(ctx(), auth(session), 'keep'),
    ]) {
      expect((await keyportError(call)).code).toBe('AUTH_FAILED');
    }
    expect(eds.tokenNames('alice')).toEqual(['keep']);
  });

  it('a list in an unexpected shape is BAD_RESPONSE', async () => {
    const session = await aliceSession();
    eds.faults.add({ kind: 'wrong-shape', match: /tokens\/api$/ });
    expect((await keyportError(provider.listTokens(ctx(), auth(session)))).code).toBe('BAD_RESPONSE');
  });

  it('no error text carries a password, session or token value', async () => {
    const session = await aliceSession();
    const token = seedToken('t1');
    eds.faults.add({ kind: 'status', status: 500 });
    await keyportError(signInWithPassword(ctx(), 'alice', alice().password));
    await keyportError(signInWithToken(ctx(), token));
    await keyportError(renewSession(ctx(), token));
    await keyportError(provider.listTokens(ctx(), auth(session)));
    await keyportError(provider.createToken(ctx(), auth(session), { name: 'n', fields: {} }));
    await keyportError(provider.revokeToken(ctx(), auth(session), 't1'));
  });
});

describe('EDS copy environment', () => {
  it('gives HATCHER_URL and HATCHER_TOKEN', () => {
    expect(provider.copyEnvironment(record({ url: 'https://eds.example.com' }), 'tok', {})).toEqual([
      ['HATCHER_URL', 'https://eds.example.com'],
      ['HATCHER_TOKEN', 'tok'],
    ]);
  });

  it('adds HATCHER_INSECURE=1 only for a server reached insecurely', () => {
    expect(provider.copyEnvironment(record({ url: 'https://eds.example.com', allowInsecureTls: true }), 'tok', {})).toEqual([
      ['HATCHER_URL', 'https://eds.example.com'],
      ['HATCHER_TOKEN', 'tok'],
      ['HATCHER_INSECURE', '1'],
    ]);
  });

  it('names the CA file Keyport trusts in REQUESTS_CA_BUNDLE, which hatcher (requests) reads, except beside HATCHER_INSECURE', () => {
    expect(provider.copyEnvironment(record({ url: 'https://eds.example.com', caCertificatePath: '/etc/ssl/corp ca.pem' }), 'tok', {})).toEqual([
      ['HATCHER_URL', 'https://eds.example.com'],
      ['HATCHER_TOKEN', 'tok'],
      ['REQUESTS_CA_BUNDLE', '/etc/ssl/corp ca.pem'],
    ]);
    expect(provider.copyEnvironment(record({ url: 'https://eds.example.com', caCertificatePath: '/ca.pem', allowInsecureTls: true }), 'tok', {}).map(([k]) => k)).toEqual([
      'HATCHER_URL',
      'HATCHER_TOKEN',
      'HATCHER_INSECURE',
    ]);
  });
});
