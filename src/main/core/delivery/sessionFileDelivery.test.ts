// Delivery in the kind's own session file, against Debian's real sshd (test/servers/sshd): a
// Tapis session as agavepy's ~/.agave/current + config.json, and an Anaconda API key merged into
// ~/.anaconda/keyring (only this site's entry). The remote bytes are the ones the local export
// (sessionFiles.export, the same provider.sessionFile) writes; files are read back over a
// separate OpenSSH connection.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sessionDeliveryId } from '../../../shared/model';
import { startAnacondaServer, type AnacondaServer } from '../../../../test/servers/anaconda/anacondaServer';
import { writeAnacondaKeyring } from '../../../../test/servers/anaconda/keyringFile';
import { startSshd, type SshdServer } from '../../../../test/servers/sshd/sshdServer';
import { useTapisHarness } from '../../../../test/support/tapisHarness';
import type { Harness } from '../../../../test/support/coreHarness';
import { knownHostName } from './knownHosts';

vi.setConfig({ testTimeout: 30_000 });
const { tapisHarness } = useTapisHarness();
let sshd: SshdServer;

beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);
afterAll(async () => {
  await sshd?.close();
});

const remote = (path: string) => join(sshd.home, path);
const mode = (path: string) => statSync(path).mode & 0o777;

