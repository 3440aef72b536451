import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { z } from 'zod';
import { KeyportError } from '../errors';
import type { LookupFunction } from '../ports';
import { createHttpClient, TLS_HINT } from './httpClient';
import { errorForStatus, parseJson } from './responses';
import type { HttpClient, HttpClientOptions, HttpResponse, HttpTarget } from './types';

const SECRET = 'S3cr3t-\u00e9-hunter2';
const target: HttpTarget = { serverName: 'Test Server', tls: { allowInsecureTls: false, caCertificatePem: null } };

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Running {
  origin: string;
  port: number;
  close(): Promise<void>;
}

const toClose: Running[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(toClose.splice(0).map((s) => s.close()));
});

function client(overrides: Partial<HttpClientOptions> = {}): HttpClient {
  const c = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/1.0', ...overrides });
  clients.push(c);
  return c;
}

async function listen(server: net.Server): Promise<Running> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const running: Running = {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  toClose.push(running);
  return running;
}

/** An HTTP server that records each request and answers with `respond`. */
async function httpServer(
  respond: (req: Received, res: http.ServerResponse) => void,
): Promise<Running & { received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      respond(r, res);
    });
  });
  return { ...(await listen(server)), received };
}

/** A TCP server that accepts and then does whatever `onSocket` says (by default: nothing, ever). */
async function tcpServer(onSocket: (s: net.Socket) => void = () => undefined): Promise<Running> {
  return listen(net.createServer(onSocket));
}

async function rejection(promise: Promise<unknown>): Promise<KeyportError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(KeyportError);
    return e as KeyportError;
  }
  throw new Error('expected the request to fail');
}

function causeMessages(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 10 && current instanceof Error; i++) {
    parts.push(current.message);
    current = current.cause;
  }
  return parts.join(' | ');
}

function expectNoSecret(error: KeyportError): void {
  expect(error.message).not.toContain(SECRET);
  expect(error.hint ?? '').not.toContain(SECRET);
  expect(JSON.stringify(error.toShape())).not.toContain(SECRET);
  expect(JSON.stringify(error.toShape())).not.toContain(encodeURIComponent(SECRET));
  expect(causeMessages(error)).not.toContain(SECRET);
  expect(causeMessages(error)).not.toContain(encodeURIComponent(SECRET));
}

const secretRequest = {
  method: 'POST' as const,
  query: { token: SECRET },
  basicAuth: { username: 'alice', password: SECRET },
  json: { password: SECRET },
};

