import { HOSTILE_PASTE_VALUES } from '../../../../../test/support/hostilePasteValues';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTapis3Server, type Tapis3Server } from '../../../../../test/servers/tapis3/tapis3Server';
import { KeyportError } from '../../errors';
import { createHttpClient } from '../../http/httpClient';
import type { HttpClient } from '../../http/types';
import { expectKeyportError, serverContext, serverRecord } from '../../../../../test/support/providerTesting';
import type { ServerRecord } from '../../vault/records';
import type { ServerContext, SessionMaterial, SignInResult } from '../provider';
import { decodeTapis3Credential } from './tapis3Credential';
import { tapis3Provider as provider } from './tapis3Provider';
import { deviceCodeAnswer, jwtExpiry, tokenAnswer } from './tapis3Protocol';

const signInWithPassword = provider.signInWithPassword!.bind(provider);
const startDeviceSignIn = provider.startDeviceSignIn!.bind(provider);
const renewSession = provider.renewSession!.bind(provider);
const endSession = provider.endSession!.bind(provider);
const describeServer = provider.describeServer!.bind(provider);
const renderSessionCopy = provider.renderSessionCopy!.bind(provider);

const ALICE_PASSWORD = 'wonderland-secret';
let tapis: Tapis3Server;
let http: HttpClient;
let secrets: string[];

beforeAll(async () => {
  tapis = await startTapis3Server({ deviceIntervalSeconds: 1, otherTenants: [{ tenantId: 'elsewhere', baseUrl: 'https://elsewhere.example' }] });
  http = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/0' });
});
afterAll(async () => {
  await http.close();
  await tapis.close();
});
beforeEach(() => {
  tapis.faults.clear();
  tapis.expireAccessTokens();
  for (const user of tapis.users) for (const id of tapis.clientIds(user.username)) tapis.deleteClient(id);
  tapis.requestLog.length = 0;
  secrets = tapis.users.map((u) => u.password);
});

const record = (overrides: Partial<ServerRecord> = {}): ServerRecord => serverRecord({ name: 'Test Tapis 3', kind: 'tapis3', url: tapis.url }, overrides);
const ctx = (overrides: Partial<ServerRecord> = {}, settings: Record<string, string> = {}): ServerContext => ({
  ...serverContext(record(overrides), http),
  secretSetting: (id: string) => Promise.resolve(settings[id] ?? null),
});
const keyportError = (promise: Promise<unknown>) => expectKeyportError(promise, secrets);
const requests = () => tapis.requestLog.map((e) => `${e.method} ${e.path}${e.grantType ? ` ${e.grantType}` : ''} ${String(e.status)}`);

async function aliceSignedIn(): Promise<SignInResult & { credential: string }> {
  const result = await signInWithPassword(ctx(), 'alice', ALICE_PASSWORD);
  if (result.credential === null) throw new Error('no credential');
  const credential = decodeTapis3Credential(result.credential);
  secrets.push(result.session, credential.clientKey, credential.refreshToken);
  return { ...result, credential: result.credential };
}

function seedClient(id: string): { clientId: string; clientKey: string } {
  const client = tapis.createClient('alice', id);
  secrets.push(client.clientKey);
  return client;
}

function material(result: SignInResult): SessionMaterial {
  return { session: result.session, credential: result.credential, expiresAt: result.expiresAt, user: result.user, attributes: result.attributes ?? {} };
}

describe('tapis3 server settings', () => {
  it('keeps scheme://host[:port], refuses a path, a bad tenant id and a bad client id', () => {
    expect(provider.checkServer!('https://tacc.tapis.io/', { tenantId: ' tacc ', clientId: '' })).toEqual({ url: 'https://tacc.tapis.io', options: { tenantId: 'tacc' } });
    expect(() => provider.checkServer!('https://tacc.tapis.io/v3', {})).toThrow(expect.objectContaining({ field: 'url' }) as Error);
    expect(() => provider.checkServer!('https://tacc.tapis.io', { tenantId: 'a b' })).toThrow(expect.objectContaining({ field: 'tenantId' }) as Error);
    expect(() => provider.checkServer!('https://tacc.tapis.io', { clientId: 'a/b' })).toThrow(expect.objectContaining({ field: 'clientId' }) as Error);
  });

  it('describes the tenant found from the base URL and names the other tenants of the site', async () => {
    expect(await describeServer(ctx())).toEqual([
      { label: 'Tenant', value: 'keyport' },
      { label: 'Description', value: 'Keyport reference tenant' },
      { label: 'Other tenants of the site', value: 'elsewhere (https://elsewhere.example)' },
    ]);
  });

  it('an unknown tenant, or one served at another address, is a clear error naming the field', async () => {
    const unknown = await keyportError(describeServer(ctx({ options: { tenantId: 'nope' } })));
    expect([unknown.code, unknown.field, unknown.message, unknown.hint]).toEqual(['VALIDATION', 'tenantId', 'Test Tapis 3 has no tenant “nope”.', 'Its tenants are: keyport, elsewhere.']);
    const elsewhere = await keyportError(signInWithPassword(ctx({ options: { tenantId: 'elsewhere' } }), 'alice', ALICE_PASSWORD));
    expect([elsewhere.code, elsewhere.field]).toEqual(['VALIDATION', 'url']);
    expect(tapis.tokenRequests.password).toBe(0);
  });
});

