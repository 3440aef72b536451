// Issue 6: a catalogue of bad inputs, each with the error it must give. One `it` per row, all
// through the real core (createTestCore: the app's composition root with test adapters) against
// reference servers started here on 127.0.0.1, plus a small misbehaving HTTP server for what the
// reference servers' fault kinds cannot do (huge bodies, 429 with Retry-After, redirect loops,
// slow drip, a body cut short).
//
// Every row checks: the error code (a typed error, never INTERNAL), the exact message or a precise
// pattern, the field where one applies, that the person is told what to do (a hint, or for form
// input a message shown beside the field it names), that no secret used by the row appears in the
// message, hint or log, that the core keeps working, and that nothing changed: servers.list,
// secrets.list, the persisted store, every file under the row's temporary folder (bytes, modes,
// link targets) and, where the row could have created something remotely, the server's own list.
// Rows whose input Keyport accepts say so (code 'OK') and check what was stored instead.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestCore, mapStore, type TestCore } from '../../../test/support/testCore';
import { startAnacondaServer, type AnacondaServer } from '../../../test/servers/anaconda/anacondaServer';
import { startEdsServer, type EdsServer } from '../../../test/servers/eds/edsServer';
import { startVerdaccio, type VerdaccioServer } from '../../../test/servers/npm/verdaccioServer';
import { startTapisServer, type TapisServer } from '../../../test/servers/tapis/tapisServer';
import type { ErrorCode, KeyportErrorShape } from '../../shared/errors';
import type { ServerView } from '../../shared/model';
import { MAX_URL_LENGTH } from '../../shared/schemas';

const ALICE = 'alice';
const ALICE_PASSWORD = 'wonderland-secret';
const TLS_HINT = "Add the server's CA certificate in the server's settings, or allow an insecure connection if you trust this network.";
const EDS_URL_HINT = 'Check that the URL points to an Enthought Deployment Server.';
const TEN_KB = 'x'.repeat(10 * 1024);
const MIB = 1024 * 1024;

// --- A server that misbehaves in ways the reference servers' faults do not cover ------------

interface Misbehaving {
  /** http://127.0.0.1:PORT; the first path segment picks the behaviour (EDS accepts a path). */
  url: string;
  /** Requests seen per behaviour. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** Writes `total` bytes of `chunk`s with backpressure; stops when the client goes away. */
function pump(res: ServerResponse, total: number, first: string, chunk: Buffer): void {
  let sent = 0;
  res.write(first);
  const next = (): void => {
    while (sent < total) {
      if (res.destroyed) return;
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', next);
        return;
      }
    }
    res.end('"}');
  };
  next();
}

async function startMisbehaving(): Promise<Misbehaving> {
  const hits = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const mode = path.split('/')[1] ?? '';
    hits.set(mode, (hits.get(mode) ?? 0) + 1);
    req.resume();
    res.on('error', () => undefined);
    const json = { 'Content-Type': 'application/json' };
    switch (mode) {
      case 'huge-declared': // says 11 MiB up front
        res.writeHead(200, { ...json, 'Content-Length': String(11 * MIB + 13) });
        pump(res, 11 * MIB, '{"token": "', Buffer.alloc(64 * 1024, 'a'));
        return;
      case 'huge-chunked': // no length: the size shows only while reading
        res.writeHead(200, json);
        pump(res, 11 * MIB, '{"token": "', Buffer.alloc(64 * 1024, 'a'));
        return;
      case 'retry-after-seconds':
        res.writeHead(429, { ...json, 'Retry-After': '30' });
        res.end('{"error": "Too Many Requests"}');
        return;
      case 'retry-after-date':
        res.writeHead(429, { ...json, 'Retry-After': 'Wed, 21 Oct 2099 07:28:00 GMT' });
        res.end('{"error": "Too Many Requests"}');
        return;
      case 'redirect-loop': // to itself, forever
        res.writeHead(302, { Location: path });
        res.end();
        return;
      case 'redirect-away': // to another host, which must never see the password
        res.writeHead(301, { Location: `https://collector.invalid${path}` });
        res.end();
        return;
      case 'drip': {
        // Headers at once, then one byte every 100 ms, never finishing.
        res.writeHead(200, json);
        res.write('{');
        const timer = setInterval(() => res.write(' '), 100);
        timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'portal': // a sign-in portal's web page where an API was expected
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><html><head><title>Sign in</title></head><body><form></form></body></html>');
        return;
      case 'cut-short': // promises 100 bytes, sends 14, hangs up
        res.writeHead(200, { ...json, 'Content-Length': '100' });
        res.write('{"token": "abc');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      default:
        res.writeHead(404, json);
        res.end('{"error": "Not Found"}');
    }
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// --- The world each row runs in ---------------------------------------------------------------

let eds: EdsServer;
let secureEds: EdsServer;
let tapis: TapisServer;
let anaconda: AnacondaServer;
let flaky: Misbehaving;
let verdaccio: VerdaccioServer;
let deadPort: number;

interface Ctx {
  t: TestCore;
  store: ReturnType<typeof mapStore>;
  /** The row's temporary folder: `home` (the core's home) and `elsewhere` inside it. */
  root: string;
  home: string;
  elsewhere: string;
  /** The reference EDS server, added as "Reference EDS" before every row, signed out. */
  edsId: string;
  call<T = unknown>(procedure: string, input?: unknown): Promise<T>;
  addServer(name: string, url: string, kind?: string, options?: Record<string, string>): Promise<string>;
  signInEds(): Promise<void>;
  signInTapis(): Promise<string>;
  /** Writes a file (parents created) and sets its mode exactly. */
  write(path: string, text: string, mode?: number): string;
}

interface Call {
  procedure: string;
  input?: unknown;
}

type Text = string | RegExp | ((c: Ctx) => string | RegExp);

interface Row {
  id: string;
  /** The bad input, as a person would describe it. */
  input: string;
  /** How the test produces it. */
  produce: string;
  /** The error code, or 'OK' for input Keyport accepts (the row then checks what was stored). */
  code: ErrorCode | 'OK';
  message?: Text;
  field?: string;
  /** How the person learns what to do: a hint (default; matching `hint` when given), or a
   * message that is itself the instruction ("Enter a name."), shown beside `field` for form input.
   */
  action?: 'hint' | 'message';
  hint?: Text;
  /** Secrets the row uses; none may appear in the message, hint or log. */
  secrets?: string[];
  /** Lowers the request timeout to 1 second first (Settings). */
  slow?: boolean;
  /** Prepares what the row needs (before the "nothing changed" snapshot) and returns the call. */
  act(c: Ctx): Promise<Call> | Call;
  /** State on a reference server the call could have changed (its list of tokens or clients):
   * read after `act` and after the call, and must be equal. */
  remote?(): unknown;
  /** Extra checks after the call (what the server saw). */
  check?(c: Ctx, error: KeyportErrorShape): Promise<void> | void;
  /** For 'OK' rows: what must have been stored. */
  accepted?(c: Ctx, value: unknown, before: Snapshot, after: Snapshot): Promise<void> | void;
}

interface Snapshot {
  servers: ServerView[];
  secrets: unknown;
  store: string;
  files: Record<string, string>;
}

/** Every entry under `dir`, without following links: type, mode, and content or link target. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = lstatSync(path);
    const mode = (info.mode & 0o7777).toString(8);
    if (info.isSymbolicLink()) out[path] = `link ${mode} -> ${readlinkSync(path)}`;
    else if (info.isDirectory()) out[path] = `dir ${mode}`;
    else out[path] = `file ${mode} ${readFileSync(path).toString('base64')}`;
  }
  return out;
}

async function snapshot(c: Ctx): Promise<Snapshot> {
  return {
    servers: await c.call<ServerView[]>('servers.list'),
    secrets: await c.call('secrets.list'),
    store: JSON.stringify([...c.store.data.entries()]),
    files: tree(c.root),
  };
}

const resolveText = (text: Text, c: Ctx): string | RegExp => (typeof text === 'function' ? text(c) : text);

function expectText(actual: string | undefined, expected: string | RegExp): void {
  if (typeof expected === 'string') expect(actual).toBe(expected);
  else expect(actual).toMatch(expected);
}

// --- Helpers for the rows ---------------------------------------------------------------------

const addEds = (url: string, name = 'Test server', extra: Record<string, unknown> = {}): Call => ({ procedure: 'servers.add', input: { name, kind: 'eds', url, ...extra } });
const signIn = (serverId: string, password = ALICE_PASSWORD): Call => ({ procedure: 'auth.signInWithPassword', input: { serverId, username: ALICE, password } });
const importFile = (kind: 'tapis' | 'anaconda', path?: string): Call => ({ procedure: 'sessionFiles.import', input: path === undefined ? { kind } : { kind, path } });

/** Sign-in to a server added for the row at the misbehaving server, under `mode`. */
async function flakySignIn(c: Ctx, mode: string): Promise<Call> {
  return signIn(await c.addServer('Flaky EDS', `${flaky.url}/${mode}`));
}

/** Alice's EDS tokens and Tapis OAuth clients, as the servers hold them. */
const edsTokens = () => eds.tokenNames(ALICE);
const tapisClients = () => tapis.clientNames(ALICE);

/** A `current` as agavepy's save_configs writes it, with fake but distinctive secrets. */
const FILE_SECRETS = { apisecret: 'file-client-secret-7f3a', refresh_token: 'file-refresh-token-91c2', access_token: 'file-access-token-55de' };
function agaveCurrent(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    access_token: FILE_SECRETS.access_token,
    apikey: 'file-client-key',
    apisecret: FILE_SECRETS.apisecret,
    baseurl: 'https://api.tapis.example',
    created_at: '1735732800',
    devurl: '',
    expires_at: 'Wed Jan 1 16:00:00 UTC 2025',
    expires_in: 14400,
    refresh_token: FILE_SECRETS.refresh_token,
    tenantid: 'tacc.prod',
    username: 'alice',
    ...overrides,
  });
}
const ALL_FILE_SECRETS = Object.values(FILE_SECRETS);

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** An Anaconda API key shaped like the real ones (a JWT with an expiry), never valid anywhere. */
const FAKE_ANACONDA_KEY = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"exp":4102444800}').toString('base64url')}.keyring-signature-secret-3b9`;
function keyring(entries: Record<string, string>): string {
  return JSON.stringify({ 'Anaconda Cloud': entries });
}
const keyringEntry = (domain: string, apiKey: string) => b64(JSON.stringify({ domain, api_key: apiKey, username: 'alice', repo_tokens: [], version: 2 }));

