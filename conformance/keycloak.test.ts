// The `oidc` kind against a real Keycloak 26.7.3 (test/servers/keycloak): the provider the README
// names first, started by this file on 127.0.0.1, set up through its admin REST API. What Keyport
// does here is what it does for a person whose company runs Keycloak.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeCertificate } from '../test/servers/common/httpServer';
import { freePort, startKeycloak, type Keycloak } from '../test/servers/keycloak/keycloakServer';
import { createHttpClient } from '../src/main/core/http/httpClient';
import type { HttpClient } from '../src/main/core/http/types';
import type { ServerContext, SignInResult } from '../src/main/core/providers/provider';
import { oidcProvider as provider } from '../src/main/core/providers/oidc/oidcProvider';
import { browserSignInAsPerson, personAt, type PersonOptions } from '../test/support/anacondaPerson';
import { expectKeyportError, serverContext, serverRecord } from '../test/support/providerTesting';
import type { ServerRecord } from '../src/main/core/vault/records';

const signInWithBrowser = provider.signInWithBrowser!.bind(provider);
const startDeviceSignIn = provider.startDeviceSignIn!.bind(provider);
const renewSession = provider.renewSession!.bind(provider);
const checkSession = provider.checkSession!.bind(provider);
const endSession = provider.endSession!.bind(provider);
const describeServer = provider.describeServer!.bind(provider);

const ALICE = { username: 'alice', password: 'alice-keycloak-password-1' };
const CAROL = { username: 'carol', password: 'carol-keycloak-password-3' }; // no offline_access
const CONFIDENTIAL_SECRET = 'keycloak-confidential-secret-5f2a9c';
const PUBLIC = 'keyport-public';
const CONFIDENTIAL = 'keyport-confidential';

let keycloak: Keycloak;
let caPem: string;
let http: HttpClient;
let secrets: string[];

/** Keycloak's per-client switches: PKCE S256 required, the device grant on, refresh tokens
 * for the code grant, loopback redirects on any port (RFC 8252 §7.3: Keycloak ignores the port
 * of a registered 127.0.0.1 redirect). */
const clientSettings = (clientId: string, confidential: boolean): Record<string, unknown> => ({
  clientId,
  enabled: true,
  protocol: 'openid-connect',
  publicClient: !confidential,
  ...(confidential ? { secret: CONFIDENTIAL_SECRET, clientAuthenticatorType: 'client-secret' } : {}),
  standardFlowEnabled: true,
  directAccessGrantsEnabled: false,
  redirectUris: ['http://127.0.0.1/callback'],
  attributes: { 'pkce.code.challenge.method': 'S256', 'oauth2.device.authorization.grant.enabled': 'true' },
});

