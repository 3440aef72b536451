import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeyportError } from '../errors';
import { createHttpClient } from '../http/httpClient';
import type { HttpClient, HttpRequest } from '../http/types';
import { expectKeyportError, serverContext, serverRecord } from '../../../../test/support/providerTesting';
import type { ServerContext } from '../providers/provider';
import { checkAccessToken, discover, oauthError, refreshTokens, revokeToken, startDeviceSignIn, type Wait } from './oidcClient';

/** A tiny OpenID provider: discovery, a device endpoint and a token endpoint whose answers each
 * test sets. Enough for what Keyport's OIDC client does before and after the browser. */
interface Answer {
  status: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}
interface TinyIdp {
  url: string;
  /** The discovery document; `null` serves a 404. */
  discovery: Record<string, unknown> | null;
  /** The answer of the discovery URL when set (instead of the document). */
  discoveryAnswer: Answer | null;
  device: Answer;
  /** The token endpoint's answers, one per request; the last one repeats. */
  token: Answer[];
  requests: Array<{ method: string; path: string; form: URLSearchParams; authorization?: string | undefined }>;
  /** The revocation endpoint's answer (served at /revoke). */
  revoke: Answer;
  close(): Promise<void>;
}

async function startTinyIdp(): Promise<TinyIdp> {
  const idp = {
    url: '',
    discovery: null,
    discoveryAnswer: null,
    device: { status: 200, body: {} },
    token: [],
    requests: [],
    revoke: { status: 200, body: '' },
  } as Omit<TinyIdp, 'close'>;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      idp.requests.push({ method: req.method ?? '', path, form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')), authorization: req.headers.authorization });
      const answer: Answer =
        path === '/.well-known/openid-configuration'
          ? (idp.discoveryAnswer ?? (idp.discovery ? { status: 200, body: idp.discovery } : { status: 404, body: { error: 'not_found' } }))
          : path === '/device'
            ? idp.device
            : path === '/token'
              ? ((idp.token.length > 1 ? idp.token.shift() : idp.token[0]) ?? { status: 500, body: {} })
              : path === '/revoke'
                ? idp.revoke
                : { status: 404, body: { error: 'not_found' } };
      const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json', 'cache-control': 'no-store', ...answer.headers }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  idp.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  idp.discovery = { issuer: idp.url, authorization_endpoint: `${idp.url}/authorize`, token_endpoint: `${idp.url}/token`, device_authorization_endpoint: `${idp.url}/device` };
  return Object.assign(idp, {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

let http: HttpClient;
let idp: TinyIdp;
const SECRETS = ['a-secret-description', 'the-device-code', 'the-access-token'];

beforeAll(() => {
  http = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/0', env: {} });
});
afterAll(async () => {
  await http.close();
});
beforeEach(async () => {
  idp = await startTinyIdp();
});
afterEach(async () => {
  await idp.close();
});

const ctxFor = (url: string, client: HttpClient = http): ServerContext => serverContext(serverRecord({ name: 'Test IdP', kind: 'anaconda', url }), client);
const settings = (issuer = idp.url) => ({ issuer, clientId: 'keyport-test' });
const keyportError = (promise: Promise<unknown>) => expectKeyportError(promise, SECRETS);

/** An HTTP client that records requests and answers each with `answer`. */
function stubClient(answer: (req: HttpRequest) => { status: number; text: string; headers?: Record<string, string> }): HttpClient & { sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  return {
    sent,
    async send(_target, req) {
      sent.push(req);
      const a = answer(req);
      return { status: a.status, text: a.text, headers: a.headers ?? { 'content-type': 'application/json' } };
    },
    async close() {},
  };
}

const deviceAnswer = (overrides: Record<string, unknown> = {}): Answer => ({
  status: 200,
  body: { device_code: 'the-device-code', user_code: 'WDJB-MJHT', verification_uri: `${idp.url}/activate`, verification_uri_complete: `${idp.url}/activate?user_code=WDJB-MJHT`, expires_in: 600, interval: 1, ...overrides },
});
const oauthAnswer = (error: string, status = 400): Answer => ({ status, body: { error, error_description: 'a-secret-description' } });

/** A clock for the device polling: records each wait and lets it pass at once (honouring the
 * signal), so a test sees the intervals without waiting them out. */
function recordedWaits(): { waits: number[]; wait: Wait } {
  const waits: number[] = [];
  return {
    waits,
    wait: async (ms, signal) => {
      signal.throwIfAborted();
      waits.push(ms);
      // Let the event loop breathe, so a cancel between polls is seen.
      await new Promise((resolve) => setTimeout(resolve, 5));
      signal.throwIfAborted();
    },
  };
}

/** Starts a device sign-in against the tiny IdP, with the token endpoint answering `token`. */
async function deviceFlow(token: Answer[], signal: AbortSignal = new AbortController().signal, clock = recordedWaits(), device = deviceAnswer()) {
  idp.device = device;
  idp.token = token;
  const ctx = ctxFor(idp.url);
  const config = await discover(ctx, settings());
  return startDeviceSignIn(ctx, config, 'openid', signal, () => new Date('2026-01-01T00:00:00.000Z'), clock.wait);
}

describe('discover', () => {
  it('refuses plain http for an issuer that is not loopback, before any request', async () => {
    const client = stubClient(() => ({ status: 500, text: '' }));
    for (const issuer of ['http://auth.example.com', 'http://127.0.0.2:8080', 'http://10.0.0.1', 'http://localhost.example.com']) {
      const error = await keyportError(discover(ctxFor(issuer, client), settings(issuer)));
      expect(error.toShape(), issuer).toMatchObject({ code: 'VALIDATION', field: 'url', message: 'Sign-in servers must use https.' });
    }
    expect(client.sent).toEqual([]);
  });

  it('allows http for 127.0.0.1, localhost and [::1], and https for anything', async () => {
    const client = stubClient(() => ({ status: 404, text: '{}' }));
    for (const issuer of ['http://127.0.0.1:9', 'http://localhost:9', 'http://[::1]:9', 'https://auth.example.com']) {
      const error = await keyportError(discover(ctxFor(issuer, client), settings(issuer)));
      expect(error.code, issuer).toBe('BAD_RESPONSE');
    }
    expect(client.sent.map((r) => r.url)).toEqual([
      'http://127.0.0.1:9/.well-known/openid-configuration',
      'http://localhost:9/.well-known/openid-configuration',
      'http://[::1]:9/.well-known/openid-configuration',
      'https://auth.example.com/.well-known/openid-configuration',
    ]);
  });

  it('reads the discovery document through Keyport’s HTTP client', async () => {
    const config = await discover(ctxFor(idp.url), settings());
    expect(config.serverMetadata().token_endpoint).toBe(`${idp.url}/token`);
    expect(idp.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /.well-known/openid-configuration']);
  });

  it('a URL that is not an OpenID provider is BAD_RESPONSE on the url field', async () => {
    const answers: Answer[] = [
      { status: 404, body: { error: 'not_found' } },
      { status: 200, body: '<!doctype html><html><body>Welcome</body></html>', contentType: 'text/html' },
      { status: 200, body: '{"issuer": ' },
      { status: 200, body: [] },
      { status: 500, body: { error: 'server_error' } },
      { status: 302, body: '' },
    ];
    for (const answer of answers) {
      idp.discoveryAnswer = answer;
      const error = await keyportError(discover(ctxFor(idp.url), settings()));
      expect(error.toShape(), JSON.stringify(answer)).toMatchObject({
        code: 'BAD_RESPONSE',
        field: 'url',
        message: 'Test IdP did not answer as an OpenID Connect sign-in server.',
      });
    }
  });

  it('a server whose issuer is not the address entered says both issuers (a host-name mix-up)', async () => {
    idp.discovery = { ...idp.discovery, issuer: 'https://login.example.com/realms/main' };
    const error = await keyportError(discover(ctxFor(idp.url), settings()));
    expect(error.toShape()).toMatchObject({
      code: 'BAD_RESPONSE',
      field: 'url',
      message: `Test IdP is an OpenID Connect server, but its issuer is https://login.example.com/realms/main, not ${idp.url} as entered.`,
    });
    // A hostile issuer value is not echoed.
    for (const issuer of [`javascript:alert(1)`, `https://x.example/${'a'.repeat(400)}`]) {
      idp.discovery = { ...idp.discovery, issuer };
      const hostile = await keyportError(discover(ctxFor(idp.url), settings()));
      expect(hostile.message, issuer).toBe(`Test IdP is an OpenID Connect server, but its issuer is another address, not ${idp.url} as entered.`);
    }
    // An issuer that is no URL at all is not an OpenID Connect answer.
    idp.discovery = { ...idp.discovery, issuer: '\u001b[2Jhttps://evil' };
    expect((await keyportError(discover(ctxFor(idp.url), settings()))).toShape()).toMatchObject({ code: 'BAD_RESPONSE', message: 'Test IdP did not answer as an OpenID Connect sign-in server.' });
  });

  it('an odd HTTP status from the sign-in server is BAD_RESPONSE too, never INTERNAL', async () => {
    for (const status of [205, 299, 600, 999]) {
      idp.discoveryAnswer = { status, body: '' };
      const error = await keyportError(discover(ctxFor(idp.url), settings()));
      expect(error.code, String(status)).toBe('BAD_RESPONSE');
    }
  });

  it('an unreachable issuer keeps the HTTP client’s error', async () => {
    const url = idp.url;
    await idp.close();
    const error = await keyportError(discover(ctxFor(url), settings(url)));
    expect(error.code).toBe('SERVER_UNREACHABLE');
  });
});

describe('startDeviceSignIn', () => {
  it('is UNSUPPORTED when the server advertises no device endpoint, and asks nothing more', async () => {
    idp.discovery = { ...idp.discovery, device_authorization_endpoint: undefined };
    const ctx = ctxFor(idp.url);
    const config = await discover(ctx, settings());
    const error = await keyportError(startDeviceSignIn(ctx, config, 'openid', new AbortController().signal, () => new Date()));
    expect(error.toShape()).toMatchObject({ code: 'UNSUPPORTED', message: 'Test IdP does not offer sign-in with a code.' });
    expect(idp.requests.map((r) => r.path)).toEqual(['/.well-known/openid-configuration']);
  });

  it('returns the code to show, its expiry from expires_in, and the interval it polls at (5 s when absent)', async () => {
    const abort = new AbortController();
    const started = await deviceFlow([oauthAnswer('authorization_pending')], abort.signal);
    abort.abort();
    expect(started.code).toEqual({
      userCode: 'WDJB-MJHT',
      verificationUri: `${idp.url}/activate`,
      verificationUriComplete: `${idp.url}/activate?user_code=WDJB-MJHT`,
      expiresAt: '2026-01-01T00:10:00.000Z',
      intervalSeconds: 5,
    });
    const device = idp.requests.find((r) => r.path === '/device');
    expect(Object.fromEntries(device?.form ?? [])).toEqual({ client_id: 'keyport-test', scope: 'openid' });
    await expect(started.tokens).rejects.toMatchObject({ code: 'CANCELLED' });

    idp.device = deviceAnswer({ interval: undefined, verification_uri_complete: undefined });
    const ctx = ctxFor(idp.url);
    const again = await startDeviceSignIn(ctx, await discover(ctx, settings()), 'openid', AbortSignal.abort(), () => new Date(0));
    expect(again.code).toMatchObject({ verificationUriComplete: null, intervalSeconds: 5, expiresAt: '1970-01-01T00:10:00.000Z' });
    await expect(again.tokens).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('polls at the interval while pending, then hands over the tokens', { timeout: 15_000 }, async () => {
    const clock = recordedWaits();
    const started = await deviceFlow(
      [oauthAnswer('authorization_pending'), { status: 200, body: { access_token: 'the-access-token', token_type: 'Bearer', expires_in: 60, scope: 'openid' } }],
      undefined,
      clock,
      deviceAnswer({ interval: 7 }),
    );
    const tokens = await started.tokens;
    // expiresIn counts from when the answer arrived: a busy machine can make 60 read as 59.
    expect(tokens).toEqual({ accessToken: 'the-access-token', refreshToken: null, idToken: null, expiresIn: expect.closeTo(60, -1), scope: 'openid', claims: null });
    const polls = idp.requests.filter((r) => r.path === '/token');
    expect(polls).toHaveLength(2);
    expect(Object.fromEntries(polls[0]?.form ?? [])).toEqual({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'the-device-code', client_id: 'keyport-test' });
    expect(clock.waits).toEqual([7000, 7000]);
  });

  it('never polls faster than every 5 s nor slower than every 60 s, whatever the server says (RFC 8628 §3.2)', async () => {
    for (const [interval, expected] of [
      [0.001, 5000],
      [1, 5000],
      [12, 12_000],
      [3600, 60_000],
      [1e308, 60_000],
    ] as const) {
      const clock = recordedWaits();
      const abort = new AbortController();
      const started = await deviceFlow([oauthAnswer('authorization_pending')], abort.signal, clock, deviceAnswer({ interval }));
      expect(started.code.intervalSeconds, String(interval)).toBe(expected / 1000);
      await expect.poll(() => clock.waits.length).toBeGreaterThanOrEqual(3);
      abort.abort();
      await expect(started.tokens).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(new Set(clock.waits), String(interval)).toEqual(new Set([expected]));
    }
  });

  it('slows down by 5 s at each slow_down (RFC 8628 §3.5), up to 60 s, and keeps that interval', async () => {
    const clock = recordedWaits();
    const slow = oauthAnswer('slow_down');
    const started = await deviceFlow(
      [slow, oauthAnswer('authorization_pending'), slow, ...Array.from({ length: 12 }, () => slow), oauthAnswer('authorization_pending'), { status: 200, body: { access_token: 'the-access-token', token_type: 'Bearer' } }],
      undefined,
      clock,
      deviceAnswer({ interval: 0.001 }),
    );
    expect((await started.tokens).accessToken).toBe('the-access-token');
    expect(clock.waits.slice(0, 4)).toEqual([5000, 10_000, 10_000, 15_000]);
    expect(clock.waits.slice(-3)).toEqual([60_000, 60_000, 60_000]);
    expect(Math.max(...clock.waits)).toBe(60_000);
    expect(idp.requests.filter((r) => r.path === '/token')).toHaveLength(clock.waits.length);
  });

  it('with the real clock, a server asking for 0.001 s gets at most one request in the first 4 s', { timeout: 15_000 }, async () => {
    const abort = new AbortController();
    idp.device = deviceAnswer({ interval: 0.001 });
    idp.token = [oauthAnswer('authorization_pending')];
    const ctx = ctxFor(idp.url);
    const started = await startDeviceSignIn(ctx, await discover(ctx, settings()), 'openid', abort.signal, () => new Date());
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    abort.abort();
    await expect(started.tokens).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(idp.requests.filter((r) => r.path === '/token')).toHaveLength(0);
  });

  it('sends PKCE S256 on the device grant when the server lists S256, and not otherwise (RFC 7636)', async () => {
    idp.discovery = { ...idp.discovery, code_challenge_methods_supported: ['plain', 'S256'] };
    const started = await deviceFlow([oauthAnswer('authorization_pending'), { status: 200, body: { access_token: 'the-access-token', token_type: 'Bearer' } }]);
    await started.tokens;
    const device = Object.fromEntries(idp.requests.find((r) => r.path === '/device')?.form ?? []);
    expect(device).toMatchObject({ code_challenge_method: 'S256', code_challenge: expect.stringMatching(/^[\w-]{43}$/) });
    const polls = idp.requests.filter((r) => r.path === '/token').map((r) => r.form.get('code_verifier'));
    expect(polls).toHaveLength(2);
    expect(polls[0]).toMatch(/^[\w-]{43,128}$/);
    expect(polls[1]).toBe(polls[0]);
    expect(createHash('sha256').update(polls[0] ?? '').digest('base64url')).toBe(device.code_challenge);

    idp.requests.length = 0;
    idp.discovery = { ...idp.discovery, code_challenge_methods_supported: ['plain'] };
    await (await deviceFlow([{ status: 200, body: { access_token: 'the-access-token', token_type: 'Bearer' } }])).tokens;
    expect(Object.fromEntries(idp.requests.find((r) => r.path === '/device')?.form ?? [])).toEqual({ client_id: 'keyport-test', scope: 'openid' });
    expect(idp.requests.find((r) => r.path === '/token')?.form.has('code_verifier')).toBe(false);
  });

  it('a device endpoint that refuses the client is AUTH_FAILED on the clientId field', async () => {
    idp.device = oauthAnswer('invalid_client', 401);
    const ctx = ctxFor(idp.url);
    const config = await discover(ctx, settings());
    const error = await keyportError(startDeviceSignIn(ctx, config, 'openid', new AbortController().signal, () => new Date()));
    expect(error.toShape()).toMatchObject({ code: 'AUTH_FAILED', field: 'clientId', message: 'Test IdP does not accept Keyport’s client id (invalid_client).' });
  });

  it('an aborted poll is CANCELLED', { timeout: 15_000 }, async () => {
    const abort = new AbortController();
    const started = await deviceFlow([oauthAnswer('authorization_pending')], abort.signal);
    // Let it poll at least once, then cancel.
    await expect.poll(() => idp.requests.filter((r) => r.path === '/token').length, { timeout: 5_000 }).toBeGreaterThan(0);
    abort.abort();
    const error = await keyportError(started.tokens);
    expect(error.toShape()).toMatchObject({ code: 'CANCELLED' });
    // A request already on its way may still land; nothing starts after it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const polls = idp.requests.filter((r) => r.path === '/token').length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(idp.requests.filter((r) => r.path === '/token').length, 'no poll after the cancel').toBe(polls);
  });
});

describe('oauthError', () => {
  it('maps the token endpoint’s OAuth errors of a device sign-in, never echoing the description', { timeout: 30_000 }, async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['access_denied', { code: 'CANCELLED', message: 'The sign-in was denied in the browser.' }],
      ['expired_token', { code: 'TIMEOUT', message: 'The sign-in code expired before it was used.' }],
      ['invalid_grant', { code: 'AUTH_FAILED', message: 'Test IdP refused to finish the sign-in (invalid_grant).' }],
      ['invalid_client', { code: 'AUTH_FAILED', field: 'clientId' }],
      ['unauthorized_client', { code: 'AUTH_FAILED', field: 'clientId', message: 'Test IdP does not let Keyport’s client sign in this way (unauthorized_client).' }],
      ['server_error', { code: 'AUTH_FAILED', message: 'Test IdP refused the sign-in (server_error).' }],
      ['<b>bold</b>', { code: 'AUTH_FAILED', message: 'Test IdP refused the sign-in (error).' }],
    ];
    await Promise.all(
      cases.map(async ([code, expected]) => {
        const own = await startTinyIdp();
        try {
          own.device = { status: 200, body: { device_code: 'the-device-code', user_code: 'C', verification_uri: `${own.url}/a`, expires_in: 60, interval: 1 } };
          own.token = [oauthAnswer(code, code === 'invalid_client' ? 401 : 400)];
          const ctx = ctxFor(own.url);
          const config = await discover(ctx, settings(own.url));
          const started = await startDeviceSignIn(ctx, config, 'openid', new AbortController().signal, () => new Date(), recordedWaits().wait);
          const error = await keyportError(started.tokens);
          expect(error.toShape(), code).toMatchObject(expected);
        } finally {
          await own.close();
        }
      }),
    );
  });

  it('invalid_grant means a dead refresh token on refresh, and a failed code exchange otherwise', async () => {
    idp.token = [oauthAnswer('invalid_grant')];
    const ctx = ctxFor(idp.url);
    const config = await discover(ctx, settings());
    const raw = await oidc.refreshTokenGrant(config, 'a-refresh-token').catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(oidc.ResponseBodyError);
    expect(oauthError(raw, ctx, 'refresh').toShape()).toEqual({ code: 'AUTH_FAILED', message: 'Test IdP no longer accepts the refresh token.', hint: 'Sign in again.' });
    expect(oauthError(raw, ctx, 'code').toShape()).toMatchObject({ code: 'AUTH_FAILED', message: 'Test IdP refused to finish the sign-in (invalid_grant).' });
    expect(oauthError(raw, ctx, 'device').code).toBe('AUTH_FAILED');
  });

  it('an error in the redirect back from the browser is AUTH_FAILED', async () => {
    const ctx = ctxFor(idp.url);
    const config = await discover(ctx, settings());
    const raw = await oidc
      .authorizationCodeGrant(config, new URL('http://127.0.0.1:1/auth/oidc?error=temporarily_unavailable&error_description=a-secret-description&state=s'), { expectedState: 's', pkceCodeVerifier: 'v'.repeat(43) })
      .catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(oidc.AuthorizationResponseError);
    const error = oauthError(raw, ctx, 'code');
    expect(error.toShape()).toEqual({ code: 'AUTH_FAILED', message: 'Test IdP refused the sign-in.', hint: 'Try again.' });
  });

  it('a token answer that is not OAuth is BAD_RESPONSE; an abort is CANCELLED; a KeyportError passes through; anything else is INTERNAL', async () => {
    idp.token = [{ status: 200, body: '<html>proxy login</html>', contentType: 'text/html' }];
    const ctx = ctxFor(idp.url);
    const config = await discover(ctx, settings());
    const raw = await oidc.refreshTokenGrant(config, 'a-refresh-token').catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(oidc.ClientError);
    expect(oauthError(raw, ctx, 'refresh').toShape()).toMatchObject({ code: 'BAD_RESPONSE', message: 'Test IdP answered the sign-in in an unexpected way.' });
    expect(oauthError(raw, ctx, 'refresh').field).toBeUndefined();

    const own = new KeyportError('TLS_FAILURE', 'bad certificate');
    expect(oauthError(own, ctx, 'code')).toBe(own);
    expect(oauthError(new oidc.ClientError('wrapped', { cause: own }), ctx, 'code')).toBe(own);
    expect(oauthError(new oidc.ClientError('aborted', { cause: new DOMException('stop', 'AbortError') }), ctx, 'device').code).toBe('CANCELLED');
    expect(oauthError(new oidc.ClientError('timeout', { cause: new DOMException('late', 'TimeoutError') }), ctx, 'device').code).toBe('TIMEOUT');
    expect(oauthError(new DOMException('stop', 'AbortError'), ctx, 'code').code).toBe('CANCELLED');
    const internal = oauthError(new Error('a-secret-description'), ctx, 'code');
    expect(internal.toShape()).toEqual({ code: 'INTERNAL', message: 'The sign-in failed unexpectedly.', hint: 'Try again.' });
  });
});

describe('confidential clients, refresh and revocation (RFC 6749 §6, RFC 7009)', () => {
  const SECRET = 'the-client-secret';
  const confidential = () => ({ ...settings(), clientSecret: SECRET });
  const tokenAnswer = (extra: Record<string, unknown> = {}): Answer => ({ status: 200, body: { access_token: 'the-access-token', token_type: 'Bearer', expires_in: 60, ...extra } });

  it('authenticates with client_secret_basic by default (Discovery §3), and a server that does not rotate leaves no new refresh token', async () => {
    idp.token = [tokenAnswer()];
    const ctx = ctxFor(idp.url);
    const tokens = await refreshTokens(ctx, await discover(ctx, confidential()), 'the-refresh-token');
    expect(tokens).toMatchObject({ accessToken: 'the-access-token', refreshToken: null, expiresIn: expect.closeTo(60, -1) });
    const sent = idp.requests.find((r) => r.path === '/token');
    expect(sent?.form.get('grant_type')).toBe('refresh_token');
    expect(sent?.form.get('refresh_token')).toBe('the-refresh-token');
    expect(sent?.form.has('client_secret')).toBe(false);
    // RFC 6749 §2.3.1: id and secret are form-encoded before Basic (openid-client encodes "-" too).
    expect(sent?.authorization).toBe(`Basic ${Buffer.from('keyport%2Dtest:the%2Dclient%2Dsecret').toString('base64')}`);
  });

  it('uses client_secret_post when the server lists only that, and hands back a rotated refresh token', async () => {
    idp.discovery = { ...idp.discovery, token_endpoint_auth_methods_supported: ['client_secret_post'] };
    idp.token = [tokenAnswer({ refresh_token: 'the-rotated-refresh-token' })];
    const ctx = ctxFor(idp.url);
    const tokens = await refreshTokens(ctx, await discover(ctx, confidential()), 'the-refresh-token');
    expect(tokens.refreshToken).toBe('the-rotated-refresh-token');
    const sent = idp.requests.find((r) => r.path === '/token');
    expect(sent?.form.get('client_secret')).toBe(SECRET);
    expect(sent?.authorization).toBeUndefined();
  });

  it('a refused refresh token is AUTH_FAILED: sign in again', async () => {
    idp.token = [oauthAnswer('invalid_grant')];
    const ctx = ctxFor(idp.url);
    const error = await keyportError(refreshTokens(ctx, await discover(ctx, settings()), 'the-refresh-token'));
    expect(error.toShape()).toMatchObject({ code: 'AUTH_FAILED', message: 'Test IdP no longer accepts the refresh token.', hint: 'Sign in again.' });
  });

  it('a secret refused through a WWW-Authenticate challenge (HTTP Basic) names the client secret', async () => {
    idp.token = [{ status: 401, body: { error: 'invalid_client' }, headers: { 'www-authenticate': 'Basic realm="idp", error="invalid_client"' } }];
    const ctx = ctxFor(idp.url);
    const error = await keyportError(refreshTokens(ctx, await discover(ctx, confidential()), 'the-refresh-token'));
    expect(error.toShape()).toMatchObject({ code: 'AUTH_FAILED', field: 'clientSecret' });
    expect(error.message).not.toContain(SECRET);
  });

  it('unauthorized_client for a confidential client points at the secret, never only at the client id (a wrong secret at Keycloak)', async () => {
    idp.token = [oauthAnswer('unauthorized_client')];
    const ctx = ctxFor(idp.url);
    const error = await keyportError(refreshTokens(ctx, await discover(ctx, confidential()), 'the-refresh-token'));
    expect(error.toShape()).toMatchObject({
      code: 'AUTH_FAILED',
      field: 'clientSecret',
      message: 'Test IdP does not accept Keyport’s client secret, or does not let this client sign in this way (unauthorized_client).',
    });
    expect(error.hint).toContain('Check the client secret');
    // A public client has no secret: the grant is what the provider does not allow it.
    const own = await keyportError(refreshTokens(ctx, await discover(ctx, settings()), 'the-refresh-token'));
    expect(own.toShape()).toMatchObject({ field: 'clientId', message: 'Test IdP does not let Keyport’s client sign in this way (unauthorized_client).' });
  });

  it('not_allowed or invalid_scope with offline_access asked for hints to drop offline_access, on the scopes field', async () => {
    for (const code of ['not_allowed', 'invalid_scope']) {
      const own = await startTinyIdp();
      try {
        own.device = { status: 200, body: { device_code: 'the-device-code', user_code: 'C', verification_uri: `${own.url}/a`, expires_in: 60 } };
        own.token = [oauthAnswer(code)];
        const ctx = ctxFor(own.url);
        const config = await discover(ctx, settings(own.url));
        const offline = await startDeviceSignIn(ctx, config, 'openid profile offline_access', new AbortController().signal, () => new Date(), recordedWaits().wait);
        const error = await keyportError(offline.tokens);
        expect(error.toShape(), code).toMatchObject({ code: 'AUTH_FAILED', field: 'scopes', message: `Test IdP refused the scopes Keyport asked for (${code}); it may not allow offline_access for this client.` });
        expect(error.hint).toContain('Remove offline_access from the scopes');
        const plain = await startDeviceSignIn(ctx, config, 'openid profile', new AbortController().signal, () => new Date(), recordedWaits().wait);
        const other = await keyportError(plain.tokens);
        expect(other.toShape(), code).toMatchObject({ field: 'scopes', message: `Test IdP refused the scopes Keyport asked for (${code}).` });
      } finally {
        await own.close();
      }
    }
  });

  it('revokes at the advertised revocation_endpoint with a token type hint; UNSUPPORTED without one, before any request', async () => {
    const ctx = ctxFor(idp.url);
    await expect(revokeToken(ctx, await discover(ctx, settings()), 'the-refresh-token', 'refresh_token')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(idp.requests.some((r) => r.path === '/revoke')).toBe(false);
    idp.discovery = { ...idp.discovery, revocation_endpoint: `${idp.url}/revoke` };
    await revokeToken(ctx, await discover(ctx, settings()), 'the-refresh-token', 'refresh_token');
    const sent = idp.requests.find((r) => r.path === '/revoke');
    expect(sent?.method).toBe('POST');
    expect(sent?.form.get('token')).toBe('the-refresh-token');
    expect(sent?.form.get('token_type_hint')).toBe('refresh_token');
    expect(sent?.form.get('client_id')).toBe('keyport-test');
  });

  it('checking an access token without a UserInfo endpoint asks nothing', async () => {
    const ctx = ctxFor(idp.url);
    const config = await discover(ctx, settings());
    const before = idp.requests.length;
    await checkAccessToken(ctx, config, 'the-access-token');
    expect(idp.requests.length).toBe(before);
  });
});
