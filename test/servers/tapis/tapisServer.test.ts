// The reference Tapis (Agave v2) server end to end over real sockets, as Keyport and agavepy
// use it. docs/protocols/tapis.md is the specification these tests hold the server to.
import { X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, call, useServers } from '../common/testing.ts';
import type { Answer } from '../common/testing.ts';
import { startConnectProxy } from './connectProxy.ts';
import { startTapisServer } from './tapisServer.ts';
import type { TapisServer } from './tapisServer.ts';

const ALICE_PASSWORD = 'wonderland-secret';
const BOB_PASSWORD = 'builder-secret';
const FORM = 'application/x-www-form-urlencoded';

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

interface ClientJson {
  name: string;
  description: string;
  tier: string;
  callbackUrl: string;
  consumerKey: string;
  consumerSecret?: string;
  _links: { self: { href: string }; subscriber: { href: string }; subscriptions: { href: string } };
}

interface TokenJson {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
  scope: string;
}

/** POST /clients/v2 with the form agavepy/clients/create.py sends. */
function createClient(server: TapisServer, name: string, auth = basic('alice', ALICE_PASSWORD), extra: Record<string, string> = {}): Promise<Answer> {
  return call(server, 'POST', '/clients/v2', {
    auth,
    body: form({ clientName: name, description: `${name} description`, tier: 'Unlimited', callbackUrl: '', ...extra }),
    contentType: FORM,
  });
}

async function newClient(server: TapisServer, name = 'keyport-laptop-x1y2', username = 'alice', password = ALICE_PASSWORD): Promise<{ key: string; secret: string }> {
  const answer = await createClient(server, name, basic(username, password));
  expect(answer.status).toBe(201);
  const result = (answer.json as { result: ClientJson }).result;
  return { key: result.consumerKey, secret: result.consumerSecret ?? '' };
}

/** POST /token as agavepy/tokens/create_access_token.py does (with ?pretty=true). */
function passwordGrant(server: TapisServer, client: { key: string; secret: string }, username = 'alice', password = ALICE_PASSWORD): Promise<Answer> {
  return call(server, 'POST', '/token?pretty=true', {
    auth: basic(client.key, client.secret),
    body: form({ username, password, grant_type: 'password', scope: 'PRODUCTION' }),
    contentType: FORM,
  });
}

/** POST /token as agavepy/tokens/refresh_tokens.py does. */
function refreshGrant(server: TapisServer, client: { key: string; secret: string }, refreshToken: string): Promise<Answer> {
  return call(server, 'POST', '/token', {
    auth: basic(client.key, client.secret),
    body: form({ grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'PRODUCTION' }),
    contentType: FORM,
  });
}

async function tokens(server: TapisServer, client: { key: string; secret: string }): Promise<TokenJson> {
  const answer = await passwordGrant(server, client);
  expect(answer.status).toBe(200);
  return answer.json as TokenJson;
}