describe('tapis3 password sign-in', () => {
  it('creates a client with a first token, signs in through it (refresh token), revokes the first token', async () => {
    const before = tapis.tokenRequests.password;
    const result = await aliceSignedIn();
    const clientId = result.attributes?.clientId ?? '';
    expect(clientId).toMatch(/^keyport-[A-Za-z0-9-]{1,40}-[0-9a-f]{6}$/);
    expect(tapis.clientIds('alice')).toEqual([clientId]);
    expect(result).toMatchObject({ user: { name: 'alice', email: 'alice@example.com' }, dependsOnTokenId: clientId, attributes: { clientId, tenantId: 'keyport' } });
    expect(tapis.tokenRequests.password - before).toBe(2);
    const credential = decodeTapis3Credential(result.credential);
    expect(credential.clientId).toBe(clientId);
    // The first, client-less token is revoked: only the session's access token works.
    expect(tapis.liveAccessTokenCount('alice')).toBe(1);
    expect(tapis.isRefreshTokenValid(credential.refreshToken)).toBe(true);
    // Expiry is the JWT's exp.
    expect(result.expiresAt).toBe(new Date((jwtExpiry(result.session)?.exp ?? 0) * 1000).toISOString());
    expect(requests()).toEqual([
      'GET /v3/tenants 200',
      'POST /v3/oauth2/tokens password 200',
      'POST /v3/oauth2/clients 200',
      'POST /v3/oauth2/tokens password 200',
      'GET /v3/oauth2/userinfo 200',
      'POST /v3/oauth2/tokens/revoke 200',
    ]);
  });

  it('signs in through a pasted client without creating one', async () => {
    const client = seedClient('pasted');
    const result = await signInWithPassword(ctx(), 'alice', ALICE_PASSWORD, { type: 'existing', key: client.clientId, secret: client.clientKey });
    expect(result.dependsOnTokenId).toBe('pasted');
    expect(tapis.clientIds('alice')).toEqual(['pasted']);
  });

  it('a wrong password is AUTH_FAILED on the password field; nothing is created', async () => {
    const error = await keyportError(signInWithPassword(ctx(), 'alice', 'wrong-password'));
    expect([error.code, error.field, error.message]).toEqual(['AUTH_FAILED', 'password', 'Authentication failed.']);
    expect(tapis.clientIds('alice')).toEqual([]);
  });

  it('a wrong client key is AUTH_FAILED on the client secret', async () => {
    seedClient('pasted');
    const error = await keyportError(signInWithPassword(ctx(), 'alice', ALICE_PASSWORD, { type: 'existing', key: 'pasted', secret: 'not-the-key' }));
    expect([error.code, error.field]).toEqual(['AUTH_FAILED', 'clientSecret']);
  });

  it('a taken client id is a CONFLICT on the client name, and the first token is revoked', async () => {
    seedClient('taken');
    const error = await keyportError(signInWithPassword(ctx(), 'alice', ALICE_PASSWORD, { type: 'new', name: 'taken' }));
    expect([error.code, error.field]).toEqual(['CONFLICT', 'clientName']);
    expect(requests().at(-1)).toBe('POST /v3/oauth2/tokens/revoke 200');
  });

  it('an opaque (non-JWT) access token is refused as BAD_RESPONSE, and the client made for it is deleted', async () => {
    const opaque = JSON.stringify({ result: { access_token: { access_token: 'opaque-token-value', expires_in: 3600 } }, status: 'success', message: '', version: 'x', metadata: {} });
    tapis.faults.add({ kind: 'status', status: 200, body: opaque, match: /^\/v3\/oauth2\/tokens$/, times: 1 });
    const error = await keyportError(signInWithPassword(ctx(), 'alice', ALICE_PASSWORD));
    expect([error.code, error.message]).toEqual(['BAD_RESPONSE', 'Test Tapis 3 sent an access token that is not a Tapis JWT.']);
    expect(tapis.clientIds('alice')).toEqual([]);
  });

  it('an HTML page and a 500 envelope are clear errors', async () => {
    tapis.faults.add({ kind: 'html', status: 200, match: /^\/v3\/tenants$/, times: 1 });
    expect((await keyportError(signInWithPassword(ctx(), 'alice', ALICE_PASSWORD))).message).toBe('Test Tapis 3 did not answer with JSON (it sent an HTML page).');
    tapis.faults.add({ kind: 'status', status: 500, match: /^\/v3\/oauth2\/tokens$/, times: 1 });
    const failed = await keyportError(signInWithPassword(ctx(), 'alice', ALICE_PASSWORD));
    expect([failed.code, failed.message]).toEqual(['SERVER_ERROR', 'Test Tapis 3 had an internal error (HTTP 500).']);
  });
});

