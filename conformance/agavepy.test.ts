// Conformance: the real agavepy 0.9.5 (pinned in conformance/requirements.txt) against the
// reference Tapis server. agavepy is a library, not a CLI, so each check runs a short Python
// script (kept below as strings) through its public functions and prints one JSON line that the
// test reads; the server's inspection helpers show what happened on the wire. If the server
// (or docs/protocols/tapis.md, which these tests back) drifts from agavepy, these go red.
//
// Two ways into agavepy, both exercised:
// - the functions behind the tapis CLI (agavepy.clients.*, agavepy.tokens.*, and the Agave
//   methods clients_create / get_access_token / refresh_tokens / save_configs / load_configs)
//   take any base URL, so they talk to the plain-HTTP server directly;
// - the Swagger client (Agave.restore(), ag.profiles.get(), ag.clients.create(...)) hard-codes
//   "https://" + the host of api_server (agavepy/resources/*.json.j2) and sends credentials only
//   when api_server has no port (agavepy/swaggerpy/http_client.py, Authenticator.matches). It is
//   driven with api_server "https://localhost" through a CONNECT proxy that tunnels localhost:443
//   to the HTTPS reference server (test/servers/tapis/connectProxy.ts); nothing leaves 127.0.0.1.
//   Its TLS verification ignores REQUESTS_CA_BUNDLE (it calls Session.send with verify=True), so
//   the scripts set the documented `verify` attribute to the server's CA after restoring.
// agavepy asks for passwords with getpass.getpass(prompt="API password: "); the scripts replace
// that prompt function (and record the prompt text) so that no terminal is needed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectProxy } from '../test/servers/tapis/connectProxy.ts';
import type { ConnectProxy } from '../test/servers/tapis/connectProxy.ts';
import { startTapisServer } from '../test/servers/tapis/tapisServer.ts';
import type { TapisServer } from '../test/servers/tapis/tapisServer.ts';
import { pythonJsonDumps } from '../src/main/core/providers/tapis/agaveCurrent.ts';
import { ensurePythonEnv, runPython } from './pythonEnv.ts';
import type { CommandResult } from './pythonEnv.ts';

const PASSWORD = 'wonderland-secret';
/** The base URL the Swagger client needs (see the header). */
const TLS_BASE = 'https://localhost';

let http: TapisServer;
let tls: TapisServer;
let proxy: ConnectProxy;
let scratch: string;
let caFile: string;
let dirCount = 0;

// Replaces agavepy's password prompt and gives every script emit(value): one JSON line.
const PRELUDE = `
import getpass, json, os, sys
PROMPTS = []
def _prompt(prompt='Password: ', stream=None):
    PROMPTS.append(prompt)
    return os.environ['AGAVE_TEST_PASSWORD']
getpass.getpass = _prompt
def emit(value):
    sys.stdout.write('\\n' + json.dumps(value, default=repr) + '\\n')
def error(e):
    return [type(e).__name__, str(e)]
`;

