import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOidcServer, type OidcServer } from '../../../../../test/servers/oidc/oidcServer';
import { createHttpClient } from '../../http/httpClient';
import type { HttpClient } from '../../http/types';
import { browserSignInAsPerson, personAt, type PersonOptions } from '../../../../../test/support/anacondaPerson';
import { expectKeyportError, serverContext, serverRecord } from '../../../../../test/support/providerTesting';
import type { ServerRecord } from '../../vault/records';
import type { ServerContext, SessionMaterial, SignInResult } from '../provider';
import { claimsAsText, DEFAULT_OIDC_SCOPES, oidcProvider as provider } from './oidcProvider';

const checkServer = provider.checkServer!.bind(provider);
const describeServer = provider.describeServer!.bind(provider);
const signInWithBrowser = provider.signInWithBrowser!.bind(provider);
const startDeviceSignIn = provider.startDeviceSignIn!.bind(provider);
const renewSession = provider.renewSession!.bind(provider);
const checkSession = provider.checkSession!.bind(provider);
const endSession = provider.endSession!.bind(provider);
const renderSessionCopy = provider.renderSessionCopy!.bind(provider);

/** Plain HTTP (a loopback issuer, which Keyport allows) so the scripted person's fetch can reach
 * it; the HTTPS server checks the custom-CA path. */
let idp: OidcServer;
let idpHttps: OidcServer;
let http: HttpClient;
let secrets: string[];
const extraServers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  [idp, idpHttps] = await Promise.all([startOidcServer({ https: false, accessTokenTtlSeconds: 300 }), startOidcServer()]);
  http = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/0', env: {} });
});
afterAll(async () => {
  await http.close();
  await Promise.all([idp.close(), idpHttps.close()]);
});
beforeEach(() => {
  idp.faults.clear();
  secrets = [...idp.users.map((u) => u.password), idp.confidentialClient.secret, idpHttps.confidentialClient.secret];
});
afterEach(async () => {
  await Promise.all(extraServers.splice(0).map((s) => s.close()));
});

const record = (overrides: Partial<ServerRecord> = {}, server: { url: string } = idp): ServerRecord =>
  serverRecord({ name: 'Test IdP', kind: 'oidc', url: server.url }, { options: { clientId: idp.publicClientId }, ...overrides });
/** A context whose vault holds `clientSecret` as the server's secret setting. */
function ctx(overrides: Partial<ServerRecord> = {}, clientSecret: string | null = null): ServerContext {
  return { ...serverContext(record(overrides), http), secretSetting: async (field) => (field === 'clientSecret' ? clientSecret : null) };
}
const confidential = (secret: string = idp.confidentialClient.secret) => ctx({ options: { clientId: idp.confidentialClient.id } }, secret);
const keyportError = (promise: Promise<unknown>) => expectKeyportError(promise, secrets);

async function browserSignIn(context: ServerContext = ctx(), person: PersonOptions = {}): Promise<{ result: SignInResult; opened: string[] }> {
  const { result, opened } = await browserSignInAsPerson(signInWithBrowser, context, person);
  secrets.push(result.session);
  const credential = JSON.parse(result.credential ?? '{}') as { refreshToken?: string; idToken?: string };
  if (credential.refreshToken) secrets.push(credential.refreshToken);
  if (credential.idToken) secrets.push(credential.idToken);
  return { result, opened };
}

const refreshTokenOf = (credential: string | null): string => (JSON.parse(credential ?? '{}') as { refreshToken: string }).refreshToken;
const idTokenOf = (credential: string | null): string => (JSON.parse(credential ?? '{}') as { idToken: string }).idToken;

const material = (result: SignInResult): SessionMaterial => ({ session: result.session, credential: result.credential, expiresAt: result.expiresAt, user: result.user, attributes: result.attributes ?? {} });

describe('oidc server settings', () => {
  it('needs a client id, keeps the scopes only when they are not the default, and insists on openid', () => {
    expect(checkServer('https://login.example.com/realms/main', { clientId: 'keyport', scopes: ` ${DEFAULT_OIDC_SCOPES} ` })).toEqual({
      url: 'https://login.example.com/realms/main',
      options: { clientId: 'keyport' },
    });
    expect(checkServer('https://login.example.com', { clientId: 'keyport', scopes: 'openid  email email' }).options).toEqual({ clientId: 'keyport', scopes: 'openid email' });
    expect(() => checkServer('https://login.example.com', {})).toThrow(expect.objectContaining({ field: 'clientId' }));
    expect(() => checkServer('https://login.example.com', { clientId: 'keyport', scopes: 'profile email' })).toThrow(expect.objectContaining({ field: 'scopes' }));
    expect(() => checkServer('https://login.example.com', { clientId: 'keyport', scopes: 'openid "x"' })).toThrow(expect.objectContaining({ field: 'scopes' }));
  });

  it('has no token list: the token operations are UNSUPPORTED and the descriptor says so', async () => {
    expect(provider.descriptor.tokenList).toBe(false);
    const error = await keyportError(provider.listTokens(ctx(), { session: 'x', username: '', password: null }));
    expect(error.code).toBe('UNSUPPORTED');
  });
});