const agavePath = (c: Ctx) => join(c.home, '.agave', 'current');
const keyringFile = (c: Ctx) => join(c.home, '.anaconda', 'keyring');
const notTapis = (why: string) => `This is not a Tapis session file that Keyport can use: ${why}.`;
const TAPIS_FILE_HINT = 'Choose the “current” file that agavepy or the Tapis CLI wrote (usually ~/.agave/current). Nothing was changed.';
const notKeyring = (why: string) => `This is not an Anaconda keyring file that Keyport can use: ${why}.`;
const KEYRING_HINT = 'Choose the keyring file anaconda-auth wrote (usually ~/.anaconda/keyring). Nothing was changed.';

// --- The catalogue ------------------------------------------------------------------------------

const URL_ROWS: Row[] = [
  { id: 'URL-01', input: 'empty server URL', produce: 'servers.add url ""', code: 'VALIDATION', message: 'Enter the server URL.', field: 'url', action: 'message', act: () => addEds('') },
  { id: 'URL-02', input: 'server URL of spaces only', produce: 'servers.add url "   " (trimmed to empty)', code: 'VALIDATION', message: 'Enter the server URL.', field: 'url', action: 'message', act: () => addEds('   ') },
  { id: 'URL-03', input: 'space inside the URL', produce: 'servers.add url "https://packages example.com"', code: 'VALIDATION', message: 'A URL cannot contain spaces.', field: 'url', action: 'message', act: () => addEds('https://packages example.com') },
  { id: 'URL-04', input: 'javascript: scheme', produce: 'servers.add url "javascript:alert(document.cookie)"', code: 'VALIDATION', message: 'Only http and https URLs are allowed, not javascript.', field: 'url', action: 'message', act: () => addEds('javascript:alert(document.cookie)') },
  { id: 'URL-05', input: 'file: scheme', produce: 'servers.add url "file:///etc/passwd"', code: 'VALIDATION', message: 'Only http and https URLs are allowed, not file.', field: 'url', action: 'message', act: () => addEds('file:///etc/passwd') },
  { id: 'URL-06', input: 'ftp: scheme', produce: 'servers.add url "ftp://packages.example.com"', code: 'VALIDATION', message: 'Only http and https URLs are allowed, not ftp.', field: 'url', action: 'message', act: () => addEds('ftp://packages.example.com') },
  {
    id: 'URL-07', input: 'user name and password in the URL', produce: 'servers.add url "https://alice:url-password-4e1d@packages.example.com"', code: 'VALIDATION',
    message: 'Do not put a user name or password in the URL: sign in after adding the server.', field: 'url', action: 'message', secrets: ['url-password-4e1d'],
    act: () => addEds('https://alice:url-password-4e1d@packages.example.com'),
  },
  { id: 'URL-08', input: 'user name only in the URL', produce: 'servers.add url "https://alice@packages.example.com"', code: 'VALIDATION', message: 'Do not put a user name or password in the URL: sign in after adding the server.', field: 'url', action: 'message', act: () => addEds('https://alice@packages.example.com') },
  {
    id: 'URL-09', input: 'token in the query string', produce: 'servers.add url "https://packages.example.com/?token=query-token-8c0b"', code: 'VALIDATION',
    message: 'Remove the query (?…) or fragment (#…) from the URL.', field: 'url', action: 'message', secrets: ['query-token-8c0b'],
    act: () => addEds('https://packages.example.com/?token=query-token-8c0b'),
  },
  { id: 'URL-10', input: 'fragment', produce: 'servers.add url "https://packages.example.com/#repo"', code: 'VALIDATION', message: 'Remove the query (?…) or fragment (#…) from the URL.', field: 'url', action: 'message', act: () => addEds('https://packages.example.com/#repo') },
  {
    id: 'URL-11', input: 'URL longer than 2 KB', produce: `servers.add url "https://packages.example.com/" + 2,100 × "a" (limit ${MAX_URL_LENGTH})`, code: 'VALIDATION',
    message: `Use at most ${MAX_URL_LENGTH} characters.`, field: 'url', action: 'message', act: () => addEds(`https://packages.example.com/${'a'.repeat(2100)}`),
  },
  { id: 'URL-12', input: 'no scheme', produce: 'servers.add url "packages.example.com"', code: 'VALIDATION', message: 'Enter a full URL, such as https://packages.example.com.', field: 'url', action: 'message', act: () => addEds('packages.example.com') },
  { id: 'URL-13', input: 'scheme without a host', produce: 'servers.add url "https://"', code: 'VALIDATION', message: 'Enter a full URL, such as https://packages.example.com.', field: 'url', action: 'message', act: () => addEds('https://') },
  {
    id: 'URL-14', input: 'IDN host is normalised (accepted)', produce: 'servers.add url "https://bücher.example"', code: 'OK',
    act: () => addEds('https://bücher.example', 'Bücher'),
    accepted: (_c, value, before, after) => {
      expect((value as ServerView).url).toBe('https://xn--bcher-kva.example');
      expect(after.servers.map((s) => s.url)).toEqual([...before.servers.map((s) => s.url), 'https://xn--bcher-kva.example']);
    },
  },
  {
    id: 'URL-15', input: 'IDN homograph of paypal.com is stored and shown as punycode (accepted)', produce: 'servers.add url "https://раураl.com" (Cyrillic р, а, у)', code: 'OK',
    act: () => addEds('https://раураl.com', 'Homograph'),
    accepted: (_c, value) => {
      // What the list shows cannot pass for paypal.com.
      expect((value as ServerView).url).toBe('https://xn--l-7sba6dbr.com');
    },
  },
  { id: 'URL-16', input: 'invalid IDN (bad punycode)', produce: 'servers.add url "https://xn--a.example"', code: 'VALIDATION', message: 'Enter a full URL, such as https://packages.example.com.', field: 'url', action: 'message', act: () => addEds('https://xn--a.example') },
  {
    id: 'URL-17', input: 'Tapis API server with a trailing path', produce: 'servers.add kind tapis url "https://api.tapis.example/v2"', code: 'VALIDATION',
    message: 'A Tapis API server address has no path.', field: 'url', hint: 'Use https://api.tapis.example: agavepy adds /token and /clients/v2 to it.',
    act: () => ({ procedure: 'servers.add', input: { name: 'Tapis', kind: 'tapis', url: 'https://api.tapis.example/v2', options: { tenantId: 'tacc.prod' } } }),
  },
  {
    id: 'URL-18', input: 'Anaconda site with a trailing path', produce: 'servers.add kind anaconda url "https://anaconda.example/login"', code: 'VALIDATION',
    message: 'An Anaconda site address has no path.', field: 'url', hint: 'Use https://anaconda.example.',
    act: () => ({ procedure: 'servers.add', input: { name: 'Anaconda', kind: 'anaconda', url: 'https://anaconda.example/login' } }),
  },
  {
    id: 'URL-19', input: 'Tapis tenant id with spaces and punctuation', produce: 'servers.add kind tapis options.tenantId "tacc prod!"', code: 'VALIDATION',
    message: 'That is not a tenant id, such as tacc.prod.', field: 'tenantId', hint: 'Letters, digits, dots, dashes and underscores.',
    act: () => ({ procedure: 'servers.add', input: { name: 'Tapis', kind: 'tapis', url: 'https://api.tapis.example', options: { tenantId: 'tacc prod!' } } }),
  },
  {
    id: 'URL-20', input: 'Anaconda extra headers that set Authorization', produce: 'servers.add kind anaconda options.extraHeaders {"Authorization": "Bearer header-secret-a41f"}', code: 'VALIDATION',
    message: 'Extra headers must map header names to text (and cannot set Authorization, Host or connection headers).', field: 'extraHeaders', action: 'message', secrets: ['header-secret-a41f'],
    act: () => ({ procedure: 'servers.add', input: { name: 'Anaconda', kind: 'anaconda', url: 'https://anaconda.example', options: { extraHeaders: '{"Authorization": "Bearer header-secret-a41f"}' } } }),
  },
  {
    id: 'URL-21', input: 'Anaconda extra header with a CR LF (header injection)', produce: 'servers.add kind anaconda options.extraHeaders {"X-Org": "acme\\r\\nX-Evil: 1"}', code: 'VALIDATION',
    message: 'Extra headers must map header names to text (and cannot set Authorization, Host or connection headers).', field: 'extraHeaders', action: 'message',
    act: () => ({ procedure: 'servers.add', input: { name: 'Anaconda', kind: 'anaconda', url: 'https://anaconda.example', options: { extraHeaders: '{"X-Org": "acme\\r\\nX-Evil: 1"}' } } }),
  },
  {
    id: 'URL-22', input: 'CA certificate path that does not exist', produce: 'servers.add caCertificatePath "<tmp>/missing-ca.pem"', code: 'FILE_ERROR',
    message: 'The CA certificate file does not exist.', field: 'caCertificatePath', hint: /^Choose the PEM file/,
    act: (c) => addEds('https://packages.example.com', 'With CA', { caCertificatePath: join(c.elsewhere, 'missing-ca.pem') }),
  },
  {
    id: 'URL-23', input: 'CA certificate file that holds no certificate', produce: 'servers.add caCertificatePath pointing at a text file', code: 'FILE_ERROR',
    message: 'The CA certificate file holds no PEM certificate.', field: 'caCertificatePath', hint: /^Choose the PEM file/,
    act: (c) => addEds('https://packages.example.com', 'With CA', { caCertificatePath: c.write(join(c.elsewhere, 'notes.txt'), 'not a certificate\n', 0o600) }),
  },
  {
    id: 'URL-24', input: 'unknown server kind', produce: 'servers.add kind "gitlab"', code: 'UNSUPPORTED',
    message: 'Keyport does not know servers of kind “gitlab”.', field: 'kind', hint: 'Choose one of: eds, tapis, anaconda, oidc, npm, tapis3, jupyterhub.',
    act: () => ({ procedure: 'servers.add', input: { name: 'GitLab', kind: 'gitlab', url: 'https://gitlab.example' } }),
  },
  {
    id: 'URL-25', input: 'editing a server to a javascript: URL', produce: 'servers.update changes.url "javascript:alert(1)"', code: 'VALIDATION',
    message: 'Only http and https URLs are allowed, not javascript.', field: 'changes.url', action: 'message',
    act: (c) => ({ procedure: 'servers.update', input: { id: c.edsId, changes: { name: 'Reference EDS', kind: 'eds', url: 'javascript:alert(1)' } } }),
  },
  {
    id: 'URL-26', input: 'OpenID Connect issuer that is not one (an EDS server)', produce: 'servers.add kind oidc url <reference EDS>', code: 'BAD_RESPONSE',
    message: 'Not an issuer did not answer as an OpenID Connect sign-in server.', field: 'url', hint: 'Check the address: Keyport reads <address>/.well-known/openid-configuration.',
    act: () => ({ procedure: 'servers.add', input: { name: 'Not an issuer', kind: 'oidc', url: eds.url, options: { clientId: 'keyport' } } }),
  },
  {
    id: 'URL-27', input: 'OpenID Connect scopes without openid', produce: 'servers.add kind oidc options.scopes "profile email"', code: 'VALIDATION',
    message: 'The scopes must include openid.', field: 'scopes', hint: 'For example: openid profile email offline_access.',
    act: () => ({ procedure: 'servers.add', input: { name: 'IdP', kind: 'oidc', url: 'https://login.example.com', options: { clientId: 'keyport', scopes: 'profile email' } } }),
  },
  {
    id: 'URL-28', input: 'OpenID Connect client secret pasted as two lines', produce: 'servers.add kind oidc options.clientSecret "two-line\\nsecret-5e1c"', code: 'VALIDATION',
    message: 'A secret is one line without control characters; paste only the secret.', field: 'clientSecret', action: 'message', secrets: ['secret-5e1c'],
    act: () => ({ procedure: 'servers.add', input: { name: 'IdP', kind: 'oidc', url: 'https://login.example.com', options: { clientId: 'keyport', clientSecret: 'two-line\nsecret-5e1c' } } }),
  },
];

