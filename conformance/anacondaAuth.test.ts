// Conformance: Keyport and the real anaconda-auth 0.15.3 (the `anaconda login` plugin) sharing
// one API key (issue 10, point 4; docs/protocols/anaconda.md, "The keyring file
// `~/.anaconda/keyring`"). Keyport here is the real core (the app's composition root,
// test/support/testCore.ts) with test adapters; anaconda-auth is the pinned PyPI release in the
// conformance venv; the site is the HTTPS reference server (test/servers/anaconda), because
// anaconda-auth reaches every domain as https://{domain}.
//
// How anaconda-auth is driven: it is a library, so each step is a short Python script, kept
// below as strings, that calls anaconda-auth's own functions (TokenInfo.load/save, the
// keyring backend, actions.login/logout, BaseClient, the `anaconda auth` CLI) and prints one
// JSON line that the test reads. Every script runs in a fresh process (anaconda-auth picks its
// keyring backend once per process) with the isolation of docs/protocols/anaconda.md, "Driving
// anaconda-auth from tests": a scratch HOME and working directory (a .env in the working
// directory is read), an empty ANACONDA_SECRETS_DIR, TZ=UTC (TokenInfo.expired is off by the UTC
// offset otherwise), no ANACONDA_*_API_KEY unless a test is about it.
//
// Keyport signs in as a person would: the browser sign-in (PKCE, loopback redirect), with "the
// system browser" played by logInAs(), which follows the reference IdP's login form with fetch.
//
// Secrets never reach the test output: the scripts print fingerprints (sha256 prefixes) of keys
// and Authorization headers, and the test compares fingerprints.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {   ServerView } from '../src/shared/model';
import { createTestCore, type TestCore } from '../test/support/testCore';
import { startAnacondaServer, type AnacondaServer } from '../test/servers/anaconda/anacondaServer.ts';
import { startSshd } from '../test/servers/sshd/sshdServer.ts';
import { ensurePythonEnv, runCleanBash, runPython, VENV_DIR, venvLayout } from './pythonEnv.ts';

const SERVICE = 'Anaconda Cloud';

let anaconda: AnacondaServer;
let scratch: string;
let caFile: string;
let noSecrets: string;
/** host:port of the reference server: anaconda-auth's domain, and the keyring entry's key. */
let domain: string;
let dirCount = 0;
const cores: TestCore[] = [];

/** What the scripts print instead of a secret, and what the test compares. */
const fingerprint = (secret: string): string => createHash('sha256').update(secret).digest('hex').slice(0, 16);

/** An API key of another site, as anaconda-auth requires one: a JWT with a numeric exp. */
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const OTHER_SITE_KEY = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ exp: 1826976000, sub: 'carol' })}.c2ln`;

function freshDir(prefix: string): string {
  dirCount += 1;
  const dir = join(scratch, `${prefix}-${dirCount}`);
  mkdirSync(dir);
  return dir;
}

// chdir first: anaconda-auth's settings read a .env in the working directory, so the scripts
// run in a scratch directory of their own. emit(value) prints the one JSON line the test reads.
const PRELUDE = `
import hashlib, json, os, sys, warnings
os.chdir(os.environ['KEYPORT_TEST_CWD'])
warnings.simplefilter('ignore')  # ANACONDA_CLOUD_* variables raise a DeprecationWarning
def fp(secret):
    return None if secret is None else hashlib.sha256(secret.encode()).hexdigest()[:16]
def emit(value):
    sys.stdout.write('\\n' + json.dumps(value, default=repr) + '\\n')
`;

/** The environment every anaconda-auth process gets (docs/protocols/anaconda.md, "Driving
 * anaconda-auth from tests"); `home` is HOME, `cwd` a scratch working directory. */
function anacondaEnv(home: string, cwd: string): Record<string, string> {
  return {
    HOME: home,
    KEYPORT_TEST_CWD: cwd,
    ANACONDA_CONFIG_TOML: join(cwd, 'no-config.toml'),
    ANACONDA_SECRETS_DIR: noSecrets,
    ANACONDA_AUTH_DOMAIN: domain,
    ANACONDA_AUTH_SSL_VERIFY: caFile,
    ANACONDA_TELEMETRY_ENABLED: 'false',
    OTEL_SDK_DISABLED: 'true',
    TZ: 'UTC',
    // A safety net: a request for any other host (anaconda.com, if a domain went missing) goes
    // to a closed port instead of leaving the machine.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1',
  };
}

function lastJsonLine<T>(result: { code: number | null; stdout: string; stderr: string; timedOut?: boolean }): T {
  if (result.code !== 0) throw new Error(`python ${result.timedOut === true ? 'timed out' : `exited with ${String(result.code)}`}\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as T;
}

/** Runs PRELUDE + script in a fresh scratch working directory; secrets go through stdin. */
async function python<T>(script: string, home: string, env: Record<string, string> = {}, input = ''): Promise<T> {
  return lastJsonLine<T>(await runPython(PRELUDE + script, [], { env: { ...anacondaEnv(home, freshDir('cwd')), ...env }, input }));
}

