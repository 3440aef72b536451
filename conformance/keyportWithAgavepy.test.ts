// Conformance: Keyport and the real agavepy 0.9.5 sharing one Tapis session through agavepy's
// session file `current` (issue 10, point 3; docs/protocols/tapis.md, "The session file
// current"). Keyport here is the real core (the app's composition root, test/support/testCore.ts)
// with test adapters; agavepy is the pinned PyPI release in the conformance venv.
//
// How agavepy is driven (as in conformance/agavepy.test.ts): agavepy is a library, so each step
// is a short Python script, kept below as strings, that calls agavepy's public functions and
// prints one JSON line that the test reads. The reference server is the HTTPS one, reached as
// https://localhost through the CONNECT proxy (test/servers/tapis/connectProxy.ts), because
// agavepy's Swagger client (Agave.restore(), ag.profiles.get()) works only with an https server
// on the default port. Keyport reaches it the same way: the core's `env` adapter carries
// HTTPS_PROXY, and the server's caCertificatePath names the reference server's CA. agavepy's
// Swagger client ignores REQUESTS_CA_BUNDLE, so the scripts set its `verify` attribute to the CA
// after restoring. Python runs with TZ=UTC, the zone in which Keyport writes `expires_at`.
//
// What is shown:
// - Keyport → agavepy: Keyport signs in, refreshes, exports `current`; agavepy's own restore
//   path uses it, and the file is byte for byte what agavepy's save_configs writes for the same
//   values.
// - agavepy → Keyport: a `current` written by each of agavepy's two writers (save_configs, and
//   the to_dict rewrite of Agave._write_client after a refresh) is imported with nothing lost,
//   and Keyport renews the session with the refresh token from the file.
// Secrets never go to the test output: scripts print JSON that only the test reads.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionDeliveryId,  type ServerView } from '../src/shared/model';
import { createTestCore, type TestCore } from '../test/support/testCore';
import { startConnectProxy } from '../test/servers/tapis/connectProxy.ts';
import type { ConnectProxy } from '../test/servers/tapis/connectProxy.ts';
import { startTapisServer } from '../test/servers/tapis/tapisServer.ts';
import { startSshd } from '../test/servers/sshd/sshdServer.ts';
import type { TapisServer } from '../test/servers/tapis/tapisServer.ts';
import type { FileTrust } from '../src/main/core/sessionFiles/filePermissions';
import { ensurePythonEnv, runPython } from './pythonEnv.ts';

const PASSWORD = 'wonderland-secret';
/** The base URL agavepy's Swagger client needs (see the header); Keyport uses the same. */
const TLS_BASE = 'https://localhost';
const TENANT = 'keyport.test';

// The 11 keys agavepy/utils/save_configs.py writes to `current`, sorted (json.dump(sort_keys=True)).
const SAVE_CONFIGS_KEYS = ['access_token', 'apikey', 'apisecret', 'baseurl', 'created_at', 'devurl', 'expires_at', 'expires_in', 'refresh_token', 'tenantid', 'username'];
// Key order of the `current` that Agave._write_client() rewrites (json.dumps(Agave.to_dict())).
const REWRITTEN_KEYS = ['refresh_token', 'expires_in', 'expires_at', 'created_at', 'username', 'token_username', 'client_name', 'use_nonce', 'verify', 'proxies', 'tenantid', 'apisecret', 'apikey', 'baseurl', 'access_token'];

let tls: TapisServer;
let proxy: ConnectProxy;
let scratch: string;
let caFile: string;
let dirCount = 0;
const cores: TestCore[] = [];

// Replaces agavepy's password prompt (getpass) and gives every script emit(value): one JSON line.
const PRELUDE = `
import getpass, json, os, sys
def _prompt(prompt='Password: ', stream=None):
    return os.environ['AGAVE_TEST_PASSWORD']
getpass.getpass = _prompt
def emit(value):
    sys.stdout.write('\\n' + json.dumps(value, default=repr) + '\\n')
if os.environ.get('KEYPORT_UMASK'):
    os.umask(int(os.environ['KEYPORT_UMASK'], 8))  # as a desktop with user-private groups
`;