const NAME_ROWS: Row[] = [
  { id: 'NAME-01', input: 'empty server name', produce: 'servers.add name ""', code: 'VALIDATION', message: 'Enter a name.', field: 'name', action: 'message', act: () => addEds('https://packages.example.com', '') },
  { id: 'NAME-02', input: 'server name of 10 KB', produce: 'servers.add name 10,240 × "x"', code: 'VALIDATION', message: 'Use at most 100 characters.', field: 'name', action: 'message', act: () => addEds('https://packages.example.com', TEN_KB) },
  { id: 'NAME-03', input: 'server name with a control character', produce: 'servers.add name "prod\\u0007bell"', code: 'VALIDATION', message: 'Names cannot contain control characters.', field: 'name', action: 'message', act: () => addEds('https://packages.example.com', 'prod\u0007bell') },
  { id: 'NAME-04', input: 'server name with a terminal escape sequence', produce: 'servers.add name "\\u001b[31mprod"', code: 'VALIDATION', message: 'Names cannot contain control characters.', field: 'name', action: 'message', act: () => addEds('https://packages.example.com', '\u001b[31mprod') },
  {
    id: 'NAME-05', input: 'server name already taken (other case, padded)', produce: 'servers.add name "  reference eds  "', code: 'CONFLICT',
    message: 'A server named “reference eds” is already in Keyport.', field: 'name', hint: 'Choose another name.', act: () => addEds('https://packages.example.com', '  reference eds  '),
  },
  {
    id: 'NAME-06', input: 'empty token name', produce: 'tokens.create name "" (EDS, signed in as alice)', code: 'VALIDATION', message: 'Enter a name.', field: 'name', action: 'message',
    act: async (c) => (await c.signInEds(), { procedure: 'tokens.create', input: { serverId: c.edsId, name: '', save: false } }), remote: edsTokens,
  },
  {
    id: 'NAME-07', input: 'token name of 10 KB', produce: 'tokens.create name 10,240 × "x" (EDS)', code: 'VALIDATION', message: 'Use at most 500 characters.', field: 'name', action: 'message',
    act: async (c) => (await c.signInEds(), { procedure: 'tokens.create', input: { serverId: c.edsId, name: TEN_KB, save: false } }), remote: edsTokens,
  },
  {
    id: 'NAME-08', input: 'token name with NUL and newline', produce: 'tokens.create name "ci\\u0000\\nadmin" (EDS)', code: 'VALIDATION', message: 'Names cannot contain control characters.', field: 'name', action: 'message',
    act: async (c) => (await c.signInEds(), { procedure: 'tokens.create', input: { serverId: c.edsId, name: 'ci\u0000\nadmin', save: false } }), remote: edsTokens,
  },
  {
    id: 'NAME-09', input: 'emoji token name on EDS (accepted: EDS takes any non-empty name)', produce: 'tokens.create name "deploy 🔑🚀" (EDS)', code: 'OK',
    act: async (c) => (await c.signInEds(), { procedure: 'tokens.create', input: { serverId: c.edsId, name: 'deploy 🔑🚀', save: false } }),
    accepted: (_c, value, before, after) => {
      expect(eds.hasApiToken(ALICE, 'deploy 🔑🚀')).toBe(true);
      expect((value as { token: { name: string }; saved: boolean }).token.name).toBe('deploy 🔑🚀');
      // Not saved: Keyport's own state is as it was.
      expect(after.secrets).toEqual(before.secrets);
      expect(after.servers).toEqual(before.servers);
      eds.revokeApiToken(ALICE, 'deploy 🔑🚀');
    },
  },
  {
    id: 'NAME-10', input: 'emoji OAuth client name on Tapis', produce: 'tokens.create name "🔑-deploy" (Tapis, signed in, with password)', code: 'VALIDATION',
    message: '“🔑-deploy” cannot be an OAuth client name.', field: 'name', hint: 'Use up to 64 letters, digits, dots, dashes and underscores.', secrets: [ALICE_PASSWORD],
    act: async (c) => ({ procedure: 'tokens.create', input: { serverId: await c.signInTapis(), name: '🔑-deploy', save: false, password: ALICE_PASSWORD } }),
    remote: tapisClients,
  },
  {
    id: 'NAME-11', input: 'Tapis client name with a path (../admin)', produce: 'tokens.create name "../admin" (Tapis)', code: 'VALIDATION',
    message: '“../admin” cannot be an OAuth client name.', field: 'name', hint: 'Use up to 64 letters, digits, dots, dashes and underscores.',
    act: async (c) => ({ procedure: 'tokens.create', input: { serverId: await c.signInTapis(), name: '../admin', save: false, password: ALICE_PASSWORD } }),
    remote: tapisClients,
  },
  {
    id: 'NAME-12', input: 'Tapis sign-in with a new client named with spaces and accents', produce: 'auth.signInWithPassword client {type: "new", name: "mon client café"} (Tapis)', code: 'VALIDATION',
    message: '“mon client café” cannot be an OAuth client name.', field: 'clientName', hint: 'Use up to 64 letters, digits, dots, dashes and underscores.',
    act: async (c) => ({
      procedure: 'auth.signInWithPassword',
      input: { serverId: await c.addServer('Tapis', tapis.url, 'tapis', { tenantId: tapis.tenantId }), username: ALICE, password: ALICE_PASSWORD, client: { type: 'new', name: 'mon client café' } },
    }),
    remote: tapisClients,
  },
  {
    id: 'NAME-13', input: 'user name with a control character', produce: 'auth.signInWithPassword username "ali\\u0008ce" (EDS)', code: 'VALIDATION',
    message: 'User names cannot contain control characters.', field: 'username', action: 'message',
    act: (c) => ({ procedure: 'auth.signInWithPassword', input: { serverId: c.edsId, username: 'ali\u0008ce', password: ALICE_PASSWORD } }),
  },
  {
    id: 'NAME-14', input: 'empty API token at sign-in', produce: 'auth.signInWithToken token "" (EDS)', code: 'VALIDATION', message: 'Enter the token.', field: 'token', action: 'message',
    act: (c) => ({ procedure: 'auth.signInWithToken', input: { serverId: c.edsId, token: '' } }),
  },
  {
    id: 'NAME-15', input: 'pasted API token with a line break inside', produce: 'auth.signInWithToken token "pasted-token-\\n-6d2e" (EDS)', code: 'VALIDATION',
    message: 'A token is one line without control characters; paste only the token.', field: 'token', action: 'message', secrets: ['pasted-token-', '-6d2e'],
    act: (c) => ({ procedure: 'auth.signInWithToken', input: { serverId: c.edsId, token: 'pasted-token-\n-6d2e' } }),
  },
  {
    id: 'NAME-16', input: 'server name with a right-to-left override (reads "prod" reversed)', produce: 'servers.add name "\\u202Edorp"', code: 'VALIDATION',
    message: 'Names cannot contain invisible or text-direction characters.', field: 'name', action: 'message', act: () => addEds('https://packages.example.com', '\u202Edorp'),
  },
  {
    id: 'NAME-17', input: 'token name of zero-width and ideographic spaces only', produce: 'tokens.create name "\\u3000\\u200D" (EDS)', code: 'VALIDATION',
    message: 'Enter a name with at least one visible character.', field: 'name', action: 'message',
    act: (c) => ({ procedure: 'tokens.create', input: { serverId: c.edsId, name: '\u3000\u200D', save: false } }),
  },
];

