// Conformance: Keyport (the real core, test/support/testCore.ts) and the real tapipy 25.4.0 (its own
// venv) on one reference Tapis v3 server. Keyport signs in (password with a client it creates,
// and the device flow with a client tapipy made), refreshes, manages clients and signs out;
// tapipy then uses exactly what Keyport copied: the access token through Keyport's own tapipy
// snippet, and the client + refresh token through the exports and the refresh snippet, run by a
// clean bash. Clients deleted on one side are gone for the other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerView } from '../src/shared/model';
import { createTestCore, type TestCore } from '../test/support/testCore';
import { startTapis3Server } from '../test/servers/tapis3/tapis3Server.ts';
import type { Tapis3Server } from '../test/servers/tapis3/tapis3Server.ts';
import { ensurePythonEnv, runCleanBash, venvLayout } from './pythonEnv.ts';
import { tapipy } from './tapipyRunner.ts';

const PASSWORD = 'wonderland-secret';
let server: Tapis3Server;
let scratch: string;
const cores: TestCore[] = [];

beforeAll(async () => {
  await ensurePythonEnv({ venv: 'tapipy' });
  server = await startTapis3Server({ deviceIntervalSeconds: 1 });
  scratch = mkdtempSync(join(tmpdir(), 'keyport-with-tapipy-'));
});