describe('oidc discovery', () => {
  it('reads and describes an HTTPS issuer through the custom CA: endpoints and grant types', async () => {
    const https = { ...serverContext(record({ options: { clientId: idpHttps.publicClientId } }, idpHttps), http) };
    https.target = { ...https.target, tls: { allowInsecureTls: false, caCertificatePem: idpHttps.caPem ?? null } };
    const facts = Object.fromEntries((await describeServer(https)).map((f) => [f.label, f.value]));
    expect(facts.Issuer).toBe(idpHttps.url);
    expect(facts['Token endpoint']).toBe(`${idpHttps.url}/token`);
    expect(facts['Device authorization endpoint']).toBe(`${idpHttps.url}/device/auth`);
    expect(facts['Revocation endpoint']).toBe(`${idpHttps.url}/token/revocation`);
    expect(facts['Grant types supported']).toContain('refresh_token');
    expect(facts['PKCE methods']).toBe('S256');
  });

  it('refuses an HTTPS issuer whose certificate is not trusted, saying what to do', async () => {
    const error = await keyportError(describeServer(serverContext(record({ options: { clientId: 'x' } }, idpHttps), http)));
    expect(error.code).toBe('TLS_FAILURE');
  });

  it('a server that is not an OpenID Connect issuer is a clear error on the address', async () => {
    const plain = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    extraServers.push({ close: () => new Promise((resolve) => plain.close(() => resolve())) });
    const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    const error = await keyportError(describeServer(serverContext(record({}, { url }), http)));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.field).toBe('url');
    expect(error.message).toContain('did not answer as an OpenID Connect sign-in server');
  });

  it('refuses plain http for an issuer that is not on this computer', async () => {
    const error = await keyportError(describeServer(serverContext(record({}, { url: 'http://login.example.com' }), http)));
    expect(error.code).toBe('VALIDATION');
  });
});

describe('who you are (the claims shown)', () => {
  it('lists the facts about the person, never the token’s own claims (a Keycloak ID token as it comes)', () => {
    const keycloakIdToken = {
      exp: 1767225900, iat: 1767225600, auth_time: 1767225590, jti: 'a1b2c3', iss: 'https://sso.example.com/realms/main', aud: 'keyport',
      sub: 'f81d4fae-7dec', typ: 'ID', azp: 'keyport', nonce: 'n-0S6_WzA2Mj', sid: '5b9e2e1c', session_state: '5b9e2e1c', at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
      acr: '1', amr: ['pwd'], email_verified: true, name: 'Alice Liddell', preferred_username: 'alice', given_name: 'Alice', family_name: 'Liddell',
      email: 'alice@example.com', groups: ['staff', 'ops'], updated_at: 1767225000,
    };
    expect(claimsAsText(keycloakIdToken)).toEqual([
      ['sub', 'f81d4fae-7dec'],
      ['email_verified', 'true'],
      ['name', 'Alice Liddell'],
      ['preferred_username', 'alice'],
      ['given_name', 'Alice'],
      ['family_name', 'Liddell'],
      ['email', 'alice@example.com'],
      ['groups', '["staff","ops"]'],
      ['updated_at', '2025-12-31T23:50:00.000Z'],
    ]);
  });
});