function me(server: TapisServer, accessToken: string): Promise<Answer> {
  return call(server, 'GET', '/profiles/v2/me', { auth: bearer(accessToken) });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Tapis reference server', () => {
  let server: TapisServer;
  const start = useServers(startTapisServer);

  beforeEach(async () => {
    server = await start();
  });

  describe('basics', () => {
    it('listens on 127.0.0.1 on an ephemeral port over plain HTTP, tenant keyport.test, 4-hour tokens', () => {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.caPem).toBeUndefined();
      expect(server.tenantId).toBe('keyport.test');
      expect(server.accessTokenLifetimeSeconds).toBe(14400);
    });

    it('seeds alice and bob by default, and only the given users otherwise', async () => {
      expect(server.users.map((u) => u.username)).toEqual(['alice', 'bob']);
      expect(server.users[0]).toEqual({ username: 'alice', password: ALICE_PASSWORD, email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell' });
      const custom = await start({ users: [{ username: 'carol', password: 'pw', email: 'carol@example.com', firstName: 'Carol', lastName: 'Danvers' }] });
      expect(custom.users.map((u) => u.username)).toEqual(['carol']);
      expect((await call(custom, 'GET', '/clients/v2', { auth: basic('alice', ALICE_PASSWORD) })).status).toBe(403);
      expect((await call(custom, 'GET', '/clients/v2', { auth: basic('carol', 'pw') })).status).toBe(200);
    });

    it('refuses lifetimes that are not positive integers', async () => {
      for (const bad of [0, -1, 1.5, Number.NaN]) {
        await expect(startTapisServer({ accessTokenLifetimeSeconds: bad })).rejects.toThrow(RangeError);
        await expect(startTapisServer({ refreshTokenLifetimeSeconds: bad })).rejects.toThrow(RangeError);
      }
    });

    it('GET /tenants lists the tenant as agavepy/tenants/tenants.py reads it (code, name, baseUrl)', async () => {
      const custom = await start({ tenantId: 'tacc.prod' });
      const answer = await call(custom, 'GET', '/tenants');
      expect(answer.status).toBe(200);
      const body = answer.json as { status: string; result: { code: string; id: string; name: string; baseUrl: string }[] };
      expect(body.status).toBe('success');
      expect(body.result).toHaveLength(1);
      expect(body.result[0]).toMatchObject({ code: 'tacc.prod', id: 'tacc.prod', baseUrl: `${custom.url}/` });
      expect((await call(custom, 'GET', '/tenants/')).status).toBe(200);
    });

    it('answers unknown routes with a 404 JSON envelope', async () => {
      for (const path of ['/', '/clients', '/clients/v3', '/clients/v2/a/b', '/profiles/v2/alice', '/token/x', '/oauth2/token']) {
        const answer = await call(server, 'GET', path);
        expect(answer.status, path).toBe(404);
        expect(answer.contentType).toBe('application/json');
        expect(answer.json).toEqual({ status: 'error', message: 'Not Found', version: '2.0.0', result: null });
      }
    });

    it('answers a wrong method with 405 and Allow', async () => {
      const cases: [string, string, string][] = [
        ['GET', '/token', 'POST'],
        ['PUT', '/clients/v2', 'GET, POST'],
        ['POST', '/clients/v2/x', 'GET, DELETE'],
        ['DELETE', '/profiles/v2/me', 'GET'],
        ['POST', '/tenants', 'GET'],
      ];
      for (const [method, path, allow] of cases) {
        const answer = await call(server, method, path);
        expect(answer.status, `${method} ${path}`).toBe(405);
        expect(answer.headers.get('allow')).toBe(allow);
        expect((answer.json as { status: string }).status).toBe('error');
      }
    });

    it('close() is idempotent', async () => {
      const s = await startTapisServer();
      await s.close();
      await s.close();
      await expect(fetch(`${s.url}/tenants`)).rejects.toThrow();
    });
  });

  describe('OAuth clients (/clients/v2, HTTP Basic username:password)', () => {
    it('create takes the form of agavepy/clients/create.py and returns key and secret once, in the envelope', async () => {
      const answer = await createClient(server, 'keyport-laptop-ab12', basic('alice', ALICE_PASSWORD), { description: 'For my laptop' });
      expect(answer.status).toBe(201);
      expect(answer.contentType).toBe('application/json');
      const body = answer.json as { status: string; message: string; result: ClientJson };
      expect(body.status).toBe('success');
      expect(typeof body.message).toBe('string');
      expect(body.result).toEqual({
        name: 'keyport-laptop-ab12',
        description: 'For my laptop',
        tier: 'Unlimited',
        callbackUrl: '',
        consumerKey: expect.stringMatching(/^[A-Za-z0-9_-]{28}$/) as unknown,
        consumerSecret: expect.stringMatching(/^[A-Za-z0-9_-]{28}$/) as unknown,
        _links: {
          self: { href: `${server.url}/clients/v2/keyport-laptop-ab12` },
          subscriber: { href: `${server.url}/profiles/v2/alice` },
          subscriptions: { href: `${server.url}/clients/v2/keyport-laptop-ab12/subscriptions` },
        },
      });
      expect(server.hasClient('alice', 'keyport-laptop-ab12')).toBe(true);
      expect(server.getClient('alice', 'keyport-laptop-ab12')).toEqual({
        name: 'keyport-laptop-ab12',
        description: 'For my laptop',
        tier: 'Unlimited',
        callbackUrl: '',
        consumerKey: body.result.consumerKey,
      });
    });

    it('create also takes the JSON body of agavepy\'s Swagger client (clients.create(body=...))', async () => {
      const answer = await call(server, 'POST', '/clients/v2/', {
        auth: basic('alice', ALICE_PASSWORD),
        body: JSON.stringify({ clientName: 'from-json', description: 'd', tier: 'UNLIMITED', callbackUrl: 'https://example.com/cb' }),
        contentType: 'application/json',
      });
      expect(answer.status).toBe(201);
      expect((answer.json as { result: ClientJson }).result).toMatchObject({ name: 'from-json', tier: 'Unlimited', callbackUrl: 'https://example.com/cb' });
      const broken = await call(server, 'POST', '/clients/v2', { auth: basic('alice', ALICE_PASSWORD), body: '{"clientName": ', contentType: 'application/json' });
      expect(broken.status).toBe(400);
      const xml = await call(server, 'POST', '/clients/v2', { auth: basic('alice', ALICE_PASSWORD), body: '<x/>', contentType: 'text/xml' });
      expect(xml.status).toBe(415);
    });

    it('list shows the user\'s clients in creation order without secrets; get one is a one-element list', async () => {
      await newClient(server, 'first');
      await newClient(server, 'second');
      await newClient(server, 'bobs', 'bob', BOB_PASSWORD);
      const list = await call(server, 'GET', '/clients/v2', { auth: basic('alice', ALICE_PASSWORD) });
      expect(list.status).toBe(200);
      const result = (list.json as { status: string; result: ClientJson[] }).result;
      expect(result.map((c) => c.name)).toEqual(['first', 'second']);
      for (const client of result) {
        expect(client).not.toHaveProperty('consumerSecret');
        expect(client.consumerKey).toMatch(/^[A-Za-z0-9_-]{28}$/);
      }
      expect((await call(server, 'GET', '/clients/v2/', { auth: basic('alice', ALICE_PASSWORD) })).status).toBe(200);

      const one = await call(server, 'GET', '/clients/v2/second', { auth: basic('alice', ALICE_PASSWORD) });
      expect(one.status).toBe(200);
      const oneResult = (one.json as { result: ClientJson[] }).result;
      expect(oneResult).toEqual([result[1]]);
      expect(server.clientNames('alice')).toEqual(['first', 'second']);
      expect(server.clientNames('bob')).toEqual(['bobs']);
    });

    it('an empty list is an empty result array', async () => {
      const list = await call(server, 'GET', '/clients/v2', { auth: basic('bob', BOB_PASSWORD) });
      expect(list.json).toMatchObject({ status: 'success', result: [] });
    });

    it('a taken name is 409, per user', async () => {
      await newClient(server, 'dup');
      const again = await createClient(server, 'dup');
      expect(again.status).toBe(409);
      expect(again.json).toEqual({ status: 'error', message: "A client named 'dup' already exists", version: '2.0.0', result: null });
      expect(server.clientNames('alice')).toEqual(['dup']);
      await newClient(server, 'dup', 'bob', BOB_PASSWORD); // bob's namespace is his own
    });

    it('an invalid name or tier is 400 and creates nothing', async () => {
      for (const name of ['', 'has space', 'a/b', 'x'.repeat(65), 'ümlaut']) {
        const answer = await createClient(server, name);
        expect(answer.status, JSON.stringify(name)).toBe(400);
        expect((answer.json as { status: string; message: string }).message).toMatch(/Invalid client name/);
      }
      const noName = await call(server, 'POST', '/clients/v2', { auth: basic('alice', ALICE_PASSWORD), body: form({ description: 'x' }), contentType: FORM });
      expect(noName.status).toBe(400);
      const badTier = await createClient(server, 'ok-name', basic('alice', ALICE_PASSWORD), { tier: 'Platinum' });
      expect(badTier.status).toBe(400);
      expect(server.clientNames('alice')).toEqual([]);
    });

    it('without Basic credentials: 401 with a Basic challenge; wrong ones: 403 (the bundled Swagger\'s "Failed to authenticate the user")', async () => {
      for (const auth of [undefined, bearer('abc'), 'Digest x', `Basic ${Buffer.from('no-colon').toString('base64')}`]) {
        const answer = await call(server, 'GET', '/clients/v2', auth === undefined ? {} : { auth });
        expect(answer.status, String(auth)).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe('Basic realm="Tapis"');
        expect((answer.json as { status: string }).status).toBe('error');
      }
      for (const auth of [basic('alice', 'wrong'), basic('alice', ''), basic('mallory', ALICE_PASSWORD)]) {
        for (const [method, path] of [['GET', '/clients/v2'], ['POST', '/clients/v2'], ['GET', '/clients/v2/x'], ['DELETE', '/clients/v2/x']] as const) {
          const answer = await call(server, method, path, { auth });
          expect(answer.status, `${method} ${path}`).toBe(403);
          expect(answer.json).toEqual({ status: 'error', message: 'Failed to authenticate the user', version: '2.0.0', result: null });
        }
      }
    });

    it('delete removes the client and every token issued to it', async () => {
      const client = await newClient(server, 'doomed');
      const pair = await tokens(server, client);
      expect(server.isAccessTokenValid(pair.access_token)).toBe(true);
      const answer = await call(server, 'DELETE', '/clients/v2/doomed', { auth: basic('alice', ALICE_PASSWORD) });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ status: 'success', result: null });
      expect(server.hasClient('alice', 'doomed')).toBe(false);
      expect(server.isAccessTokenValid(pair.access_token)).toBe(false);
      expect(server.isRefreshTokenValid(pair.refresh_token)).toBe(false);
      expect((await me(server, pair.access_token)).status).toBe(401);
      expect((await refreshGrant(server, client, pair.refresh_token)).status).toBe(401); // the key itself is gone
      expect((await passwordGrant(server, client)).status).toBe(401);
    });

    it('get or delete of an unknown (or another user\'s) client is 404', async () => {
      await newClient(server, 'bobs', 'bob', BOB_PASSWORD);
      for (const method of ['GET', 'DELETE']) {
        for (const name of ['ghost', 'bobs']) {
          const answer = await call(server, method, `/clients/v2/${name}`, { auth: basic('alice', ALICE_PASSWORD) });
          expect(answer.status).toBe(404);
          expect((answer.json as { message: string }).message).toBe(`No client named '${name}'`);
        }
      }
      expect(server.hasClient('bob', 'bobs')).toBe(true);
    });

    it('names in the path are URL-decoded', async () => {
      await newClient(server, 'with.dot_and-dash');
      expect((await call(server, 'GET', '/clients/v2/with%2Edot_and-dash', { auth: basic('alice', ALICE_PASSWORD) })).status).toBe(200);
      expect((await call(server, 'GET', '/clients/v2/%E0%A4%A', { auth: basic('alice', ALICE_PASSWORD) })).status).toBe(400);
    });
  });

  describe('tokens (POST /token, HTTP Basic consumerKey:consumerSecret, form-encoded)', () => {
    it('the password grant answers the OAuth JSON (no envelope) with a 4-hour bearer token', async () => {
      const client = await newClient(server);
      const answer = await passwordGrant(server, client);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/json');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.json).toEqual({
        scope: 'default',
        token_type: 'bearer',
        expires_in: 14400,
        refresh_token: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
        access_token: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
      });
      const pair = answer.json as TokenJson;
      expect(server.isAccessTokenValid(pair.access_token)).toBe(true);
      expect(server.isRefreshTokenValid(pair.refresh_token)).toBe(true);
      expect(server.isAccessTokenValid(pair.refresh_token)).toBe(false);
    });

    it('a wrong client secret, unknown key or missing Basic is 401 invalid_client', async () => {
      const client = await newClient(server);
      for (const auth of [basic(client.key, 'wrong'), basic('unknown-key', client.secret), basic('alice', ALICE_PASSWORD), undefined, bearer('x')]) {
        const answer = await call(server, 'POST', '/token', {
          ...(auth === undefined ? {} : { auth }),
          body: form({ grant_type: 'password', username: 'alice', password: ALICE_PASSWORD, scope: 'PRODUCTION' }),
          contentType: FORM,
        });
        expect(answer.status, String(auth)).toBe(401);
        expect(answer.json).toEqual({ error: 'invalid_client', error_description: 'Client Authentication failed.' });
        expect(answer.headers.get('www-authenticate')).toBe('Basic realm="Tapis"');
      }
    });

    it('a wrong password, unknown user or another user\'s client is 400 invalid_grant', async () => {
      const client = await newClient(server);
      for (const [username, password] of [['alice', 'wrong'], ['mallory', ALICE_PASSWORD], ['bob', BOB_PASSWORD]] as const) {
        const answer = await passwordGrant(server, client, username, password);
        expect(answer.status, username).toBe(400);
        expect(answer.json).toEqual({ error: 'invalid_grant', error_description: 'Provided Authorization Grant is invalid' });
      }
    });

    it('malformed requests are 400 invalid_request / unsupported_grant_type', async () => {
      const client = await newClient(server);
      const auth = basic(client.key, client.secret);
      const post = (body: string, contentType = FORM): Promise<Answer> => call(server, 'POST', '/token', { auth, body, contentType });
      expect((await post(form({ username: 'alice', password: ALICE_PASSWORD }))).json).toMatchObject({ error: 'invalid_request' });
      expect((await post(form({ grant_type: 'password', username: 'alice' }))).json).toMatchObject({ error: 'invalid_request' });
      expect((await post(form({ grant_type: 'refresh_token' }))).json).toMatchObject({ error: 'invalid_request' });
      expect((await post(form({ grant_type: 'client_credentials' }))).json).toMatchObject({ error: 'unsupported_grant_type' });
      const json = await post(JSON.stringify({ grant_type: 'password', username: 'alice', password: ALICE_PASSWORD }), 'application/json');
      expect(json.status).toBe(400);
      expect(json.json).toMatchObject({ error: 'invalid_request' });
    });

    it('refresh rotates: a new pair, and the old refresh and access tokens stop working', async () => {
      const client = await newClient(server);
      const first = await tokens(server, client);
      const answer = await refreshGrant(server, client, first.refresh_token);
      expect(answer.status).toBe(200);
      const second = answer.json as TokenJson;
      expect(Object.keys(second).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(second.access_token).not.toBe(first.access_token);
      expect(server.isRefreshTokenValid(first.refresh_token)).toBe(false);
      expect(server.isAccessTokenValid(first.access_token)).toBe(false);
      expect((await me(server, first.access_token)).status).toBe(401);
      expect((await me(server, second.access_token)).status).toBe(200);

      const reused = await refreshGrant(server, client, first.refresh_token);
      expect(reused.status).toBe(400);
      expect(reused.json).toEqual({ error: 'invalid_grant', error_description: 'Persisted access token data not found' });
      // The rotated token keeps working, once.
      const third = await refreshGrant(server, client, second.refresh_token);
      expect(third.status).toBe(200);
      expect((await refreshGrant(server, client, second.refresh_token)).status).toBe(400);
    });

    it('a refresh token works only with the client it was issued to', async () => {
      const mine = await newClient(server, 'mine');
      const other = await newClient(server, 'other');
      const pair = await tokens(server, mine);
      expect((await refreshGrant(server, other, pair.refresh_token)).json).toEqual({ error: 'invalid_grant', error_description: 'Persisted access token data not found' });
      expect(server.isRefreshTokenValid(pair.refresh_token)).toBe(true);
    });

    it('revokeRefreshTokens(user) makes the next refresh fail and leaves access tokens alone', async () => {
      const client = await newClient(server);
      const pair = await tokens(server, client);
      const bobs = await newClient(server, 'bobs', 'bob', BOB_PASSWORD);
      const bobPair = (await passwordGrant(server, bobs, 'bob', BOB_PASSWORD)).json as TokenJson;
      expect(server.revokeRefreshTokens('alice')).toBe(1);
      expect(server.isRefreshTokenValid(pair.refresh_token)).toBe(false);
      expect(server.isAccessTokenValid(pair.access_token)).toBe(true);
      expect((await refreshGrant(server, client, pair.refresh_token)).status).toBe(400);
      expect(server.isRefreshTokenValid(bobPair.refresh_token)).toBe(true);
    });

    it('refresh tokens expire after refreshTokenLifetimeSeconds', async () => {
      const short = await start({ refreshTokenLifetimeSeconds: 1 });
      const client = await newClient(short);
      const pair = await tokens(short, client);
      await sleep(1100);
      expect(short.isRefreshTokenValid(pair.refresh_token)).toBe(false);
      expect((await refreshGrant(short, client, pair.refresh_token)).json).toEqual({ error: 'invalid_grant', error_description: 'Refresh token is expired.' });
    });

    it('tokenRequests counts password and refresh grants, failed ones included; the log records the grant', async () => {
      const client = await newClient(server);
      expect({ ...server.tokenRequests }).toEqual({ password: 0, refresh: 0, total: 0 });
      const pair = await tokens(server, client);
      await refreshGrant(server, client, pair.refresh_token);
      await refreshGrant(server, client, pair.refresh_token); // rotated away: 400, still counted
      await call(server, 'POST', '/token', { auth: basic(client.key, client.secret), body: form({ grant_type: 'weird' }), contentType: FORM });
      expect(server.tokenRequests.password).toBe(1);
      expect(server.tokenRequests.refresh).toBe(2);
      expect(server.tokenRequests.total).toBe(4);
      const tokenLog = server.requestLog.filter((r) => r.path === '/token').map((r) => `${r.grantType ?? '-'} ${String(r.status)} ${r.query}`);
      expect(tokenLog).toEqual(['password 200 pretty=true', 'refresh_token 200 ', 'refresh_token 400 ', 'weird 400 ']);
    });

    it('two refreshes racing with one refresh token: exactly one wins', async () => {
      const client = await newClient(server);
      const pair = await tokens(server, client);
      server.faults.add({ kind: 'delay', ms: 100, match: /^\/token$/, times: 2 });
      const answers = await Promise.all([refreshGrant(server, client, pair.refresh_token), refreshGrant(server, client, pair.refresh_token)]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
      expect(server.tokenRequests.refresh).toBe(2);
    });
  });

  describe('who am I (GET /profiles/v2/me, Bearer access token)', () => {
    it('answers the profile in the envelope', async () => {
      const client = await newClient(server);
      const pair = await tokens(server, client);
      const answer = await me(server, pair.access_token);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        status: 'success',
        message: 'User details retrieved successfully.',
        version: '2.0.0',
        result: {
          create_time: '20240101000000Z',
          email: 'alice@example.com',
          first_name: 'Alice',
          full_name: 'Alice Liddell',
          last_name: 'Liddell',
          mobile_phone: '',
          phone: '',
          status: 'Active',
          uid: 0,
          username: 'alice',
        },
      });
      expect((await call(server, 'GET', '/profiles/v2/me/', { auth: bearer(pair.access_token) })).status).toBe(200);
    });

    it('an expired access token gets the gateway\'s 401 "Invalid Credentials" fault (what agavepy\'s with_refresh looks for)', async () => {
      const quick = await start({ accessTokenLifetimeSeconds: 1 });
      const client = await newClient(quick);
      const pair = await tokens(quick, client);
      expect(pair.expires_in).toBe(1);
      expect((await me(quick, pair.access_token)).status).toBe(200);
      await sleep(1100);
      expect(quick.isAccessTokenValid(pair.access_token)).toBe(false);
      const answer = await me(quick, pair.access_token);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="Tapis", error="invalid_token"');
      expect(answer.json).toEqual({
        fault: { code: 900901, message: 'Invalid Credentials', description: 'Invalid Credentials. Make sure you have given the correct access token' },
      });
      // The refresh token outlives the access token.
      const refreshed = await refreshGrant(quick, client, pair.refresh_token);
      expect(refreshed.status).toBe(200);
      expect((await me(quick, (refreshed.json as TokenJson).access_token)).status).toBe(200);
    });

    it('expireAccessTokens() ends access tokens at once, for one user or all', async () => {
      const client = await newClient(server);
      const bobs = await newClient(server, 'bobs', 'bob', BOB_PASSWORD);
      const alicePair = await tokens(server, client);
      const bobPair = (await passwordGrant(server, bobs, 'bob', BOB_PASSWORD)).json as TokenJson;
      server.expireAccessTokens('bob');
      expect(server.isAccessTokenValid(alicePair.access_token)).toBe(true);
      expect((await me(server, bobPair.access_token)).status).toBe(401);
      server.expireAccessTokens();
      expect((await me(server, alicePair.access_token)).status).toBe(401);
      expect(server.isRefreshTokenValid(alicePair.refresh_token)).toBe(true);
    });

    it('unknown tokens, Basic credentials and a refresh token are "Invalid Credentials"; no header is "Missing Credentials"', async () => {
      const client = await newClient(server);
      const pair = await tokens(server, client);
      for (const auth of [bearer('0123456789abcdef0123456789abcdef'), basic('alice', ALICE_PASSWORD), bearer(pair.refresh_token), bearer(client.secret)]) {
        const answer = await call(server, 'GET', '/profiles/v2/me', { auth });
        expect(answer.status).toBe(401);
        expect((answer.json as { fault: { message: string } }).fault.message).toBe('Invalid Credentials');
      }
      const missing = await call(server, 'GET', '/profiles/v2/me');
      expect(missing.status).toBe(401);
      expect(missing.json).toMatchObject({ fault: { code: 900902, message: 'Missing Credentials' } });
    });
  });

  describe('inspection and seeding helpers', () => {
    it('createClient seeds a working client and refuses bad input', async () => {
      const { consumerKey, consumerSecret } = server.createClient('alice', 'seeded', 'seeded by a test');
      expect(server.getClient('alice', 'seeded')).toMatchObject({ consumerKey, description: 'seeded by a test', tier: 'Unlimited' });
      expect((await passwordGrant(server, { key: consumerKey, secret: consumerSecret })).status).toBe(200);
      expect(() => server.createClient('alice', 'seeded')).toThrow(/already exists/);
      expect(() => server.createClient('nobody', 'x')).toThrow(/No user named 'nobody'/);
      expect(() => server.createClient('alice', 'bad name')).toThrow(/Invalid client name/);
      expect(server.getClient('alice', 'ghost')).toBeUndefined();
    });

    it('issueTokens gives a pair like the password grant; deleteClient revokes it', async () => {
      server.createClient('alice', 'seeded');
      const pair = server.issueTokens('alice', 'seeded');
      expect(pair.expiresIn).toBe(14400);
      expect((await me(server, pair.accessToken)).status).toBe(200);
      expect(server.isRefreshTokenValid(pair.refreshToken)).toBe(true);
      expect(() => server.issueTokens('alice', 'ghost')).toThrow(/No client named 'ghost'/);
      expect(server.deleteClient('alice', 'seeded')).toBe(true);
      expect(server.deleteClient('alice', 'seeded')).toBe(false);
      expect(server.isAccessTokenValid(pair.accessToken)).toBe(false);
    });

    it('the request log has method, path, query, auth scheme, grant and status, and no secrets', async () => {
      const client = await newClient(server, 'logged');
      const pair = await tokens(server, client);
      const refreshed = (await refreshGrant(server, client, pair.refresh_token)).json as TokenJson;
      await me(server, refreshed.access_token);
      await call(server, 'DELETE', '/clients/v2/logged', { auth: basic('alice', ALICE_PASSWORD) });
      expect(server.requestLog.map((r) => `${r.method} ${r.path}?${r.query} ${r.auth} ${r.grantType ?? '-'} ${String(r.status)}`)).toEqual([
        'POST /clients/v2? basic - 201',
        'POST /token?pretty=true basic password 200',
        'POST /token? basic refresh_token 200',
        'GET /profiles/v2/me? bearer - 200',
        'DELETE /clients/v2/logged? basic - 200',
      ]);
      const dump = JSON.stringify(server.requestLog);
      for (const secret of [ALICE_PASSWORD, client.key, client.secret, pair.access_token, pair.refresh_token, refreshed.access_token, refreshed.refresh_token]) {
        expect(dump).not.toContain(secret);
      }
    });
  });

  describe('faults', () => {
    it('delay: answers normally after the delay', async () => {
      server.faults.add({ kind: 'delay', ms: 300 });
      const started = Date.now();
      expect((await call(server, 'GET', '/tenants')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    });

    it('status: default envelope error, or a given body and content type', async () => {
      server.faults.add({ kind: 'status', status: 503, times: 1 });
      const first = await call(server, 'GET', '/tenants');
      expect(first.status).toBe(503);
      expect(first.json).toEqual({ status: 'error', message: 'Service Unavailable', version: '2.0.0', result: null });
      server.faults.add({ kind: 'status', status: 500, body: 'oops', contentType: 'text/plain', times: 1 });
      const second = await call(server, 'POST', '/token');
      expect(second.status).toBe(500);
      expect(second.contentType).toBe('text/plain');
      expect(second.text).toBe('oops');
    });

    it('malformed-json: 200 application/json that does not parse', async () => {
      server.faults.add({ kind: 'malformed-json' });
      const answer = await call(server, 'POST', '/token');
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/json');
      expect(() => JSON.parse(answer.text) as unknown).toThrow(SyntaxError);
    });

    it('html: an HTML error page as a proxy would send (502 unless told)', async () => {
      server.faults.add({ kind: 'html', times: 1 });
      const answer = await call(server, 'GET', '/profiles/v2/me');
      expect(answer.status).toBe(502);
      expect(answer.contentType).toMatch(/^text\/html/);
      expect(answer.text).toContain('<html>');
      server.faults.add({ kind: 'html', status: 504, times: 1 });
      expect((await call(server, 'GET', '/profiles/v2/me')).status).toBe(504);
    });

    it('reset: closes the connection without an answer', async () => {
      server.faults.add({ kind: 'reset', times: 1 });
      await expect(fetch(`${server.url}/token`, { method: 'POST' })).rejects.toThrow(/fetch failed/);
      expect(server.requestLog.at(-1)?.status).toBeNull();
      expect((await call(server, 'GET', '/tenants')).status).toBe(200);
    });

    it('wrong-shape: 200 JSON that is neither an envelope nor a token answer', async () => {
      server.faults.add({ kind: 'wrong-shape' });
      for (const path of ['/token', '/profiles/v2/me', '/clients/v2']) {
        const answer = await call(server, 'POST', path);
        expect(answer.status).toBe(200);
        expect(answer.json).toBeTypeOf('object');
        expect(answer.json).not.toHaveProperty('status');
        expect(answer.json).not.toHaveProperty('access_token');
      }
    });

    it('match limits a fault to matching paths, times to a number of requests, clear() removes all', async () => {
      const client = await newClient(server);
      server.faults.add({ kind: 'status', status: 500, match: /^\/token$/, times: 2 });
      expect((await call(server, 'GET', '/tenants')).status).toBe(200);
      expect((await passwordGrant(server, client)).status).toBe(500);
      expect((await passwordGrant(server, client)).status).toBe(500);
      expect((await passwordGrant(server, client)).status).toBe(200);
      server.faults.add({ kind: 'status', status: 418, match: /token/g });
      expect((await passwordGrant(server, client)).status).toBe(418);
      expect((await passwordGrant(server, client)).status).toBe(418); // a /g RegExp keeps matching
      server.faults.clear();
      expect((await passwordGrant(server, client)).status).toBe(200);
      // Faulted requests never reach the token handler.
      expect(server.tokenRequests.password).toBe(2);
    });

    it('a delay combines with a later fault', async () => {
      server.faults.add({ kind: 'delay', ms: 200, times: 1 });
      server.faults.add({ kind: 'status', status: 500, times: 1 });
      const started = Date.now();
      expect((await call(server, 'GET', '/x')).status).toBe(500);
      expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    });

    it('close() does not wait for a delayed request', async () => {
      const s = await startTapisServer();
      s.faults.add({ kind: 'delay', ms: 60_000 });
      const pending = fetch(`${s.url}/tenants`).catch((error: unknown) => error);
      await sleep(100);
      const started = Date.now();
      await s.close();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await pending).toBeInstanceOf(Error);
    });
  });

  describe('HTTPS', () => {
    it('serves a self-signed certificate for IP 127.0.0.1 and DNS localhost', async () => {
      const tls = await start({ https: true });
      expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const cert = new X509Certificate(tls.caPem ?? '');
      expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(cert.subjectAltName).toContain('DNS:localhost');
      expect(cert.verify(cert.publicKey)).toBe(true);
    });

    it('is refused without the CA, works when the CA is trusted or checks are off', async () => {
      const tls = await start({ https: true });
      const error: unknown = await undiciFetch(`${tls.url}/tenants`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as { cause?: { code?: string } }).cause?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
      for (const connect of [{ ca: tls.caPem }, { rejectUnauthorized: false }]) {
        const agent = new Agent({ connect });
        try {
          const response = await undiciFetch(`${tls.url}/tenants`, { dispatcher: agent });
          expect(response.status).toBe(200);
        } finally {
          await agent.close();
        }
      }
    });
  });

  describe('CONNECT proxy (for agavepy, which needs https on the default port)', () => {
    /** Opens CONNECT target through the proxy; resolves with the proxy's status line and the socket. */
    function openTunnel(proxyUrl: string, target: string): Promise<{ statusCode: number; socket: import('node:net').Socket }> {
      const { hostname, port } = new URL(proxyUrl);
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: hostname, port: Number(port), method: 'CONNECT', path: target });
        req.on('connect', (res, socket) => resolve({ statusCode: res.statusCode ?? 0, socket }));
        req.on('error', reject);
        req.end();
      });
    }

    it('tunnels localhost:443 to the HTTPS server (certificate for localhost) and refuses other targets', async () => {
      const tls = await start({ https: true });
      const proxy = await startConnectProxy(tls.url);
      try {
        const { statusCode, socket } = await openTunnel(proxy.url, 'localhost:443');
        expect(statusCode).toBe(200);
        const body = await new Promise<string>((resolve, reject) => {
          const secure = tlsConnect({ socket, servername: 'localhost', ca: tls.caPem }, () => {
            secure.write('GET /tenants HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
          });
          let text = '';
          secure.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          secure.on('end', () => resolve(text));
          secure.on('error', reject);
        });
        expect(body).toMatch(/^HTTP\/1\.1 200 OK/);
        expect(body).toContain('"code":"keyport.test"');

        const refused = await openTunnel(proxy.url, 'example.com:443');
        expect(refused.statusCode).toBe(403);
        refused.socket.destroy();
        expect(proxy.connects).toEqual(['localhost:443', 'example.com:443']);
        const plain = await fetch(proxy.url);
        expect(plain.status).toBe(405);
      } finally {
        await proxy.close();
        await proxy.close();
      }
    });
  });
});