/** Runs PRELUDE + script; fails with Python's stderr unless it exits 0; returns the last stdout line as JSON. */
async function python<T>(script: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<T> {
  const result = await runPython(PRELUDE + script, args, {
    env: { AGAVE_TEST_PASSWORD: PASSWORD, TZ: 'UTC', HTTPS_PROXY: proxy.url, CA_FILE: caFile, ...env },
  });
  if (result.code !== 0) throw new Error(`python ${result.timedOut ? 'timed out' : `exited with ${String(result.code)}`}\n${result.stderr}`);
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

/** Requests the server saw since `mark`, as "METHOD path auth grant status" (never secrets). */
function requestsSince(mark: number): string[] {
  return tls.requestLog.slice(mark).map((r) => `${r.method} ${r.path} ${r.auth}${r.grantType === null ? '' : ` ${r.grantType}`} ${String(r.status)}`);
}

function freshDir(prefix: string): string {
  dirCount += 1;
  const dir = join(scratch, `${prefix}-${dirCount}`);
  mkdirSync(dir);
  return dir;
}

/** A fresh Keyport core that reaches the reference server through the proxy, with its own
 * home directory and, optionally, AGAVE_CACHE_DIR. */
function newKeyport(env: Record<string, string> = {}, fileTrust?: FileTrust): TestCore {
  const keyport = createTestCore({ env: { HTTPS_PROXY: proxy.url, ...env }, homeDir: freshDir('home'), fileTrust });
  cores.push(keyport);
  return keyport;
}

async function copySession(keyport: TestCore, serverId: string, format: string): Promise<string> {
  await keyport.call('clipboard.copySession', { serverId, format });
  return keyport.clipboard.text;
}

async function serverView(keyport: TestCore, serverId: string): Promise<ServerView> {
  const found = (await keyport.call('servers.list')).find((s) => s.id === serverId);
  if (!found) throw new Error(`server ${serverId} is not in Keyport`);
  return found;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

// Agave.restore() from AGAVE_CACHE_DIR/current, then the Swagger profile call (as agavepy.test.ts).
const RESTORE_SCRIPT = `
from agavepy.agave import Agave
import requests
ag = Agave.restore()
# The Swagger client ignores REQUESTS_CA_BUNDLE; 'verify' is its own setting for a custom CA.
ag.verify = os.environ['CA_FILE']
ag.token.verify = os.environ['CA_FILE']
ag.refresh_aris()
out = {'api_server': ag.api_server, 'api_key': ag.api_key, 'tenant_id': ag.tenant_id, 'username': ag.username, 'token': ag._token}
try:
    out['profile'] = dict(ag.profiles.get())
except requests.exceptions.HTTPError as e:
    out['error'] = [e.response.status_code, e.response.url]
out['token_after'] = ag._token
emit(out)
`;

interface Restored {
  api_server: string;
  api_key: string;
  tenant_id: string;
  username: string;
  token: string;
  token_after: string;
  profile?: Record<string, unknown>;
  error?: [number, string];
}

// agavepy's own writer, Agave.save_configs(cache_dir), given the session's values the way the
// tapis-CLI flow leaves them on the Agave object (get_access_token() / refresh_tokens():
// created_at a string, expires_in as the server sent it, expires_at from time.strftime in
// agavepy/tokens/*.py). The Agave object is built for api_server without network access.
const SAVE_CONFIGS_SCRIPT = `
import time
from agavepy.agave import Agave
fields = json.loads(sys.stdin.read())
ag = Agave(api_server=fields['baseurl'], tenant_id=fields['tenantid'], username=fields['username'], client_name=fields['client_name'])
ag.api_key = fields['apikey']
ag.api_secret = fields['apisecret']
ag.token = fields['access_token']
ag.refresh_token = fields['refresh_token']
ag.created_at = str(fields['created_at'])
ag.expires_in = fields['expires_in']
ag.expires_at = time.strftime("%a %b %-d %H:%M:%S %Z %Y", time.localtime(int(ag.created_at) + int(ag.expires_in)))
ag.save_configs(fields['cache_dir'])
emit({'path': Agave.agavecurrent_path()})
`;

// agavepy's load_configs(cache_dir): what the Tapis CLI restores from config.json.
const LOAD_CONFIGS_SCRIPT = `
from agavepy.agave import Agave
ag = Agave(api_server='https://localhost')
ag.load_configs(cache_dir=sys.argv[1])
emit({'client_name': ag.client_name, 'api_key': ag.api_key, 'token': ag.token, 'refresh_token': ag.refresh_token, 'tenant_id': ag.tenant_id, 'username': ag.username, 'api_server': ag.api_server})
`;

interface LoadedConfig {
  client_name: string;
  api_key: string;
  token: string;
  refresh_token: string;
  tenant_id: string;
  username: string;
  api_server: string;
}

/** Runs SAVE_CONFIGS_SCRIPT; the values go through stdin, never the command line. */
async function runSaveConfigs(fields: Record<string, unknown>): Promise<void> {
  const result = await runPython(PRELUDE + SAVE_CONFIGS_SCRIPT, [], { env: { TZ: 'UTC' }, input: JSON.stringify(fields) });
  if (result.code !== 0) throw new Error(`python ${result.timedOut ? 'timed out' : `exited with ${String(result.code)}`}\n${result.stderr}`);
}

// The tapis-CLI flow of the Agave object (as agavepy.test.ts): create a client, get tokens,
// refresh once (as refresh_tokens() does when less than 60 s are left), save_configs(cache_dir).
const AGAVEPY_SESSION_SCRIPT = `
from agavepy.agave import Agave
base, client_name, cache_dir = sys.argv[1:4]
ag = Agave(api_server=base, username='alice', tenant_id='${TENANT}')
ag.clients_create(client_name, 'made by agavepy')
ag.get_access_token()
ag.created_at = str(int(ag.created_at) - int(ag.expires_in))  # as if it had expired
ag.refresh_tokens()
ag.save_configs(cache_dir)
emit({'api_key': ag.api_key})
`;

/** A `current` (and config.json) written by agavepy's save_configs in a fresh cache dir. */
async function agavepySession(clientName: string, umask?: string): Promise<{ dir: string; apiKey: string }> {
  const dir = freshDir('agave-cache');
  const value = await python<{ api_key: string }>(AGAVEPY_SESSION_SCRIPT, [TLS_BASE, clientName, dir], { REQUESTS_CA_BUNDLE: caFile, ...(umask ? { KEYPORT_UMASK: umask } : {}) });
  return { dir, apiKey: value.api_key };
}

/**
 * Imports `path` into a fresh Keyport, checks that nothing in `current` was lost, then renews
 * the session with the file's refresh token and client.
 */
async function importAndCheck(path: string, clientName: string): Promise<void> {
  const file = readJson(path);
  const keyport = newKeyport();
  const importMark = tls.requestLog.length;

  const imported = await keyport.call('sessionFiles.import', { kind: 'tapis', path });
  // Keyport had no server: URL and tenant id come from the file alone.
  expect(imported).toMatchObject({ kind: 'tapis', url: TLS_BASE, options: { tenantId: TENANT } });
  const view = await serverView(keyport, imported.id);
  expect(view.session).toMatchObject({
    state: 'signed-in',
    method: 'file',
    user: { name: 'alice' },
    // save_configs keeps the client's name only in config.json beside `current`; the rewrite
    // writes client_name null. Either way Keyport finds it by the key.
    dependsOn: clientName,
    expiresAt: new Date((Number(file.created_at) + Number(file.expires_in)) * 1000).toISOString(),
  });
  expect(requestsSince(importMark)).toEqual([]); // importing is reading the file, nothing more

  // Keyport must trust the reference CA (the file does not say which CA agavepy trusted):
  // copying a session asks the server whether it still works first.
  await keyport.call('servers.update', {
    id: view.id,
    changes: { name: view.name, kind: view.kind, url: view.url, allowInsecureTls: false, caCertificatePath: caFile, options: view.options },
  });
  const copyMark = tls.requestLog.length;
  const tokenRequests = tls.tokenRequests.total;
  expect(await copySession(keyport, view.id, 'client')).toBe(`${String(file.apikey)}:${String(file.apisecret)}`);
  expect(await copySession(keyport, view.id, 'access-token')).toBe(file.access_token);
  expect(await copySession(keyport, view.id, 'refresh-token')).toBe(file.refresh_token);
  expect(await copySession(keyport, view.id, 'access-token-header')).toBe(`Authorization: Bearer ${String(file.access_token)}`);
  // No renewal happened: the tokens shown are the file's. The only calls (if any) were the
  // session checks, made with the file's access token and accepted.
  expect(tls.tokenRequests.total).toBe(tokenRequests);
  expect(requestsSince(copyMark).filter((r) => r !== 'GET /profiles/v2/me bearer 200')).toEqual([]);
  expect(tls.isAccessTokenValid(String(file.access_token))).toBe(true);

  // Keyport renews the session with the refresh token and client from the file.
  const mark = tls.requestLog.length;
  const refreshed = await keyport.call('auth.refresh', { serverId: view.id });
  expect(requestsSince(mark)).toEqual(['POST /token basic refresh_token 200']);
  expect(refreshed.session).toMatchObject({ state: 'signed-in', user: { name: 'alice' }, dependsOn: clientName });
  // The server consumed the file's refresh token (rotation) and issued the ones Keyport now holds.
  expect(tls.isRefreshTokenValid(String(file.refresh_token))).toBe(false);
  const access = await copySession(keyport, view.id, 'access-token');
  const refresh = await copySession(keyport, view.id, 'refresh-token');
  expect(access).not.toBe(file.access_token);
  expect(tls.isAccessTokenValid(access)).toBe(true);
  expect(tls.isRefreshTokenValid(refresh)).toBe(true);
  expect(await copySession(keyport, view.id, 'client')).toBe(`${String(file.apikey)}:${String(file.apisecret)}`);
}

beforeAll(async () => {
  const env = await ensurePythonEnv();
  if (env.created) process.stderr.write(`conformance venv created in ${(env.setupMs / 1000).toFixed(1)} s at ${env.venvDir}\n`);
  tls = await startTapisServer({ https: true });
  proxy = await startConnectProxy(tls.url);
  scratch = mkdtempSync(join(tmpdir(), 'keyport-with-agavepy-'));
  caFile = join(scratch, 'tapis-ca.pem');
  writeFileSync(caFile, tls.caPem ?? '');
});

afterAll(async () => {
  await Promise.all(cores.map((c) => c.core.dispose()));
  await Promise.all([tls?.close(), proxy?.close()]);
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe('Keyport and the real agavepy 0.9.5 sharing one Tapis session through `current`', () => {
  it('Keyport signs in, refreshes and exports `current`; agavepy restores it and its profile call is alice\'s; the bytes are save_configs\'', async () => {
    const cacheDir = freshDir('agave-cache');
    const keyport = newKeyport({ AGAVE_CACHE_DIR: cacheDir });
    const server = await keyport.call('servers.add', {
      name: 'Tapis',
      kind: 'tapis',
      url: TLS_BASE,
      caCertificatePath: caFile,
      options: { tenantId: TENANT },
    });
    const connectsBefore = proxy.connects.length;
    const signInMark = tls.requestLog.length;
    const signedIn = await keyport.call('auth.signInWithPassword', { serverId: server.id, username: 'alice', password: PASSWORD });
    expect(signedIn.session).toMatchObject({ state: 'signed-in', user: { name: 'alice' } });
    expect(requestsSince(signInMark)).toEqual(['POST /clients/v2 basic 201', 'POST /token basic password 200', 'GET /profiles/v2/me bearer 200']);
    // Keyport went through the proxy, to localhost:443 only.
    expect(proxy.connects.length).toBeGreaterThan(connectsBefore);
    expect(proxy.connects.slice(connectsBefore).every((c) => c === 'localhost:443')).toBe(true);
    const clientName = signedIn.session.state === 'signed-in' ? signedIn.session.dependsOn : null;
    expect(clientName).toMatch(/^keyport-/);

    // Keyport renews the session once: the server sees a refresh grant and rotates.
    const beforeRefresh = await copySession(keyport, server.id, 'refresh-token');
    const refreshesBefore = tls.tokenRequests.refresh;
    const refreshMark = tls.requestLog.length;
    const startedAt = Math.floor(Date.now() / 1000);
    await keyport.call('auth.refresh', { serverId: server.id });
    const finishedAt = Math.floor(Date.now() / 1000);
    expect(tls.tokenRequests.refresh - refreshesBefore).toBe(1);
    expect(requestsSince(refreshMark)).toEqual(['POST /token basic refresh_token 200']);
    expect(tls.isRefreshTokenValid(beforeRefresh)).toBe(false);

    // Export to where agavepy reads: AGAVE_CACHE_DIR/current, the path agavepy itself computes.
    const location = await keyport.call('sessionFiles.locate', { kind: 'tapis' });
    const agavepyPath = await python<{ path: string }>('from agavepy.agave import Agave\nemit({"path": Agave.agavecurrent_path()})', [], { AGAVE_CACHE_DIR: cacheDir });
    expect(location).toEqual({ path: join(cacheDir, 'current'), exists: false });
    expect(agavepyPath.path).toBe(location.path);
    const tokenRequests = tls.tokenRequests.total;
    const exported = await keyport.call('sessionFiles.export', { serverId: server.id, overwrite: false });
    expect(exported).toMatchObject({ state: 'written', path: location.path, backupPath: null });
    expect(tls.tokenRequests.total).toBe(tokenRequests); // exporting did not renew anything
    const bytes = readFileSync(location.path, 'utf8');
    if (process.platform !== 'win32') expect(statSync(location.path).mode & 0o777).toBe(0o600);
    const current = JSON.parse(bytes) as Record<string, unknown>;
    expect(Object.keys(current)).toEqual(SAVE_CONFIGS_KEYS);
    const access = await copySession(keyport, server.id, 'access-token');
    const refresh = await copySession(keyport, server.id, 'refresh-token');
    const [apikey = '', apisecret = ''] = (await copySession(keyport, server.id, 'client')).split(':');
    expect(current).toMatchObject({ access_token: access, refresh_token: refresh, apikey, apisecret, baseurl: TLS_BASE, tenantid: TENANT, username: 'alice', devurl: '', expires_in: 14400 });
    const createdAt = Number(current.created_at);
    expect(createdAt).toBeGreaterThanOrEqual(startedAt);
    expect(createdAt).toBeLessThanOrEqual(finishedAt);
    expect(await copySession(keyport, server.id, 'agave-current')).toBe(bytes);

    // The byte-compatibility proof: agavepy's own save_configs, given the values Keyport holds
    // (tokens and client from Keyport's copy formats, the time the refresh answered), writes the
    // same bytes.
    const agavepyDir = freshDir('agavepy-save-configs');
    await runSaveConfigs({ baseurl: TLS_BASE, tenantid: TENANT, username: 'alice', client_name: clientName, apikey, apisecret, access_token: access, refresh_token: refresh, created_at: createdAt, expires_in: 14400, cache_dir: agavepyDir });
    expect(bytes).toBe(readFileSync(join(agavepyDir, 'current'), 'utf8'));
    // config.json too, where load_configs() (the Tapis CLI's path) reads.
    expect(readFileSync(join(cacheDir, 'config.json'), 'utf8')).toBe(readFileSync(join(agavepyDir, 'config.json'), 'utf8'));
    const loaded = await python<LoadedConfig>(LOAD_CONFIGS_SCRIPT, [cacheDir]);
    expect(loaded).toMatchObject({ client_name: clientName, api_key: apikey, token: access, refresh_token: refresh, tenant_id: TENANT, username: 'alice' });

    // agavepy's restore path: Agave.restore() reads AGAVE_CACHE_DIR/current and the Swagger
    // client makes an authenticated call with Keyport's access token, without refreshing.
    const restoreMark = tls.requestLog.length;
    const restored = await python<Restored>(RESTORE_SCRIPT, [], { AGAVE_CACHE_DIR: cacheDir });
    expect(restored.error).toBeUndefined();
    expect(restored).toMatchObject({ api_server: TLS_BASE, api_key: apikey, tenant_id: TENANT, username: 'alice', token: access, token_after: access });
    expect(restored.profile).toMatchObject({ username: 'alice', email: 'alice@example.com' });
    expect(requestsSince(restoreMark)).toEqual(['GET /profiles/v2/me bearer 200']);
    expect(readFileSync(location.path, 'utf8')).toBe(bytes); // agavepy had no reason to rewrite it
  });

  it('a session Keyport delivers over SSH as the remote ~/.agave/current + config.json is what agavepy there restores (its profile call is alice\'s) and what load_configs reads', async () => {
    const sshd = await startSshd();
    try {
      const home = freshDir('ssh-home');
      mkdirSync(join(home, '.ssh'), { mode: 0o700 });
      writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
      const delivering = createTestCore({ env: { SSH_AUTH_SOCK: sshd.agentSocket, USER: sshd.user, HTTPS_PROXY: proxy.url }, homeDir: home });
      cores.push(delivering);
      const server = await delivering.call('servers.add', { name: 'Tapis', kind: 'tapis', url: TLS_BASE, caCertificatePath: caFile, options: { tenantId: TENANT } });
      await delivering.call('auth.signInWithPassword', { serverId: server.id, username: 'alice', password: PASSWORD });
      const result = await delivering.call('delivery.send', { secretId: sessionDeliveryId(server.id), host: '127.0.0.1', port: sshd.port, path: '~/.agave/current', format: 'session-file' });
      expect(result.state).toBe('delivered');
      const remoteDir = join(sshd.home, '.agave');
      const access = await copySession(delivering, server.id, 'access-token');
      const [apikey = ''] = (await copySession(delivering, server.id, 'client')).split(':');
      // agavepy on that machine: Agave.restore() from its AGAVE_CACHE_DIR, then a profile call.
      const mark = tls.requestLog.length;
      const restored = await python<Restored>(RESTORE_SCRIPT, [], { AGAVE_CACHE_DIR: remoteDir });
      expect(restored.error).toBeUndefined();
      expect(restored).toMatchObject({ api_server: TLS_BASE, api_key: apikey, tenant_id: TENANT, username: 'alice', token: access });
      expect(restored.profile).toMatchObject({ username: 'alice' });
      expect(requestsSince(mark)).toEqual(['GET /profiles/v2/me bearer 200']);
      // The Tapis CLI's path: load_configs() reads the delivered config.json.
      const loaded = await python<LoadedConfig>(LOAD_CONFIGS_SCRIPT, [remoteDir]);
      expect(loaded).toMatchObject({ api_key: apikey, token: access, tenant_id: TENANT, username: 'alice' });
    } finally {
      await sshd.close();
    }
  });

  it('a `current` written by agavepy\'s save_configs is imported with nothing lost, and Keyport renews with its refresh token', async () => {
    const { dir, apiKey } = await agavepySession('agavepy-saved');
    const path = join(dir, 'current');
    const bytes = readFileSync(path, 'utf8');
    const file = JSON.parse(bytes) as Record<string, unknown>;
    // The layout under test is save_configs': 11 sorted keys, created_at a string.
    expect(Object.keys(file)).toEqual(SAVE_CONFIGS_KEYS);
    expect(typeof file.created_at).toBe('string');
    expect(file.apikey).toBe(apiKey);
    await importAndCheck(path, 'agavepy-saved');
    expect(readFileSync(path, 'utf8')).toBe(bytes); // importing leaves the file alone
  });

  it('a `current` rewritten by agavepy after a refresh (Agave._write_client, to_dict layout) is imported with nothing lost, and Keyport renews with its refresh token', async () => {
    const { dir, apiKey } = await agavepySession('agavepy-rewritten');
    // Make agavepy refresh on a gateway fault, which rewrites `current` (as agavepy.test.ts).
    tls.expireAccessTokens('alice');
    const mark = tls.requestLog.length;
    const restored = await python<Restored>(RESTORE_SCRIPT, [], { AGAVE_CACHE_DIR: dir });
    expect(restored.profile).toMatchObject({ username: 'alice' });
    expect(requestsSince(mark)).toEqual(['GET /profiles/v2/me bearer 401', 'POST /token basic refresh_token 200', 'GET /profiles/v2/me bearer 200']);
    const path = join(dir, 'current');
    const file = readJson(path);
    // The layout under test is the rewrite's: unsorted to_dict keys, created_at a number,
    // client_name null, verify and proxies, no devurl.
    expect(Object.keys(file)).toEqual(REWRITTEN_KEYS);
    expect(file).toMatchObject({ apikey: apiKey, access_token: restored.token_after, client_name: null, verify: caFile, proxies: { https: proxy.url } });
    expect(typeof file.created_at).toBe('number');
    await importAndCheck(path, 'agavepy-rewritten');
  });

  it('exporting over a folder agavepy already uses updates config.json as save_configs would: load_configs() gets Keyport\'s live session, other clients and the fields Keyport does not own stay', async () => {
    // agavepy's session in the folder: client "agavepy-old", saved by save_configs, then a
    // refresh that rewrote `current` in the to_dict layout (verify, proxies, client_name…).
    const { dir } = await agavepySession('agavepy-old');
    tls.expireAccessTokens('alice');
    await python<Restored>(RESTORE_SCRIPT, [], { AGAVE_CACHE_DIR: dir });
    const before = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { current: Record<string, Record<string, unknown>> };
    expect(Object.keys(before.current)).toEqual(['agavepy-old']);

    // Keyport imports that session (same client), renews it (the server rotates the refresh
    // token, so the one in config.json dies), and exports back into the folder.
    const keyport = newKeyport({ AGAVE_CACHE_DIR: dir });
    const imported = await keyport.call('sessionFiles.import', { kind: 'tapis' });
    const view = await serverView(keyport, imported.id);
    await keyport.call('servers.update', { id: view.id, changes: { name: view.name, kind: view.kind, url: view.url, allowInsecureTls: false, caCertificatePath: caFile, options: view.options } });
    await keyport.call('auth.refresh', { serverId: view.id });
    const staleRefresh = String(before.current['agavepy-old']?.refresh_token);
    expect(tls.isRefreshTokenValid(staleRefresh)).toBe(false);
    const exported = await keyport.call('sessionFiles.export', { serverId: view.id, overwrite: true });
    expect(exported.state).toBe('written');

    const access = await copySession(keyport, view.id, 'access-token');
    const refresh = await copySession(keyport, view.id, 'refresh-token');
    const loaded = await python<LoadedConfig>(LOAD_CONFIGS_SCRIPT, [dir]);
    expect(loaded).toMatchObject({ client_name: 'agavepy-old', token: access, refresh_token: refresh, tenant_id: TENANT, username: 'alice' });
    expect(tls.isRefreshTokenValid(loaded.refresh_token)).toBe(true);
    // The same client's entry under sessions holds the live tokens too, not the dead ones.
    const loadedBySession = await python<LoadedConfig>(
      `from agavepy.utils.load_configs import load_config\nname, ctx = load_config(sys.argv[1], '${TENANT}', 'alice', 'agavepy-old')\nemit({'client_name': name, 'refresh_token': ctx['refresh_token'], 'token': ctx['access_token']})`,
      [dir],
    );
    expect(loadedBySession).toMatchObject({ client_name: 'agavepy-old', refresh_token: refresh, token: access });
    // `current` keeps what agavepy's rewrite put there and Keyport does not own.
    const current = readJson(join(dir, 'current'));
    expect(current).toMatchObject({ access_token: access, refresh_token: refresh, verify: caFile, proxies: { https: proxy.url }, use_nonce: false });
    // agavepy restores it and calls the API with Keyport's token.
    const restored = await python<Restored>(RESTORE_SCRIPT, [], { AGAVE_CACHE_DIR: dir });
    expect(restored).toMatchObject({ token: access, profile: { username: 'alice' } });

    // A second Keyport session with its own client exported into the same folder: agavepy's
    // client moves to sessions (as save_configs moves the current client), Keyport's is current.
    const other = newKeyport({ AGAVE_CACHE_DIR: dir });
    const server = await other.call('servers.add', { name: 'Tapis', kind: 'tapis', url: TLS_BASE, caCertificatePath: caFile, options: { tenantId: TENANT } });
    const signedIn = await other.call('auth.signInWithPassword', { serverId: server.id, username: 'alice', password: PASSWORD });
    const keyportClient = signedIn.session.state === 'signed-in' ? signedIn.session.dependsOn : null;
    await other.call('sessionFiles.export', { serverId: server.id, overwrite: true });
    const config = readJson(join(dir, 'config.json')) as { current: Record<string, unknown>; sessions: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.keys(config.current)).toEqual([keyportClient]);
    // (save_configs files the new current client under sessions only when the next one replaces it.)
    expect(Object.keys(config.sessions[TENANT]?.alice ?? {})).toEqual(['agavepy-old']);
    expect(config.sessions[TENANT]?.alice?.['agavepy-old']).toMatchObject({ refresh_token: refresh });
    expect((await python<LoadedConfig>(LOAD_CONFIGS_SCRIPT, [dir])).client_name).toBe(keyportClient);
  });

  it('files agavepy writes under umask 002 (0664) are imported and exported over when their group is the person\'s private group; another group gets the one-click "make it private"', async () => {
    const { dir } = await agavepySession('agavepy-umask', '002');
    for (const name of ['current', 'config.json']) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o664);
    const gid = statSync(join(dir, 'current')).gid;
    const uid = process.getuid?.();

    // The file's group is the person's private group: accepted as it is.
    const privateGroup = newKeyport({ AGAVE_CACHE_DIR: dir }, { uid, isPrivateGroup: (g) => Promise.resolve(g === gid) });
    const imported = await privateGroup.call('sessionFiles.import', { kind: 'tapis' });
    expect(imported.session.state).toBe('signed-in');
    const view = await serverView(privateGroup, imported.id);
    await privateGroup.call('servers.update', { id: view.id, changes: { name: view.name, kind: view.kind, url: view.url, allowInsecureTls: false, caCertificatePath: caFile, options: view.options } });
    expect((await privateGroup.call('sessionFiles.export', { serverId: imported.id, overwrite: true })).state).toBe('written');
    expect((await python<LoadedConfig>(LOAD_CONFIGS_SCRIPT, [dir])).client_name).toBe('agavepy-umask');

    // A shared group: refused until made private, then imported; agavepy still reads the files.
    const again = await agavepySession('agavepy-umask-2', '002');
    const shared = newKeyport({ AGAVE_CACHE_DIR: again.dir }, { uid, isPrivateGroup: () => Promise.resolve(false) });
    const refused = await shared.call('sessionFiles.import', { kind: 'tapis' }).catch((e: unknown) => e);
    expect(String(refused)).toContain('can be changed by other members of its group');
    await shared.call('sessionFiles.makePrivate', { kind: 'tapis' });
    for (const name of ['current', 'config.json']) expect(statSync(join(again.dir, name)).mode & 0o777).toBe(0o600);
    expect((await shared.call('sessionFiles.import', { kind: 'tapis' })).session.state).toBe('signed-in');
    expect((await python<LoadedConfig>(LOAD_CONFIGS_SCRIPT, [again.dir])).client_name).toBe('agavepy-umask-2');
  });
});