describe('createHttpClient: requests', () => {
  it('GETs JSON with the fixed headers and query parameters', async () => {
    const server = await httpServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Multi', ['a', 'b']);
      res.end(JSON.stringify({ hello: 'w\u00f6rld \u2713' }));
    });
    const res = await client().send(target, {
      method: 'GET',
      url: `${server.origin}/api/v1/tokens?existing=1`,
      query: { page: '2', q: 'a b&c' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-multi']).toBe('a, b');
    expect(JSON.parse(res.text)).toEqual({ hello: 'w\u00f6rld \u2713' });

    const [got] = server.received;
    expect(got?.method).toBe('GET');
    const url = new URL(got?.url ?? '', server.origin);
    expect(url.pathname).toBe('/api/v1/tokens');
    expect(Object.fromEntries(url.searchParams)).toEqual({ existing: '1', page: '2', q: 'a b&c' });
    expect(got?.headers['user-agent']).toBe('Keyport-Test/1.0');
    expect(got?.headers.accept).toBe('application/json');
    expect(got?.headers.authorization).toBeUndefined();
  });

  it('sends basic auth (UTF-8) with a JSON body', async () => {
    const server = await httpServer((_req, res) => res.end('{}'));
    await client().send(target, {
      method: 'POST',
      url: `${server.origin}/login`,
      basicAuth: { username: 'zo\u00eb', password: 'p\u00e4ss:w\u00f6rd' },
      json: { name: 'ci token', scopes: ['read'] },
    });
    const got = server.received[0];
    const auth = got?.headers.authorization ?? '';
    expect(auth.startsWith('Basic ')).toBe(true);
    expect(Buffer.from(auth.slice('Basic '.length), 'base64').toString('utf8')).toBe('zo\u00eb:p\u00e4ss:w\u00f6rd');
    expect(got?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got?.body ?? '')).toEqual({ name: 'ci token', scopes: ['read'] });
  });

  it('sends basic auth in latin-1 when asked and every character fits (as requests does), else UTF-8', async () => {
    const server = await httpServer((_req, res) => res.end('{}'));
    const sent = async (username: string, password: string): Promise<Buffer> => {
      await client().send(target, { method: 'POST', url: `${server.origin}/login`, basicAuth: { username, password, latin1WhenPossible: true } });
      const auth = server.received.at(-1)?.headers.authorization ?? '';
      return Buffer.from(auth.slice('Basic '.length), 'base64');
    };
    // ö and ä as one byte each (0xF6, 0xE4): what hatcher sends for the same password.
    expect((await sent('j\u00f6rg', 'p\u00e4ss')).equals(Buffer.from([0x6a, 0xf6, 0x72, 0x67, 0x3a, 0x70, 0xe4, 0x73, 0x73]))).toBe(true);
    // One character beyond latin-1 and the whole pair goes as UTF-8.
    expect((await sent('j\u00f6rg', 'p\u00e4ss\u20ac')).toString('utf8')).toBe('j\u00f6rg:p\u00e4ss\u20ac');
  });

  it('sends a bearer token with a form body', async () => {
    const server = await httpServer((_req, res) => res.end('{}'));
    await client().send(target, {
      method: 'PUT',
      url: `${server.origin}/token`,
      bearer: 'tok-123',
      form: { grant_type: 'password', username: 'a&b', password: 'x=y z' },
      headers: { 'X-Extra': 'yes', accept: 'application/vnd.npm.install-v1+json' },
    });
    const got = server.received[0];
    expect(got?.method).toBe('PUT');
    expect(got?.headers.authorization).toBe('Bearer tok-123');
    expect(got?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(got?.headers['x-extra']).toBe('yes');
    expect(got?.headers.accept).toBe('application/vnd.npm.install-v1+json');
    expect(Object.fromEntries(new URLSearchParams(got?.body ?? ''))).toEqual({ grant_type: 'password', username: 'a&b', password: 'x=y z' });
  });

  it('returns a 302 instead of following it', async () => {
    const server = await httpServer((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { Location: '/elsewhere' });
        res.end();
      } else {
        res.end('followed');
      }
    });
    const res = await client().send(target, { method: 'GET', url: `${server.origin}/start` });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/elsewhere');
    expect(server.received.map((r) => r.url)).toEqual(['/start']);
  });

  it('resolves host names with the injected lookup only', async () => {
    const server = await httpServer((_req, res) => res.end('ok'));
    const asked: string[] = [];
    const lookup: LookupFunction = (hostname, opts, cb) => {
      asked.push(hostname);
      if (opts.all === true) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      else cb(null, '127.0.0.1', 4);
    };
    const res = await client({ lookup }).send(target, { method: 'GET', url: `http://keyport.test:${server.port}/` });
    expect(res.text).toBe('ok');
    expect(asked).toEqual(['keyport.test']);
    expect(server.received[0]?.headers.host).toBe(`keyport.test:${server.port}`);
  });

  it('rejects a URL that is not http(s) without echoing it', async () => {
    const error = await rejection(client().send(target, { method: 'GET', url: `ftp://h/?t=${SECRET}` }));
    expect(error.code).toBe('VALIDATION');
    expectNoSecret(error);
    const bad = await rejection(client().send(target, { method: 'GET', url: `not a url ${SECRET}` }));
    expect(bad.code).toBe('VALIDATION');
    expectNoSecret(bad);
  });
});