async function setUpRealm(realm: string, settings: Record<string, unknown> = {}): Promise<void> {
  await keycloak.admin.createRealm(realm, settings);
  await keycloak.admin.createUser(realm, { ...ALICE, email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell' });
  await keycloak.admin.createUser(realm, { ...CAROL, offlineAccess: false });
  await keycloak.admin.createClient(realm, clientSettings(PUBLIC, false));
  await keycloak.admin.createClient(realm, clientSettings(CONFIDENTIAL, true));
}

beforeAll(async () => {
  const { key, cert } = await makeCertificate();
  caPem = cert;
  keycloak = await startKeycloak({ https: { certPem: cert, keyPem: key } });
  // `keyport`: refresh tokens stay valid after use (Keycloak's default); `rotating`: each
  // refresh token works once (revokeRefreshToken); `elsewhere`: its issuer names another host.
  await setUpRealm('keyport');
  await setUpRealm('rotating', { revokeRefreshToken: true, refreshTokenMaxReuse: 0 });
  await setUpRealm('elsewhere', { attributes: { frontendUrl: `http://localhost:${new URL(keycloak.url).port}` } });
  http = createHttpClient({ timeoutMs: () => 15_000, userAgent: 'Keyport-Test/0', env: {} });
});

afterAll(async () => {
  await http?.close();
  await keycloak?.close();
});

beforeEach(() => {
  secrets = [ALICE.password, CAROL.password, CONFIDENTIAL_SECRET];
});

function record(realm: string, options: Record<string, string> = {}, base = keycloak.url): ServerRecord {
  return serverRecord({ name: `Keycloak ${realm}`, kind: 'oidc', url: `${base}/realms/${realm}` }, { options: { clientId: PUBLIC, ...options } });
}
function ctx(realm = 'keyport', options: Record<string, string> = {}, clientSecret: string | null = null): ServerContext {
  return { ...serverContext(record(realm, options), http), secretSetting: async (field) => (field === 'clientSecret' ? clientSecret : null) };
}
const confidential = (realm = 'keyport', secret = CONFIDENTIAL_SECRET): ServerContext => ctx(realm, { clientId: CONFIDENTIAL }, secret);
const keyportError = (promise: Promise<unknown>) => expectKeyportError(promise, secrets);
const refreshTokenOf = (credential: string | null): string => (JSON.parse(credential ?? '{}') as { refreshToken: string }).refreshToken;

async function browserSignIn(context: ServerContext = ctx(), person: PersonOptions = ALICE): Promise<{ result: SignInResult; opened: string[] }> {
  const { result, opened } = await browserSignInAsPerson(signInWithBrowser, context, person, 30_000);
  secrets.push(result.session, refreshTokenOf(result.credential));
  return { result, opened };
}

/** Asks Keycloak's token endpoint for a refresh with `refreshToken`, as any client would:
 * the answer says whether Keycloak still honours it. */
async function refreshAtKeycloak(realm: string, clientId: string, refreshToken: string, clientSecret?: string): Promise<{ status: number; error?: string }> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) });
  const response = await fetch(`${keycloak.issuer(realm)}/protocol/openid-connect/token`, { method: 'POST', body });
  const json = (await response.json()) as { error?: string };
  return { status: response.status, ...(json.error ? { error: json.error } : {}) };
}

describe('Keycloak discovery', () => {
  it('reads a realm over plain http on the loopback', async () => {
    const facts = Object.fromEntries((await describeServer(ctx())).map((f) => [f.label, f.value]));
    expect(facts.Issuer).toBe(keycloak.issuer('keyport'));
    expect(facts['Token endpoint']).toBe(`${keycloak.issuer('keyport')}/protocol/openid-connect/token`);
    expect(facts['Device authorization endpoint']).toBe(`${keycloak.issuer('keyport')}/protocol/openid-connect/auth/device`);
    expect(facts['Revocation endpoint']).toBe(`${keycloak.issuer('keyport')}/protocol/openid-connect/revoke`);
    expect(facts['PKCE methods']).toContain('S256');
  });

  it('reads a realm over https through the test CA, and refuses it without the CA', async () => {
    const httpsUrl = keycloak.httpsUrl ?? '';
    const withCa = serverContext(record('keyport', {}, httpsUrl), http);
    withCa.target = { ...withCa.target, tls: { allowInsecureTls: false, caCertificatePem: caPem } };
    const facts = Object.fromEntries((await describeServer(withCa)).map((f) => [f.label, f.value]));
    expect(facts.Issuer).toBe(`${httpsUrl}/realms/keyport`);
    const error = await keyportError(describeServer(serverContext(record('keyport', {}, httpsUrl), http)));
    expect(error.code).toBe('TLS_FAILURE');
  });

  it('an issuer that names another host is refused, naming both issuers', async () => {
    const error = await keyportError(describeServer(ctx('elsewhere')));
    expect(error.field).toBe('url');
    expect(error.message).toContain(keycloak.issuer('elsewhere'));
    expect(error.message).toContain(`http://localhost:${new URL(keycloak.url).port}/realms/elsewhere`);
  });
});