/** bash with only the environment given (and PATH reaching the venv), in `cwd`, running `script`. */
const cleanBash = (script: string, cwd: string, env: Record<string, string>, input: string) =>
  runCleanBash(script, { PATH: `${join(VENV_DIR, 'bin')}${delimiter}/usr/bin${delimiter}/bin`, LANG: 'C.UTF-8', ...env }, { cwd, input });

/** "The system browser": follows the reference IdP's login for `username` with fetch (cookies
 * kept by hand), up to Keyport's loopback redirect, and reads the page that closes the flow. */
async function logInAs(url: string, username: string): Promise<void> {
  const user = anaconda.users.find((u) => u.username === username);
  if (!user) throw new Error(`no such user ${username}`);
  const tls = new Agent({ connect: { ca: anaconda.caPem } });
  const cookies = new Map<string, string>();
  let next = url;
  let form: URLSearchParams | undefined;
  try {
    for (let hop = 0; hop < 20; hop++) {
      const target = new URL(next);
      const res = await fetch(target, {
        method: form ? 'POST' : 'GET',
        body: form,
        redirect: 'manual',
        dispatcher: target.protocol === 'https:' ? tls : undefined,
        headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const cookie of res.headers.getSetCookie()) {
        const pair = cookie.split(';')[0] ?? '';
        cookies.set(pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1));
      }
      const location = res.headers.get('location');
      form = undefined;
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        next = new URL(location, target).href;
        continue;
      }
      const html = await res.text();
      const login = /action="(\/interaction\/[^"]+\/login)"/.exec(html);
      if (!login?.[1]) return; // Keyport's loopback page: the flow is over
      next = new URL(login[1], target).href;
      form = new URLSearchParams({ username: user.username, password: user.password });
    }
    throw new Error('the login did not finish within 20 requests');
  } finally {
    await tls.close();
  }
}

/** A fresh Keyport core with its own home directory, that signs in through logInAs. */
function newKeyport(home: string, env: Record<string, string> = {}): { keyport: TestCore; browsing: Promise<void>[] } {
  const browsing: Promise<void>[] = [];
  const keyport = createTestCore({
    env,
    homeDir: home,
    signInTimeoutMs: 30_000,
    openBrowser: async (url) => {
      browsing.push(logInAs(url, 'alice'));
    },
  });
  cores.push(keyport);
  return { keyport, browsing };
}

async function addSite(keyport: TestCore): Promise<ServerView> {
  return keyport.call('servers.add', { name: 'Anaconda test', kind: 'anaconda', url: anaconda.url, caCertificatePath: caFile, options: {} });
}

/** Adds the reference site to Keyport and signs in as alice through the browser; returns the
 * server and the API key Keyport holds (from its "Token only" copy). */
async function signedInKeyport(home: string, env: Record<string, string> = {}): Promise<{ keyport: TestCore; server: ServerView; apiKey: string }> {
  const { keyport, browsing } = newKeyport(home, env);
  const site = await addSite(keyport);
  const minted = anaconda.apiKeys('alice').length;
  const server = await keyport.call('auth.signInWithBrowser', { serverId: site.id });
  await Promise.all(browsing);
  expect(server.session).toMatchObject({ state: 'signed-in', method: 'browser', user: { name: 'alice', email: 'alice@example.com' } });
  // The key Keyport got was minted just now by the site's API, as anaconda-auth mints its own.
  expect(anaconda.apiKeys('alice').slice(minted).map((k) => k.scopes)).toEqual([['cloud:read', 'cloud:write', 'repo:read']]);
  const apiKey = await copySession(keyport, server.id, 'raw');
  expect(anaconda.isApiKeyValid(apiKey)).toBe(true);
  return { keyport, server, apiKey };
}

async function copySession(keyport: TestCore, serverId: string, format: string): Promise<string> {
  await keyport.call('clipboard.copySession', { serverId, format });
  return keyport.clipboard.text;
}

async function sessionOf(keyport: TestCore, serverId: string): Promise<ServerView['session']> {
  const found = (await keyport.call('servers.list')).find((s) => s.id === serverId);
  if (!found) throw new Error(`server ${serverId} is not in Keyport`);
  return found.session;
}