/** Runs PRELUDE + script with args; fails with Python's stderr unless it exits 0; returns the last stdout line as JSON. */
async function python<T>(script: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<{ value: T; result: CommandResult }> {
  const result = await runPython(PRELUDE + script, args, {
    env: {
      AGAVE_TEST_PASSWORD: PASSWORD,
      TZ: 'UTC',
      HTTPS_PROXY: proxy.url,
      CA_FILE: caFile,
      ...env,
    },
  });
  if (result.code !== 0) throw new Error(`python ${result.timedOut ? 'timed out' : `exited with ${String(result.code)}`}\n${result.stderr}\n${result.stdout}`);
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  return { value: JSON.parse(last) as T, result };
}

/** Requests the server saw since `mark`, as "METHOD path?query auth grant status". */
function requestsSince(server: TapisServer, mark: number): string[] {
  return server.requestLog
    .slice(mark)
    .map((r) => `${r.method} ${r.path}${r.query === '' ? '' : `?${r.query}`} ${r.auth}${r.grantType === null ? '' : ` ${r.grantType}`} ${String(r.status)}`);
}

function cacheDir(): string {
  dirCount += 1;
  const dir = join(scratch, `agave-cache-${dirCount}`);
  mkdirSync(dir);
  return dir;
}

// json.dumps as Python's defaults write it (separators ", " and ": ", ensure_ascii), with
// sort_keys as agavepy/utils/save_configs.py passes it: Keyport's own writer, which these tests
// hold to agavepy's bytes.

// The 11 keys agavepy/utils/save_configs.py writes to `current`, sorted as json.dump(sort_keys=True) does.
const CURRENT_KEYS = ['access_token', 'apikey', 'apisecret', 'baseurl', 'created_at', 'devurl', 'expires_at', 'expires_in', 'refresh_token', 'tenantid', 'username'];
// Key order of the `current` that Agave._write_client() rewrites after a refresh (json.dumps of Agave.to_dict()).
const REWRITTEN_KEYS = ['refresh_token', 'expires_in', 'expires_at', 'created_at', 'username', 'token_username', 'client_name', 'use_nonce', 'verify', 'proxies', 'tenantid', 'apisecret', 'apikey', 'baseurl', 'access_token'];
// time.strftime("%a %b %-d %H:%M:%S %Z %Y") in agavepy/tokens/*.py, e.g. "Mon Nov 3 15:34:55 UTC 2026".
const STRFTIME_EXPIRES_AT = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [1-9]\d? \d\d:\d\d:\d\d [A-Z]+ \d{4}$/;
// time.ctime() in agavepy/agave.py Token._token, e.g. "Mon Nov  3 15:34:55 2026" (day padded with a space).
const CTIME_EXPIRES_AT = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3]\d \d\d:\d\d:\d\d \d{4}$/;

interface TokenData {
  access_token: string;
  refresh_token: string;
  expires_in: unknown;
  created_at: unknown;
  expires_at: unknown;
}

// The tapis-CLI flow of the Agave object: create a client, get tokens, refresh them once (as
// refresh_tokens() does when less than 60 s are left), save_configs(cache_dir). Goes through
// the proxy so that the saved baseurl is one the Swagger client can restore.
const SESSION_SCRIPT = `
from agavepy.agave import Agave
base, client_name, cache_dir = sys.argv[1:4]
ag = Agave(api_server=base, username='alice', tenant_id='keyport.test')
ag.clients_create(client_name, 'made by agavepy')
ag.get_access_token()
first = {'access_token': ag.token, 'refresh_token': ag.refresh_token}
ag.created_at = str(int(ag.created_at) - int(ag.expires_in))  # as if it had expired
ag.refresh_tokens()
ag.save_configs(cache_dir)
emit({'first': first, 'access_token': ag.token, 'refresh_token': ag.refresh_token, 'api_key': ag.api_key, 'prompts': PROMPTS})
`;

interface Session {
  dir: string;
  clientName: string;
  first: { access_token: string; refresh_token: string };
  access_token: string;
  refresh_token: string;
  api_key: string;
  prompts: string[];
}

async function agavepySession(clientName: string): Promise<Session> {
  const dir = cacheDir();
  const { value } = await python<Omit<Session, 'dir' | 'clientName'>>(SESSION_SCRIPT, [TLS_BASE, clientName, dir], { REQUESTS_CA_BUNDLE: caFile });
  return { dir, clientName, ...value };
}

// Agave.restore() from AGAVE_CACHE_DIR/current, then the Swagger profile call.
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
    profile = ag.profiles.get()
    out['profile'] = dict(profile)
except requests.exceptions.HTTPError as e:
    out['error'] = [e.response.status_code, e.response.url, e.response.text]
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
  error?: [number, string, string];
}

