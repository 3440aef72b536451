// Conformance: a token Keyport delivers over SSH (to Debian's real sshd) must work with the tool
// that reads it on that machine: the npm CLI with the delivered ~/.npmrc against a real
// Verdaccio, and hatcher with the delivered env file against the EDS reference server. A
// rotation must leave the tool working with the new token and the old one revoked.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCore, type TestCore } from '../test/support/testCore';
import { startEdsServer, type EdsServer } from '../test/servers/eds/edsServer.ts';
import { startVerdaccio, type VerdaccioServer } from '../test/servers/npm/verdaccioServer.ts';
import { startSshd, type SshdServer } from '../test/servers/sshd/sshdServer.ts';
import { ensurePythonEnv, runCleanBash, VENV_DIR } from './pythonEnv.ts';

let sshd: SshdServer;
let registry: VerdaccioServer;
let eds: EdsServer;
let keyport: TestCore;
let home: string;

function npmCliJs(): string {
  const npmBin = realpathSync(execFileSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  const cli = join(dirname(npmBin), 'npm-cli.js');
  if (!existsSync(cli)) throw new Error(`npm-cli.js is not next to ${npmBin}`);
  return cli;
}

/** The npm CLI (run by this Node) on the "remote" machine: HOME is the sshd login's home, so
 * npm reads the ~/.npmrc Keyport delivered there. */
function npmThere(args: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const globalconfig = join(home, 'global-npmrc');
  writeFileSync(globalconfig, '');
  const script = `"${process.execPath}" "${npmCliJs()}" --globalconfig "${globalconfig}" --no-update-notifier --cache "${join(home, 'npm-cache')}" ${args}`;
  return runCleanBash(script, { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: sshd.home, LANG: 'C.UTF-8' });
}

beforeAll(async () => {
  await ensurePythonEnv();
  [sshd, registry, eds] = await Promise.all([startSshd(), startVerdaccio(), startEdsServer()]);
  home = mkdtempSync(join(tmpdir(), 'keyport-delivery-conformance-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
  keyport = createTestCore({ env: { SSH_AUTH_SOCK: sshd.agentSocket, USER: sshd.user }, homeDir: home });
});

afterAll(async () => {
  await keyport?.core.dispose();
  await Promise.all([sshd?.close(), registry?.close(), eds?.close()]);
  if (home) rmSync(home, { recursive: true, force: true });
});

const send = (secretId: string, path: string, format: 'npmrc' | 'env' | 'plain') => keyport.call('delivery.send', { secretId, host: '127.0.0.1', port: sshd.port, path, format });

describe('a token delivered over SSH works with the tool there', () => {
  it('npm whoami with the delivered ~/.npmrc; other registries’ lines and comments kept byte for byte; after Rotate, npm works with the new token and the old one is revoked', async () => {
    const alice = registry.users[0]!;
    const server = await keyport.call('servers.add', { name: 'Verdaccio', kind: 'npm', url: registry.url });
    await keyport.call('auth.signInWithPassword', { serverId: server.id, username: alice.username, password: alice.password });
    const created = await keyport.call('tokens.create', { serverId: server.id, name: 'ci-box', save: true, fields: { access: 'read-only', cidr: '127.0.0.0/8' }, password: alice.password });
    const others = '; settings kept by hand\r\n//registry.npmjs.org/:_authToken=npm_someone_elses\r\n@corp:registry=https://npm.corp.example/\r\n\r\n# end\r\n';
    writeFileSync(join(sshd.home, '.npmrc'), others, { mode: 0o644 });

    const result = await send(created.secretId, '~/.npmrc', 'npmrc');
    expect(result.state).toBe('delivered');
    const npmrc = readFileSync(join(sshd.home, '.npmrc'), 'utf8');
    expect(npmrc).toBe(`${others}//${new URL(registry.url).host}/:_authToken=${created.secret}\r\n`);
    expect(statSync(join(sshd.home, '.npmrc')).mode & 0o777).toBe(0o600);
    const whoami = await npmThere(`whoami --registry "${registry.url}/"`);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout.trim()).toBe(alice.username);

    // No settings given: the new token is made as the old one was (read-only, the same IP range).
    const rotated = await keyport.call('delivery.rotate', { secretId: created.secretId, password: alice.password });
    expect(rotated.state, JSON.stringify(rotated.steps)).toBe('done');
    expect(rotated.steps.find((s) => s.step === 'check' && !s.targetId)).toMatchObject({ ok: true, message: expect.stringContaining('Verdaccio accepts') });
    const listed = await keyport.call('tokens.list', { serverId: server.id, password: alice.password });
    const successor = listed.find((t) => t.savedSecretId === rotated.newSecretId);
    expect(successor?.extra).toMatchObject({ access: 'Read-only', cidr: '127.0.0.0/8' });
    expect(listed.some((t) => t.savedSecretId === created.secretId)).toBe(false);
    const after = readFileSync(join(sshd.home, '.npmrc'), 'utf8');
    expect(after.startsWith(others)).toBe(true);
    expect(after).not.toContain(created.secret);
    const whoamiAfter = await npmThere(`whoami --registry "${registry.url}/"`);
    expect(whoamiAfter.code, whoamiAfter.stderr).toBe(0);
    expect(whoamiAfter.stdout.trim()).toBe(alice.username);
    // The old token no longer works anywhere.
    writeFileSync(join(sshd.home, '.npmrc'), `//${new URL(registry.url).host}/:_authToken=${created.secret}\n`);
    expect((await npmThere(`whoami --registry "${registry.url}/"`)).code).not.toBe(0);
  });

  it('hatcher api-tokens list with the delivered env file', async () => {
    const server = await keyport.call('servers.add', { name: 'EDS', kind: 'eds', url: eds.url });
    await keyport.call('auth.signInWithPassword', { serverId: server.id, username: 'alice', password: 'wonderland-secret' });
    const created = await keyport.call('tokens.create', { serverId: server.id, name: 'delivered-to-box', save: true });
    expect((await send(created.secretId, '~/.config/hatcher.env', 'env')).state).toBe('delivered');
    expect(statSync(join(sshd.home, '.config')).mode & 0o777).toBe(0o700);
    const listed = await runCleanBash(`set -a; . "${join(sshd.home, '.config', 'hatcher.env')}"; set +a; hatcher api-tokens list`, {
      PATH: `${resolve(VENV_DIR, 'bin')}:/usr/bin:/bin`,
      HOME: sshd.home,
      LANG: 'C.UTF-8',
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^delivered-to-box\s/m);
  });
});
