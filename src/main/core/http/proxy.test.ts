import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryClipboard, loopbackOnlyLookup, mapStore } from '../../../../test/support/testCore';
import { startEdsServer, type EdsServer } from '../../../../test/servers/eds/edsServer';
import { createCore } from '../createCore';
import { KeyportError } from '../errors';
import { createAesCipher } from '../vault/aesCipher';
import type { LookupFunction } from '../ports';
import { createHttpClient, readProxySettings } from './httpClient';
import type { HttpClient, HttpTarget } from './types';

/** HTTPS_PROXY / HTTP_PROXY / NO_PROXY: a tiny forward proxy on 127.0.0.1 (plain-HTTP
 * forwarding and CONNECT tunnels) must see the traffic. Every client here gets an explicit
 * `env`, so proxy variables set on the machine change nothing. */

const USER_PATH = '/api/v0/json/auth/user';
const PROXY_PASSWORD = 'proxy-pa55-Zq8v';

interface Seen {
  kind: 'forward' | 'connect';
  /** Absolute URL (forward) or host:port (CONNECT). */
  target: string;
  proxyAuthorization: string | undefined;
}

interface TestProxy {
  url: string;
  port: number;
  seen: Seen[];
  /** Answer CONNECT with this status instead of opening the tunnel. */
  refuseConnectWith: number | null;
  close(): Promise<void>;
}