const ANSWER_ROWS: Row[] = [
  {
    id: 'ANS-01', input: 'HTML page with status 200 (login portal)', produce: 'EDS fault {kind: html, status: 200} on the sign-in', code: 'BAD_RESPONSE',
    message: 'Reference EDS did not answer with JSON (it sent an HTML page).', hint: `${EDS_URL_HINT} A web page often means a login portal, a proxy or the site's home page.`,
    act: (c) => (eds.faults.add({ match: /tokens\/auth$/, kind: 'html', status: 200 }), signIn(c.edsId)),
  },
  {
    id: 'ANS-02', input: 'HTML error page from a proxy (502)', produce: 'EDS fault {kind: html} (nginx 502 page)', code: 'SERVER_ERROR',
    message: 'Reference EDS had an internal error (HTTP 502).', hint: 'Try again later.', act: (c) => (eds.faults.add({ kind: 'html' }), signIn(c.edsId)),
  },
  {
    id: 'ANS-03', input: 'truncated JSON', produce: 'EDS fault {kind: malformed-json}', code: 'BAD_RESPONSE',
    message: 'Reference EDS sent an answer that is not valid JSON.', hint: EDS_URL_HINT, act: (c) => (eds.faults.add({ kind: 'malformed-json' }), signIn(c.edsId)),
  },
  {
    id: 'ANS-04', input: 'JSON of another protocol', produce: 'EDS fault {kind: wrong-shape}', code: 'BAD_RESPONSE',
    message: 'Reference EDS answered in an unexpected format.', hint: EDS_URL_HINT, act: (c) => (eds.faults.add({ kind: 'wrong-shape' }), signIn(c.edsId)),
  },
  {
    id: 'ANS-05', input: 'wrong type: session token is a number', produce: 'EDS fault {kind: status, status: 200, body: {"token": 12345}}', code: 'BAD_RESPONSE',
    message: 'Reference EDS answered in an unexpected format.', hint: EDS_URL_HINT, act: (c) => (eds.faults.add({ kind: 'status', status: 200, body: '{"token": 12345}' }), signIn(c.edsId)),
  },
  {
    id: 'ANS-06', input: 'wrong type: token list is a string (signed in)', produce: 'EDS fault {kind: status, status: 200, body: {"tokens": "none"}} on tokens.list', code: 'BAD_RESPONSE',
    message: 'Reference EDS answered in an unexpected format.', hint: EDS_URL_HINT,
    act: async (c) => {
      await c.signInEds();
      eds.faults.add({ match: /tokens\/api$/, kind: 'status', status: 200, body: '{"tokens": "none"}' });
      return { procedure: 'tokens.list', input: { serverId: c.edsId } };
    },
  },
  {
    id: 'ANS-07', input: 'empty body with status 200', produce: 'EDS fault {kind: status, status: 200, body: ""}', code: 'BAD_RESPONSE',
    message: 'Reference EDS sent an answer that is not valid JSON.', hint: EDS_URL_HINT, act: (c) => (eds.faults.add({ kind: 'status', status: 200, body: '' }), signIn(c.edsId)),
  },
  {
    id: 'ANS-08', input: 'JSON null', produce: 'EDS fault {kind: status, status: 200, body: "null"}', code: 'BAD_RESPONSE',
    message: 'Reference EDS answered in an unexpected format.', hint: EDS_URL_HINT, act: (c) => (eds.faults.add({ kind: 'status', status: 200, body: 'null' }), signIn(c.edsId)),
  },
  {
    id: 'ANS-09', input: 'body larger than 10 MB, declared in Content-Length', produce: 'test server: 200, Content-Length 11 MiB', code: 'BAD_RESPONSE',
    message: 'Flaky EDS sent an answer larger than 10 MB.', hint: 'Check that the URL points to the server’s API and not to a file download.', act: (c) => flakySignIn(c, 'huge-declared'),
  },
  {
    id: 'ANS-10', input: 'body larger than 10 MB, streamed without a length', produce: 'test server: 200, chunked, 11 MiB of a valid JSON prefix', code: 'BAD_RESPONSE',
    message: 'Flaky EDS sent an answer larger than 10 MB.', hint: 'Check that the URL points to the server’s API and not to a file download.', act: (c) => flakySignIn(c, 'huge-chunked'),
  },
  {
    id: 'ANS-11', input: '429 with Retry-After in seconds', produce: 'test server: 429, Retry-After: 30', code: 'RATE_LIMITED',
    message: 'Flaky EDS received too many requests; it asks to wait 30 seconds.', hint: 'Wait a moment, then try again.', act: (c) => flakySignIn(c, 'retry-after-seconds'),
  },
  {
    id: 'ANS-12', input: '429 with Retry-After as an HTTP date', produce: 'test server: 429, Retry-After: Wed, 21 Oct 2099 07:28:00 GMT', code: 'RATE_LIMITED',
    message: 'Flaky EDS received too many requests (HTTP 429).', hint: 'Wait a moment, then try again.', act: (c) => flakySignIn(c, 'retry-after-date'),
  },
  {
    id: 'ANS-13', input: '429 without Retry-After on a signed-in call', produce: 'EDS fault {kind: status, status: 429} on tokens.list', code: 'RATE_LIMITED',
    message: 'Reference EDS received too many requests (HTTP 429).', hint: 'Wait a moment, then try again.',
    act: async (c) => {
      await c.signInEds();
      eds.faults.add({ match: /tokens\/api$/, kind: 'status', status: 429 });
      return { procedure: 'tokens.list', input: { serverId: c.edsId } };
    },
  },
  {
    id: 'ANS-14', input: '3xx loop (302 to itself)', produce: 'test server: 302, Location: the same path', code: 'BAD_RESPONSE',
    message: 'Flaky EDS redirected the request to another address.', hint: 'Use the final URL of the server.', act: (c) => flakySignIn(c, 'redirect-loop'),
    check: () => expect(flaky.hits.get('redirect-loop')).toBe(1), // not followed, let alone looped
  },
  {
    id: 'ANS-15', input: '301 to another host', produce: 'test server: 301, Location: https://collector.invalid/…', code: 'BAD_RESPONSE',
    message: 'Flaky EDS redirected the request to another address.', hint: 'Use the final URL of the server.', act: (c) => flakySignIn(c, 'redirect-away'),
    check: () => expect(flaky.hits.get('redirect-away')).toBe(1), // the password went nowhere else
  },
  {
    id: 'ANS-16', input: 'slow drip (one byte every 100 ms, never ends)', produce: 'test server: 200 headers then a byte per 100 ms; requestTimeoutSeconds 1', code: 'TIMEOUT',
    message: 'Flaky EDS did not answer within 1 second.', hint: /raise the network timeout in Settings/, slow: true, act: (c) => flakySignIn(c, 'drip'),
  },
  {
    id: 'ANS-17', input: 'no answer at all', produce: 'EDS fault {kind: delay, ms: 3000}; requestTimeoutSeconds 1', code: 'TIMEOUT',
    message: 'Reference EDS did not answer within 1 second.', hint: /raise the network timeout in Settings/, slow: true,
    act: (c) => (eds.faults.add({ kind: 'delay', ms: 3000, times: 1 }), signIn(c.edsId)),
  },
  {
    id: 'ANS-18', input: 'connection reset', produce: 'EDS fault {kind: reset}', code: 'CONNECTION_RESET',
    message: 'Reference EDS closed the connection unexpectedly.', hint: /proxy or firewall/, act: (c) => (eds.faults.add({ kind: 'reset' }), signIn(c.edsId)),
  },
  {
    id: 'ANS-19', input: 'body cut short (Content-Length 100, 14 bytes, hang-up)', produce: 'test server: writes part of the body, destroys the socket', code: 'CONNECTION_RESET',
    message: 'Flaky EDS closed the connection unexpectedly.', hint: /proxy or firewall/, act: (c) => flakySignIn(c, 'cut-short'),
  },
  {
    id: 'ANS-20', input: 'internal server error', produce: 'EDS fault {kind: status, status: 500}', code: 'SERVER_ERROR',
    message: 'Reference EDS had an internal error (HTTP 500).', hint: 'Try again later.', act: (c) => (eds.faults.add({ kind: 'status', status: 500 }), signIn(c.edsId)),
  },
  {
    id: 'ANS-21', input: 'nothing listening on the port', produce: 'server at 127.0.0.1:<closed port>', code: 'SERVER_UNREACHABLE',
    message: 'Could not connect to Closed EDS.', hint: 'Check the URL and that the server is running.',
    act: async (c) => signIn(await c.addServer('Closed EDS', `http://127.0.0.1:${deadPort}`)),
  },
  {
    id: 'ANS-22', input: 'host name that does not resolve', produce: 'server at https://packages.invalid', code: 'DNS_FAILURE',
    message: 'The host name of Nowhere EDS could not be found.', hint: 'Check the spelling of the URL and your network connection.',
    act: async (c) => signIn(await c.addServer('Nowhere EDS', 'https://packages.invalid')),
  },
  {
    id: 'ANS-23', input: 'self-signed certificate', produce: 'reference EDS over HTTPS, no CA configured', code: 'TLS_FAILURE',
    message: 'Secure EDS presented a self-signed certificate, which is not trusted.', hint: TLS_HINT,
    act: async (c) => signIn(await c.addServer('Secure EDS', secureEds.url)),
  },
  {
    id: 'ANS-24', input: 'https:// URL for a plain-HTTP server', produce: 'reference EDS over HTTP reached with https://', code: 'TLS_FAILURE',
    message: 'Could not set up a secure connection to Plain EDS.', hint: /^Check that the URL starts with https:\/\/ only if the server speaks HTTPS\./,
    act: async (c) => signIn(await c.addServer('Plain EDS', eds.url.replace('http:', 'https:'))),
  },
  {
    id: 'ANS-25', input: 'HTML instead of the token list (signed in)', produce: 'EDS fault {kind: html, status: 200} on tokens.list', code: 'BAD_RESPONSE',
    message: 'Reference EDS did not answer with JSON (it sent an HTML page).', hint: /^Check that the URL points to an Enthought Deployment Server\./,
    act: async (c) => {
      await c.signInEds();
      eds.faults.add({ match: /tokens\/api$/, kind: 'html', status: 200 });
      return { procedure: 'tokens.list', input: { serverId: c.edsId } };
    },
  },
  {
    id: 'ANS-26', input: 'Tapis token endpoint answers truncated JSON', produce: 'Tapis fault {kind: malformed-json} on /token at sign-in', code: 'BAD_RESPONSE',
    message: 'Tapis sent an answer that is not valid JSON.', hint: /^Check that the URL points to /, secrets: [ALICE_PASSWORD],
    act: async (c) => {
      const serverId = await c.addServer('Tapis', tapis.url, 'tapis', { tenantId: tapis.tenantId });
      tapis.faults.add({ match: /^\/token$/, kind: 'malformed-json' });
      return signIn(serverId);
    },
  },
  {
    id: 'ANS-27', input: 'Anaconda API keys list answers an HTML page', produce: 'keyring imported with a key minted by the reference Anaconda server; fault {kind: html, status: 200} on tokens.list', code: 'BAD_RESPONSE',
    message: /^Anaconda 127\.0\.0\.1:\d+ did not answer with JSON \(it sent an HTML page\)\.$/, hint: /^Check that the URL points to an Anaconda site\./,
    act: async (c) => {
      const { apiKey } = anaconda.mintApiKey(ALICE);
      const domain = new URL(anaconda.url).host;
      c.write(keyringFile(c), keyring({ [domain]: keyringEntry(domain, apiKey) }), 0o600);
      const server = await c.call<ServerView>('sessionFiles.import', { kind: 'anaconda' });
      anaconda.faults.add({ match: /^\/api\/iam\/api-keys$/, kind: 'html', status: 200 });
      return { procedure: 'tokens.list', input: { serverId: server.id } };
    },
  },
  {
    id: 'ANS-28', input: 'Anaconda sign-in against a server that is not an OpenID Connect provider', produce: 'anaconda site at the reference EDS (404 on /.well-known/openid-configuration); auth.startDeviceSignIn', code: 'BAD_RESPONSE',
    message: 'Not OIDC did not answer as an OpenID Connect sign-in server.', field: 'url', hint: 'Check the address: Keyport reads <address>/.well-known/openid-configuration.',
    act: async (c) => ({ procedure: 'auth.startDeviceSignIn', input: { serverId: await c.addServer('Not OIDC', eds.url, 'anaconda') } }),
  },
  {
    id: 'ANS-29', input: 'Anaconda sign-in over plain http to a non-loopback host', produce: 'anaconda site "http://anaconda.example"; auth.startDeviceSignIn', code: 'VALIDATION',
    message: 'Sign-in servers must use https.', field: 'url', hint: 'Use the https address of the sign-in server.',
    act: async (c) => ({ procedure: 'auth.startDeviceSignIn', input: { serverId: await c.addServer('Plain Anaconda', 'http://anaconda.example', 'anaconda') } }),
  },
];