describe('tapis3 device sign-in', () => {
  it('needs a client in the settings', async () => {
    const error = await keyportError(startDeviceSignIn(ctx(), new AbortController().signal));
    expect([error.code, error.field]).toEqual(['VALIDATION', 'clientId']);
  });

  // The server asks for a poll every second; Keyport never polls faster than every 5 s.
  it('shows the code, polls while not ready (no faster than every 5 s), and signs in once approved', { timeout: 30_000 }, async () => {
    const client = seedClient('laptop');
    const started = await startDeviceSignIn(ctx({ options: { clientId: 'laptop' } }, { clientKey: client.clientKey }), new AbortController().signal);
    expect(started.code).toMatchObject({ verificationUri: `${tapis.url}/v3/oauth2/device`, intervalSeconds: 5, verificationUriComplete: null });
    await new Promise((r) => setTimeout(r, 4500));
    expect(requests().filter((r) => r.includes('device_code'))).toEqual([]);
    await new Promise((r) => setTimeout(r, 1500));
    tapis.approveDevice(started.code.userCode, 'alice');
    const result = await started.result;
    expect(result).toMatchObject({ user: { name: 'alice' }, dependsOnTokenId: 'laptop' });
    expect(tapis.isRefreshTokenValid(decodeTapis3Credential(result.credential).refreshToken)).toBe(true);
    expect(requests().filter((r) => r.includes('device_code'))).toEqual(['POST /v3/oauth2/tokens device_code 400', 'POST /v3/oauth2/tokens device_code 200']);
  });

  it('a denied code is CANCELLED, an expired one TIMEOUT, a cancelled wait CANCELLED', { timeout: 40_000 }, async () => {
    const client = seedClient('laptop');
    const context = ctx({ options: { clientId: 'laptop' } }, { clientKey: client.clientKey });
    const denied = await startDeviceSignIn(context, new AbortController().signal);
    tapis.denyDevice(denied.code.userCode);
    expect((await keyportError(denied.result)).code).toBe('CANCELLED');

    const short = await startTapis3Server({ deviceCodeLifetimeSeconds: 1, deviceIntervalSeconds: 1 });
    try {
      const shortClient = short.createClient('alice', 'laptop');
      const expired = await startDeviceSignIn(
        { ...serverContext(record({ url: short.url, options: { clientId: 'laptop' } }), http), secretSetting: () => Promise.resolve(shortClient.clientKey) },
        new AbortController().signal,
      );
      const error = await keyportError(expired.result);
      expect([error.code, error.message]).toEqual(['TIMEOUT', 'The sign-in code expired before it was used.']);
    } finally {
      await short.close();
    }

    const abort = new AbortController();
    const waiting = await startDeviceSignIn(context, abort.signal);
    abort.abort();
    expect((await keyportError(waiting.result)).code).toBe('CANCELLED');
  });
});

