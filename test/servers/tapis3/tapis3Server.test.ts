// The reference Tapis v3 server over real sockets, held to docs/protocols/tapis3.md. Its
// answers are also validated against tapipy's bundled OpenAPI specs in
// conformance/tapis3Spec.test.ts, and driven by the real tapipy in conformance/tapipy.test.ts.
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { basic, call, useServers } from '../common/testing.ts';
import type { Answer } from '../common/testing.ts';
import { TAPIS3_ERRORS, startTapis3Server } from './tapis3Server.ts';
import type { Tapis3Server } from './tapis3Server.ts';

const ALICE_PASSWORD = 'wonderland-secret';
const JSON_TYPE = 'application/json';

async function tapis(server: Tapis3Server, method: string, path: string, init: { token?: string; auth?: string; body?: unknown } = {}): Promise<Answer & { result: unknown; message: string }> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers['X-Tapis-Token'] = init.token;
  if (init.auth !== undefined) headers.Authorization = init.auth;
  if (init.body !== undefined) headers['Content-Type'] = JSON_TYPE;
  const response = await fetch(`${server.url}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const env = (json ?? {}) as { result?: unknown; message?: string };
  return { status: response.status, headers: response.headers, contentType: response.headers.get('content-type'), text, json, result: env.result, message: env.message ?? '' };
}

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

type TokenResult = { access_token: { access_token: string; expires_in: number }; refresh_token?: { refresh_token: string } };

describe('tapis3 reference server', () => {
  const start = useServers(startTapis3Server);

  it('lists its tenant and site without a token, with exactly application/json', async () => {
    const server = await start({ otherTenants: [{ tenantId: 'other', baseUrl: 'https://other.example' }] });
    const tenants = await tapis(server, 'GET', '/v3/tenants');
    expect(tenants.status).toBe(200);
    expect(tenants.contentType).toBe('application/json');
    expect(tenants.json).toMatchObject({ status: 'success', version: expect.any(String), metadata: {} });
    expect(tenants.result).toEqual([
      expect.objectContaining({ tenant_id: 'keyport', base_url: server.url, public_key: expect.stringContaining('BEGIN PUBLIC KEY') }),
      expect.objectContaining({ tenant_id: 'other', base_url: 'https://other.example' }),
    ]);
    expect((await tapis(server, 'GET', '/v3/sites')).result).toEqual([expect.objectContaining({ site_id: 'keyport-site' })]);
    const missing = await tapis(server, 'GET', '/v3/tenants/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ result: null, status: 'error', message: 'Tenant not found.', version: expect.any(String), metadata: {} });
  });

  it('password grant: a JWT access token with exp; a refresh token only with client credentials', async () => {
    const server = await start({ accessTokenLifetimeSeconds: 60 });
    const client = server.createClient('alice', 'cli');
    const without = await tapis(server, 'POST', '/v3/oauth2/tokens', { body: { username: 'alice', password: ALICE_PASSWORD, grant_type: 'password' } });
    expect(without.status).toBe(200);
    const bare = without.result as TokenResult;
    expect(bare.refresh_token).toBeUndefined();
    const c = claims(bare.access_token.access_token);
    expect(c).toMatchObject({ 'tapis/tenant_id': 'keyport', 'tapis/username': 'alice', 'tapis/token_type': 'access', sub: 'alice@keyport' });
    expect(Number(c.exp) - Date.now() / 1000).toBeGreaterThan(55);
    expect(bare.access_token.expires_in).toBe(60);

    const withClient = await tapis(server, 'POST', '/v3/oauth2/tokens', {
      auth: basic(client.clientId, client.clientKey),
      body: { username: 'alice', password: ALICE_PASSWORD, grant_type: 'password' },
    });
    const full = withClient.result as TokenResult;
    expect(claims(full.refresh_token?.refresh_token ?? '')).toMatchObject({ 'tapis/token_type': 'refresh', 'tapis/client_id': 'cli' });
    expect(server.isRefreshTokenValid(full.refresh_token?.refresh_token ?? '')).toBe(true);
  });

  it('refuses a wrong password, a wrong client key and an unknown grant with the 400 error envelope', async () => {
    const server = await start();
    const client = server.createClient('alice', 'cli');
    const wrong = await tapis(server, 'POST', '/v3/oauth2/tokens', { body: { username: 'alice', password: 'nope', grant_type: 'password' } });
    expect([wrong.status, wrong.contentType, wrong.json]).toEqual([400, 'application/json', { result: null, status: 'error', message: TAPIS3_ERRORS.badPassword, version: expect.any(String), metadata: {} }]);
    const badKey = await tapis(server, 'POST', '/v3/oauth2/tokens', { auth: basic(client.clientId, 'x'), body: { username: 'alice', password: ALICE_PASSWORD, grant_type: 'password' } });
    expect([badKey.status, badKey.message]).toEqual([400, TAPIS3_ERRORS.badClient]);
    const grant = await tapis(server, 'POST', '/v3/oauth2/tokens', { body: { grant_type: 'implicit' } });
    expect(grant.status).toBe(400);
  });

  it('refresh rotates: the new pair works, the old refresh and access tokens do not', async () => {
    const server = await start();
    const client = server.createClient('alice', 'cli');
    const first = server.issueTokens('alice', 'cli');
    const auth = basic(client.clientId, client.clientKey);
    const refreshed = await tapis(server, 'POST', '/v3/oauth2/tokens', { auth, body: { grant_type: 'refresh_token', refresh_token: first.refreshToken } });
    expect(refreshed.status).toBe(200);
    const next = refreshed.result as TokenResult;
    expect(server.isAccessTokenValid(next.access_token.access_token)).toBe(true);
    expect(server.isAccessTokenValid(first.accessToken)).toBe(false);
    const again = await tapis(server, 'POST', '/v3/oauth2/tokens', { auth, body: { grant_type: 'refresh_token', refresh_token: first.refreshToken } });
    expect([again.status, again.message]).toEqual([400, TAPIS3_ERRORS.badRefresh]);
    const noClient = await tapis(server, 'POST', '/v3/oauth2/tokens', { body: { grant_type: 'refresh_token', refresh_token: next.refresh_token?.refresh_token } });
    expect([noClient.status, noClient.message]).toEqual([400, TAPIS3_ERRORS.missingClient]);
    expect(server.tokenRequests.refresh).toBe(3);
  });

  it('userinfo needs a live X-Tapis-Token; revoke ends access and refresh tokens', async () => {
    const server = await start();
    server.createClient('alice', 'cli');
    const tokens = server.issueTokens('alice', 'cli');
    const me = await tapis(server, 'GET', '/v3/oauth2/userinfo', { token: tokens.accessToken });
    expect(me.result).toEqual({ username: 'alice', email: 'alice@example.com', name: 'Alice Liddell' });
    expect((await tapis(server, 'GET', '/v3/oauth2/userinfo')).status).toBe(401);
    expect((await tapis(server, 'GET', '/v3/oauth2/userinfo', { token: 'opaque' })).message).toBe(TAPIS3_ERRORS.badToken);
    for (const token of [tokens.accessToken, tokens.refreshToken]) {
      const revoked = await tapis(server, 'POST', '/v3/oauth2/tokens/revoke', { body: { token } });
      expect(revoked.status).toBe(200);
    }
    expect((await tapis(server, 'GET', '/v3/oauth2/userinfo', { token: tokens.accessToken })).status).toBe(401);
    expect(server.isRefreshTokenValid(tokens.refreshToken ?? '')).toBe(false);
    // Revoking twice, or an unknown token, is not an error (RFC 7009).
    expect((await tapis(server, 'POST', '/v3/oauth2/tokens/revoke', { body: { token: tokens.accessToken } })).status).toBe(200);
  });

  it('clients: create shows the key once, list pages without keys, delete ends the client and its tokens', async () => {
    const server = await start();
    const { accessToken } = server.issueTokens('alice');
    const created = await tapis(server, 'POST', '/v3/oauth2/clients', { token: accessToken, body: { client_id: 'mine', description: 'laptop' } });
    expect(created.result).toMatchObject({ client_id: 'mine', client_key: expect.any(String), description: 'laptop' });
    const taken = await tapis(server, 'POST', '/v3/oauth2/clients', { token: accessToken, body: { client_id: 'mine' } });
    expect([taken.status, taken.message]).toEqual([400, TAPIS3_ERRORS.clientTaken]);
    server.createClient('alice', 'second');
    server.createClient('bob', 'bobs');
    const page1 = await tapis(server, 'GET', '/v3/oauth2/clients?limit=1&offset=0', { token: accessToken });
    const page2 = await tapis(server, 'GET', '/v3/oauth2/clients?limit=1&offset=1', { token: accessToken });
    expect([page1.result, page2.result]).toEqual([[expect.objectContaining({ client_id: 'mine' })], [expect.objectContaining({ client_id: 'second' })]]);
    expect(JSON.stringify(page1.result)).not.toContain('client_key');
    const minesTokens = server.issueTokens('alice', 'mine');
    const deleted = await tapis(server, 'DELETE', '/v3/oauth2/clients/mine', { token: accessToken });
    expect([deleted.status, deleted.result]).toEqual([200, null]);
    expect(server.hasClient('mine')).toBe(false);
    expect(server.isRefreshTokenValid(minesTokens.refreshToken ?? '')).toBe(false);
    expect((await tapis(server, 'DELETE', '/v3/oauth2/clients/mine', { token: accessToken })).status).toBe(404);
    expect((await tapis(server, 'DELETE', '/v3/oauth2/clients/bobs', { token: accessToken })).status).toBe(404);
  });

  it('device flow: not ready, then approved once; denied and expired codes are refused with their own words', async () => {
    const server = await start({ deviceCodeLifetimeSeconds: 1 });
    const client = server.createClient('alice', 'cli');
    const auth = basic(client.clientId, client.clientKey);
    const code = async () => (await tapis(server, 'POST', '/v3/oauth2/device/code', { body: { client_id: 'cli' } })).result as { device_code: string; user_code: string; expires_in: string; verification_uri: string };
    const grant = (deviceCode: string) => tapis(server, 'POST', '/v3/oauth2/tokens', { auth, body: { grant_type: 'device_code', device_code: deviceCode, client_id: 'cli' } });

    const approved = await code();
    expect(approved.expires_in).toBe('1');
    expect(approved.verification_uri).toBe(`${server.url}/v3/oauth2/device`);
    expect((await grant(approved.device_code)).message).toBe(TAPIS3_ERRORS.notReady);
    server.approveDevice(approved.user_code, 'alice');
    const done = await grant(approved.device_code);
    expect((done.result as TokenResult).refresh_token).toBeDefined();
    expect((await grant(approved.device_code)).message).toBe(TAPIS3_ERRORS.badDevice);

    const denied = await code();
    server.denyDevice(denied.user_code);
    expect((await grant(denied.device_code)).message).toBe(TAPIS3_ERRORS.denied);

    const expired = await code();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await grant(expired.device_code)).message).toBe(TAPIS3_ERRORS.expired);
    expect((await tapis(server, 'POST', '/v3/oauth2/device/code', { body: { client_id: 'unknown' } })).status).toBe(400);
  });

  it('the device page approves with the user name and password, or denies', async () => {
    const server = await start();
    server.createClient('alice', 'cli');
    const page = await call(server, 'GET', '/v3/oauth2/device');
    expect(page.contentType).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<label for="user_code">User code</label>');
    const { user_code: userCode } = (await tapis(server, 'POST', '/v3/oauth2/device/code', { body: { client_id: 'cli' } })).result as { user_code: string };
    const form = (fields: Record<string, string>) => call(server, 'POST', '/v3/oauth2/device', { body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });
    expect((await form({ user_code: userCode, username: 'alice', password: 'bad', action: 'approve' })).status).toBe(401);
    const ok = await form({ user_code: userCode.toLowerCase(), username: 'alice', password: ALICE_PASSWORD, action: 'approve' });
    expect([ok.status, ok.text.includes('Device approved')]).toEqual([200, true]);
    expect((await form({ user_code: userCode, action: 'deny' })).status).toBe(400);
  });

  it('faults: an HTML page, a 500 envelope, malformed JSON', async () => {
    const server = await start();
    server.faults.add({ kind: 'html', status: 502, times: 1 });
    expect((await call(server, 'GET', '/v3/tenants')).contentType).toBe('text/html; charset=utf-8');
    server.faults.add({ kind: 'status', status: 500, times: 1 });
    const failed = await tapis(server, 'GET', '/v3/tenants');
    expect([failed.status, (failed.json as { status: string }).status]).toEqual([500, 'error']);
    server.faults.add({ kind: 'malformed-json', times: 1 });
    expect((await tapis(server, 'GET', '/v3/tenants')).json).toBeUndefined();
    expect((await tapis(server, 'GET', '/v3/tenants')).status).toBe(200);
  });

  it('serves HTTPS with a certificate for 127.0.0.1', async () => {
    const server = await start({ https: true });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const dispatcher = new Agent({ connect: { ca: server.caPem } });
    const answer = await undiciFetch(`${server.url}/v3/tenants`, { dispatcher });
    expect(answer.status).toBe(200);
    await dispatcher.close();
  });
});