const FILE_ROWS: Row[] = [
  {
    id: 'FILE-01', input: '~/.agave/current missing', produce: 'sessionFiles.import {kind: tapis} with an empty home', code: 'FILE_ERROR',
    message: (c) => `There is no session file at ${agavePath(c)}.`, field: 'path', hint: 'Sign in with agavepy and the Tapis CLI first, or choose the file’s path.', act: () => importFile('tapis'),
  },
  {
    id: 'FILE-02', input: 'current is not JSON', produce: 'current = "{baseurl: https://…" (cut off)', code: 'FILE_ERROR', message: notTapis('it is not valid JSON'), field: 'path', hint: TAPIS_FILE_HINT,
    act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent().slice(0, 60), 0o600)), secrets: ALL_FILE_SECRETS,
  },
  {
    id: 'FILE-03', input: 'current holds a JSON number', produce: 'current = "42"', code: 'FILE_ERROR', message: notTapis('it does not hold a JSON object'), field: 'path', hint: TAPIS_FILE_HINT,
    act: (c) => importFile('tapis', c.write(agavePath(c), '42', 0o600)),
  },
  {
    id: 'FILE-04', input: 'current is an empty object', produce: 'current = "{}"', code: 'FILE_ERROR', message: notTapis('baseurl, apikey, apisecret, refresh_token are missing or not valid'), field: 'path', hint: TAPIS_FILE_HINT,
    act: (c) => importFile('tapis', c.write(agavePath(c), '{}', 0o600)),
  },
  {
    id: 'FILE-05', input: 'current with wrong types', produce: 'current with apikey 123 and expires_in "soon"', code: 'FILE_ERROR', message: notTapis('apikey, expires_in are missing or not valid'), field: 'path', hint: TAPIS_FILE_HINT,
    secrets: ALL_FILE_SECRETS, act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent({ apikey: 123, expires_in: 'soon' }), 0o600)),
  },
  {
    id: 'FILE-06', input: 'current whose baseurl is javascript:', produce: 'current with baseurl "javascript:alert(1)"', code: 'FILE_ERROR',
    message: notTapis('baseurl is not a usable server address (Only http and https URLs are allowed, not javascript.)'), field: 'path', hint: TAPIS_FILE_HINT, secrets: ALL_FILE_SECRETS,
    act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent({ baseurl: 'javascript:alert(1)' }), 0o600)),
  },
  {
    id: 'FILE-07', input: 'current whose baseurl carries a password', produce: 'current with baseurl "https://alice:baseurl-password-19e0@api.tapis.example"', code: 'FILE_ERROR',
    message: notTapis('baseurl is not a usable server address (Do not put a user name or password in the URL: sign in after adding the server.)'), field: 'path', hint: TAPIS_FILE_HINT,
    secrets: [...ALL_FILE_SECRETS, 'baseurl-password-19e0'], act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent({ baseurl: 'https://alice:baseurl-password-19e0@api.tapis.example' }), 0o600)),
  },
  {
    // The server is added from the file: its refusal concerns the file, reported on the path.
    id: 'FILE-08', input: 'current whose baseurl has a path', produce: 'current with baseurl "https://api.tapis.example/v2"', code: 'FILE_ERROR',
    message: (c) => `${agavePath(c)} names a server Keyport cannot add. A Tapis API server address has no path.`, field: 'path', hint: 'Fix the file with the command line that wrote it, or add the server by hand and sign in.', secrets: ALL_FILE_SECRETS,
    act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent({ baseurl: 'https://api.tapis.example/v2' }), 0o600)),
  },
  {
    id: 'FILE-09', input: 'current whose tenantid has a control character', produce: 'current with tenantid "tacc\\u0007prod"', code: 'FILE_ERROR',
    message: (c) => `${agavePath(c)} names a server Keyport cannot add. That is not a tenant id, such as tacc.prod.`, field: 'path', hint: 'Fix the file with the command line that wrote it, or add the server by hand and sign in.', secrets: ALL_FILE_SECRETS,
    act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent({ tenantid: 'tacc\u0007prod' }), 0o600)),
  },
  {
    id: 'FILE-10', input: 'current whose verify names a CA file that does not exist', produce: 'current with verify "<tmp>/elsewhere/missing-ca.pem"', code: 'FILE_ERROR',
    message: (c) => `${agavePath(c)} names a server Keyport cannot add. The CA certificate file does not exist.`, field: 'path', hint: 'Fix the file with the command line that wrote it, or add the server by hand and sign in.', secrets: ALL_FILE_SECRETS,
    act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent({ verify: join(c.elsewhere, 'missing-ca.pem') }), 0o600)),
  },
  {
    id: 'FILE-11', input: 'current is a symbolic link to a file elsewhere', produce: '~/.agave/current -> <tmp>/elsewhere/current (a valid file)', code: 'FILE_ERROR',
    message: (c) => `${agavePath(c)} is a symbolic link; Keyport reads and writes session files only directly.`, field: 'path', hint: 'Choose the file the link points to, or replace the link with the file.',
    secrets: ALL_FILE_SECRETS,
    act: (c) => {
      const target = c.write(join(c.elsewhere, 'current'), agaveCurrent(), 0o600);
      mkdirSync(dirname(agavePath(c)), { recursive: true });
      symlinkSync(target, agavePath(c));
      return importFile('tapis', '~/.agave/current');
    },
  },
  {
    id: 'FILE-12', input: 'current writable by everyone (0666)', produce: 'chmod 666 ~/.agave/current', code: 'FILE_ERROR',
    message: (c) => `${agavePath(c)} can be changed by any user of this computer, so Keyport does not trust it.`, field: 'path', hint: (c) => `Check what it holds, make it yours alone (chmod 600 ${agavePath(c)}), then try again.`,
    secrets: ALL_FILE_SECRETS, act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent(), 0o666)),
  },
  {
    id: 'FILE-13', input: 'current writable by a group that is not the person\'s private one (0620)', produce: 'chmod 620 ~/.agave/current', code: 'FILE_ERROR',
    message: (c) => `${agavePath(c)} can be changed by other members of its group, so Keyport does not trust it as it is.`, field: 'fileMode', hint: /^Make it private \(mode 600/,
    secrets: ALL_FILE_SECRETS, act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent(), 0o620)),
  },
  {
    // Stands in for "unreadable" too: chmod 000 does not stop root (CI).
    id: 'FILE-14', input: 'path is a directory', produce: 'sessionFiles.import path "~/.agave" (a directory)', code: 'FILE_ERROR',
    message: (c) => `${dirname(agavePath(c))} is not a file but a folder.`, field: 'path', hint: 'Choose the session file inside it, such as ~/.agave/current.',
    act: (c) => (mkdirSync(dirname(agavePath(c)), { recursive: true }), importFile('tapis', '~/.agave')),
  },
  {
    // "Unreadable" that holds for root as well: a path through a regular file fails with ENOTDIR.
    id: 'FILE-15', input: 'unreadable path (parent is a file: ENOTDIR)', produce: 'sessionFiles.import path "~/notes.txt/current"', code: 'FILE_ERROR',
    message: (c) => `Keyport could not read ${join(c.home, 'notes.txt', 'current')} (ENOTDIR).`, field: 'path', hint: 'A part of the path is a file, not a folder: check the path.',
    act: (c) => (c.write(join(c.home, 'notes.txt'), 'a file, not a folder\n', 0o600), importFile('tapis', '~/notes.txt/current')),
  },
  {
    id: 'FILE-16', input: 'current larger than 1 MB', produce: 'current = valid JSON padded to 1.1 MB', code: 'FILE_ERROR',
    message: (c) => `${agavePath(c)} is too large to be a session file.`, field: 'path', hint: 'Check that you chose the right file.', secrets: ALL_FILE_SECRETS,
    act: (c) => importFile('tapis', c.write(agavePath(c), agaveCurrent({ padding: 'p'.repeat(1.1 * MIB) }), 0o600)),
  },
  {
    id: 'FILE-17', input: 'relative path', produce: 'sessionFiles.import path ".agave/current"', code: 'VALIDATION', message: 'Use a full path, such as ~/.agave/current.', field: 'path', action: 'message',
    act: () => importFile('tapis', '.agave/current'),
  },
  {
    id: 'FILE-18', input: 'path of 5 KB', produce: 'sessionFiles.import path "/" + 5,000 × "a"', code: 'VALIDATION', message: 'That path is too long.', field: 'path', action: 'message',
    act: () => importFile('tapis', `/${'a'.repeat(5000)}`),
  },
  {
    id: 'FILE-19', input: 'keyring is not JSON', produce: 'keyring cut off inside an entry', code: 'FILE_ERROR', message: notKeyring('it is not valid JSON'), field: 'path', hint: KEYRING_HINT,
    act: (c) => importFile('anaconda', c.write(keyringFile(c), '{"Anaconda Cloud": {"anaconda.com": "ey', 0o600)),
  },
  {
    id: 'FILE-20', input: 'keyring holds a JSON array', produce: 'keyring = "[]"', code: 'FILE_ERROR', message: notKeyring('it does not hold a JSON object'), field: 'path', hint: KEYRING_HINT,
    act: (c) => importFile('anaconda', c.write(keyringFile(c), '[]', 0o600)),
  },
  {
    id: 'FILE-21', input: 'keyring section is not a map', produce: 'keyring = {"Anaconda Cloud": "anaconda.com"}', code: 'FILE_ERROR', message: notKeyring('the “Anaconda Cloud” section is not a map of entries'), field: 'path', hint: KEYRING_HINT,
    act: (c) => importFile('anaconda', c.write(keyringFile(c), '{"Anaconda Cloud": "anaconda.com"}', 0o600)),
  },
  {
    id: 'FILE-22', input: 'keyring entry is not base64', produce: 'keyring entry for anaconda.com = "not base64!"', code: 'FILE_ERROR', message: notKeyring('the entry for anaconda.com is not base64'), field: 'path', hint: KEYRING_HINT,
    act: (c) => importFile('anaconda', c.write(keyringFile(c), keyring({ 'anaconda.com': 'not base64!' }), 0o600)),
  },
  {
    id: 'FILE-23', input: 'keyring entry is base64 of something that is not JSON', produce: 'keyring entry for anaconda.com = base64("api_key=…")', code: 'FILE_ERROR',
    message: notKeyring('the entry for anaconda.com is not readable'), field: 'path', hint: KEYRING_HINT, secrets: ['entry-secret-0a77'],
    act: (c) => importFile('anaconda', c.write(keyringFile(c), keyring({ 'anaconda.com': b64('api_key=entry-secret-0a77') }), 0o600)),
  },
  {
    id: 'FILE-24', input: 'keyring API key that is not a JWT with an expiry', produce: 'keyring entry whose api_key is "plain-api-key-c5e1"', code: 'FILE_ERROR',
    message: notKeyring('the API key for anaconda.com is not a JWT with an expiry'), field: 'path', hint: KEYRING_HINT, secrets: ['plain-api-key-c5e1'],
    act: (c) => importFile('anaconda', c.write(keyringFile(c), keyring({ 'anaconda.com': keyringEntry('anaconda.com', 'plain-api-key-c5e1') }), 0o600)),
  },
  {
    id: 'FILE-25', input: 'keyring domain that is not a host', produce: 'keyring entry keyed "anaconda.example/login"', code: 'FILE_ERROR',
    message: notKeyring('“anaconda.example/login” is not a site address'), field: 'path', hint: KEYRING_HINT, secrets: [FAKE_ANACONDA_KEY],
    act: (c) => importFile('anaconda', c.write(keyringFile(c), keyring({ 'anaconda.example/login': keyringEntry('anaconda.example/login', FAKE_ANACONDA_KEY) }), 0o600)),
  },
  {
    id: 'FILE-26', input: 'empty keyring', produce: 'keyring = "" (anaconda-auth creates one by starting)', code: 'FILE_ERROR',
    message: (c) => `${keyringFile(c)} holds no sign-in that Keyport can use.`, field: 'path', hint: 'Sign in with the command line first, or choose another file.',
    act: (c) => importFile('anaconda', c.write(keyringFile(c), '', 0o600)),
  },
  {
    id: 'FILE-27', input: 'keyring is a symbolic link to a file elsewhere', produce: '~/.anaconda/keyring -> <tmp>/elsewhere/keyring (valid)', code: 'FILE_ERROR',
    message: (c) => `${keyringFile(c)} is a symbolic link; Keyport reads and writes session files only directly.`, field: 'path', hint: 'Choose the file the link points to, or replace the link with the file.',
    secrets: [FAKE_ANACONDA_KEY],
    act: (c) => {
      const target = c.write(join(c.elsewhere, 'keyring'), keyring({ 'anaconda.example': keyringEntry('anaconda.example', FAKE_ANACONDA_KEY) }), 0o600);
      mkdirSync(dirname(keyringFile(c)), { recursive: true });
      symlinkSync(target, keyringFile(c));
      return importFile('anaconda');
    },
  },
  {
    id: 'FILE-28', input: 'keyring writable by everyone (0666)', produce: 'chmod 666 ~/.anaconda/keyring (valid content)', code: 'FILE_ERROR',
    message: (c) => `${keyringFile(c)} can be changed by any user of this computer, so Keyport does not trust it.`, field: 'path', hint: /^Check what it holds, make it yours alone \(chmod 600 /, secrets: [FAKE_ANACONDA_KEY],
    act: (c) => importFile('anaconda', c.write(keyringFile(c), keyring({ 'anaconda.example': keyringEntry('anaconda.example', FAKE_ANACONDA_KEY) }), 0o666)),
  },
  {
    id: 'FILE-29', input: 'keyring missing at its usual place', produce: 'sessionFiles.import {kind: anaconda} with an empty home', code: 'FILE_ERROR',
    message: (c) => `There is no session file at ${keyringFile(c)}.`, field: 'path', hint: 'Sign in with anaconda-auth and conda first, or choose the file’s path.', act: () => importFile('anaconda'),
  },
  {
    id: 'FILE-30', input: 'session-file import for a kind without one', produce: 'sessionFiles.import {kind: eds}', code: 'UNSUPPORTED',
    message: 'Enthought Deployment Server servers have no session file to import or export.',
    hint: 'Sign in to the server in Keyport instead, and copy its token in the format your tool expects.',
    act: () => ({ procedure: 'sessionFiles.import', input: { kind: 'eds' } }),
  },
  {
    id: 'FILE-31', input: 'keyring API key of the wrong type (a number)', produce: 'keyring entry whose api_key is 12345', code: 'FILE_ERROR',
    message: notKeyring('the API key for anaconda.com is not a JWT with an expiry'), field: 'path', hint: KEYRING_HINT,
    act: (c) => importFile('anaconda', c.write(keyringFile(c), keyring({ 'anaconda.com': b64(JSON.stringify({ domain: 'anaconda.com', api_key: 12345, repo_tokens: [], version: 2 })) }), 0o600)),
  },
];

