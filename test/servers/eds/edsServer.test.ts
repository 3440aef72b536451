// The reference EDS server end to end over real sockets, as Keyport and hatcher use it.
// docs/protocols/eds.md is the specification these tests hold the server to.
import { X509Certificate } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import { beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, call, useServers } from '../common/testing.ts';
import type { Answer } from '../common/testing.ts';
import { startEdsServer } from './edsServer.ts';
import type { EdsServer } from './edsServer.ts';

const ALICE_PASSWORD = 'wonderland-secret';

/** Signs in as hatcher does (hatcher/core/auth.py) and returns the session token. */
async function signIn(server: EdsServer, auth = basic('alice', ALICE_PASSWORD), version = 1): Promise<string> {
  const answer = await call(server, 'POST', `/api/v${version}/json/auth/tokens/auth`, {
    auth,
    body: '',
    contentType: 'application/x-www-form-urlencoded',
  });
  expect(answer.status).toBe(200);
  const token = (answer.json as { token?: unknown }).token;
  expect(typeof token).toBe('string');
  return token as string;
}

function createToken(server: EdsServer, session: string, name: unknown, version = 1): Promise<Answer> {
  return call(server, 'POST', `/api/v${version}/json/auth/tokens/api`, {
    auth: bearer(session),
    body: JSON.stringify({ name }),
    contentType: 'application/json',
  });
}

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