afterAll(async () => {
  await Promise.all(cores.map((c) => c.core.dispose()));
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

function newKeyport(): TestCore {
  const keyport = createTestCore({ homeDir: mkdtempSync(join(scratch, 'home-')) });
  cores.push(keyport);
  return keyport;
}

async function copySession(keyport: TestCore, serverId: string, format: string): Promise<string> {
  await keyport.call('clipboard.copySession', { serverId, format });
  return keyport.clipboard.text;
}

async function addServer(keyport: TestCore, options: Record<string, string> = {}): Promise<ServerView> {
  return keyport.call('servers.add', { name: 'Tapis v3', kind: 'tapis3', url: server.url, options });
}

/** Runs a snippet Keyport copied, with the venv's python, after `prelude` (exports Keyport copied). */
async function runSnippet(snippet: string, prelude: string, env: Record<string, string> = {}): Promise<string> {
  const python = join(venvLayout('tapipy').bin, 'python');
  const result = await runCleanBash(`${prelude}\nexec "${python}" -c "$SNIPPET"`, { PATH: '/usr/bin:/bin', HOME: scratch, LANG: 'C.UTF-8', SNIPPET: snippet, ...env });
  if (result.code !== 0) throw new Error(`snippet failed (${String(result.code)}): ${result.stderr.split('\n').slice(-3).join(' ')}`);
  return result.stdout.trim();
}

describe('Keyport and the real tapipy on one Tapis v3 tenant', () => {
  it('password sign-in: tapipy runs Keyport’s snippet with the copied access token; after a Keyport refresh the old token is dead and the new one works', async () => {
    const keyport = newKeyport();
    const added = await addServer(keyport);
    const signedIn = await keyport.call('auth.signInWithPassword', { serverId: added.id, username: 'alice', password: PASSWORD });
    expect(signedIn.session).toMatchObject({ state: 'signed-in', user: { name: 'alice' } });
    const token = await copySession(keyport, added.id, 'access-token');
    const snippet = await copySession(keyport, added.id, 'python');
    expect(await runSnippet(snippet, '', { TAPIS_TOKEN: token })).toBe('alice');
    const exported = await copySession(keyport, added.id, 'access-token-shell');
    expect(await runSnippet(snippet, exported)).toBe('alice');

    await keyport.call('auth.refresh', { serverId: added.id });
    const renewed = await copySession(keyport, added.id, 'access-token');
    expect(renewed).not.toBe(token);
    const old = await tapipy<[string, string]>(
      `
t = Tapis(base_url=URL, tenant_id='keyport', access_token=os.environ['AT'])
try:
    emit(['ok', t.authenticator.get_userinfo().username])
except Exception as e:
    emit(error(e))
`,
      { URL: server.url, AT: token },
    );
    expect(old[0]).toBe('UnauthorizedError');
    expect(await runSnippet(snippet, '', { TAPIS_TOKEN: renewed })).toBe('alice');
  });

  it('client + refresh token: tapipy’s get_tokens() works from Keyport’s exports and snippet; the shared refresh token rotates, so Keyport must then sign in again', async () => {
    const keyport = newKeyport();
    const added = await addServer(keyport);
    await keyport.call('auth.signInWithPassword', { serverId: added.id, username: 'alice', password: PASSWORD });
    const exports = await copySession(keyport, added.id, 'refresh-shell');
    const snippet = await copySession(keyport, added.id, 'python-refresh');
    const refreshesBefore = server.tokenRequests.refresh;
    expect(await runSnippet(snippet, exports)).toBe('alice');
    expect(server.tokenRequests.refresh - refreshesBefore).toBe(1);
    // tapipy rotated the refresh token Keyport held: Keyport's renewal is refused, clearly.
    await expect(keyport.call('auth.refresh', { serverId: added.id })).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
  });

  it('device sign-in through a client tapipy created; tapipy uses the copied token; sign-out revokes both tokens for tapipy too', async () => {
    const { accessToken } = server.issueTokens('alice');
    const client = await tapipy<{ id: string; key: string }>(
      `
t = Tapis(base_url=URL, tenant_id='keyport', access_token=os.environ['AT'])
c = t.authenticator.create_client(client_id='made-by-tapipy', description='for Keyport')
emit({'id': c.client_id, 'key': c.client_key})
`,
      { URL: server.url, AT: accessToken },
    );
    const keyport = newKeyport();
    const added = await addServer(keyport, { clientId: client.id, clientKey: client.key });
    const code = (await keyport.call('auth.startDeviceSignIn', { serverId: added.id, force: false }))!;
    expect(code.verificationUri).toBe(`${server.url}/v3/oauth2/device`);
    server.approveDevice(code.userCode, 'alice');
    await keyport.call('auth.finishDeviceSignIn', { serverId: added.id });
    const token = await copySession(keyport, added.id, 'access-token');
    const exports = await copySession(keyport, added.id, 'refresh-dotenv');
    const refreshToken = /TAPIS_REFRESH_TOKEN=(\S+)/.exec(exports)?.[1] ?? '';
    expect(await runSnippet(await copySession(keyport, added.id, 'python'), '', { TAPIS_TOKEN: token })).toBe('alice');

    await keyport.call('auth.signOut', { serverId: added.id });
    const after = await tapipy<{ userinfo: string; refresh: string }>(
      `
out = {}
t = Tapis(base_url=URL, tenant_id='keyport', access_token=os.environ['AT'], refresh_token=os.environ['RT'], client_id=os.environ['CID'], client_key=os.environ['KEY'])
try:
    t.authenticator.get_userinfo(); out['userinfo'] = 'worked'
except Exception as e:
    out['userinfo'] = type(e).__name__
try:
    t.refresh_tokens(); out['refresh'] = 'worked'
except Exception as e:
    out['refresh'] = type(e).__name__
emit(out)
`,
      { URL: server.url, AT: token, RT: refreshToken, CID: client.id, KEY: client.key },
    );
    expect(after).toEqual({ userinfo: 'UnauthorizedError', refresh: 'BadRequestError' });
  });

  it('clients: one Keyport creates, tapipy lists and can sign in with; one Keyport deletes is gone for tapipy; and the reverse', async () => {
    const keyport = newKeyport();
    const added = await addServer(keyport);
    await keyport.call('auth.signInWithPassword', { serverId: added.id, username: 'alice', password: PASSWORD });
    const created = await keyport.call('tokens.create', { serverId: added.id, name: 'keyport-made', save: false, fields: { description: 'for a script' } });
    const { accessToken } = server.issueTokens('alice');
    const script = `
t = Tapis(base_url=URL, tenant_id='keyport', access_token=os.environ['AT'])
listed = [c.client_id for c in t.authenticator.list_clients(limit=1000)]
try:
    s = Tapis(base_url=URL, tenant_id='keyport', username='alice', password=os.environ['PW'], client_id='keyport-made', client_key=os.environ['KEY'])
    s.get_tokens()
    signin = 'refresh' if s.refresh_token is not None else 'no refresh'
except Exception as e:
    signin = type(e).__name__
emit({'listed': listed, 'signin': signin})
`;
    const env = { URL: server.url, AT: accessToken, PW: PASSWORD, KEY: created.secret };
    const seen = await tapipy<{ listed: string[]; signin: string }>(script, env);
    expect(seen.listed).toContain('keyport-made');
    expect(seen.signin).toBe('refresh');

    await keyport.call('tokens.revoke', { serverId: added.id, tokenId: 'keyport-made' });
    const gone = await tapipy<{ listed: string[]; signin: string }>(script, env);
    expect(gone.listed).not.toContain('keyport-made');
    expect(gone.signin).toBe('BadRequestError');

    await tapipy(
      `
t = Tapis(base_url=URL, tenant_id='keyport', access_token=os.environ['AT'])
t.authenticator.create_client(client_id='tapipy-made')
emit(True)
`,
      env,
    );
    const listed = async () => (await keyport.call('tokens.list', { serverId: added.id })).map((t) => t.id);
    expect(await listed()).toContain('tapipy-made');
    await tapipy(
      `
t = Tapis(base_url=URL, tenant_id='keyport', access_token=os.environ['AT'])
t.authenticator.delete_client(client_id='tapipy-made')
emit(True)
`,
      env,
    );
    expect(await listed()).not.toContain('tapipy-made');
  });
});