// --- npm registries (a real Verdaccio) -------------------------------------------------------------

const npmAlice = () => verdaccio.users[0]!;
const NPM_URL_HINT = 'Check that the URL points to an npm registry (such as https://registry.npmjs.org).';

/** Adds the Verdaccio registry to the row's Keyport and signs in as alice. */
async function signedInNpm(c: Ctx): Promise<string> {
  const id = await c.addServer('Verdaccio', verdaccio.url, 'npm');
  await c.call('auth.signInWithPassword', { serverId: id, username: npmAlice().username, password: npmAlice().password });
  return id;
}

/** The keys of alice's tokens as Verdaccio holds them, read with a login of its own. */
async function npmTokenKeys(): Promise<string[]> {
  const { username, password } = npmAlice();
  const login = await fetch(`${verdaccio.url}/-/user/org.couchdb.user:${username}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Basic ${b64(`${username}:${password}`)}` },
    body: JSON.stringify({ name: username, password }),
  });
  const { token } = (await login.json()) as { token: string };
  const list = await fetch(`${verdaccio.url}/-/npm/v1/tokens`, { headers: { authorization: `Bearer ${token}` } });
  return ((await list.json()) as { objects: Array<{ key: string }> }).objects.map((t) => t.key).sort();
}

/** Creating a token the registry must not end up with: its list is the same after the call. */
function npmCreateRow(fields: Record<string, string>, password?: string): (c: Ctx) => Promise<Call> {
  return async (c) => {
    const serverId = await signedInNpm(c);
    npmKeysBefore = await npmTokenKeys();
    return { procedure: 'tokens.create', input: { serverId, name: 'ci', save: false, fields, password: password ?? npmAlice().password } };
  };
}
let npmKeysBefore: string[] = [];
const npmListUnchanged = async (): Promise<void> => expect(await npmTokenKeys()).toEqual(npmKeysBefore);