describe('tapis3 session renewal and sign-out', () => {
  it('renews with the refresh token and the client; the rotated refresh token replaces the old', async () => {
    const result = await aliceSignedIn();
    const renewed = await renewSession(ctx(), result.credential);
    const before = decodeTapis3Credential(result.credential);
    const after = decodeTapis3Credential(renewed.credential);
    expect(after.clientId).toBe(before.clientId);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(tapis.isAccessTokenValid(renewed.session)).toBe(true);
    expect(tapis.isRefreshTokenValid(before.refreshToken)).toBe(false);
  });

  it('a refresh token revoked elsewhere ends in AUTH_FAILED “sign in again”', async () => {
    const result = await aliceSignedIn();
    tapis.revokeRefreshTokens('alice');
    const error = await keyportError(renewSession(ctx(), result.credential));
    expect([error.code, error.hint]).toEqual(['AUTH_FAILED', 'Sign in again.']);
  });

  it('an opaque token, an HTML page or a 500 envelope during renewal is a clear error, and nothing is lost: the same credential renews afterwards', async () => {
    const result = await aliceSignedIn();
    const opaque = JSON.stringify({ result: { access_token: { access_token: 'opaque' }, refresh_token: { refresh_token: 'opaque-too' } }, status: 'success', message: '', version: 'x', metadata: {} });
    tapis.faults.add({ kind: 'status', status: 200, body: opaque, match: /^\/v3\/oauth2\/tokens$/, times: 1 });
    tapis.faults.add({ kind: 'html', status: 502, match: /^\/v3\/oauth2\/tokens$/, times: 1 });
    tapis.faults.add({ kind: 'status', status: 500, match: /^\/v3\/oauth2\/tokens$/, times: 1 });
    const codes = [];
    for (let i = 0; i < 3; i += 1) codes.push((await keyportError(renewSession(ctx(), result.credential))).code);
    expect(codes).toEqual(['BAD_RESPONSE', 'SERVER_ERROR', 'SERVER_ERROR']);
    const renewed = await renewSession(ctx(), result.credential);
    expect(tapis.isAccessTokenValid(renewed.session)).toBe(true);
  });

  it('a damaged credential is AUTH_FAILED', async () => {
    expect((await keyportError(renewSession(ctx(), '{"clientId":1}'))).code).toBe('AUTH_FAILED');
  });

  it('checkSession: a revoked access token is AUTH_FAILED', async () => {
    const result = await aliceSignedIn();
    await provider.checkSession!(ctx(), result.session);
    await endSession(ctx(), { session: result.session, credential: result.credential });
    expect((await keyportError(provider.checkSession!(ctx(), result.session))).code).toBe('AUTH_FAILED');
  });

  it('sign-out revokes the refresh token and the access token', async () => {
    const result = await aliceSignedIn();
    await endSession(ctx(), { session: result.session, credential: result.credential });
    expect(tapis.isAccessTokenValid(result.session)).toBe(false);
    expect(tapis.isRefreshTokenValid(decodeTapis3Credential(result.credential).refreshToken)).toBe(false);
  });

  it('sign-out says so when the server does not confirm', async () => {
    const result = await aliceSignedIn();
    tapis.faults.add({ kind: 'status', status: 500, match: /revoke$/ });
    expect((await keyportError(endSession(ctx(), { session: result.session, credential: result.credential }))).code).toBe('SERVER_ERROR');
  });
});

describe('tapis3 OAuth clients', () => {
  it('lists in pages, creates with the key shown once, deletes', async () => {
    const result = await aliceSignedIn();
    const auth = { session: result.session, username: 'alice', password: null };
    for (let i = 0; i < 105; i += 1) tapis.createClient('alice', `bulk-${String(i)}`);
    const listed = await provider.listTokens(ctx(), auth);
    expect(listed).toHaveLength(106);
    expect(requests().filter((r) => r.startsWith('GET /v3/oauth2/clients'))).toHaveLength(2);
    expect(listed[0]).toMatchObject({ id: result.dependsOnTokenId, createdAt: expect.stringMatching(/^\d{4}-/), extra: { description: 'Created by Keyport for signing in' } });

    const created = await provider.createToken(ctx(), auth, { name: 'my-script', fields: { description: 'nightly' } });
    secrets.push(created.secret);
    expect(created.identifier).toEqual({ label: 'Client id', value: 'my-script' });
    expect(created.token).toMatchObject({ id: 'my-script', extra: { description: 'nightly' } });
    expect(tapis.hasClient('my-script')).toBe(true);
    await provider.revokeToken(ctx(), auth, 'my-script');
    expect(tapis.hasClient('my-script')).toBe(false);
    const gone = await keyportError(provider.revokeToken(ctx(), auth, 'my-script'));
    expect(gone.code).toBe('NOT_FOUND');
    const bad = await keyportError(provider.createToken(ctx(), auth, { name: 'has space', fields: {} }));
    expect([bad.code, bad.field]).toEqual(['VALIDATION', 'name']);
  });

  it('a refused token on the clients API is AUTH_FAILED (the session service renews)', async () => {
    const error = await keyportError(provider.listTokens(ctx(), { session: 'not-a-token', username: 'alice', password: null }));
    expect(error.code).toBe('AUTH_FAILED');
  });
});