async function startProxy(): Promise<TestProxy> {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push({ kind: 'forward', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'] });
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const proxy: TestProxy = {
    url: '',
    port: 0,
    seen,
    refuseConnectWith: null,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push({ kind: 'connect', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'] });
    client.on('error', () => undefined);
    if (proxy.refuseConnectWith !== null) {
      client.end(`HTTP/1.1 ${proxy.refuseConnectWith} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const [host = '', port = ''] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  return proxy;
}

let plain: EdsServer;
let secure: EdsServer;
let proxy: TestProxy;
const clients: HttpClient[] = [];

beforeAll(async () => {
  [plain, secure, proxy] = await Promise.all([startEdsServer(), startEdsServer({ https: true }), startProxy()]);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  proxy.seen.length = 0;
  proxy.refuseConnectWith = null;
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close(), proxy?.close()]);
});

function client(env: Record<string, string> | undefined, lookup?: LookupFunction): HttpClient {
  const c = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/1.0', env, lookup });
  clients.push(c);
  return c;
}

const target = (tls: Partial<HttpTarget['tls']> = {}): HttpTarget => ({
  serverName: 'Proxied Server',
  tls: { allowInsecureTls: false, caCertificatePem: null, ...tls },
});
const trusted = () => target({ caCertificatePem: secure.caPem ?? null });
const hostPort = (url: string) => new URL(url).host;
const reached = (server: EdsServer) => server.requestLog.filter((e) => e.path === USER_PATH).length;

async function failure(promise: Promise<unknown>): Promise<KeyportError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyportError);
  return error as KeyportError;
}

describe('readProxySettings', () => {
  it('reads each scheme from its own variable, lower case first, and NO_PROXY', () => {
    const settings = readProxySettings({ https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128', HTTP_PROXY: 'proxy.corp:8080', NO_PROXY: 'localhost,.internal' });
    expect(settings.https).toEqual({ uri: 'http://lower:3128/', variable: 'https_proxy', problem: null });
    expect(settings.http).toEqual({ uri: 'http://proxy.corp:8080/', variable: 'HTTP_PROXY', problem: null });
    expect(settings.noProxy).toBe('localhost,.internal');
  });

  it('uses no proxy when none is set (and HTTP_PROXY does not apply to https, as in curl and requests)', () => {
    expect(readProxySettings({})).toEqual({
      http: { uri: null, variable: null, problem: null },
      https: { uri: null, variable: null, problem: null },
      noProxy: '',
    });
    expect(readProxySettings({ HTTP_PROXY: 'http://p:1', HTTPS_PROXY: '  ' }).https.uri).toBeNull();
  });

  it('reports an unusable proxy value without repeating it', () => {
    for (const value of ['ftp://proxy:21', 'socks5://proxy:1080', 'http://', 'http://[::1', `http://user:${PROXY_PASSWORD}@exa mple:1`]) {
      const { https } = readProxySettings({ HTTPS_PROXY: value });
      expect(https.uri).toBeNull();
      expect(https.problem?.code).toBe('SERVER_UNREACHABLE');
      expect(https.problem?.message).toContain('HTTPS_PROXY');
      expect(JSON.stringify(https.problem?.toShape())).not.toContain(PROXY_PASSWORD);
    }
  });
});

describe('requests through a proxy', () => {
  it('forwards http requests through HTTP_PROXY', async () => {
    const before = reached(plain);
    const res = await client({ HTTP_PROXY: proxy.url }).send(target(), { method: 'GET', url: `${plain.url}${USER_PATH}` });
    expect(res.status).toBe(401);
    expect(proxy.seen).toEqual([{ kind: 'forward', target: `${plain.url}${USER_PATH}`, proxyAuthorization: undefined }]);
    expect(reached(plain)).toBe(before + 1);
  });

  it('tunnels https requests through HTTPS_PROXY with CONNECT, checking the server with its own TLS settings', async () => {
    const res = await client({ HTTPS_PROXY: proxy.url }).send(trusted(), { method: 'GET', url: `${secure.url}${USER_PATH}` });
    expect(res.status).toBe(401);
    expect(proxy.seen).toEqual([{ kind: 'connect', target: hostPort(secure.url), proxyAuthorization: undefined }]);

    // Inside the tunnel the server's certificate is still checked: untrusted without its CA...
    const error = await failure(client({ HTTPS_PROXY: proxy.url }).send(target(), { method: 'GET', url: `${secure.url}${USER_PATH}` }));
    expect(error.code).toBe('TLS_FAILURE');
    // ...and accepted when the person allowed insecure TLS for this server.
    const insecure = await client({ HTTPS_PROXY: proxy.url }).send(target({ allowInsecureTls: true }), { method: 'GET', url: `${secure.url}${USER_PATH}` });
    expect(insecure.status).toBe(401);
    expect(proxy.seen.map((s) => s.kind)).toEqual(['connect', 'connect', 'connect']);
  });

  it('reads process.env when no env is given', async () => {
    vi.stubEnv('HTTPS_PROXY', proxy.url);
    vi.stubEnv('https_proxy', '');
    vi.stubEnv('NO_PROXY', '');
    vi.stubEnv('no_proxy', '');
    const c = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/1.0' });
    clients.push(c);
    await c.send(trusted(), { method: 'GET', url: `${secure.url}${USER_PATH}` });
    expect(proxy.seen.map((s) => s.kind)).toEqual(['connect']);
  });

  it('connects directly to hosts in NO_PROXY', async () => {
    const env = { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com, 127.0.0.1' };
    const plainBefore = reached(plain);
    const secureBefore = reached(secure);
    expect((await client(env).send(target(), { method: 'GET', url: `${plain.url}${USER_PATH}` })).status).toBe(401);
    expect((await client(env).send(trusted(), { method: 'GET', url: `${secure.url}${USER_PATH}` })).status).toBe(401);
    expect(proxy.seen).toEqual([]);
    expect(reached(plain)).toBe(plainBefore + 1);
    expect(reached(secure)).toBe(secureBefore + 1);

    // An entry for another port of the same host does not bypass the proxy.
    await client({ HTTP_PROXY: proxy.url, no_proxy: '127.0.0.1:1' }).send(target(), { method: 'GET', url: `${plain.url}${USER_PATH}` });
    expect(proxy.seen.map((s) => s.kind)).toEqual(['forward']);
  });

  it('uses each variable for its own scheme only', async () => {
    await client({ HTTP_PROXY: proxy.url }).send(trusted(), { method: 'GET', url: `${secure.url}${USER_PATH}` });
    await client({ HTTPS_PROXY: proxy.url }).send(target(), { method: 'GET', url: `${plain.url}${USER_PATH}` });
    expect(proxy.seen).toEqual([]);
  });

  it('resolves the proxy host with the injected lookup', async () => {
    const asked: string[] = [];
    const lookup: LookupFunction = (hostname, options, callback) => {
      asked.push(hostname);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const res = await client({ HTTPS_PROXY: `http://proxy.localhost:${proxy.port}` }, lookup).send(trusted(), { method: 'GET', url: `${secure.url}${USER_PATH}` });
    expect(res.status).toBe(401);
    expect(asked).toContain('proxy.localhost');
    expect(proxy.seen.map((s) => s.kind)).toEqual(['connect']);
  });

  it('sends the proxy credentials of the URL to the proxy only, and never shows them', async () => {
    const env = { HTTPS_PROXY: `http://keyport:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}` };
    await client(env).send(trusted(), { method: 'GET', url: `${secure.url}${USER_PATH}` });
    expect(proxy.seen[0]?.proxyAuthorization).toBe(`Basic ${Buffer.from(`keyport:${PROXY_PASSWORD}`).toString('base64')}`);

    proxy.refuseConnectWith = 407;
    const error = await failure(client(env).send(trusted(), { method: 'GET', url: `${secure.url}${USER_PATH}` }));
    expect(error.code).toBe('SERVER_UNREACHABLE');
    expect(error.message).toBe('The proxy did not let Keyport through to Proxied Server.');
    expect(error.hint).toContain('HTTPS_PROXY');
    expect(JSON.stringify(error.toShape())).not.toContain(PROXY_PASSWORD);
  });

  it('says so when the proxy refuses the tunnel or is not running', async () => {
    proxy.refuseConnectWith = 403;
    const refused = await failure(client({ HTTPS_PROXY: proxy.url }).send(trusted(), { method: 'GET', url: `${secure.url}${USER_PATH}` }));
    expect(refused.code).toBe('SERVER_UNREACHABLE');
    expect(refused.message).toContain('The proxy did not let Keyport through');

    const closed = await startProxy();
    await closed.close();
    const down = await failure(client({ HTTP_PROXY: closed.url }).send(target(), { method: 'GET', url: `${plain.url}${USER_PATH}` }));
    expect(down.code).toBe('SERVER_UNREACHABLE');
    expect(down.hint).toContain('HTTP_PROXY');
  });

  it('is what the app core uses: createCore passes its env to the HTTP client', async () => {
    const core = createCore({
      store: mapStore(),
      cipher: createAesCipher(randomBytes(32)),
      clipboard: new MemoryClipboard(),
      filePicker: { pickCertificate: async () => null },
      logger: { warn: () => undefined, error: () => undefined },
      appVersion: '0.0.0-test',
      lookup: loopbackOnlyLookup,
      env: { HTTP_PROXY: proxy.url },
    });
    try {
      const added = await core.handle('servers.add', { name: 'Behind a proxy', kind: 'eds', url: plain.url });
      const serverId = added.ok ? (added.value as { id: string }).id : '';
      const signedIn = await core.handle('auth.signInWithPassword', { serverId, username: 'alice', password: 'wonderland-secret' });
      expect(signedIn.ok).toBe(true);
      // The sign-in exchange and the "who am I" both went through the proxy.
      expect(proxy.seen.map((s) => s.kind)).toEqual(['forward', 'forward']);
      expect(proxy.seen.map((s) => new URL(s.target).pathname)).toEqual([expect.stringMatching(/\/auth\/tokens\/auth$/), expect.stringMatching(/\/auth\/user$/)]);
      expect(proxy.seen.every((s) => s.target.startsWith(plain.url))).toBe(true);
    } finally {
      await core.dispose();
    }
  });

  it('fails every request, without sending it, when the proxy variable is not a URL', async () => {
    const before = reached(secure);
    const error = await failure(client({ HTTPS_PROXY: 'ftp://proxy.example:21' }).send(trusted(), { method: 'GET', url: `${secure.url}${USER_PATH}` }));
    expect(error.code).toBe('SERVER_UNREACHABLE');
    expect(error.message).toBe('The proxy set in HTTPS_PROXY is not an http:// or https:// URL.');
    expect(reached(secure)).toBe(before);
    expect(proxy.seen).toEqual([]);
  });
});