/** A core (with a reference Tapis server) whose home knows the sshd's host key; the agent holds the key. */
async function core() {
  const t = await tapisHarness({ env: { SSH_AUTH_SOCK: sshd.agentSocket, USER: sshd.user } });
  mkdirSync(join(t.home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(t.home, '.ssh', 'known_hosts'), `${knownHostName('127.0.0.1', sshd.port)} ${sshd.hostPublicKey}\n`);
  return t;
}

function catOverSsh(home: string, path: string): string {
  return execFileSync(
    'ssh',
    ['-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(home, '.ssh', 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-i', sshd.clientKeyPath, '-p', String(sshd.port), `${sshd.user}@127.0.0.1`, `cat ${remote(path)}`],
    { encoding: 'utf8', timeout: 10_000 },
  );
}

const send = (h: Pick<Harness, 'call'>, secretId: string, path: string, format: 'session-file' | 'env' | 'npmrc' | 'plain' = 'session-file') =>
  h.call('delivery.send', { secretId, host: '127.0.0.1', port: sshd.port, path, format });

describe('a Tapis session delivered as agavepy’s ~/.agave/current + config.json', () => {
  it('writes the bytes the local export writes (save_configs’ layout), both files 0600 in a 0700 folder; other clients in config.json stay; the target is kept with the session', async () => {
    const t = await core();
    const serverId = await t.addServer();
    await t.signIn(serverId);
    rmSync(remote('.agave'), { recursive: true, force: true });
    mkdirSync(remote('.agave'), { mode: 0o700 });
    // agavepy's config.json of another client, which a save_configs keeps.
    const otherClient = { current: { 'other-client': { tenantid: 'other', apikey: 'k', apisecret: 's', access_token: 'a', refresh_token: 'r' } }, tenants: {} };
    writeFileSync(remote('.agave/config.json'), JSON.stringify(otherClient), { mode: 0o644 });

    const delivered = await send(t.h, sessionDeliveryId(serverId), '~/.agave/current');
    expect(delivered.state).toBe('delivered');
    // The local export of the same session, for comparison (the same provider.sessionFile).
    mkdirSync(join(t.home, '.agave'), { mode: 0o700 });
    writeFileSync(join(t.home, '.agave', 'config.json'), JSON.stringify(otherClient));
    await t.h.call('sessionFiles.export', { serverId, overwrite: true });
    expect(catOverSsh(t.home, '.agave/current')).toBe(readFileSync(join(t.home, '.agave', 'current'), 'utf8'));
    expect(catOverSsh(t.home, '.agave/config.json')).toBe(readFileSync(join(t.home, '.agave', 'config.json'), 'utf8'));
    const current = JSON.parse(readFileSync(remote('.agave/current'), 'utf8')) as Record<string, unknown>;
    expect(t.tapis.isAccessTokenValid(String(current.access_token))).toBe(true);
    expect(t.tapis.isRefreshTokenValid(String(current.refresh_token))).toBe(true);
    const config = JSON.parse(readFileSync(remote('.agave/config.json'), 'utf8')) as { current: Record<string, unknown> };
    expect(Object.keys(config.current)).toEqual(expect.arrayContaining(['other-client', t.tapis.clientNames('alice')[0]]));
    expect(mode(remote('.agave/current'))).toBe(0o600);
    expect(mode(remote('.agave/config.json'))).toBe(0o600);
    expect(readFileSync(remote('.agave/config.json.keyport-backup'), 'utf8')).toBe(JSON.stringify(otherClient));

    const targets = await t.h.call('delivery.targets', { secretId: sessionDeliveryId(serverId) });
    expect(targets).toEqual([expect.objectContaining({ path: '~/.agave/current', format: 'session-file', lastDeliveredAt: expect.any(String) })]);
    expect(t.h.vaultText()).not.toContain(String(current.access_token));
  });

  it('a session goes only in its session file, and is renewed, not rotated; a saved OAuth client is not a session file', async () => {
    const t = await core();
    const serverId = await t.addServer();
    await t.signIn(serverId);
    expect((await t.h.fail('delivery.send', { secretId: sessionDeliveryId(serverId), host: '127.0.0.1', port: sshd.port, path: 'tapis.env', format: 'env' })).code).toBe('VALIDATION');
    expect((await t.h.fail('delivery.rotate', { secretId: sessionDeliveryId(serverId) })).code).toBe('UNSUPPORTED');
    const client = await t.h.call('tokens.create', { serverId, name: 'keyport-ci', save: true, password: 'wonderland-secret' });
    expect(await t.h.fail('delivery.send', { secretId: client.secretId, host: '127.0.0.1', port: sshd.port, path: 'client/current', format: 'session-file' })).toMatchObject({ code: 'VALIDATION', field: 'format' });
    // Nothing connected or written for a refused format.
    expect(() => statSync(remote('client'))).toThrow();
    await t.h.call('auth.signOut', { serverId });
    expect((await t.h.fail('delivery.send', { secretId: sessionDeliveryId(serverId), host: '127.0.0.1', port: sshd.port, path: '~/.agave/current', format: 'session-file' })).code).toBe('NOT_SIGNED_IN');
  });
});

describe('an Anaconda API key delivered into ~/.anaconda/keyring', () => {
  let anaconda: AnacondaServer;
  beforeAll(async () => {
    anaconda = await startAnacondaServer();
  });
  afterAll(async () => {
    await anaconda?.close();
  });

  it('merges only this site’s entry (other sites and services kept), as the local export renders it; withdrawing removes only that entry', async () => {
    const t = await core();
    // Signed in by importing a key anaconda-auth left (the browser sign-in is tested elsewhere).
    const imported = anaconda.mintApiKey('alice');
    writeAnacondaKeyring(t.home, anaconda.url, imported.apiKey);
    const server = await t.h.call('sessionFiles.import', { kind: 'anaconda', path: join(t.home, '.anaconda', 'keyring') });
    const created = await t.h.call('tokens.create', { serverId: server.id, name: 'build-box', save: true });

    const others = { 'Anaconda Cloud': { 'other.example.com': 'b3RoZXI=' }, 'another service': { user: 'kept' } };
    rmSync(remote('.anaconda'), { recursive: true, force: true });
    mkdirSync(remote('.anaconda'));
    writeFileSync(remote('.anaconda/keyring'), JSON.stringify(others));
    expect((await send(t.h, created.secretId, '~/.anaconda/keyring')).state).toBe('delivered');

    const domain = new URL(anaconda.url).host;
    const text = catOverSsh(t.home, '.anaconda/keyring');
    const file = JSON.parse(text) as Record<string, Record<string, string>>;
    expect(file['another service']).toEqual({ user: 'kept' });
    expect(Object.keys(file['Anaconda Cloud'] ?? {})).toEqual(['other.example.com', domain]);
    expect(file['Anaconda Cloud']?.['other.example.com']).toBe('b3RoZXI=');
    const entry = JSON.parse(Buffer.from(file['Anaconda Cloud']?.[domain] ?? '', 'base64').toString('utf8')) as { api_key: string; domain: string };
    expect(entry).toMatchObject({ domain, api_key: created.secret });
    expect(anaconda.isApiKeyValid(entry.api_key)).toBe(true);
    expect(mode(remote('.anaconda/keyring'))).toBe(0o600);

    // Withdrawing (offered when revoking) takes out this site's entry only.
    const withdrawn = await t.h.call('delivery.withdraw', { secretId: created.secretId });
    expect(withdrawn.map((r) => r.ok)).toEqual([true]);
    const after = JSON.parse(readFileSync(remote('.anaconda/keyring'), 'utf8')) as Record<string, Record<string, string>>;
    expect(after).toEqual(others);
  });
});