describe('createHttpClient: transport failures', () => {
  it('maps a refused connection to SERVER_UNREACHABLE', async () => {
    const server = await tcpServer();
    const { port } = server;
    await server.close();
    const error = await rejection(client().send(target, { ...secretRequest, url: `http://127.0.0.1:${port}/` }));
    expect(error.code).toBe('SERVER_UNREACHABLE');
    expect(error.message).toBe('Could not connect to Test Server.');
    expect(error.hint).toMatch(/URL/);
    expectNoSecret(error);
  });

  it('maps a failed name lookup to DNS_FAILURE', async () => {
    const lookup: LookupFunction = (hostname, _opts, cb) => {
      const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      err.code = 'ENOTFOUND';
      cb(err, '');
    };
    const error = await rejection(client({ lookup }).send(target, { ...secretRequest, url: 'http://no-such-host.invalid/' }));
    expect(error.code).toBe('DNS_FAILURE');
    expect(error.message).toBe('The host name of Test Server could not be found.');
    expectNoSecret(error);
  });

  it('times out after timeoutMs when the server never answers', async () => {
    const server = await tcpServer();
    const started = Date.now();
    const error = await rejection(client({ timeoutMs: () => 300 }).send(target, { ...secretRequest, url: `${server.origin}/` }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe('Test Server did not answer within 0.3 seconds.');
    expect(error.hint).toMatch(/Settings/);
    expectNoSecret(error);
  });

  it('times out while the body is still arriving', async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"partial":');
    });
    const started = Date.now();
    const error = await rejection(client({ timeoutMs: () => 300 }).send(target, { method: 'GET', url: `${server.origin}/` }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe('TIMEOUT');
  });

  it('reads the timeout on every request', async () => {
    const server = await tcpServer();
    let timeout = 200;
    const c = client({ timeoutMs: () => timeout });
    expect((await rejection(c.send(target, { method: 'GET', url: server.origin }))).message).toContain('0.2 seconds');
    timeout = 400;
    expect((await rejection(c.send(target, { method: 'GET', url: server.origin }))).message).toContain('0.4 seconds');
  });

  it('maps the caller aborting to CANCELLED', async () => {
    const server = await tcpServer();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await rejection(client().send(target, { ...secretRequest, url: `${server.origin}/`, signal: controller.signal }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe('CANCELLED');
    expectNoSecret(error);

    const already = await rejection(client().send(target, { method: 'GET', url: server.origin, signal: AbortSignal.abort() }));
    expect(already.code).toBe('CANCELLED');
  });

  it('maps the server closing the socket to CONNECTION_RESET', async () => {
    const server = await tcpServer((s) => s.once('data', () => s.destroy()));
    const error = await rejection(client().send(target, { ...secretRequest, url: `${server.origin}/` }));
    expect(error.code).toBe('CONNECTION_RESET');
    expect(error.message).toContain('Test Server');
    expectNoSecret(error);
  });

  it('maps a TCP reset to CONNECTION_RESET', async () => {
    const server = await tcpServer((s) => s.once('data', () => s.resetAndDestroy()));
    const error = await rejection(client().send(target, { method: 'GET', url: `${server.origin}/` }));
    expect(error.code).toBe('CONNECTION_RESET');
  });

  it('fails with BAD_RESPONSE on a body over 10 MB, declared or streamed', async () => {
    const big = Buffer.alloc(11 * 1024 * 1024, 0x61);
    const declared = await httpServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(big.length) });
      res.end(big);
    });
    const chunked = await httpServer((_req, res) => {
      res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
      for (let i = 0; i < 11; i++) res.write(big.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
      res.end();
    });
    for (const server of [declared, chunked]) {
      const error = await rejection(client().send(target, { method: 'GET', url: `${server.origin}/` }));
      expect(error.code).toBe('BAD_RESPONSE');
      expect(error.message).toBe('Test Server sent an answer larger than 10 MB.');
    }
  });

  it('honours a smaller maxBodyBytes and accepts a body at the limit', async () => {
    const server = await httpServer((req, res) => res.end('x'.repeat(req.url === '/ok' ? 1024 : 1025)));
    const c = client({ maxBodyBytes: 1024 });
    expect((await c.send(target, { method: 'GET', url: `${server.origin}/ok` })).text).toHaveLength(1024);
    expect((await rejection(c.send(target, { method: 'GET', url: `${server.origin}/big` }))).code).toBe('BAD_RESPONSE');
  });
});