const NPM_ROWS: Row[] = [
  {
    id: 'NPM-01', input: 'wrong password at an npm registry', produce: 'Verdaccio, alice with a wrong password', code: 'AUTH_FAILED',
    message: 'Authentication failed.', field: 'password', hint: 'Check your user name and password.', secrets: ['not-alices-npm-password'],
    act: async (c) => ({ procedure: 'auth.signInWithPassword', input: { serverId: await c.addServer('Verdaccio', verdaccio.url, 'npm'), username: 'alice', password: 'not-alices-npm-password' } }),
  },
  {
    id: 'NPM-02', input: 'wrong account password when creating an npm token', produce: 'Verdaccio token API, POST with a wrong password', code: 'PASSWORD_REQUIRED',
    message: 'Verdaccio did not accept your password.', field: 'password', hint: /needs your account password/, secrets: ['not-alices-npm-password'],
    act: npmCreateRow({ access: 'publish' }, 'not-alices-npm-password'), check: npmListUnchanged,
  },
  {
    id: 'NPM-03', input: 'an IP range that is not CIDR', produce: 'create field cidr "10.0.0.0" (no prefix length)', code: 'VALIDATION',
    message: '“10.0.0.0” is not an IPv4 range in CIDR form.', field: 'cidr', hint: /192\.168\.1\.0\/24/,
    act: npmCreateRow({ access: 'read-only', cidr: '10.0.0.0' }), check: npmListUnchanged,
  },
  {
    id: 'NPM-04', input: 'an IPv6 range, which npm refuses', produce: 'create field cidr "2001:db8::/32"', code: 'VALIDATION',
    message: 'npm tokens accept only IPv4 ranges, not “2001:db8::/32”.', field: 'cidr',
    act: npmCreateRow({ access: 'read-only', cidr: '192.168.0.0/16, 2001:db8::/32' }), check: npmListUnchanged,
  },
  {
    id: 'NPM-05', input: 'an unknown access level', produce: 'create field access "admin"', code: 'VALIDATION',
    message: 'Choose read-only or publish access.', field: 'access', action: 'message',
    act: npmCreateRow({ access: 'admin' }), check: npmListUnchanged,
  },
  {
    id: 'NPM-06', input: 'registry URL answering with an HTML sign-in page', produce: 'test server: 200 text/html at the registry URL', code: 'BAD_RESPONSE',
    message: 'npm portal did not answer with JSON (it sent an HTML page).', hint: `${NPM_URL_HINT} A web page often means a login portal, a proxy or the site's home page.`,
    act: async (c) => ({ procedure: 'auth.signInWithPassword', input: { serverId: await c.addServer('npm portal', `${flaky.url}/portal`, 'npm'), username: 'alice', password: ALICE_PASSWORD } }),
  },
  {
    id: 'NPM-07', input: 'an npm token the registry does not know', produce: 'Verdaccio /-/whoami with a made-up token', code: 'AUTH_FAILED',
    message: 'Verdaccio did not accept this token.', field: 'token', hint: /revoked/, secrets: ['bWFkZS11cC10b2tlbg=='],
    act: async (c) => ({ procedure: 'auth.signInWithToken', input: { serverId: await c.addServer('Verdaccio', verdaccio.url, 'npm'), token: 'bWFkZS11cC10b2tlbg==' } }),
  },
  {
    id: 'NPM-08', input: 'a one-time password with spaces and symbols', produce: 'auth.signInWithPassword otp "12 34!"', code: 'VALIDATION',
    message: 'A one-time password is letters, digits and dashes only.', field: 'otp', action: 'message',
    act: async (c) => ({ procedure: 'auth.signInWithPassword', input: { serverId: await c.addServer('Verdaccio', verdaccio.url, 'npm'), username: 'alice', password: ALICE_PASSWORD, otp: '12 34!' } }),
  },
];