describe('EDS reference server', () => {
  let server: EdsServer;
  const start = useServers(startEdsServer);

  beforeEach(async () => {
    server = await start();
  });

  describe('basics', () => {
    it('listens on 127.0.0.1 on an ephemeral port over plain HTTP', () => {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.caPem).toBeUndefined();
    });

    it('seeds alice and bob by default, and only the given users otherwise', async () => {
      expect(server.users.map((u) => u.username)).toEqual(['alice', 'bob']);
      expect(server.users[0]).toEqual({ username: 'alice', password: ALICE_PASSWORD, email: 'alice@example.com' });
      const custom = await start({ users: [{ username: 'carol', password: 'pw', email: 'carol@example.com' }] });
      expect(custom.users.map((u) => u.username)).toEqual(['carol']);
      expect((await call(custom, 'POST', '/api/v1/json/auth/tokens/auth', { auth: basic('alice', ALICE_PASSWORD) })).status).toBe(401);
      await signIn(custom, basic('carol', 'pw'));
    });

    it('answers unknown routes with a JSON 404', async () => {
      for (const path of ['/', '/api/v2/json/auth/tokens/auth', '/api/v1/json/auth/tokens/api/a/b', '/api/v1/json/metadata/user/repositories']) {
        const answer = await call(server, 'GET', path);
        expect(answer.status, path).toBe(404);
        expect(answer.contentType).toBe('application/json');
        expect(answer.json).toEqual({ error: 'Not Found' });
      }
    });

    it('answers a wrong method with 405 and Allow', async () => {
      const response = await fetch(`${server.url}/api/v1/json/auth/tokens/auth`);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      const del = await fetch(`${server.url}/api/v1/json/auth/tokens/api`, { method: 'DELETE' });
      expect(del.status).toBe(405);
      expect(del.headers.get('allow')).toBe('GET, POST');
    });

    it('close() is idempotent', async () => {
      const s = await startEdsServer();
      await s.close();
      await s.close();
      await expect(fetch(`${s.url}/`)).rejects.toThrow();
    });
  });

  describe('sessions', () => {
    it('exchanges HTTP Basic username:password for a session token on v1 and v0', async () => {
      for (const version of [1, 0]) {
        const answer = await call(server, 'POST', `/api/v${version}/json/auth/tokens/auth`, { auth: basic('alice', ALICE_PASSWORD) });
        expect(answer.status).toBe(200);
        expect(answer.contentType).toBe('application/json');
        expect(Object.keys(answer.json as object)).toEqual(['token']);
      }
    });

    it('accepts the empty form body hatcher posts (data={})', async () => {
      const token = await signIn(server);
      expect(token.length).toBeGreaterThan(20);
    });

    it('refuses bad credentials with 401 {"error": "Authentication failed"} as exact application/json', async () => {
      const cases: (string | undefined)[] = [
        basic('alice', 'wrong'),
        basic('alice', ''),
        basic('mallory', ALICE_PASSWORD),
        `Basic ${Buffer.from('no-colon').toString('base64')}`,
        'Digest abc',
        bearer('not-a-token'),
        undefined,
      ];
      for (const auth of cases) {
        const answer = await call(server, 'POST', '/api/v1/json/auth/tokens/auth', auth === undefined ? {} : { auth });
        expect(answer.status, String(auth)).toBe(401);
        expect(answer.contentType).toBe('application/json');
        expect(answer.json).toEqual({ error: 'Authentication failed' });
      }
    });

    it('sessions are per user', async () => {
      const aliceSession = await signIn(server);
      const bobSession = await signIn(server, basic('bob', 'builder-secret'));
      expect((await createToken(server, aliceSession, 'alice-laptop')).status).toBe(200);
      const bobList = await call(server, 'GET', '/api/v1/json/auth/tokens/api', { auth: bearer(bobSession) });
      expect(bobList.json).toEqual({ tokens: [] });
      expect(server.tokenNames('bob')).toEqual([]);
      expect(server.tokenNames('alice')).toEqual(['alice-laptop']);
    });

    it('a session token is not itself exchangeable for a new session', async () => {
      const session = await signIn(server);
      const answer = await call(server, 'POST', '/api/v1/json/auth/tokens/auth', { auth: bearer(session) });
      expect(answer.status).toBe(401);
    });

    it('sessions expire after sessionLifetimeMs', async () => {
      const short = await start({ sessionLifetimeMs: 150 });
      const session = await signIn(short);
      expect((await call(short, 'GET', '/api/v1/json/auth/tokens/api', { auth: bearer(session) })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const expired = await call(short, 'GET', '/api/v1/json/auth/tokens/api', { auth: bearer(session) });
      expect(expired.status).toBe(401);
      expect(expired.json).toEqual({ error: 'Authentication failed' });
      // Signing in again is the cure, as hatcher does every 4 minutes.
      const fresh = await signIn(short);
      expect((await call(short, 'GET', '/api/v1/json/auth/tokens/api', { auth: bearer(fresh) })).status).toBe(200);
    });

    it('expireSessions() ends every session', async () => {
      const session = await signIn(server);
      server.expireSessions();
      expect((await call(server, 'GET', '/api/v1/json/auth/user', { auth: bearer(session) })).status).toBe(401);
    });
  });

  describe('who am I (assumed path)', () => {
    it('answers {"name", "email"} on v0 and v1', async () => {
      const session = await signIn(server);
      for (const version of [0, 1]) {
        const answer = await call(server, 'GET', `/api/v${version}/json/auth/user`, { auth: bearer(session) });
        expect(answer.status).toBe(200);
        expect(answer.json).toEqual({ name: 'alice', email: 'alice@example.com' });
      }
    });

    it('needs a session', async () => {
      expect((await call(server, 'GET', '/api/v1/json/auth/user')).status).toBe(401);
      expect((await call(server, 'GET', '/api/v1/json/auth/user', { auth: basic('alice', ALICE_PASSWORD) })).status).toBe(401);
    });
  });

  describe('API tokens', () => {
    it('creates a token: {"name", "token", "created"}, an HS256 JWT with payload {"id": n}', async () => {
      const session = await signIn(server);
      const answer = await createToken(server, session, 'user-laptop-token');
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/json');
      const body = answer.json as { name: string; token: string; created: string };
      expect(Object.keys(body).sort()).toEqual(['created', 'name', 'token']);
      expect(body.name).toBe('user-laptop-token');
      expect(Number.isNaN(Date.parse(body.created))).toBe(false);
      const [header = '', payload = '', signature = ''] = body.token.split('.');
      expect(decodeSegment(header)).toEqual({ alg: 'HS256' });
      expect(decodeSegment(payload)).toEqual({ id: 1 });
      expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(server.hasApiToken('alice', 'user-laptop-token')).toBe(true);
      expect(server.isApiTokenValid(body.token)).toBe(true);
    });

    it('lists tokens with name, created and last_used (null until used)', async () => {
      const session = await signIn(server);
      const created = (await createToken(server, session, 'one')).json as { created: string; token: string };
      await createToken(server, session, 'two');
      for (const version of [1, 0]) {
        const answer = await call(server, 'GET', `/api/v${version}/json/auth/tokens/api`, { auth: bearer(session) });
        expect(answer.status).toBe(200);
        expect(answer.json).toEqual({
          tokens: [
            { name: 'one', created: created.created, last_used: null },
            { name: 'two', created: expect.any(String), last_used: null },
          ],
        });
      }
      await signIn(server, bearer(created.token));
      const after = (await call(server, 'GET', '/api/v1/json/auth/tokens/api', { auth: bearer(session) })).json as {
        tokens: { name: string; last_used: string | null }[];
      };
      expect(typeof after.tokens.find((t) => t.name === 'one')?.last_used).toBe('string');
      expect(after.tokens.find((t) => t.name === 'two')?.last_used).toBeNull();
    });

    it('exchanges an API token (Bearer) for a session of its owner, as hatcher --token does', async () => {
      const token = server.createApiToken('bob', 'ci');
      const session = await signIn(server, bearer(token));
      const me = await call(server, 'GET', '/api/v1/json/auth/user', { auth: bearer(session) });
      expect(me.json).toEqual({ name: 'bob', email: 'bob@example.com' });
    });

    it('does not accept an API token directly on the API: it must be exchanged first', async () => {
      const token = server.createApiToken('alice', 'direct');
      expect((await call(server, 'GET', '/api/v1/json/auth/tokens/api', { auth: bearer(token) })).status).toBe(401);
    });

    it('refuses forged tokens and tokens of another server', async () => {
      const token = server.createApiToken('alice', 'real');
      const [header, payload, signature = ''] = token.split('.');
      const forgedPayload = Buffer.from('{"id":1}').toString('base64url');
      const tampered = [
        `${header}.${payload}.${signature.slice(0, -2)}AA`,
        `${header}.${forgedPayload}x.${signature}`,
        `${header}.${payload}`,
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
      ];
      const other = await start();
      tampered.push(other.createApiToken('alice', 'real'));
      for (const value of tampered) {
        expect(server.isApiTokenValid(value), value).toBe(false);
        expect((await call(server, 'POST', '/api/v1/json/auth/tokens/auth', { auth: bearer(value) })).status).toBe(401);
      }
    });

    it('409 on a duplicate name, with the message hatcher prints', async () => {
      const session = await signIn(server);
      await createToken(server, session, 'dup');
      const answer = await createToken(server, session, 'dup');
      expect(answer.status).toBe(409);
      expect(answer.contentType).toBe('application/json');
      expect(answer.json).toEqual({ error: "An API token named 'dup' already exists" });
      // Names are per user: bob may use the same one.
      const bobSession = await signIn(server, basic('bob', 'builder-secret'));
      expect((await createToken(server, bobSession, 'dup')).status).toBe(200);
    });

    it('400 on an empty, blank, missing or non-string name and on a body that is not JSON', async () => {
      const session = await signIn(server);
      for (const name of ['', '   ', undefined, 42, null]) {
        const answer = await createToken(server, session, name);
        expect(answer.status, String(name)).toBe(400);
        expect((answer.json as { error?: unknown }).error).toEqual(expect.any(String));
      }
      const notJson = await call(server, 'POST', '/api/v1/json/auth/tokens/api', {
        auth: bearer(session),
        body: 'name=x',
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(notJson.status).toBe(400);
      expect(server.tokenNames('alice')).toEqual([]);
    });

    it('needs a valid session for list, create and delete', async () => {
      for (const [method, path] of [
        ['GET', '/api/v1/json/auth/tokens/api'],
        ['POST', '/api/v1/json/auth/tokens/api'],
        ['DELETE', '/api/v1/json/auth/tokens/api/x'],
      ] as const) {
        for (const auth of [undefined, basic('alice', ALICE_PASSWORD), bearer('nope')]) {
          const answer = await call(server, method, path, auth === undefined ? {} : { auth });
          expect(answer.status, `${method} ${path} ${String(auth)}`).toBe(401);
          expect(answer.json).toEqual({ error: 'Authentication failed' });
        }
      }
    });

    it('deletes by name with 204 and hatcher\'s ?force=False; 404 with the message for unknown names', async () => {
      const session = await signIn(server);
      await createToken(server, session, 'gone');
      const answer = await call(server, 'DELETE', '/api/v1/json/auth/tokens/api/gone?force=False', { auth: bearer(session) });
      expect(answer.status).toBe(204);
      expect(answer.text).toBe('');
      expect(server.hasApiToken('alice', 'gone')).toBe(false);
      const again = await call(server, 'DELETE', '/api/v0/json/auth/tokens/api/gone?force=False', { auth: bearer(session) });
      expect(again.status).toBe(404);
      expect(again.contentType).toBe('application/json');
      expect(again.json).toEqual({ error: "No API token named 'gone'" });
    });

    it('decodes percent-encoded names in the delete path', async () => {
      const session = await signIn(server);
      for (const name of ['my token', 'a/b', 'ünï']) {
        expect((await createToken(server, session, name)).status).toBe(200);
        const answer = await call(server, 'DELETE', `/api/v1/json/auth/tokens/api/${encodeURIComponent(name)}`, { auth: bearer(session) });
        expect(answer.status, name).toBe(204);
      }
      expect(server.tokenNames('alice')).toEqual([]);
    });

    it('cannot delete another user\'s token', async () => {
      server.createApiToken('bob', 'bobs');
      const session = await signIn(server);
      expect((await call(server, 'DELETE', '/api/v1/json/auth/tokens/api/bobs', { auth: bearer(session) })).status).toBe(404);
      expect(server.hasApiToken('bob', 'bobs')).toBe(true);
    });

    it('a deleted token can no longer sign in, and its sessions end (401); password sessions live on', async () => {
      const passwordSession = await signIn(server);
      const token = ((await createToken(server, passwordSession, 'laptop')).json as { token: string }).token;
      const tokenSession = await signIn(server, bearer(token));
      expect((await call(server, 'GET', '/api/v1/json/auth/user', { auth: bearer(tokenSession) })).status).toBe(200);

      expect((await call(server, 'DELETE', '/api/v1/json/auth/tokens/api/laptop?force=False', { auth: bearer(passwordSession) })).status).toBe(204);

      expect(server.isApiTokenValid(token)).toBe(false);
      const exchange = await call(server, 'POST', '/api/v1/json/auth/tokens/auth', { auth: bearer(token) });
      expect(exchange.status).toBe(401);
      expect(exchange.json).toEqual({ error: 'Authentication failed' });
      expect((await call(server, 'GET', '/api/v1/json/auth/user', { auth: bearer(tokenSession) })).status).toBe(401);
      expect((await call(server, 'GET', '/api/v1/json/auth/user', { auth: bearer(passwordSession) })).status).toBe(200);
    });

    it('revokeApiToken() behaves like DELETE', async () => {
      const token = server.createApiToken('alice', 'seeded');
      const session = await signIn(server, bearer(token));
      expect(server.revokeApiToken('alice', 'seeded')).toBe(true);
      expect(server.revokeApiToken('alice', 'seeded')).toBe(false);
      expect((await call(server, 'GET', '/api/v1/json/auth/user', { auth: bearer(session) })).status).toBe(401);
      // A new token with the old name is a new token: the old value stays dead.
      const renewed = server.createApiToken('alice', 'seeded');
      expect(renewed).not.toBe(token);
      expect(server.isApiTokenValid(token)).toBe(false);
    });

    it('createApiToken() refuses unknown users and taken names', () => {
      server.createApiToken('alice', 'x');
      expect(() => server.createApiToken('alice', 'x')).toThrow(/already exists/);
      expect(() => server.createApiToken('nobody', 'x')).toThrow(/nobody/);
    });
  });

  describe('request log', () => {
    it('records method, path, query and auth scheme, never a secret', async () => {
      const session = await signIn(server);
      const created = (await createToken(server, session, 'logged')).json as { token: string };
      await signIn(server, bearer(created.token));
      await call(server, 'DELETE', '/api/v1/json/auth/tokens/api/logged?force=False', { auth: bearer(session) });
      await call(server, 'GET', '/nowhere');
      expect(server.requestLog).toEqual([
        { method: 'POST', path: '/api/v1/json/auth/tokens/auth', query: '', auth: 'basic', status: 200 },
        { method: 'POST', path: '/api/v1/json/auth/tokens/api', query: '', auth: 'bearer', status: 200 },
        { method: 'POST', path: '/api/v1/json/auth/tokens/auth', query: '', auth: 'bearer', status: 200 },
        { method: 'DELETE', path: '/api/v1/json/auth/tokens/api/logged', query: 'force=False', auth: 'bearer', status: 204 },
        { method: 'GET', path: '/nowhere', query: '', auth: 'none', status: 404 },
      ]);
      const dump = JSON.stringify(server.requestLog);
      for (const secret of [ALICE_PASSWORD, session, created.token]) expect(dump).not.toContain(secret);
    });
  });

  describe('faults', () => {
    it('delay: answers normally after the delay', async () => {
      server.faults.add({ kind: 'delay', ms: 300 });
      const started = Date.now();
      await signIn(server);
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    });

    it('status: default JSON error body, or a given body and content type', async () => {
      server.faults.add({ kind: 'status', status: 503, times: 1 });
      const first = await call(server, 'POST', '/api/v1/json/auth/tokens/auth', { auth: basic('alice', ALICE_PASSWORD) });
      expect(first.status).toBe(503);
      expect(first.contentType).toBe('application/json');
      expect(first.json).toEqual({ error: 'Service Unavailable' });

      server.faults.add({ kind: 'status', status: 500, body: 'oops', contentType: 'text/plain', times: 1 });
      const second = await call(server, 'GET', '/api/v1/json/auth/user');
      expect(second.status).toBe(500);
      expect(second.contentType).toBe('text/plain');
      expect(second.text).toBe('oops');
    });

    it('malformed-json: 200 application/json that does not parse', async () => {
      server.faults.add({ kind: 'malformed-json' });
      const answer = await call(server, 'POST', '/api/v1/json/auth/tokens/auth', { auth: basic('alice', ALICE_PASSWORD) });
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/json');
      expect(() => JSON.parse(answer.text) as unknown).toThrow(SyntaxError);
    });

    it('html: an HTML error page as a proxy would send (502 unless told)', async () => {
      server.faults.add({ kind: 'html', times: 1 });
      const answer = await call(server, 'GET', '/api/v1/json/auth/tokens/api');
      expect(answer.status).toBe(502);
      expect(answer.contentType).toMatch(/^text\/html/);
      expect(answer.text).toContain('<html>');
      server.faults.add({ kind: 'html', status: 504, times: 1 });
      expect((await call(server, 'GET', '/api/v1/json/auth/tokens/api')).status).toBe(504);
    });

    it('reset: closes the connection without an answer', async () => {
      server.faults.add({ kind: 'reset', times: 1 });
      await expect(fetch(`${server.url}/api/v1/json/auth/tokens/auth`, { method: 'POST' })).rejects.toThrow(/fetch failed/);
      expect(server.requestLog.at(-1)?.status).toBeNull();
      await signIn(server); // the next request goes through
    });

    it('wrong-shape: 200 JSON without the expected keys', async () => {
      server.faults.add({ kind: 'wrong-shape' });
      const answer = await call(server, 'POST', '/api/v1/json/auth/tokens/auth', { auth: basic('alice', ALICE_PASSWORD) });
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/json');
      expect(answer.json).toBeTypeOf('object');
      expect(answer.json).not.toHaveProperty('token');
      expect(answer.json).not.toHaveProperty('tokens');
    });

    it('match limits a fault to matching paths, times to a number of requests, clear() removes all', async () => {
      server.faults.add({ kind: 'status', status: 500, match: /\/tokens\/api$/, times: 2 });
      const session = await signIn(server); // the auth path does not match
      const list = (): Promise<Answer> => call(server, 'GET', '/api/v1/json/auth/tokens/api', { auth: bearer(session) });
      expect((await list()).status).toBe(500);
      expect((await list()).status).toBe(500);
      expect((await list()).status).toBe(200);

      server.faults.add({ kind: 'status', status: 418, match: /tokens/g });
      expect((await list()).status).toBe(418);
      expect((await list()).status).toBe(418); // a /g RegExp keeps matching
      server.faults.clear();
      expect((await list()).status).toBe(200);
    });

    it('a delay combines with a later fault', async () => {
      server.faults.add({ kind: 'delay', ms: 200, times: 1 });
      server.faults.add({ kind: 'status', status: 500, times: 1 });
      const started = Date.now();
      expect((await call(server, 'GET', '/x')).status).toBe(500);
      expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    });

    it('close() does not wait for a delayed request', async () => {
      const s = await startEdsServer();
      s.faults.add({ kind: 'delay', ms: 60_000 });
      const pending = fetch(`${s.url}/api/v1/json/auth/user`).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
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
      expect(cert.verify(cert.publicKey)).toBe(true); // self-signed
    });

    it('is refused without the CA and works when the CA is trusted', async () => {
      const tls = await start({ https: true });
      const error: unknown = await undiciFetch(`${tls.url}/api/v1/json/auth/user`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const cause = (error as { cause?: { code?: string } }).cause;
      expect(cause?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);

      const agent = new Agent({ connect: { ca: tls.caPem } });
      try {
        const response = await undiciFetch(`${tls.url}/api/v1/json/auth/tokens/auth`, {
          method: 'POST',
          headers: { Authorization: basic('alice', ALICE_PASSWORD) },
          dispatcher: agent,
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toHaveProperty('token');
      } finally {
        await agent.close();
      }
    });

    it('also works when certificate checks are off (the "insecure" switch)', async () => {
      const tls = await start({ https: true });
      const agent = new Agent({ connect: { rejectUnauthorized: false } });
      try {
        const response = await undiciFetch(`${tls.url}/nowhere`, { dispatcher: agent });
        expect(response.status).toBe(404);
      } finally {
        await agent.close();
      }
    });

    it('each server makes its own certificate', async () => {
      const a = await start({ https: true });
      const b = await start({ https: true });
      expect(a.caPem).not.toBe(b.caPem);
    });
  });
});