/** Distinct common names matter: OpenSSL finds an issuer by subject name. */
async function selfSignedFor127(commonName: string): Promise<{ cert: string; private: string }> {
  return generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
}

describe('createHttpClient: TLS', () => {
  let pem: { cert: string; key: string };
  let tlsServer: https.Server;
  let origin = '';
  let closeTls: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const generated = await selfSignedFor127('Keyport Test Server');
    pem = { cert: generated.cert, key: generated.private };
    tlsServer = https.createServer({ cert: pem.cert, key: pem.key }, (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"secure":true}');
    });
    const sockets = new Set<net.Socket>();
    tlsServer.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
    closeTls = () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        tlsServer.close(() => resolve());
      });
  });

  afterAll(async () => {
    await closeTls();
  });

  it('refuses a self-signed certificate with TLS_FAILURE and the CA hint', async () => {
    const error = await rejection(client().send(target, { ...secretRequest, url: `${origin}/` }));
    expect(error.code).toBe('TLS_FAILURE');
    expect(error.hint).toBe(TLS_HINT);
    expect(error.hint).toContain("Add the server's CA certificate in the server's settings, or allow an insecure connection if you trust this network.");
    expect(error.message).toContain('Test Server');
    expectNoSecret(error);
  });

  it('trusts the server once its CA PEM is configured', async () => {
    const withCa: HttpTarget = { serverName: 'Test Server', tls: { allowInsecureTls: false, caCertificatePem: pem.cert } };
    const res = await client().send(withCa, { method: 'GET', url: `${origin}/` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ secure: true });
  });

  // Stands in for a public CA: another server's certificate is made a default root for this
  // test, and a client configured with our CA must still trust it.
  it.skipIf(typeof tls.setDefaultCACertificates !== 'function')('adds a configured CA to the default roots instead of replacing them', async () => {
    const other = await selfSignedFor127('Stand-in Public Root');
    const otherServer = https.createServer({ cert: other.cert, key: other.private }, (_req, res) => res.end('{}'));
    const running = await listen(otherServer);
    const originalRoots = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...originalRoots, other.cert]);
    try {
      const withCa: HttpTarget = { serverName: 'Test Server', tls: { allowInsecureTls: false, caCertificatePem: pem.cert } };
      const c = client();
      expect((await c.send(withCa, { method: 'GET', url: `https://127.0.0.1:${running.port}/` })).status).toBe(200);
      expect((await c.send(withCa, { method: 'GET', url: `${origin}/` })).status).toBe(200);
    } finally {
      tls.setDefaultCACertificates(originalRoots);
    }
  });

  it('connects when insecure TLS is allowed', async () => {
    const insecure: HttpTarget = { serverName: 'Test Server', tls: { allowInsecureTls: true, caCertificatePem: null } };
    const res = await client().send(insecure, { method: 'GET', url: `${origin}/` });
    expect(res.status).toBe(200);
  });

  it('keeps TLS settings apart per server on one client', async () => {
    const c = client();
    const insecure: HttpTarget = { serverName: 'Lab', tls: { allowInsecureTls: true, caCertificatePem: null } };
    expect((await c.send(insecure, { method: 'GET', url: `${origin}/` })).status).toBe(200);
    expect((await rejection(c.send(target, { method: 'GET', url: `${origin}/` }))).code).toBe('TLS_FAILURE');
  });

  it('maps speaking HTTPS to a plain HTTP server to TLS_FAILURE', async () => {
    const server = await httpServer((_req, res) => res.end('{}'));
    const error = await rejection(client().send(target, { method: 'GET', url: `https://127.0.0.1:${server.port}/` }));
    expect(error.code).toBe('TLS_FAILURE');
    expect(error.hint).toContain(TLS_HINT);
  });
});