describe('oidc browser sign-in', () => {
  it('signs in a public client with code + PKCE S256 + state + nonce over the loopback; keeps scopes and ID token claims', async () => {
    const before = Date.now();
    const { result, opened } = await browserSignIn();
    const auth = new URL(opened[0] ?? '');
    expect(auth.searchParams.get('client_id')).toBe(idp.publicClientId);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('state')).toMatch(/.{20,}/);
    expect(auth.searchParams.get('nonce')).toMatch(/.{20,}/);
    expect(auth.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(auth.searchParams.get('scope')).toBe(DEFAULT_OIDC_SCOPES);
    expect(result.user).toEqual({ name: 'alice', email: 'alice@example.com' });
    expect(await idp.accountFor(result.session)).toBe('alice');
    expect(await idp.isRefreshTokenValid(refreshTokenOf(result.credential))).toBe(true);
    // What the server granted: oidc-provider drops offline_access without prompt=consent, yet
    // issues the refresh token its policy allows.
    expect(result.attributes?.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    const claims = Object.fromEntries(JSON.parse(result.attributes?.claims ?? '[]') as Array<[string, string]>);
    expect(claims).toMatchObject({ sub: 'alice', email: 'alice@example.com', name: 'Alice Liddell' });
    // Who you are holds facts about the person; the token's own claims stay in the ID token.
    for (const name of ['iss', 'aud', 'exp', 'iat', 'jti', 'typ', 'azp', 'sid', 'acr', 'auth_time', 'nonce', 'at_hash']) expect(claims, name).not.toHaveProperty(name);
    const idTokenClaims = JSON.parse(Buffer.from(idTokenOf(result.credential).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(idTokenClaims).toMatchObject({ iss: idp.url, aud: idp.publicClientId, nonce: expect.any(String) });
    const expiresAt = Date.parse(result.expiresAt ?? '');
    expect(expiresAt).toBeGreaterThanOrEqual(before + 299_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 301_000);
  });

  it('signs in a confidential client with its secret (client_secret_basic, as advertised)', async () => {
    const { result } = await browserSignIn(confidential());
    expect(await idp.accountFor(result.session)).toBe('alice');
  });

  it('a wrong client secret says so, on the secret, without echoing it', async () => {
    const wrong = 'not-the-secret-123';
    secrets.push(wrong);
    const error = await keyportError(browserSignIn(confidential(wrong)));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.field).toBe('clientSecret');
    expect(error.message).toContain('client id and secret');
  });

  it('copies the access token, an Authorization header, the refresh token and the ID token', async () => {
    const { result } = await browserSignIn();
    const server = record();
    const m = material(result);
    expect(renderSessionCopy(server, m, 'access-token')).toBe(result.session);
    expect(renderSessionCopy(server, m, 'access-token-header')).toBe(`Authorization: Bearer ${result.session}`);
    expect(renderSessionCopy(server, m, 'refresh-token')).toBe(refreshTokenOf(result.credential));
    expect(renderSessionCopy(server, m, 'id-token').split('.')).toHaveLength(3);
    expect(() => renderSessionCopy(server, { ...m, credential: null }, 'refresh-token')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('ID token signatures: alg none refused, signatures checked against the JWKS (also over loopback http)', () => {
  type Json = Record<string, unknown>;
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const partsOf = (jwt: string) => {
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    return { header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Json, payload, signature };
  };

  /** Keyport's HTTP client with a man in the middle: each JSON answer passes through `rewrite`. */
  function tampered(rewrite: (url: string, body: Json) => void): ServerContext {
    const client: HttpClient = {
      async send(target, req) {
        const res = await http.send(target, req);
        if (res.status !== 200 || !res.headers['content-type']?.includes('json')) return res;
        const body = JSON.parse(res.text) as Json;
        rewrite(req.url, body);
        return { ...res, text: JSON.stringify(body) };
      },
      async close() {},
    };
    return { ...serverContext(record(), client), secretSetting: async () => null };
  }
  const isToken = (url: string) => new URL(url).pathname === '/token';

  const forgeries: Array<[string, (idToken: string) => string, (url: string, body: Json) => void]> = [
    [
      'the claims changed under the provider’s signature (sub: mallory)',
      (idToken) => {
        const { payload, signature } = partsOf(idToken);
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Json;
        return `${idToken.split('.')[0]}.${b64({ ...claims, sub: 'mallory' })}.${signature}`;
      },
      () => undefined,
    ],
    [
      'RS256, signed with the attacker’s key under the provider’s kid',
      (idToken) => {
        const { header, payload } = partsOf(idToken);
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const head = b64({ ...header, alg: 'RS256' });
        return `${head}.${payload}.${createSign('RSA-SHA256').update(`${head}.${payload}`).sign(privateKey).toString('base64url')}`;
      },
      (url, body) => {
        if (url.endsWith('/.well-known/openid-configuration')) body.id_token_signing_alg_values_supported = ['RS256', 'ES256'];
      },
    ],
    [
      'HS256 (a shared-secret signature), with HS256 listed in the discovery',
      (idToken) => {
        const { header, payload } = partsOf(idToken);
        const head = b64({ ...header, alg: 'HS256' });
        return `${head}.${payload}.${createHmac('sha256', 'anyone-can-pick-this').update(`${head}.${payload}`).digest('base64url')}`;
      },
      (url, body) => {
        if (url.endsWith('/.well-known/openid-configuration')) body.id_token_signing_alg_values_supported = ['HS256', 'ES256'];
      },
    ],
    [
      'alg none, with none listed in the discovery',
      (idToken) => `${b64({ alg: 'none', typ: 'JWT' })}.${partsOf(idToken).payload}.`,
      (url, body) => {
        if (url.endsWith('/.well-known/openid-configuration')) body.id_token_signing_alg_values_supported = ['none', 'ES256', 'RS256'];
      },
    ],
  ];

  for (const [name, forge, rewriteOther] of forgeries) {
    it(`refuses a forged ID token at sign-in: ${name}`, async () => {
      const context = tampered((url, body) => {
        rewriteOther(url, body);
        if (isToken(url) && typeof body.id_token === 'string') body.id_token = forge(body.id_token);
      });
      const error = await keyportError(browserSignIn(context));
      expect(error.toShape()).toMatchObject({ code: 'BAD_RESPONSE' });
      expect(error.message).toMatch(/^Test IdP sent an ID token Keyport could not verify \(.+\), so Keyport refused it\.$/);
      if (name.startsWith('alg none')) expect(error.message).toContain('it is not signed: alg none');
      else if (name.startsWith('HS256')) expect(error.message).toContain('signed with a shared secret');
      else expect(error.message).toMatch(/signature does not match|published keys fits/);
    });
  }

  it('refuses a forged ID token in a refresh answer too, and accepts the provider’s own', async () => {
    const { result } = await browserSignIn();
    let forge = true;
    const context = tampered((url, body) => {
      if (forge && isToken(url) && typeof body.id_token === 'string') body.id_token = forgeries[0]![1](body.id_token);
    });
    const error = await keyportError(renewSession(context, result.credential ?? ''));
    expect(error.message).toContain('could not verify');
    forge = false;
    // The refused answer spent the rotated refresh token; a fresh sign-in renews normally.
    const { result: again } = await browserSignIn();
    const renewed = await renewSession(context, again.credential ?? '');
    expect(await idp.accountFor(renewed.session)).toBe('alice');
  });

  it('the discovery may list none: Keyport still signs in with the provider’s signed ID tokens', async () => {
    const context = tampered((url, body) => {
      if (url.endsWith('/.well-known/openid-configuration')) body.id_token_signing_alg_values_supported = ['none', 'ES256'];
    });
    const { result } = await browserSignIn(context);
    expect(result.user.name).toBe('alice');
  });
});

describe('oidc session renewal and sign-out', () => {
  it('refreshes: a new access token, and the rotated refresh token replaces the old one', async () => {
    const { result } = await browserSignIn();
    const grant = await renewSession(ctx(), result.credential ?? '');
    secrets.push(grant.session, refreshTokenOf(grant.credential));
    expect(grant.session).not.toBe(result.session);
    expect(await idp.accountFor(grant.session)).toBe('alice');
    expect(refreshTokenOf(grant.credential)).not.toBe(refreshTokenOf(result.credential));
    expect(await idp.isRefreshTokenValid(refreshTokenOf(grant.credential))).toBe(true);
    expect(await idp.isRefreshTokenValid(refreshTokenOf(result.credential))).toBe(false);
    expect(grant.attributes?.scope).toContain('openid');
    await checkSession(ctx(), grant.session);
  });

  it('a refresh token revoked at the server is AUTH_FAILED (the session service then asks to sign in again)', async () => {
    const { result } = await browserSignIn();
    await idp.revokeGrants('alice');
    const error = await keyportError(renewSession(ctx(), result.credential ?? ''));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.hint).toBe('Sign in again.');
    const checked = await keyportError(checkSession(ctx(), result.session));
    expect(checked.code).toBe('AUTH_FAILED');
  });

  it('sign-out revokes the refresh token and the access token (RFC 7009)', async () => {
    const { result } = await browserSignIn(confidential());
    await endSession(confidential(), { session: result.session, credential: result.credential });
    expect(await idp.isRefreshTokenValid(refreshTokenOf(result.credential))).toBe(false);
    expect(await idp.accountFor(result.session)).toBeNull();
  });

  it('a revocation the server refuses is reported (and the caller signs out anyway)', async () => {
    const { result } = await browserSignIn();
    idp.faults.add({ match: /^\/token\/revocation$/, kind: 'status', status: 503 });
    const error = await keyportError(endSession(ctx(), { session: result.session, credential: result.credential }));
    expect(['BAD_RESPONSE', 'SERVER_ERROR', 'AUTH_FAILED']).toContain(error.code);
  });
});

describe('oidc device sign-in', () => {
  // oidc-provider asks clients to poll every 5 seconds.
  it('shows a code and signs in once the person approves on another device', { timeout: 20_000 }, async () => {
    const started = await startDeviceSignIn(ctx(), new AbortController().signal);
    expect(started.code.userCode).toMatch(/\S{4,}/);
    expect(started.code.verificationUri).toBe(`${idp.url}/device`);
    await personAt(started.code.verificationUriComplete ?? '');
    const result = await started.result;
    secrets.push(result.session);
    expect(result.user.name).toBe('alice');
    expect(await idp.accountFor(result.session)).toBe('alice');
    expect(refreshTokenOf(result.credential)).toBeTruthy();
  });
});