describe('tapis3 copy formats', () => {
  it('renders the access token, the header, the variables, and the tapipy snippets', async () => {
    const result = await aliceSignedIn();
    const server = record({ caCertificatePath: '/etc/ca.pem' });
    const m = material(result);
    const credential = decodeTapis3Credential(result.credential);
    expect(renderSessionCopy(server, m, 'access-token')).toBe(result.session);
    expect(renderSessionCopy(server, m, 'access-token-header')).toBe(`X-Tapis-Token: ${result.session}`);
    for (const hostile of HOSTILE_PASTE_VALUES) {
      expect(() => renderSessionCopy(server, { ...m, session: hostile.value }, 'access-token-header'), hostile.label).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'format' }));
    }
    expect(renderSessionCopy(server, m, 'access-token-shell')).toBe(`export TAPIS_BASE_URL=${tapis.url} TAPIS_TENANT_ID=keyport TAPIS_TOKEN=${result.session}`);
    expect(renderSessionCopy(server, m, 'access-token-powershell')).toContain(`$Env:TAPIS_TOKEN = '${result.session}'`);
    expect(renderSessionCopy(server, m, 'access-token-cmd')).toContain(`set "TAPIS_TOKEN=${result.session}"`);
    expect(renderSessionCopy(server, m, 'access-token-dotenv')).toContain(`TAPIS_TOKEN=${result.session}`);
    expect(renderSessionCopy(server, m, 'python')).toContain(`t = Tapis(base_url="${tapis.url}", tenant_id="keyport", access_token=os.environ["TAPIS_TOKEN"], verify="/etc/ca.pem")`);
    expect(renderSessionCopy(server, m, 'refresh-shell')).toContain(`TAPIS_CLIENT_ID=${credential.clientId} TAPIS_CLIENT_KEY=${credential.clientKey} TAPIS_REFRESH_TOKEN=${credential.refreshToken}`);
    expect(renderSessionCopy(server, m, 'python-refresh')).toContain('refresh_token=os.environ["TAPIS_REFRESH_TOKEN"], verify="/etc/ca.pem")');
    expect(() => renderSessionCopy(server, m, 'nope')).toThrow(KeyportError);
  });

  it('a saved client copies as TAPIS_CLIENT_ID and TAPIS_CLIENT_KEY; the tenant only when typed', () => {
    expect(provider.copyEnvironment(record(), 'the-key', { key: 'my-client' }).map(([name]) => name)).toEqual(['TAPIS_BASE_URL', 'TAPIS_CLIENT_ID', 'TAPIS_CLIENT_KEY']);
    expect(provider.copyEnvironment(record({ options: { tenantId: 'keyport' } }), 'the-key', { key: 'my-client' })).toEqual([
      ['TAPIS_BASE_URL', tapis.url],
      ['TAPIS_TENANT_ID', 'keyport'],
      ['TAPIS_CLIENT_ID', 'my-client'],
      ['TAPIS_CLIENT_KEY', 'the-key'],
    ]);
  });
});

describe('jwtExpiry', () => {
  const jwt = (payload: unknown) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
  it('reads exp, and refuses tokens tapipy could not use', () => {
    expect(jwtExpiry(jwt({ exp: 1700000000 }))?.exp).toBe(1700000000);
    expect(jwtExpiry(jwt({ sub: 'x' }))).toBeNull();
    expect(jwtExpiry(jwt({ exp: 'soon' }))).toBeNull();
    expect(jwtExpiry('opaque')).toBeNull();
    expect(jwtExpiry('a.!!!.c')).toBeNull();
    expect(jwtExpiry(`e30.${Buffer.from('not json').toString('base64url')}.x`)).toBeNull();
  });
});

describe('tapis3 answers', () => {
  const device = (expiresIn: unknown) => ({ result: { device_code: 'd', user_code: 'U', client_id: 'c', verification_uri: 'https://x/v3/oauth2/device', expires_in: expiresIn } });
  it('a device code’s expires_in is a string in the spec; a number is accepted, nonsense refused', () => {
    expect(deviceCodeAnswer.parse(device('600')).result.expires_in).toBe(600);
    expect(deviceCodeAnswer.parse(device(600)).result.expires_in).toBe(600);
    for (const bad of ['-1', 'soon', 0, 10 ** 9]) expect(deviceCodeAnswer.safeParse(device(bad)).success, String(bad)).toBe(false);
  });
  it('a token answer may lack the refresh token (password grant without a client), never the access token', () => {
    expect(tokenAnswer.parse({ result: { access_token: { access_token: 'a' } } }).result.refresh_token).toBeUndefined();
    expect(tokenAnswer.safeParse({ result: { refresh_token: { refresh_token: 'r' } } }).success).toBe(false);
    expect(tokenAnswer.safeParse({ result: 'token' }).success).toBe(false);
  });
});