describe('parseJson', () => {
  const schema = z.object({ token: z.string(), expires: z.number() });
  const response = (text: string, headers: Record<string, string> = {}): HttpResponse => ({ status: 200, headers, text });

  it('returns the parsed value', () => {
    expect(parseJson(response('{"token":"abc","expires":3}'), schema, 'EDS')).toEqual({ token: 'abc', expires: 3 });
  });

  it('recognises an HTML page', () => {
    const error = (() => {
      try {
        parseJson(response(`<!DOCTYPE html><html><body>${SECRET}</body></html>`), schema, 'EDS', 'an Enthought Deployment Server');
      } catch (e) {
        return e as KeyportError;
      }
      throw new Error('expected a failure');
    })();
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.message).toBe('EDS did not answer with JSON (it sent an HTML page).');
    expect(error.hint).toContain('Check that the URL points to an Enthought Deployment Server');
    expectNoSecret(error);
  });

  it('reports truncated JSON without quoting it', () => {
    try {
      parseJson(response(`{"token":"${SECRET}","exp`), schema, 'EDS');
      expect.unreachable();
    } catch (e) {
      const error = e as KeyportError;
      expect(error.code).toBe('BAD_RESPONSE');
      expect(error.message).toBe('EDS sent an answer that is not valid JSON.');
      expectNoSecret(error);
    }
  });

  it('reports a schema mismatch without values', () => {
    try {
      parseJson(response(`{"token":"${SECRET}","expires":"${SECRET}"}`), schema, 'EDS', 'an Enthought Deployment Server');
      expect.unreachable();
    } catch (e) {
      const error = e as KeyportError;
      expect(error.code).toBe('BAD_RESPONSE');
      expect(error.message).toBe('EDS answered in an unexpected format.');
      expect(error.hint).toBe('Check that the URL points to an Enthought Deployment Server.');
      expect(causeMessages(error)).toContain('expires');
      expectNoSecret(error);
    }
  });
});

describe('errorForStatus', () => {
  const res = (status: number, headers: Record<string, string> = {}): HttpResponse => ({ status, headers, text: SECRET });

  it('maps the usual statuses', () => {
    const cases: [number, string][] = [
      [401, 'AUTH_FAILED'],
      [403, 'FORBIDDEN'],
      [404, 'NOT_FOUND'],
      [409, 'CONFLICT'],
      [429, 'RATE_LIMITED'],
      [301, 'BAD_RESPONSE'],
      [302, 'BAD_RESPONSE'],
      [500, 'SERVER_ERROR'],
      [503, 'SERVER_ERROR'],
      [400, 'BAD_RESPONSE'],
      [418, 'BAD_RESPONSE'],
    ];
    for (const [status, code] of cases) {
      const error = errorForStatus(res(status), 'EDS');
      expect(error.code, String(status)).toBe(code);
      expectNoSecret(error);
    }
    expect(errorForStatus(res(401), 'EDS').message).toBe('Authentication failed.');
    expect(errorForStatus(res(401), 'EDS').hint).toBe('Check your user name and password, or sign in again.');
    expect(errorForStatus(res(302), 'EDS').message).toBe('EDS redirected the request to another address.');
    expect(errorForStatus(res(302), 'EDS').hint).toBe('Use the final URL of the server.');
    expect(errorForStatus(res(503), 'EDS').message).toBe('EDS had an internal error (HTTP 503).');
    expect(errorForStatus(res(503), 'EDS').hint).toBe('Try again later.');
    expect(errorForStatus(res(418), 'EDS').message).toContain('418');
  });

  it('mentions a numeric Retry-After', () => {
    expect(errorForStatus(res(429, { 'retry-after': '30' }), 'EDS').message).toContain('30 seconds');
    expect(errorForStatus(res(429, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }), 'EDS').message).not.toMatch(/\d+ seconds?/);
    expect(errorForStatus(res(429), 'EDS').code).toBe('RATE_LIMITED');
  });

  it('lets overrides win', () => {
    const revoked = new KeyportError('NOT_FOUND', 'This token was already revoked.');
    expect(errorForStatus(res(404), 'EDS', { 404: revoked })).toBe(revoked);
    expect(errorForStatus(res(401), 'EDS', { 404: revoked }).code).toBe('AUTH_FAILED');
  });
});