/** The `exp` of an API key (a JWT), in seconds. */
function jwtExp(apiKey: string): number {
  return (JSON.parse(Buffer.from(apiKey.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number }).exp;
}

/** The file's `Anaconda Cloud` entries as [domain, value] in file order, and its services' order. */
function keyringEntries(text: string): { services: string[]; entries: [string, string][] } {
  const outer = JSON.parse(text) as Record<string, Record<string, string>>;
  return { services: Object.keys(outer), entries: Object.entries(outer[SERVICE] ?? {}) };
}

// anaconda-auth's keyring, through its own code: `ops` (stdin, JSON) is a list of steps, each
// run with anaconda-auth's functions, against the keyring file its settings name
// (ANACONDA_AUTH_KEYRING_PATH, else ~/.anaconda/keyring).
// - save: TokenInfo(...).save(), as `anaconda token install` and the Navigator fallback write;
// - login: actions.login(force=True) with only the network replaced (the sign-in returns an
//   access token, get_api_key returns the given key), so _do_login's own storage code runs:
//   TokenInfo.load(create=True), api_key replaced, save() — the rest of the entry kept;
// - logout: actions.logout() for the configured site (ANACONDA_AUTH_DOMAIN);
// - load: TokenInfo.load(domain) as every reader does (the API key as a fingerprint);
// - set_password / get_password: the keyring library's own calls on the same backend (another
//   service in the same file).
const KEYRING_OPS_SCRIPT = `
import jwt, keyring
from anaconda_auth import actions
from anaconda_auth.token import RepoToken, TokenInfo
ops = json.loads(sys.stdin.read())
results = []
for op in ops:
    try:
        if op['op'] == 'save':
            TokenInfo(domain=op['domain'], api_key=op['api_key'], username=op.get('username'),
                      repo_tokens=[RepoToken(**t) for t in op.get('repo_tokens', [])]).save()
            results.append('saved')
        elif op['op'] == 'login':
            actions._do_device_flow = lambda config: 'access-token-of-the-idp'
            actions._do_auth_flow = lambda config: 'access-token-of-the-idp'
            actions.get_api_key = lambda access_token, config=None: op['api_key']
            actions.login(force=True)
            results.append('logged in')
        elif op['op'] == 'logout':
            actions.logout()
            results.append('logged out')
        elif op['op'] == 'load':
            ti = TokenInfo.load(op['domain'])
            results.append({'domain': ti.domain, 'api_key': fp(ti.api_key), 'username': ti.username,
                            'repo_tokens': [t.model_dump(exclude_none=True) for t in ti.repo_tokens],
                            'version': ti.version, 'expired': ti.expired,
                            'exp': jwt.decode(ti.api_key, algorithms=['RS256'], options={'verify_signature': False})['exp']})
        elif op['op'] == 'set_password':
            keyring.set_password(op['service'], op['username'], op['password'])
            results.append('set')
        elif op['op'] == 'get_password':
            results.append(keyring.get_password(op['service'], op['username']))
    except Exception as e:
        results.append({'error': type(e).__name__})
emit({'results': results, 'backend': keyring.get_keyring().name})
`;

interface Loaded {
  domain: string;
  api_key: string;
  username: string | null;
  repo_tokens: { token: string; org_name?: string }[];
  version: number;
  expired: boolean;
  exp: number;
}

type KeyringOp =
  | { op: 'save'; domain: string; api_key: string; username?: string; repo_tokens?: { token: string; org_name?: string }[] }
  | { op: 'login'; api_key: string }
  | { op: 'logout' }
  | { op: 'load'; domain: string }
  | { op: 'set_password'; service: string; username: string; password: string }
  | { op: 'get_password'; service: string; username: string };

async function anacondaKeyring(home: string, ops: KeyringOp[], env: Record<string, string> = {}): Promise<unknown[]> {
  const out = await python<{ results: unknown[]; backend: string }>(KEYRING_OPS_SCRIPT, home, env, JSON.stringify(ops));
  expect(out.backend).toBe('token AnacondaKeyring'); // the file, not a keyring configured by environment
  return out.results;
}

// anaconda-auth's API client, configured as the brief of a site: BaseClient(domain=…,
// ssl_verify=<CA>) with no api_key, so the key comes from the keyring (BearerAuth →
// TokenInfo.load(domain)). Prints what the site answered and the fingerprint of the
// Authorization header that went out.
const CLIENT_SCRIPT = `
import keyring
from anaconda_auth.client import BaseClient
client = BaseClient(domain=os.environ['ANACONDA_AUTH_DOMAIN'], ssl_verify=os.environ['ANACONDA_AUTH_SSL_VERIFY'])
r = client.get('/api/account')
emit({'url': r.url, 'status': r.status_code, 'account': r.json(), 'authorization': fp(r.request.headers.get('Authorization')),
      'email': client.email, 'name': client.name, 'backend': keyring.get_keyring().name})
`;

interface ClientCall {
  url: string;
  status: number;
  account: { user: { email: string | null; username: string } };
  authorization: string | null;
  email: string;
  name: string;
  backend: string;
}

// `anaconda auth api-key` (anaconda-cli-base's app with anaconda-auth's plugin), in-process so
// that it runs in the scratch working directory; its output is the key, printed as a fingerprint.
const CLI_API_KEY_SCRIPT = `
import contextlib, io
from anaconda_cli_base.cli import app
sys.argv = ['anaconda', 'auth', 'api-key']
printed = io.StringIO()
code = 0
with contextlib.redirect_stdout(printed):
    try:
        app()
    except SystemExit as e:
        code = e.code
emit({'code': code, 'lines': len(printed.getvalue().splitlines()), 'printed': fp(printed.getvalue().strip())})
`;

// For the copy texts: BaseClient() configured by the environment alone (or a .env); the key
// the test expects comes through stdin.
const ENV_CLIENT_SCRIPT = `
import keyring
from anaconda_auth.client import BaseClient
expected = sys.stdin.read()
client = BaseClient()
r = client.get('/api/account')
emit({'url': r.url, 'status': r.status_code, 'account': r.json(), 'sent_expected_key': r.request.headers.get('Authorization') == 'Bearer ' + expected,
      'backend': keyring.get_keyring().name, 'keyring_file': os.path.exists(os.environ['ANACONDA_AUTH_KEYRING_PATH']) and os.path.getsize(os.environ['ANACONDA_AUTH_KEYRING_PATH'])})
`;

interface EnvClientCall {
  url: string;
  status: number;
  account: { user: { email: string | null; username: string } };
  sent_expected_key: boolean;
  backend: string;
  keyring_file: false | number;
}

beforeAll(async () => {
  const env = await ensurePythonEnv();
  if (env.created) process.stderr.write(`conformance venv created in ${(env.setupMs / 1000).toFixed(1)} s at ${env.venvDir}\n`);
  anaconda = await startAnacondaServer({ https: true });
  domain = new URL(anaconda.url).host;
  scratch = mkdtempSync(join(tmpdir(), 'keyport-anaconda-auth-'));
  caFile = join(scratch, 'anaconda-ca.pem');
  writeFileSync(caFile, anaconda.caPem ?? '');
  noSecrets = join(scratch, 'no-secrets');
  mkdirSync(noSecrets);
});

afterAll(async () => {
  await Promise.all(cores.map((c) => c.core.dispose()));
  await anaconda?.close();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe('Keyport and the real anaconda-auth 0.15.3 sharing one API key', () => {
  it('a ~/.anaconda/keyring exported by Keyport is what anaconda-auth loads for the site: same key and expiry, and its BaseClient and CLI use it', async () => {
    const home = freshDir('home');
    const { keyport, server, apiKey } = await signedInKeyport(home);

    // Where both look by default: Keyport's ~/.anaconda/keyring under its home directory is
    // anaconda-auth's keyring_path for HOME (no ANACONDA_AUTH_KEYRING_PATH on either side).
    const location = await keyport.call('sessionFiles.locate', { kind: 'anaconda' });
    const pathOfAnacondaAuth = await python<{ path: string }>('from anaconda_auth.config import AnacondaAuthConfig\nemit({"path": str(AnacondaAuthConfig().keyring_path)})', home);
    expect(location).toEqual({ path: join(home, '.anaconda', 'keyring'), exists: false });
    expect(pathOfAnacondaAuth.path).toBe(location.path);

    const exported = await keyport.call('sessionFiles.export', { serverId: server.id, overwrite: false });
    expect(exported).toMatchObject({ state: 'written', path: location.path, backupPath: null });
    const bytes = readFileSync(location.path, 'utf8');
    if (process.platform !== 'win32') expect(statSync(location.path).mode & 0o777).toBe(0o600);
    const { services, entries } = keyringEntries(bytes);
    expect(services).toEqual([SERVICE]);
    expect(entries.map(([d]) => d)).toEqual([domain]);

    // anaconda-auth's own token loading for the site's domain.
    const [loaded] = (await anacondaKeyring(home, [{ op: 'load', domain }])) as [Loaded];
    const session = await sessionOf(keyport, server.id);
    expect(loaded).toEqual({
      domain,
      api_key: fingerprint(apiKey),
      // Keyport writes no user name for a new entry; anaconda-auth's own sign-in never does either.
      username: null,
      repo_tokens: [],
      version: 2,
      expired: false,
      exp: jwtExp(apiKey),
    });
    expect(session).toMatchObject({ state: 'signed-in', expiresAt: new Date(loaded.exp * 1000).toISOString() });

    // anaconda-auth's API client takes the key from the file and the site accepts it.
    const call = await python<ClientCall>(CLIENT_SCRIPT, home);
    expect(call).toMatchObject({
      url: `${anaconda.url}/api/account`,
      status: 200,
      account: { user: { email: 'alice@example.com', username: 'alice' } },
      authorization: fingerprint(`Bearer ${apiKey}`),
      email: 'alice@example.com',
      name: 'Alice Liddell',
      backend: 'token AnacondaKeyring',
    });

    // `anaconda auth api-key` prints exactly that key.
    expect(await python(CLI_API_KEY_SCRIPT, home)).toEqual({ code: 0, lines: 1, printed: fingerprint(apiKey) });

    // The bytes are anaconda-auth's: its own load-and-save of the entry (what its sign-in does
    // with an unchanged key) rewrites the file identically — key order, separators, base64
    // padding, no newline at the end.
    const [relogged] = await anacondaKeyring(home, [{ op: 'login', api_key: apiKey }]);
    expect(relogged).toBe('logged in');
    expect(readFileSync(location.path, 'utf8')).toBe(bytes);
  });

  it('anaconda-auth\'s client, given the key through Keyport\'s copy texts (shell export, .env), calls the site\'s API as alice', async () => {
    const home = freshDir('home');
    const { keyport, server, apiKey } = await signedInKeyport(home);
    const shell = await copySession(keyport, server.id, 'shell');
    const dotenv = await copySession(keyport, server.id, 'dotenv');
    // No keyring file at all: the key can only come from the copied text.
    const keyringFile = join(freshDir('nowhere'), 'keyring');
    // ANACONDA_AUTH_DOMAIN and the site's CA (ANACONDA_AUTH_SSL_VERIFY) too must come from the copied text.
    const withoutDomain = (cwd: string) => {
      const env: Record<string, string> = { ...anacondaEnv(home, cwd), ANACONDA_AUTH_KEYRING_PATH: keyringFile };
      delete env.ANACONDA_AUTH_DOMAIN;
      delete env.ANACONDA_AUTH_SSL_VERIFY;
      return env;
    };
    const expectAlice = (call: EnvClientCall) => {
      expect(call).toMatchObject({
        url: `${anaconda.url}/api/account`,
        status: 200,
        account: { user: { email: 'alice@example.com', username: 'alice' } },
        sent_expected_key: true,
        // anaconda-auth's ConfigKeyring: an API key in its settings wins over the keyring file.
        backend: 'token ConfigKeyring',
      });
      expect(call.keyring_file === false || call.keyring_file === 0).toBe(true);
    };

    // The shell text, pasted into bash, then the client. Only the current variables: with a
    // legacy ANACONDA_CLOUD_* one set, anaconda-auth prints a notice on stdout.
    expect(shell).not.toContain('ANACONDA_CLOUD_');
    const cwd0 = freshDir('cwd');
    const result = await cleanBash(`${shell}\nexec python -c "$KEYPORT_SCRIPT"`, cwd0, { ...withoutDomain(cwd0), KEYPORT_SCRIPT: PRELUDE + ENV_CLIENT_SCRIPT }, apiKey);
    expect(result.stderr).toBe('');
    expectAlice(lastJsonLine<EnvClientCall>(result));

    // `KEY=$(anaconda auth api-key)` after the shell text captures the key and nothing else.
    const cwd1 = freshDir('cwd');
    const captured = await cleanBash(`${shell}\nKEY=$(anaconda auth api-key) || exit 9\nprintf '%s' "$KEY" | sha256sum | cut -c1-16\nprintf '%s' "$KEY" | wc -l`, cwd1, withoutDomain(cwd1), '');
    expect(captured.code).toBe(0);
    expect(captured.stdout.trim().split('\n')).toEqual([fingerprint(apiKey), '0']);

    // The .env text saved as .env in the working directory, which anaconda-auth's settings read.
    const cwd = freshDir('cwd');
    writeFileSync(join(cwd, '.env'), `${dotenv}\n`);
    const fromDotenv = lastJsonLine<EnvClientCall>(await runPython(PRELUDE + ENV_CLIENT_SCRIPT, [], { env: withoutDomain(cwd), input: apiKey }));
    expectAlice(fromDotenv);
    expect(existsSync(keyringFile) ? readFileSync(keyringFile, 'utf8') : '').toBe('');
  });

  it('a keyring written by anaconda-auth\'s own save is imported by Keyport: signed in with that key and its expiry, the file untouched, and re-exported byte for byte', async () => {
    const home = freshDir('home');
    const keyringFile = join(freshDir('anaconda'), 'keyring');
    const env = { ANACONDA_AUTH_KEYRING_PATH: keyringFile };
    const { apiKey } = anaconda.mintApiKey('alice', { name: 'made by anaconda-auth' });
    const saved = await anacondaKeyring(home, [{ op: 'save', domain, api_key: apiKey, repo_tokens: [{ token: 'repo-token-1', org_name: 'acme' }, { token: 'repo-token-2' }] }], env);
    expect(saved).toEqual(['saved']);
    const bytes = readFileSync(keyringFile, 'utf8');

    const { keyport } = newKeyport(home, env);
    const site = await addSite(keyport);
    expect(await keyport.call('sessionFiles.locate', { kind: 'anaconda' })).toEqual({ path: keyringFile, exists: true });
    const imported = await keyport.call('sessionFiles.import', { kind: 'anaconda' });
    expect(imported.id).toBe(site.id); // the entry's domain is the site Keyport has
    expect(await sessionOf(keyport, site.id)).toMatchObject({ state: 'signed-in', method: 'file', expiresAt: new Date(jwtExp(apiKey) * 1000).toISOString() });
    expect(readFileSync(keyringFile, 'utf8')).toBe(bytes); // importing only reads

    // Keyport's copy is the key anaconda-auth saved, and the site still accepts it (copying
    // checks the session with GET /api/account first).
    expect(fingerprint(await copySession(keyport, site.id, 'raw'))).toBe(fingerprint(apiKey));
    expect(anaconda.isApiKeyValid(apiKey)).toBe(true);

    // Writing it back changes nothing: the same key, the entry's repo tokens and version kept.
    const exported = await keyport.call('sessionFiles.export', { serverId: site.id, overwrite: true });
    expect(exported).toMatchObject({ state: 'written', path: keyringFile });
    expect(readFileSync(keyringFile, 'utf8')).toBe(bytes);
    if (exported.state === 'written') rmSync(exported.backupPath ?? '', { force: true });
  });

  it('other entries survive byte for byte both ways, and Keyport\'s sign-out removes only its own entry, as anaconda-auth\'s logout would', async () => {
    const home = freshDir('home');
    const dir = freshDir('anaconda');
    const keyringFile = join(dir, 'keyring');
    const env = { ANACONDA_AUTH_KEYRING_PATH: keyringFile };
    const copyOf = (name: string) => {
      const copy = join(dir, name);
      copyFileSync(keyringFile, copy);
      return copy;
    };

    // anaconda-auth writes a file with two other sites around this site's older entry (with a
    // user name and repo tokens, which a sign-in keeps), and another service's password.
    const older = anaconda.mintApiKey('alice', { name: 'older key' }).apiKey;
    const written = await anacondaKeyring(
      home,
      [
        { op: 'save', domain: 'anaconda.com', api_key: OTHER_SITE_KEY, repo_tokens: [{ token: 'repo-token-1', org_name: 'acme' }] },
        { op: 'save', domain, api_key: older, username: 'alice', repo_tokens: [{ token: 'repo-token-2' }] },
        { op: 'save', domain: 'repo.example.org:8443', api_key: OTHER_SITE_KEY },
        { op: 'set_password', service: 'Other Service', username: 'someone', password: 'not-an-api-key' },
      ],
      env,
    );
    expect(written).toEqual(['saved', 'saved', 'saved', 'set']);
    const original = readFileSync(keyringFile, 'utf8');
    const before = keyringEntries(original);
    expect(before.services).toEqual([SERVICE, 'Other Service']);
    expect(before.entries.map(([d]) => d)).toEqual(['anaconda.com', domain, 'repo.example.org:8443']);

    // Keyport signs in (a new key) and exports into that file.
    const { keyport, server, apiKey } = await signedInKeyport(home, env);
    expect(await keyport.call('sessionFiles.export', { serverId: server.id, overwrite: false })).toEqual({ state: 'exists', path: keyringFile });
    expect(readFileSync(keyringFile, 'utf8')).toBe(original);
    const exported = await keyport.call('sessionFiles.export', { serverId: server.id, overwrite: true });
    if (exported.state !== 'written' || exported.backupPath === null) throw new Error(`expected a written file with a backup, got ${JSON.stringify(exported)}`);
    expect(readFileSync(exported.backupPath, 'utf8')).toBe(original);
    rmSync(exported.backupPath);
    const afterExport = readFileSync(keyringFile, 'utf8');
    const after = keyringEntries(afterExport);
    // Only this site's value changed; every other value is the same string, in the same place.
    const oldValue = before.entries[1]?.[1] ?? '';
    const newValue = after.entries[1]?.[1] ?? '';
    expect(newValue).not.toBe(oldValue);
    expect(afterExport).toBe(original.replace(oldValue, newValue));
    // And it is exactly what anaconda-auth's own sign-in writes into that file for the same key.
    const byAnacondaAuth = copyOf('keyring.login');
    expect(await anacondaKeyring(home, [{ op: 'login', api_key: apiKey }], { ANACONDA_AUTH_KEYRING_PATH: byAnacondaAuth })).toEqual(['logged in']);
    expect(afterExport).toBe(readFileSync(byAnacondaAuth, 'utf8'));

    // anaconda-auth reads all of it: Keyport's key with the entry's user name and repo tokens
    // kept, the other sites, the other service.
    const read = await anacondaKeyring(
      home,
      [
        { op: 'load', domain },
        { op: 'load', domain: 'anaconda.com' },
        { op: 'load', domain: 'repo.example.org:8443' },
        { op: 'get_password', service: 'Other Service', username: 'someone' },
      ],
      env,
    );
    expect(read[0]).toEqual({ domain, api_key: fingerprint(apiKey), username: 'alice', repo_tokens: [{ token: 'repo-token-2' }], version: 2, expired: false, exp: jwtExp(apiKey) });
    expect(read[1]).toMatchObject({ domain: 'anaconda.com', api_key: fingerprint(OTHER_SITE_KEY), repo_tokens: [{ token: 'repo-token-1', org_name: 'acme' }] });
    expect(read[2]).toMatchObject({ domain: 'repo.example.org:8443', api_key: fingerprint(OTHER_SITE_KEY) });
    expect(read[3]).toBe('not-an-api-key');

    // Keyport signs out and removes its entry: the file is what anaconda-auth's logout leaves.
    const byLogout = copyOf('keyring.logout');
    expect(await anacondaKeyring(home, [{ op: 'logout' }], { ANACONDA_AUTH_KEYRING_PATH: byLogout })).toEqual(['logged out']);
    const signedOut = await keyport.call('auth.signOut', { serverId: server.id, removeFromSessionFile: true });
    expect(signedOut.session).toEqual({ state: 'signed-out' });
    const afterSignOut = readFileSync(keyringFile, 'utf8');
    expect(afterSignOut).toBe(readFileSync(byLogout, 'utf8'));
    expect(keyringEntries(afterSignOut).entries).toEqual([before.entries[0], before.entries[2]]);
    expect(await anacondaKeyring(home, [{ op: 'load', domain }, { op: 'get_password', service: 'Other Service', username: 'someone' }], env)).toEqual([{ error: 'TokenNotFoundError' }, 'not-an-api-key']);

    // The other way round: Keyport writes a new file, then anaconda-auth saves other sites and
    // another service into it; Keyport's entry stays byte for byte, first, and the mode stays 0600.
    const home2 = freshDir('home');
    const ownFile = join(freshDir('anaconda'), 'keyring');
    const env2 = { ANACONDA_AUTH_KEYRING_PATH: ownFile };
    const second = await signedInKeyport(home2, env2);
    expect(await second.keyport.call('sessionFiles.export', { serverId: second.server.id, overwrite: false })).toMatchObject({ state: 'written', backupPath: null });
    const keyportBytes = readFileSync(ownFile, 'utf8');
    const saved = await anacondaKeyring(
      home2,
      [
        { op: 'save', domain: 'anaconda.com', api_key: OTHER_SITE_KEY },
        { op: 'set_password', service: 'Other Service', username: 'someone', password: 'not-an-api-key' },
        { op: 'load', domain },
      ],
      env2,
    );
    expect(saved.slice(0, 2)).toEqual(['saved', 'set']);
    expect(saved[2]).toMatchObject({ domain, api_key: fingerprint(second.apiKey), expired: false });
    const mixed = readFileSync(ownFile, 'utf8');
    expect(keyportBytes.endsWith('}}')).toBe(true);
    const ownEntry = keyringEntries(keyportBytes).entries[0];
    expect(keyringEntries(mixed).entries[0]).toEqual(ownEntry);
    expect(mixed.startsWith(keyportBytes.slice(0, -2))).toBe(true);
    if (process.platform !== 'win32') expect(statSync(ownFile).mode & 0o777).toBe(0o600);
    // Keyport, signing out, takes only its own entry out of anaconda-auth's additions.
    const mixedLogout = join(dirname(ownFile), 'keyring.logout');
    copyFileSync(ownFile, mixedLogout);
    expect(await anacondaKeyring(home2, [{ op: 'logout' }], { ANACONDA_AUTH_KEYRING_PATH: mixedLogout })).toEqual(['logged out']);
    await second.keyport.call('auth.signOut', { serverId: second.server.id, removeFromSessionFile: true });
    expect(readFileSync(ownFile, 'utf8')).toBe(readFileSync(mixedLogout, 'utf8'));
    expect(keyringEntries(readFileSync(ownFile, 'utf8')).entries.map(([d]) => d)).toEqual(['anaconda.com']);
  });
});

// anaconda-cloud-auth 0.7.2, the older generation (its own venv: requirements-anaconda-cloud.txt).
// It reads only ANACONDA_CLOUD_* and defaults to anaconda.cloud, so Keyport's "anaconda-cloud-auth
// 0.7" copy formats must carry the domain, the key and the CA route its requests calls take.
const CLOUD_VENV = 'anaconda-cloud';

const CLOUD_CLIENT_SCRIPT = `
from anaconda_cloud_auth.client import BaseClient
expected = sys.stdin.read()
r = BaseClient().get('/api/account')
emit({'url': r.url, 'status': r.status_code, 'account': r.json(), 'sent_expected_key': r.request.headers.get('Authorization') == 'Bearer ' + expected})
`;

describe('an API key Keyport delivers over SSH into the remote ~/.anaconda/keyring', () => {
  it('is what anaconda-auth on that machine loads for the site, and its BaseClient calls the site as alice with it; the other entries there stay', async () => {
    const sshd = await startSshd();
    try {
      const home = freshDir('home');
      mkdirSync(join(home, '.ssh'), { mode: 0o700 });
      writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
      const { keyport, server } = await signedInKeyport(home, { SSH_AUTH_SOCK: sshd.agentSocket, USER: sshd.user });
      const created = await keyport.call('tokens.create', { serverId: server.id, name: 'remote-box', save: true });
      // The remote machine already has anaconda-auth's entry for another site.
      mkdirSync(join(sshd.home, '.anaconda'), { recursive: true });
      writeFileSync(join(sshd.home, '.anaconda', 'keyring'), JSON.stringify({ [SERVICE]: { 'other.example.com': Buffer.from(JSON.stringify({ domain: 'other.example.com', api_key: OTHER_SITE_KEY, repo_tokens: [], version: 2 })).toString('base64') } }));
      const result = await keyport.call('delivery.send', { secretId: created.secretId, host: '127.0.0.1', port: sshd.port, path: '~/.anaconda/keyring', format: 'session-file' });
      expect(result.state).toBe('delivered');
      // anaconda-auth, run with the remote login's HOME, reads the delivered file.
      const [mine, other] = (await anacondaKeyring(sshd.home, [{ op: 'load', domain }, { op: 'load', domain: 'other.example.com' }])) as [Loaded, Loaded];
      expect(mine).toMatchObject({ domain, api_key: fingerprint(created.secret), expired: false });
      expect(other).toMatchObject({ domain: 'other.example.com', api_key: fingerprint(OTHER_SITE_KEY) });
      const call = await python<ClientCall>(CLIENT_SCRIPT, sshd.home);
      expect(call).toMatchObject({ status: 200, account: { user: { username: 'alice' } }, authorization: fingerprint(`Bearer ${created.secret}`), backend: 'token AnacondaKeyring' });
    } finally {
      await sshd.close();
    }
  });
});

describe('Keyport\'s copy for anaconda-cloud-auth 0.7.2', () => {
  beforeAll(async () => {
    const env = await ensurePythonEnv({ venv: CLOUD_VENV });
    if (env.created) process.stderr.write(`anaconda-cloud venv created in ${(env.setupMs / 1000).toFixed(1)} s at ${env.venvDir}\n`);
  }, 600_000);

  /** bash with the 0.7 venv first on PATH and nothing of the site in the environment; the
   * script can run the client as `python -c "$KEYPORT_SCRIPT"`. */
  const cloudBash = (script: string, home: string, input: string, cwd = freshDir('cwd')) =>
    runCleanBash(
      script,
      {
        PATH: `${venvLayout(CLOUD_VENV).bin}${delimiter}/usr/bin${delimiter}/bin`,
        LANG: 'C.UTF-8',
        HOME: home,
        KEYPORT_TEST_CWD: cwd,
        KEYPORT_SCRIPT: PRELUDE + CLOUD_CLIENT_SCRIPT,
        ANACONDA_CONFIG_TOML: join(cwd, 'no-config.toml'),
        ANACONDA_SECRETS_DIR: noSecrets,
        TZ: 'UTC',
        // A request for anaconda.cloud (the default domain) goes to a closed port, not out.
        HTTPS_PROXY: 'http://127.0.0.1:9',
        NO_PROXY: '127.0.0.1',
      },
      { cwd, input },
    );

  it('is the pinned anaconda-cloud-auth', async () => {
    const result = await cloudBash(`python -c "import importlib.metadata as m; print(m.version('anaconda-cloud-auth'))"`, freshDir('home'), '');
    expect(result.stdout.trim()).toBe('0.7.2');
  });

  it('its client, given only the "Shell (export) — anaconda-cloud-auth 0.7" text, calls the site\'s API as alice, and `anaconda cloud api-key` prints the key alone', async () => {
    const home = freshDir('home');
    const { keyport, server, apiKey } = await signedInKeyport(home);
    const shell = await copySession(keyport, server.id, 'cloud-shell');
    expect(shell).not.toContain('ANACONDA_AUTH_');
    const result = await cloudBash(`${shell}\nexec python -c "$KEYPORT_SCRIPT"`, home, apiKey);
    expect(result.stderr).toBe('');
    expect(lastJsonLine(result)).toMatchObject({ url: `${anaconda.url}/api/account`, status: 200, account: { user: { username: 'alice' } }, sent_expected_key: true });

    // 0.7's subcommand is `cloud` (its anaconda_cli.subcommand entry point).
    const captured = await cloudBash(`${shell}\nKEY=$(anaconda cloud api-key) || exit 9\nprintf '%s' "$KEY" | sha256sum | cut -c1-16\nprintf '%s' "$KEY" | wc -l`, home, '');
    expect(captured.code).toBe(0);
    expect(captured.stdout.trim().split('\n')).toEqual([fingerprint(apiKey), '0']);
  });

  it('the anaconda-auth text is not enough for 0.7 (it would ask anaconda.cloud): each generation needs its own format', async () => {
    const home = freshDir('home');
    const { keyport, server, apiKey } = await signedInKeyport(home);
    const current = await copySession(keyport, server.id, 'shell');
    const result = await cloudBash(`${current}\nexec python -c "$KEYPORT_SCRIPT"`, home, apiKey);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('anaconda.cloud');
  });

  it('the ".env — anaconda-cloud-auth 0.7" text works loaded into the environment; read by the client itself it gives the domain and key', async () => {
    const home = freshDir('home');
    const { keyport, server, apiKey } = await signedInKeyport(home);
    const cwd = freshDir('cwd');
    writeFileSync(join(cwd, '.env'), `${await copySession(keyport, server.id, 'cloud-dotenv')}\n`);
    const loaded = await cloudBash('set -a; . ./.env; set +a\nexec python -c "$KEYPORT_SCRIPT"', home, apiKey, cwd);
    expect(loaded.stderr).toBe('');
    expect(lastJsonLine(loaded)).toMatchObject({ url: `${anaconda.url}/api/account`, status: 200, sent_expected_key: true });
    // Read by 0.7's settings (pydantic reads .env in the working directory): the domain and key
    // come through; its ssl_verify is a bool, so the CA file must be in the environment.
    const cwd2 = freshDir('cwd');
    writeFileSync(join(cwd2, '.env'), `${await copySession(keyport, server.id, 'cloud-dotenv')}\n`);
    const read = await cloudBash(`export REQUESTS_CA_BUNDLE='${caFile}'\nexec python -c "$KEYPORT_SCRIPT"`, home, apiKey, cwd2);
    expect(read.stderr).toBe('');
    expect(lastJsonLine(read)).toMatchObject({ url: `${anaconda.url}/api/account`, status: 200, sent_expected_key: true });
  });
});