describe('Keycloak browser sign-in (PKCE S256 required on the client)', () => {
  it('signs in a public client; the session works at Keycloak and the person is who Keycloak says', async () => {
    const { result, opened } = await browserSignIn();
    expect(new URL(opened[0] ?? '').searchParams.get('code_challenge_method')).toBe('S256');
    expect(result.user.name).toBe('alice');
    expect(result.user.email).toBe('alice@example.com');
    await checkSession(ctx(), result.session);
    expect(await refreshAtKeycloak('keyport', PUBLIC, refreshTokenOf(result.credential))).toEqual({ status: 200 });
  });

  it('signs in a confidential client with its secret', async () => {
    const { result } = await browserSignIn(confidential());
    expect(result.user.name).toBe('alice');
    await checkSession(confidential(), result.session);
  });

  it('a wrong client secret is blamed on the secret, not on the client id', async () => {
    const wrong = 'not-the-keycloak-secret';
    secrets.push(wrong);
    const error = await keyportError(browserSignIn(confidential('keyport', wrong)));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.field).toBe('clientSecret');
  });

  it('a user without the offline_access role is told to drop that scope', async () => {
    const error = await keyportError(browserSignIn(ctx(), CAROL));
    expect(`${error.message} ${error.hint ?? ''}`).toContain('offline_access');
    expect(error.field).toBe('scopes');
  });
});

describe('Keycloak device sign-in', () => {
  it('signs in with a code on a client that requires PKCE', { timeout: 60_000 }, async () => {
    const started = await startDeviceSignIn(ctx(), new AbortController().signal);
    expect(started.code.userCode).toMatch(/\S{4,}/);
    await personAt(started.code.verificationUriComplete ?? started.code.verificationUri, { ...ALICE, action: 'login' });
    const result = await started.result;
    secrets.push(result.session);
    expect(result.user.name).toBe('alice');
    await checkSession(ctx(), result.session);
  });
});

describe('Keycloak renewal and sign-out', () => {
  it('refreshes without rotation: a new access token, the old refresh token still honoured', async () => {
    const { result } = await browserSignIn();
    const grant = await renewSession(ctx(), result.credential ?? '');
    secrets.push(grant.session, refreshTokenOf(grant.credential));
    expect(grant.session).not.toBe(result.session);
    await checkSession(ctx(), grant.session);
    expect((await refreshAtKeycloak('keyport', PUBLIC, refreshTokenOf(grant.credential))).status).toBe(200);
  });

  it('refreshes with rotation: each renewal uses the rotated refresh token Keyport kept', async () => {
    // Keycloak tells a spent refresh token by its issue time, in whole seconds, against the
    // session's last refresh: steps less than a second apart would look like one.
    const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_100));
    const { result } = await browserSignIn(ctx('rotating'));
    await nextSecond();
    const grant = await renewSession(ctx('rotating'), result.credential ?? '');
    secrets.push(grant.session, refreshTokenOf(grant.credential));
    expect(refreshTokenOf(grant.credential)).not.toBe(refreshTokenOf(result.credential));
    // A second and third renewal from the kept (rotated) tokens work: had Keyport kept the old
    // one, Keycloak would see a reused refresh token and end the whole session.
    await nextSecond();
    const again = await renewSession(ctx('rotating'), grant.credential ?? '');
    secrets.push(again.session, refreshTokenOf(again.credential));
    await nextSecond();
    const third = await renewSession(ctx('rotating'), again.credential ?? '');
    secrets.push(third.session, refreshTokenOf(third.credential));
    await checkSession(ctx('rotating'), third.session);
    // The first refresh token is spent: Keycloak refuses it (and, seeing it reused, ends the session).
    expect(await refreshAtKeycloak('rotating', PUBLIC, refreshTokenOf(result.credential))).toMatchObject({ status: 400, error: 'invalid_grant' });
  });

  it('sign-out revokes at Keycloak: the refresh token then gets invalid_grant', async () => {
    const { result } = await browserSignIn(confidential());
    await endSession(confidential(), { session: result.session, credential: result.credential });
    expect(await refreshAtKeycloak('keyport', CONFIDENTIAL, refreshTokenOf(result.credential), CONFIDENTIAL_SECRET)).toMatchObject({ status: 400, error: 'invalid_grant' });
    const renewed = await keyportError(renewSession(confidential(), result.credential ?? ''));
    expect(renewed.code).toBe('AUTH_FAILED');
  });
});

describe('Keycloak start-up', () => {
  it('picks free ports on 127.0.0.1 only', async () => {
    expect(new URL(keycloak.url).hostname).toBe('127.0.0.1');
    expect(new URL(keycloak.httpsUrl ?? '').hostname).toBe('127.0.0.1');
    expect(await freePort()).toBeGreaterThan(0);
  });
});