const CATALOGUE: Row[] = [...URL_ROWS, ...NAME_ROWS, ...ANSWER_ROWS, ...FILE_ROWS, ...NPM_ROWS];

// --- Running a row --------------------------------------------------------------------------------

const roots: string[] = [];
const cores: TestCore[] = [];

async function context(): Promise<Ctx> {
  const root = mkdtempSync(join(tmpdir(), 'keyport-bad-input-'));
  roots.push(root);
  const home = join(root, 'home');
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(elsewhere, { mode: 0o700 });
  const store = mapStore();
  // The person's group is not a private one here, so group-writable files are judged as on a
  // shared-group system (FILE-13), whatever this machine's /etc/group says.
  const t = createTestCore({ store, homeDir: home, env: {}, fileTrust: { uid: process.getuid?.(), isPrivateGroup: () => Promise.resolve(false) } });
  cores.push(t);
  const call = t.call.bind(t) as Ctx['call'];
  const addServer: Ctx['addServer'] = async (name, url, kind = 'eds', options = {}) => (await call<ServerView>('servers.add', { name, kind, url, options })).id;
  const edsId = await addServer('Reference EDS', eds.url);
  return {
    t,
    store,
    root,
    home,
    elsewhere,
    edsId,
    call,
    addServer,
    signInEds: async () => void (await call('auth.signInWithPassword', { serverId: edsId, username: ALICE, password: ALICE_PASSWORD })),
    signInTapis: async () => {
      const id = await addServer('Tapis', tapis.url, 'tapis', { tenantId: tapis.tenantId });
      await call('auth.signInWithPassword', { serverId: id, username: ALICE, password: ALICE_PASSWORD });
      return id;
    },
    write: (path, text, mode = 0o600) => {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, text);
      chmodSync(path, mode);
      return path;
    },
  };
}

async function runRow(row: Row): Promise<void> {
  const c = await context();
  if (row.slow) await c.call('settings.update', { requestTimeoutSeconds: 1 });
  const call = await row.act(c);
  const remoteBefore = structuredClone(row.remote?.());
  const before = await snapshot(c);

  const result = await c.t.core.handle(call.procedure, call.input);

  const after = await snapshot(c);
  const secrets = [ALICE_PASSWORD, ...(row.secrets ?? []), ...eds.sessionTokens()];
  const logs = c.t.logs.join('\n');
  for (const secret of secrets) expect(logs).not.toContain(secret);

  if (row.code === 'OK') {
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    if (!result.ok) return;
    await row.accepted?.(c, result.value, before, after);
    return;
  }

  expect(result.ok, `expected ${row.code}, got ${JSON.stringify(result)}`).toBe(false);
  if (result.ok) return;
  const { error } = result;
  expect(error.code).toBe(row.code);
  if (row.message !== undefined) expectText(error.message, resolveText(row.message, c));
  expect(error.field).toBe(row.field);

  // Actionable: a hint, or a message that is itself the instruction (beside its field).
  if ((row.action ?? 'hint') === 'hint') {
    expect(error.hint, 'a hint says what to do').toEqual(expect.any(String));
    expect(error.hint?.trim()).not.toBe('');
    if (row.hint !== undefined) expectText(error.hint, resolveText(row.hint, c));
  } else {
    expect(error.message.trim()).not.toBe('');
  }

  for (const secret of secrets) {
    expect(error.message).not.toContain(secret);
    expect(error.hint ?? '').not.toContain(secret);
  }

  // No state change: Keyport's lists, its persisted store, and every file of the row.
  expect(after.servers).toEqual(before.servers);
  expect(after.secrets).toEqual(before.secrets);
  expect(after.store).toBe(before.store);
  expect(after.files).toEqual(before.files);
  expect(row.remote?.()).toEqual(remoteBefore);
  await row.check?.(c, error);
}

beforeAll(async () => {
  [eds, secureEds, tapis, anaconda, flaky, deadPort, verdaccio] = await Promise.all([
    startEdsServer(),
    startEdsServer({ https: true }),
    startTapisServer(),
    startAnacondaServer(),
    startMisbehaving(),
    closedPort(),
    startVerdaccio(),
  ]);
});

afterEach(async () => {
  eds.faults.clear();
  tapis.faults.clear();
  anaconda.faults.clear();
  await Promise.all(cores.splice(0).map((t) => t.core.dispose()));
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

afterAll(async () => {
  await Promise.all([eds?.close(), secureEds?.close(), tapis?.close(), anaconda?.close(), flaky?.close(), verdaccio?.close()]);
});

describe('bad-input catalogue (issue 6)', () => {
  it('has at least 45 rows with unique ids, at least 40 of which must fail', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(45);
    expect(CATALOGUE.filter((r) => r.code !== 'OK').length).toBeGreaterThanOrEqual(40);
    expect(new Set(CATALOGUE.map((r) => r.id)).size).toBe(CATALOGUE.length);
    for (const area of [URL_ROWS, NAME_ROWS, ANSWER_ROWS, FILE_ROWS, NPM_ROWS]) expect(area.length).toBeGreaterThan(0);
  });

  for (const row of CATALOGUE) {
    it(`${row.id} ${row.input} → ${row.code}${row.field ? ` (${row.field})` : ''}`, () => runRow(row), 15_000);
  }
});