function restore(dir: string): Promise<{ value: Restored; result: CommandResult }> {
  return python<Restored>(RESTORE_SCRIPT, [], { AGAVE_CACHE_DIR: dir });
}

beforeAll(async () => {
  const env = await ensurePythonEnv();
  if (env.created) process.stderr.write(`conformance venv created in ${(env.setupMs / 1000).toFixed(1)} s at ${env.venvDir}\n`);
  http = await startTapisServer();
  tls = await startTapisServer({ https: true });
  proxy = await startConnectProxy(tls.url);
  scratch = mkdtempSync(join(tmpdir(), 'keyport-agavepy-'));
  caFile = join(scratch, 'tapis-ca.pem');
  writeFileSync(caFile, tls.caPem ?? '');
});

afterAll(async () => {
  await Promise.all([http?.close(), tls?.close(), proxy?.close()]);
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe('agavepy 0.9.5 against the reference Tapis server', () => {
  it('is the pinned agavepy on Python 3.11+', async () => {
    const { value } = await python<{ version: string; python: number[] }>(`
import importlib.metadata
emit({'version': importlib.metadata.version('agavepy'), 'python': list(sys.version_info[:2])})
`);
    expect(value.version).toBe('0.9.5');
    expect(value.python[0]).toBe(3);
    expect(value.python[1]).toBeGreaterThanOrEqual(11);
  });

  describe('agavepy.clients and agavepy.tokens (the functions behind the tapis CLI; any base URL)', () => {
    it('clients_create posts the form with Basic username:password and returns the key and secret', async () => {
      const mark = http.requestLog.length;
      const { value } = await python<{ key: string; secret: string; prompts: string[] }>(
        `
from agavepy.clients import clients_create
key, secret = clients_create('alice', sys.argv[2], 'made by agavepy', sys.argv[1])
emit({'key': key, 'secret': secret, 'prompts': PROMPTS})
`,
        [http.url, 'agavepy-created'],
      );
      expect(value.prompts).toEqual(['API password: ']);
      expect(http.getClient('alice', 'agavepy-created')).toEqual({
        name: 'agavepy-created',
        description: 'made by agavepy',
        tier: 'Unlimited',
        callbackUrl: '',
        consumerKey: value.key,
      });
      expect(value.secret).toMatch(/^[A-Za-z0-9_-]{28}$/);
      expect(requestsSince(http, mark)).toEqual(['POST /clients/v2 basic 201']);
      // The secret works: it is what the token endpoint checks.
      const pair = http.issueTokens('alice', 'agavepy-created');
      expect(http.isAccessTokenValid(pair.accessToken)).toBe(true);
    });

    it('clients_list prints the user\'s clients; clients_delete deletes one', async () => {
      http.createClient('alice', 'listed-one', 'the first');
      http.createClient('alice', 'listed-two', '');
      http.createClient('bob', 'bobs-client', 'not alice\'s');
      const mark = http.requestLog.length;
      const { result } = await python(
        `
from agavepy.clients import clients_list, clients_delete
clients_list('alice', sys.argv[1])
clients_delete(sys.argv[1], 'alice', 'listed-one')
emit(PROMPTS)
`,
        [http.url],
      );
      const lines = result.stdout.split('\n');
      expect(lines[0]).toMatch(/^NAME\s+DESCRIPTION\s*$/);
      expect(result.stdout).toMatch(/^listed-one\s+the first\s*$/m);
      expect(result.stdout).toMatch(/^listed-two\s*$/m);
      expect(result.stdout).not.toContain('bobs-client');
      expect(http.hasClient('alice', 'listed-one')).toBe(false);
      expect(http.hasClient('alice', 'listed-two')).toBe(true);
      expect(requestsSince(http, mark)).toEqual(['GET /clients/v2 basic 200', 'DELETE /clients/v2/listed-one basic 200']);
    });

    it('errors: a taken name (409), a wrong password (403), an invalid name (400); an empty name never leaves agavepy', async () => {
      http.createClient('alice', 'taken-name');
      const mark = http.requestLog.length;
      const { value } = await python<[string, string][]>(
        `
from agavepy.clients import clients_create, clients_list
out = []
for name, password in [('taken-name', os.environ['AGAVE_TEST_PASSWORD']), ('fresh-name', 'wrong'), ('bad name', os.environ['AGAVE_TEST_PASSWORD']), ('', os.environ['AGAVE_TEST_PASSWORD'])]:
    os.environ['AGAVE_TEST_PASSWORD'] = password
    try:
        clients_create('alice', name, '', sys.argv[1])
        out.append(['ok', name])
    except Exception as e:
        out.append(error(e))
emit(out)
`,
        [http.url],
      );
      expect(value.map(([kind]) => kind)).toEqual(['AgaveAPICallError', 'AgaveAPICallError', 'AgaveAPICallError', 'AgaveClientError']);
      expect(value[0]?.[1]).toContain('status code 409');
      expect(value[0]?.[1]).toContain('already exists');
      expect(value[1]?.[1]).toContain('status code 403');
      expect(value[2]?.[1]).toContain('status code 400');
      expect(value[3]?.[1]).toContain('invalid client_name');
      expect(requestsSince(http, mark)).toEqual(['POST /clients/v2 basic 409', 'POST /clients/v2 basic 403', 'POST /clients/v2 basic 400']);
      expect(http.hasClient('alice', 'fresh-name')).toBe(false);
    });

    it('token_create: password grant (Basic key:secret, scope PRODUCTION, ?pretty=true) and its token_data types', async () => {
      const { consumerKey, consumerSecret } = http.createClient('alice', 'for-tokens');
      const mark = http.requestLog.length;
      const before = Math.floor(Date.now() / 1000);
      const { value } = await python<TokenData & { prompts: string[] }>(
        `
from agavepy.tokens import token_create
data = token_create('alice', sys.argv[2], sys.argv[3], sys.argv[1])
data['prompts'] = PROMPTS
emit(data)
`,
        [http.url, consumerKey, consumerSecret],
      );
      const after = Math.floor(Date.now() / 1000);
      expect(value.prompts).toEqual(['API password: ']);
      expect(requestsSince(http, mark)).toEqual(['POST /token?pretty=true basic password 200']);
      expect(http.isAccessTokenValid(value.access_token)).toBe(true);
      expect(http.isRefreshTokenValid(value.refresh_token)).toBe(true);
      // expires_in is passed through as the server sent it (a number); created_at is a string.
      expect(value.expires_in).toBe(14400);
      expect(typeof value.created_at).toBe('string');
      const created = Number(value.created_at);
      expect(created).toBeGreaterThanOrEqual(before);
      expect(created).toBeLessThanOrEqual(after);
      expect(value.expires_at).toMatch(STRFTIME_EXPIRES_AT);
      expect(value.expires_at).toContain(' UTC ');
      expect(new Date((created + 14400) * 1000).toUTCString()).toContain(String(value.expires_at).split(' ')[3]);
    });

    it('token_create failures: wrong password is 400, wrong client secret 401 (agavepy\'s error text carries the form, password included)', async () => {
      const { consumerKey, consumerSecret } = http.createClient('alice', 'for-failures');
      const mark = http.requestLog.length;
      const { value } = await python<[string, string][]>(
        `
from agavepy.tokens import token_create
out = []
for key, secret, password in [(sys.argv[2], sys.argv[3], 'not-the-password'), (sys.argv[2], 'wrong-secret', os.environ['AGAVE_TEST_PASSWORD'])]:
    os.environ['AGAVE_TEST_PASSWORD'] = password
    try:
        token_create('alice', key, secret, sys.argv[1])
        out.append(['ok', ''])
    except Exception as e:
        out.append(error(e))
emit(out)
`,
        [http.url, consumerKey, consumerSecret],
      );
      expect(value[0]?.[0]).toBe('AgaveAPICallError');
      expect(value[0]?.[1]).toContain('status code 400');
      expect(value[0]?.[1]).toContain('invalid_grant');
      expect(value[0]?.[1]).toContain('password=not-the-password'); // agavepy prints the request body
      expect(value[1]?.[0]).toBe('AgaveAPICallError');
      expect(value[1]?.[1]).toContain('status code 401');
      expect(value[1]?.[1]).toContain('invalid_client');
      expect(requestsSince(http, mark)).toEqual(['POST /token?pretty=true basic password 400', 'POST /token?pretty=true basic password 401']);
    });

    it('refresh_token rotates: the new refresh token works once more, the old one is refused', async () => {
      const { consumerKey, consumerSecret } = http.createClient('alice', 'for-refresh');
      const pair = http.issueTokens('alice', 'for-refresh');
      const refreshesBefore = http.tokenRequests.refresh;
      const mark = http.requestLog.length;
      const { value } = await python<{ first: TokenData; reused: [string, string]; second: TokenData }>(
        `
from agavepy.tokens import refresh_token
url, key, secret, old = sys.argv[1:5]
first = refresh_token(key, secret, old, url)
try:
    refresh_token(key, secret, old, url)
    reused = ['ok', '']
except Exception as e:
    reused = error(e)
second = refresh_token(key, secret, first['refresh_token'], url)
emit({'first': first, 'reused': reused, 'second': second})
`,
        [http.url, consumerKey, consumerSecret, pair.refreshToken],
      );
      expect(value.first.refresh_token).not.toBe(pair.refreshToken);
      expect(value.first.access_token).not.toBe(pair.accessToken);
      expect(value.reused[0]).toBe('AgaveAPICallError');
      expect(value.reused[1]).toContain('status code 400');
      expect(value.reused[1]).toContain('invalid_grant');
      expect(http.isRefreshTokenValid(pair.refreshToken)).toBe(false);
      expect(http.isAccessTokenValid(pair.accessToken)).toBe(false);
      expect(http.isRefreshTokenValid(value.first.refresh_token)).toBe(false); // used by the second refresh
      expect(http.isRefreshTokenValid(value.second.refresh_token)).toBe(true);
      expect(http.isAccessTokenValid(value.second.access_token)).toBe(true);
      expect(value.second.expires_in).toBe(14400);
      expect(typeof value.second.created_at).toBe('string');
      expect(value.second.expires_at).toMatch(STRFTIME_EXPIRES_AT);
      expect(http.tokenRequests.refresh - refreshesBefore).toBe(3);
      expect(requestsSince(http, mark)).toEqual(['POST /token basic refresh_token 200', 'POST /token basic refresh_token 400', 'POST /token basic refresh_token 200']);
    });

    it('Agave.init() finds the tenant id of api_server in GET /tenants (code, baseUrl)', async () => {
      const { value } = await python<{ tenant_id: string }>(
        `
from agavepy.agave import Agave
ag = Agave(api_server=sys.argv[1])
ag.init(tenantsurl=sys.argv[1] + '/tenants')
emit({'tenant_id': ag.tenant_id})
`,
        [http.url],
      );
      expect(value.tenant_id).toBe('keyport.test');
    });
  });

  describe('the session file `current`: save_configs, Agave.restore() and the profile call', () => {
    it('save_configs writes `current` as one line of 11 sorted keys that Python\'s json.dumps rules reproduce byte for byte', async () => {
      const session = await agavepySession('agavepy-session');
      expect(session.prompts).toEqual(['API password: ', 'API password: ']);
      const bytes = readFileSync(join(session.dir, 'current'), 'utf8');
      const current = JSON.parse(bytes) as Record<string, unknown>;
      expect(Object.keys(current)).toEqual(CURRENT_KEYS);
      expect(bytes).toBe(pythonJsonDumps(current, true));
      expect(bytes.endsWith('}')).toBe(true); // no newline at the end
      expect(current).toMatchObject({
        access_token: session.access_token,
        refresh_token: session.refresh_token,
        apikey: session.api_key,
        apisecret: expect.stringMatching(/^[A-Za-z0-9_-]{28}$/) as unknown,
        baseurl: TLS_BASE,
        devurl: '',
        tenantid: 'keyport.test',
        username: 'alice',
        expires_in: 14400,
      });
      expect(current.created_at).toMatch(/^\d{10}$/);
      expect(current.expires_at).toMatch(STRFTIME_EXPIRES_AT);
      // The refresh in the flow rotated the tokens on the server.
      expect(tls.isAccessTokenValid(session.access_token)).toBe(true);
      expect(tls.isRefreshTokenValid(session.refresh_token)).toBe(true);
      expect(tls.isRefreshTokenValid(session.first.refresh_token)).toBe(false);
      expect(tls.getClient('alice', 'agavepy-session')?.consumerKey).toBe(session.api_key);

      // config.json holds the same context under the client's name (the only place the name is kept).
      const config = JSON.parse(readFileSync(join(session.dir, 'config.json'), 'utf8')) as {
        current: Record<string, Record<string, unknown>>;
        sessions: Record<string, Record<string, Record<string, Record<string, unknown>>>>;
      };
      expect(Object.keys(config.current)).toEqual(['agavepy-session']);
      expect(config.current['agavepy-session']).toEqual(current);
      expect(config.sessions['keyport.test']?.alice?.['agavepy-session']).toEqual(current);
      expect(readFileSync(join(session.dir, 'config.json'), 'utf8')).toBe(JSON.stringify(config, null, 4));
    });

    it('load_configs reads the session back from config.json', async () => {
      const session = await agavepySession('agavepy-load');
      const { value } = await python<Record<string, unknown>>(
        `
from agavepy.agave import Agave
ag = Agave(api_server='https://unused.invalid')
ag.load_configs(sys.argv[1])
emit({k: getattr(ag, k) for k in ['client_name', 'tenant_id', 'api_server', 'api_key', 'username', 'token', 'refresh_token', 'created_at', 'expires_in', 'expires_at']})
`,
        [session.dir],
      );
      expect(value).toMatchObject({
        client_name: 'agavepy-load',
        tenant_id: 'keyport.test',
        api_server: TLS_BASE,
        api_key: session.api_key,
        username: 'alice',
        token: session.access_token,
        refresh_token: session.refresh_token,
        expires_in: 14400,
      });
    });

    it('Agave.restore() loads `current` from AGAVE_CACHE_DIR and the profile call is authenticated', async () => {
      const session = await agavepySession('agavepy-restore');
      const mark = tls.requestLog.length;
      const { value } = await restore(session.dir);
      expect(value.error).toBeUndefined();
      expect(value).toMatchObject({ api_server: TLS_BASE, api_key: session.api_key, tenant_id: 'keyport.test', username: 'alice', token: session.access_token });
      expect(value.profile).toMatchObject({ username: 'alice', email: 'alice@example.com', first_name: 'Alice', last_name: 'Liddell' });
      expect(requestsSince(tls, mark)).toEqual(['GET /profiles/v2/me bearer 200']);
      expect(proxy.connects.every((c) => c === 'localhost:443')).toBe(true);
    });

    it('an expired access token: the gateway fault makes agavepy refresh (rotation), retry, and rewrite `current`', async () => {
      const session = await agavepySession('agavepy-expiry');
      const before = readFileSync(join(session.dir, 'current'), 'utf8');
      tls.expireAccessTokens('alice');
      const mark = tls.requestLog.length;
      const { value } = await restore(session.dir);
      expect(value.error).toBeUndefined();
      expect(value.profile).toMatchObject({ username: 'alice' });
      expect(requestsSince(tls, mark)).toEqual(['GET /profiles/v2/me bearer 401', 'POST /token basic refresh_token 200', 'GET /profiles/v2/me bearer 200']);
      expect(value.token_after).not.toBe(session.access_token);
      expect(tls.isAccessTokenValid(value.token_after)).toBe(true);
      expect(tls.isRefreshTokenValid(session.refresh_token)).toBe(false);

      // Agave._write_client() replaces the file with json.dumps(Agave.to_dict()): another layout.
      const bytes = readFileSync(join(session.dir, 'current'), 'utf8');
      expect(bytes).not.toBe(before);
      const rewritten = JSON.parse(bytes) as Record<string, unknown>;
      expect(Object.keys(rewritten)).toEqual(REWRITTEN_KEYS);
      expect(bytes).toBe(pythonJsonDumps(rewritten, false));
      expect(rewritten).toMatchObject({
        access_token: value.token_after,
        apikey: session.api_key,
        baseurl: TLS_BASE,
        tenantid: 'keyport.test',
        username: 'alice',
        client_name: null,
        token_username: null,
        use_nonce: false,
        verify: caFile,
        proxies: { https: proxy.url },
        expires_in: 14400,
      });
      expect(typeof rewritten.created_at).toBe('number');
      expect(rewritten.expires_at).toMatch(CTIME_EXPIRES_AT);
      expect(tls.isRefreshTokenValid(String(rewritten.refresh_token))).toBe(true);

      // The rewritten file restores too, and its refresh token is the live one.
      tls.expireAccessTokens('alice');
      const again = await restore(session.dir);
      expect(again.value.profile).toMatchObject({ username: 'alice' });
      expect(tls.isRefreshTokenValid(String(rewritten.refresh_token))).toBe(false);
    });

    it('a revoked refresh token: the refresh gets 400, agavepy re-raises the original 401, `current` is left as it was', async () => {
      const session = await agavepySession('agavepy-revoked');
      const before = readFileSync(join(session.dir, 'current'), 'utf8');
      tls.revokeRefreshTokens('alice');
      tls.expireAccessTokens('alice');
      const mark = tls.requestLog.length;
      const { value } = await restore(session.dir);
      expect(value.profile).toBeUndefined();
      // with_refresh() (agavepy/agave.py) swallows the refresh's HTTPError and re-raises the 401.
      expect(value.error?.[0]).toBe(401);
      expect(value.error?.[1]).toBe(`${TLS_BASE}/profiles/v2/me`);
      expect(JSON.parse(value.error?.[2] ?? '{}')).toMatchObject({ fault: { code: 900901, message: 'Invalid Credentials' } });
      expect(requestsSince(tls, mark)).toEqual(['GET /profiles/v2/me bearer 401', 'POST /token basic refresh_token 400']);
      expect(readFileSync(join(session.dir, 'current'), 'utf8')).toBe(before);
    });

    it('a `current` written by another program in the documented layout (as Keyport exports it) is restored and works', async () => {
      const { consumerKey, consumerSecret } = tls.createClient('alice', 'written-elsewhere');
      const pair = tls.issueTokens('alice', 'written-elsewhere');
      const createdAt = Math.floor(Date.now() / 1000);
      const dir = cacheDir();
      const current = {
        access_token: pair.accessToken,
        apikey: consumerKey,
        apisecret: consumerSecret,
        baseurl: TLS_BASE,
        created_at: String(createdAt),
        devurl: '',
        expires_at: 'Mon Nov 23 15:34:55 UTC 2026', // informational: agavepy never parses it
        expires_in: pair.expiresIn,
        refresh_token: pair.refreshToken,
        tenantid: 'keyport.test',
        username: 'alice',
      };
      writeFileSync(join(dir, 'current'), pythonJsonDumps(current, true));
      const { value } = await restore(dir);
      expect(value.profile).toMatchObject({ username: 'alice' });
      expect(value.api_key).toBe(consumerKey);

      // ... and its refresh token is used when the access token has expired.
      tls.expireAccessTokens('alice');
      const refreshed = await restore(dir);
      expect(refreshed.value.profile).toMatchObject({ username: 'alice' });
      expect(tls.isRefreshTokenValid(pair.refreshToken)).toBe(false);
    });

    it('where agavepy looks: AGAVE_CACHE_DIR (an existing directory) or ~/.agave; TAPIS_CACHE_DIR is not read', async () => {
      const dir = cacheDir();
      const script = `
from agavepy.agave import Agave
out = {'home': os.path.expanduser('~')}
try:
    out['path'] = Agave.agavecurrent_path()
    out['restore'] = repr(Agave.restore())
except Exception as e:
    out['error'] = error(e)
emit(out)
`;
      const withAgave = await python<{ path: string; error?: [string, string] }>(script, [], { AGAVE_CACHE_DIR: dir });
      expect(withAgave.value.path).toBe(join(dir, 'current'));
      const withTapis = await python<{ home: string; path: string }>(script, [], { TAPIS_CACHE_DIR: dir });
      expect(withTapis.value.path).toBe(join(withTapis.value.home, '.agave', 'current'));
      // An AGAVE_CACHE_DIR that is not a directory gives no path at all, and restore() breaks.
      const missing = join(scratch, 'no-such-dir');
      expect(existsSync(missing)).toBe(false);
      const withMissing = await python<{ path: string | null; error?: [string, string] }>(script, [], { AGAVE_CACHE_DIR: missing });
      expect(withMissing.value.path).toBeNull();
      expect(withMissing.value.error?.[0]).toBe('TypeError');
    });
  });

  describe('the Swagger client (ag.clients.*, with username and password)', () => {
    it('clients.create(body=...) creates a client and gets tokens at once; list, getClientByName and delete work', async () => {
      const mark = tls.requestLog.length;
      const { value } = await python<{ created: Record<string, unknown>; token: Record<string, unknown>; names: string[]; one: Record<string, unknown>[]; gone: boolean }>(
        `
from agavepy.agave import Agave
ag = Agave(api_server=sys.argv[1], username='alice', password=os.environ['AGAVE_TEST_PASSWORD'], verify=os.environ['CA_FILE'])
created = ag.clients.create(body={'clientName': 'swagger-made', 'description': 'd', 'tier': 'Unlimited', 'callbackUrl': ''})
token = dict(ag.token.token_info)
names = [c['name'] for c in ag.clients.list()]
one = [dict(c) for c in ag.clients.getClientByName(clientName='swagger-made')]
ag.clients.delete(clientName='swagger-made')
emit({'created': dict(created), 'token': token, 'names': names, 'one': one, 'gone': 'swagger-made' not in [c['name'] for c in ag.clients.list()]})
`,
        [TLS_BASE],
      );
      expect(value.created).toMatchObject({ name: 'swagger-made', tier: 'Unlimited', consumerKey: expect.any(String) as unknown, consumerSecret: expect.any(String) as unknown });
      expect(value.token).toMatchObject({ token_type: 'bearer', scope: 'default', expires_in: 14400 });
      expect(typeof value.token.created_at).toBe('number');
      expect(value.token.expires_at).toMatch(CTIME_EXPIRES_AT);
      expect(value.names).toContain('swagger-made');
      expect(value.one).toHaveLength(1);
      expect(value.one[0]).toMatchObject({ name: 'swagger-made', consumerKey: value.created.consumerKey });
      expect(value.gone).toBe(true);
      expect(tls.hasClient('alice', 'swagger-made')).toBe(false);
      expect(requestsSince(tls, mark)).toEqual([
        'POST /clients/v2/ basic 201',
        'POST /token basic password 200',
        'GET /clients/v2/ basic 200',
        'GET /clients/v2/swagger-made basic 200',
        'DELETE /clients/v2/swagger-made basic 200',
        'GET /clients/v2/ basic 200',
      ]);
    });
  });
});
