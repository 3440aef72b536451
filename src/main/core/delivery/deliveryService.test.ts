// Delivery over SSH against Debian's real OpenSSH sshd (test/servers/sshd): the core is the real
// createCore with the reference EDS server; files are read back from the sshd side's disk and
// over a separate `ssh` connection.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSshd, type SshdServer } from '../../../../test/servers/sshd/sshdServer';
import { useCoreHarness, type Harness } from '../../../../test/support/coreHarness';
import { knownHostName } from './knownHosts';
import { writeRemoteFile } from './remoteFile';
import { resolveEndpoint } from './sshEndpoint';
import { openSshSession } from './sshSession';

vi.setConfig({ testTimeout: 30_000 });
const { harness } = useCoreHarness();
let sshd: SshdServer;
let home: string;

beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);
afterAll(async () => {
  await sshd?.close();
});

/** A core whose home (for ~/.ssh) is a fresh folder; the agent holds the client key. */
async function setUp(options: { agent?: boolean; knownHosts?: boolean } = {}): Promise<{ h: Harness; secretId: string; secret: string; serverId: string }> {
  home = mkdtempSync(join(tmpdir(), 'keyport-deliver-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  if (options.knownHosts !== false) writeFileSync(join(home, '.ssh', 'known_hosts'), `${knownHostName('127.0.0.1', sshd.port)} ${sshd.hostPublicKey}\n`);
  const env = { USER: sshd.user, ...(options.agent === false ? {} : { SSH_AUTH_SOCK: sshd.agentSocket }) };
  const h = await harness({ env, homeDir: home });
  const view = await h.call('servers.add', { name: 'Test EDS', kind: 'eds', url: h.eds.url });
  await h.call('auth.signInWithPassword', { serverId: view.id, username: 'alice', password: 'wonderland-secret' });
  const created = await h.call('tokens.create', { serverId: view.id, name: 'deploy', save: true });
  return { h, secretId: created.secretId, secret: created.secret, serverId: view.id };
}

const remote = (path: string) => join(sshd.home, path);
const target = (secretId: string, path: string, extra: Record<string, unknown> = {}) => ({ secretId, host: '127.0.0.1', port: sshd.port, path, format: 'env' as const, ...extra });

/** Reads a file over a separate connection with the OpenSSH client. */
function catOverSsh(path: string): string {
  return execFileSync('ssh', ['-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(home, '.ssh', 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-i', sshd.clientKeyPath, '-p', String(sshd.port), `${sshd.user}@127.0.0.1`, `cat ${remote(path)}`], {
    encoding: 'utf8',
    timeout: 10_000,
  });
}

describe('delivery.send', () => {
  it('merges the env file: the token lines replaced, every other line kept byte for byte, mode 0600, old file backed up', async () => {
    const { h, secretId, secret } = await setUp();
    const before = '# deploy settings\r\nHATCHER_TOKEN=old-value\r\nOTHER=keep me\r\n\r\nexport PATH_EXTRA=/opt/bin\r\n';
    mkdirSync(remote('app'), { recursive: true });
    writeFileSync(remote('app/.env'), before, { mode: 0o644 });
    const result = await h.call('delivery.send', target(secretId, 'app/.env'));
    expect(result.state).toBe('delivered');
    const after = catOverSsh('app/.env');
    expect(after).toBe(`# deploy settings\r\nHATCHER_TOKEN=${secret}\r\nOTHER=keep me\r\n\r\nexport PATH_EXTRA=/opt/bin\r\nHATCHER_URL=${h.eds.url}\r\n`);
    expect(statSync(remote('app/.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(remote('app/.env.keyport-backup'), 'utf8')).toBe(before);
    expect(statSync(remote('app/.env.keyport-backup')).mode & 0o777).toBe(0o600);
    // The target is remembered with the time and the file's hash; the log names it, never the value.
    const targets = await h.call('delivery.targets', { secretId });
    expect(targets).toEqual([expect.objectContaining({ host: '127.0.0.1', port: sshd.port, path: 'app/.env', format: 'env', lastDeliveredAt: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    const log = await h.call('audit.list');
    expect(log.some((e) => e.action === 'token.delivered' && (e.detail ?? '').includes(remote('app/.env')))).toBe(true);
    expect(JSON.stringify(log)).not.toContain(secret);
    expect(h.vaultText()).not.toContain(secret);
  });

  it('creates a missing parent folder with mode 0700 and writes a plain file', async () => {
    const { h, secretId, secret } = await setUp();
    h.events.length = 0;
    await h.call('delivery.send', target(secretId, '~/deep/er/token.txt', { format: 'plain' }));
    // Progress, step by step, for the dialog's status line.
    expect(h.events.filter(([e]) => e === 'delivery.progress').map(([, p]) => p)).toEqual(['connecting', 'reading', 'writing', 'verifying'].map((step) => ({ secretId, step })));
    expect(readFileSync(remote('deep/er/token.txt'), 'utf8')).toBe(`${secret}\n`);
    expect(statSync(remote('deep')).mode & 0o777).toBe(0o700);
    expect(statSync(remote('deep/er')).mode & 0o777).toBe(0o700);
  });

  it('an unknown host: the fingerprint is shown, nothing is sent until confirmed, then it is remembered (hashed) in ~/.ssh/known_hosts', async () => {
    const { h, secretId } = await setUp({ knownHosts: false });
    const asked = await h.call('delivery.send', target(secretId, 'tofu.env'));
    expect(asked).toEqual({ state: 'confirm-host', host: '127.0.0.1', port: sshd.port, keyType: 'ssh-ed25519', fingerprint: sshd.hostFingerprint });
    expect(existsSync(remote('tofu.env'))).toBe(false);
    // A different fingerprint than the server's is not trusted.
    const wrong = await h.call('delivery.send', target(secretId, 'tofu.env', { trustFingerprint: `SHA256:${'A'.repeat(43)}` }));
    expect(wrong.state).toBe('confirm-host');
    expect(existsSync(remote('tofu.env'))).toBe(false);
    expect((await h.call('delivery.send', target(secretId, 'tofu.env', { trustFingerprint: sshd.hostFingerprint }))).state).toBe('delivered');
    const known = readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8');
    expect(known).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    expect(known).not.toContain('127.0.0.1');
    // OpenSSH's own client accepts the line Keyport wrote.
    expect(catOverSsh('tofu.env')).toContain('HATCHER_TOKEN=');
    expect((await h.call('delivery.send', target(secretId, 'tofu.env'))).state).toBe('delivered');
  });

  it('a changed host key is refused with a warning, and nothing is written', async () => {
    const { h, secretId } = await setUp({ knownHosts: false });
    const other = execFileSync('ssh-keygen', ['-l', '-f', `${sshd.strangerKeyPath}.pub`], { encoding: 'utf8' });
    expect(other).toContain('SHA256');
    writeFileSync(join(home, '.ssh', 'known_hosts'), `${knownHostName('127.0.0.1', sshd.port)} ${readFileSync(`${sshd.strangerKeyPath}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const error = await h.fail('delivery.send', target(secretId, 'changed.env'));
    expect(error.code).toBe('HOST_KEY_CHANGED');
    expect(error.message).toContain('WARNING');
    expect(error.message).toContain(sshd.hostFingerprint);
    expect(existsSync(remote('changed.env'))).toBe(false);
  });

  it('a key the server refuses: AUTH_FAILED; an encrypted key asks for its passphrase, then works', async () => {
    const { h, secretId } = await setUp({ agent: false });
    expect((await h.fail('delivery.send', target(secretId, 'auth.env', { keyFile: sshd.strangerKeyPath }))).code).toBe('AUTH_FAILED');
    const noAgent = await h.fail('delivery.send', target(secretId, 'auth.env'));
    expect(noAgent).toMatchObject({ code: 'AUTH_FAILED', field: 'keyFile' });
    expect(await h.fail('delivery.send', target(secretId, 'auth.env', { keyFile: sshd.encryptedClientKeyPath }))).toMatchObject({ code: 'PASSWORD_REQUIRED', field: 'passphrase' });
    expect(await h.fail('delivery.send', target(secretId, 'auth.env', { keyFile: sshd.encryptedClientKeyPath, passphrase: 'wrong' }))).toMatchObject({ code: 'PASSWORD_REQUIRED' });
    const ok = await h.call('delivery.send', target(secretId, 'auth.env', { keyFile: sshd.encryptedClientKeyPath, passphrase: sshd.clientKeyPassphrase }));
    expect(ok.state).toBe('delivered');
  });

  it('honours ~/.ssh/config: HostName, Port, User and IdentityFile of an alias', async () => {
    const { h, secretId } = await setUp({ agent: false });
    writeFileSync(join(home, '.ssh', 'config'), `Host box\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.clientKeyPath}\n`);
    const result = await h.call('delivery.send', { secretId, host: 'box', path: 'alias.env', format: 'env' });
    expect(result.state).toBe('delivered');
    expect(readFileSync(remote('alias.env'), 'utf8')).toContain('HATCHER_TOKEN=');
  });

  it('a path that is a folder, a read-only disk and a full disk are refused by name, and the old file stays intact', async () => {
    const { h, secretId } = await setUp();
    mkdirSync(remote('a-folder'), { recursive: true });
    const folder = await h.fail('delivery.send', target(secretId, 'a-folder'));
    expect(folder).toMatchObject({ code: 'FILE_ERROR', field: 'path' });
    expect(folder.message).toContain('is a folder');

    const full = remote('full');
    const readOnly = remote('ro');
    mkdirSync(full);
    mkdirSync(readOnly);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', readOnly]);
    try {
      writeFileSync(join(full, '.env'), 'OLD=1\n');
      writeFileSync(join(readOnly, '.env'), 'OLD=2\n');
      execFileSync('mount', ['-o', 'remount,ro', readOnly]);
      // Fill the little disk to the last block.
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${join(full, 'filler')}`, 'bs=4k', 'count=1000'], { stdio: 'ignore' });
      } catch {
        // dd stops with "No space left on device", which is the point.
      }
      const diskFull = await h.fail('delivery.send', target(secretId, 'full/.env'));
      expect(diskFull.code).toBe('FILE_ERROR');
      expect(diskFull.message).toContain('is full');
      expect(readFileSync(join(full, '.env'), 'utf8')).toBe('OLD=1\n');
      const ro = await h.fail('delivery.send', target(secretId, 'ro/.env'));
      expect(ro.code).toBe('FILE_ERROR');
      expect(ro.message).toContain('read-only');
      expect(readFileSync(join(readOnly, '.env'), 'utf8')).toBe('OLD=2\n');
    } finally {
      execFileSync('umount', [full]);
      execFileSync('umount', [readOnly]);
    }
  });

  it('a port where nothing listens: SERVER_UNREACHABLE; a server that never answers can be cancelled', async () => {
    const { h, secretId } = await setUp();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await h.fail('delivery.send', target(secretId, 'x.env', { port }))).code).toBe('SERVER_UNREACHABLE');

    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const started = Date.now();
      const pending = h.fail('delivery.send', target(secretId, 'x.env', { port: (silent.address() as { port: number }).port }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await h.call('delivery.cancel', { secretId });
      expect((await pending).code).toBe('CANCELLED');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
  });
});

describe('permission denied on the path', () => {
  it('a server that refuses writes (sftp-server -R) is named as FORBIDDEN on the path, and the file stays', async () => {
    const refusing = await startSshd({ readOnly: true });
    try {
      const { h, secretId } = await setUp({ knownHosts: false });
      writeFileSync(join(home, '.ssh', 'known_hosts'), `${knownHostName('127.0.0.1', refusing.port)} ${refusing.hostPublicKey}\n`);
      writeFileSync(join(refusing.home, 'denied.env'), 'OLD=kept\n');
      const env = { secretId, host: '127.0.0.1', port: refusing.port, path: 'denied.env', format: 'env', keyFile: refusing.clientKeyPath };
      const error = await h.fail('delivery.send', env);
      expect(error).toMatchObject({ code: 'FORBIDDEN', field: 'path' });
      expect(error.message).toContain('Permission denied');
      expect(readFileSync(join(refusing.home, 'denied.env'), 'utf8')).toBe('OLD=kept\n');
    } finally {
      await refusing.close();
    }
  });
});

describe('a format the kind cannot fill', () => {
  it('an .npmrc for an EDS token is refused before connecting anywhere', async () => {
    const { h, secretId } = await setUp();
    const before = sshd.log().length;
    expect(await h.fail('delivery.send', target(secretId, 'x/.npmrc', { format: 'npmrc' }))).toMatchObject({ code: 'VALIDATION', field: 'format' });
    expect(sshd.log().slice(before)).not.toContain('Accepted');
    expect(existsSync(remote('x/.npmrc'))).toBe(false);
  });
});

describe('a connection dropped mid-write', () => {
  it('leaves the old file as it was and says the connection dropped', async () => {
    home = mkdtempSync(join(tmpdir(), 'keyport-deliver-home-'));
    writeFileSync(remote('drop.env'), 'OLD=intact\n');
    // A TCP relay to sshd that cuts the connection once 100 KB of the new file have gone
    // through after the "writing" step began: the temporary file exists, half written.
    const sockets: Socket[] = [];
    let writing = false;
    let sentWhileWriting = 0;
    const relay: Server = createServer((inbound) => {
      const outbound = connect(sshd.port, '127.0.0.1');
      sockets.push(inbound, outbound);
      inbound.on('data', (chunk: Buffer) => {
        if (writing) sentWhileWriting += chunk.length;
        if (sentWhileWriting > 100_000) {
          // A reset, as when a network path drops.
          for (const s of sockets) s.resetAndDestroy();
          return;
        }
        outbound.write(chunk);
      });
      outbound.pipe(inbound);
      inbound.on('error', () => undefined);
      outbound.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', () => resolve()));
    const port = (relay.address() as { port: number }).port;
    try {
      const session = await openSshSession({
        endpoint: resolveEndpoint({ host: '127.0.0.1', port, user: sshd.user }, null, home, sshd.user),
        credentials: { agentSocket: sshd.agentSocket },
        knownHosts: `${knownHostName('127.0.0.1', port)} ${sshd.hostPublicKey}\n`,
        timeoutMs: 10_000,
        onTrusted: async () => undefined,
      });
      const write = writeRemoteFile(session, 'drop.env', () => 'NEW=value\n'.repeat(80_000), (step) => {
        if (step === 'writing') writing = true;
      });
      await expect(write).rejects.toMatchObject({ code: 'CONNECTION_RESET' });
      session.close();
      expect(readFileSync(remote('drop.env'), 'utf8')).toBe('OLD=intact\n');
      const leftovers = () => readdirSync(sshd.home).filter((f) => f.startsWith('.drop.env.keyport-'));
      expect(leftovers()).toHaveLength(1);
      // The next delivery that succeeds removes what the dropped one left behind.
      const again = await openSshSession({
        endpoint: resolveEndpoint({ host: '127.0.0.1', port: sshd.port, user: sshd.user }, null, home, sshd.user),
        credentials: { agentSocket: sshd.agentSocket },
        knownHosts: `${knownHostName('127.0.0.1', sshd.port)} ${sshd.hostPublicKey}\n`,
        timeoutMs: 10_000,
        onTrusted: async () => undefined,
      });
      try {
        await writeRemoteFile(again, 'drop.env', () => 'NEW=1\n', () => undefined);
      } finally {
        again.close();
      }
      expect(readFileSync(remote('drop.env'), 'utf8')).toBe('NEW=1\n');
      expect(leftovers()).toEqual([]);
    } finally {
      relay.close();
    }
  });
});

describe('delivery.rotate', () => {
  it('creates a new token, delivers it to every target, checks them and revokes the old one; a failing target of three stops before the revoke, and a retry finishes', async () => {
    const { h, secretId, secret, serverId } = await setUp();
    for (const name of ['r1.env', 'r2.env', 'r3.env']) await h.call('delivery.send', target(secretId, `rot/${name}`));
    // The third target turns into a folder, so delivering there fails.
    rmSync(remote('rot/r3.env'));
    mkdirSync(remote('rot/r3.env'));
    const stopped = await h.call('delivery.rotate', { secretId });
    expect(stopped.state).toBe('stopped');
    expect(h.eds.isApiTokenValid(secret)).toBe(true); // the old token was not revoked
    expect(stopped.targets.filter((t) => t.holds === 'new')).toHaveLength(2);
    expect(stopped.targets.filter((t) => t.holds === 'old')).toHaveLength(1);
    expect(stopped.steps.at(-1)).toMatchObject({ step: 'revoke', ok: false });
    const newSecretId = stopped.newSecretId ?? '';
    const newValue = readFileSync(remote('rot/r1.env'), 'utf8').match(/HATCHER_TOKEN=(\S+)/)?.[1] ?? '';
    expect(newValue).not.toBe(secret);
    expect(h.eds.isApiTokenValid(newValue)).toBe(true);
    expect(readFileSync(remote('rot/r2.env'), 'utf8')).toContain(newValue);

    rmSync(remote('rot/r3.env'), { recursive: true });
    const done = await h.call('delivery.rotate', { secretId });
    expect(done).toMatchObject({ state: 'done', newSecretId });
    expect(done.targets.every((t) => t.holds === 'new')).toBe(true);
    expect(readFileSync(remote('rot/r3.env'), 'utf8')).toContain(newValue);
    expect(h.eds.isApiTokenValid(secret)).toBe(false);
    expect(h.eds.isApiTokenValid(newValue)).toBe(true);
    expect(await h.call('delivery.targets', { secretId: newSecretId })).toHaveLength(3);
    expect(h.eds.tokenNames('alice')).toEqual([expect.stringMatching(/^deploy-\d{4}-\d{2}-\d{2}$/)]);
    void serverId;
  });

  it('roll back: the old token goes back to the targets that took the new one, then the new one is revoked', async () => {
    const { h, secretId, secret } = await setUp();
    await h.call('delivery.send', target(secretId, 'back/a.env'));
    await h.call('delivery.send', target(secretId, 'back/b.env'));
    chmodSync(remote('back'), 0o700);
    rmSync(remote('back/b.env'));
    mkdirSync(remote('back/b.env'));
    const stopped = await h.call('delivery.rotate', { secretId });
    expect(stopped.state).toBe('stopped');
    const newValue = readFileSync(remote('back/a.env'), 'utf8').match(/HATCHER_TOKEN=(\S+)/)?.[1] ?? '';
    const rolled = await h.call('delivery.rollBack', { secretId });
    expect(rolled.state).toBe('done');
    expect(readFileSync(remote('back/a.env'), 'utf8')).toContain(`HATCHER_TOKEN=${secret}`);
    expect(h.eds.isApiTokenValid(newValue)).toBe(false);
    expect(h.eds.isApiTokenValid(secret)).toBe(true);
    expect(await h.call('delivery.targets', { secretId })).toHaveLength(2);
  });
});

describe('delivery.rotate checks the new token at the server first', () => {
  it('the new token is tried (hatcher’s way: a session opened with it) before any machine gets it; refused, nothing is delivered, the old token stays, and Roll back revokes the new one', async () => {
    const { h, secretId, secret } = await setUp();
    await h.call('delivery.send', target(secretId, 'checked/a.env'));
    const before = readFileSync(remote('checked/a.env'), 'utf8');
    // The server refuses the next session opened with a bearer token: the new token's check.
    h.eds.faults.add({ kind: 'status', status: 401, match: /\/auth\/tokens\/auth$/, times: 1 });
    const stopped = await h.call('delivery.rotate', { secretId });
    expect(stopped.state).toBe('stopped');
    expect(stopped.steps.map((s) => [s.step, s.ok])).toEqual([
      ['create', true],
      ['check', false],
      ['revoke', false],
    ]);
    expect(stopped.steps[1]?.message).toMatch(/does not accept deploy-\d{4}-\d{2}-\d{2}/);
    expect(stopped.targets).toEqual([expect.objectContaining({ holds: 'old' })]);
    expect(readFileSync(remote('checked/a.env'), 'utf8')).toBe(before);
    expect(h.eds.isApiTokenValid(secret)).toBe(true);
    // Keyport's own session was not ended by the refusal of the new token.
    expect((await h.call('servers.list'))[0]?.session.state).toBe('signed-in');
    const names = h.eds.tokenNames('alice');
    expect(names).toHaveLength(2);
    const rolled = await h.call('delivery.rollBack', { secretId });
    expect(rolled.state).toBe('done');
    expect(h.eds.tokenNames('alice')).toEqual(['deploy']);
    expect(h.eds.isApiTokenValid(secret)).toBe(true);
  });

  it('a working new token: the check step says the server accepts it, and a session was opened with it', async () => {
    const { h, secretId } = await setUp();
    await h.call('delivery.send', target(secretId, 'checked/b.env'));
    const bearerOpens = () => h.eds.requestLog.filter((e) => e.path.endsWith('/auth/tokens/auth') && e.auth === 'bearer').length;
    const opened = bearerOpens();
    const done = await h.call('delivery.rotate', { secretId });
    expect(done.state).toBe('done');
    expect(done.steps.find((s) => s.step === 'check' && s.targetId === undefined)).toMatchObject({ ok: true, message: expect.stringMatching(/^Test EDS accepts deploy-/) });
    expect(bearerOpens()).toBe(opened + 1);
  });
});

describe('the secret never travels on a command line', () => {
  it('sshd saw only SFTP sessions (no shell, no command), and its log holds no token', async () => {
    const { h, secretId, secret } = await setUp();
    const before = sshd.log().length;
    await h.call('delivery.send', target(secretId, 'cmdline/.env'));
    await h.call('delivery.send', target(secretId, 'cmdline/.npmrc-like', { format: 'plain' }));
    // sshd logs the channel's session asynchronously; wait for both (bounded).
    const deadline = Date.now() + 5_000;
    while ((sshd.log().slice(before).match(/Starting session: subsystem 'sftp'/g) ?? []).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const log = sshd.log().slice(before);
    expect(log.match(/Starting session: subsystem 'sftp'/g)).toHaveLength(2);
    expect(log).not.toMatch(/Starting session: (command|shell|forced-command)/);
    expect(log).not.toContain(secret);
  });
});

describe('delivery.withdraw (offered when revoking)', () => {
  it('removes the token from each target (env lines that hold it; a plain file is deleted), backs the file up and forgets the targets', async () => {
    const { h, secretId, secret } = await setUp();
    mkdirSync(remote('withdraw'), { recursive: true });
    writeFileSync(remote('withdraw/.env'), 'KEEP=1\nHATCHER_URL=https://other.example\n');
    await h.call('delivery.send', target(secretId, 'withdraw/.env'));
    await h.call('delivery.send', target(secretId, 'withdraw/token.txt', { format: 'plain' }));
    expect(readFileSync(remote('withdraw/.env'), 'utf8')).toContain(secret);
    const results = await h.call('delivery.withdraw', { secretId });
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(readFileSync(remote('withdraw/.env'), 'utf8')).toBe(`KEEP=1\nHATCHER_URL=${h.eds.url}\n`);
    expect(existsSync(remote('withdraw/token.txt'))).toBe(false);
    expect(readFileSync(remote('withdraw/token.txt.keyport-backup'), 'utf8')).toBe(`${secret}\n`);
    expect(await h.call('delivery.targets', { secretId })).toEqual([]);
  });
});

describe('delivery.resend', () => {
  it('delivers again to all ten targets with at most four SSH connections open at once', async () => {
    const { h, secretId, secret } = await setUp();
    let open = 0;
    let most = 0;
    const relay: Server = createServer((inbound) => {
      open += 1;
      most = Math.max(most, open);
      const outbound = connect(sshd.port, '127.0.0.1');
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => undefined);
      outbound.on('error', () => undefined);
      inbound.on('close', () => {
        open -= 1;
        outbound.destroy();
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', () => resolve()));
    const port = (relay.address() as { port: number }).port;
    writeFileSync(join(home, '.ssh', 'known_hosts'), `${knownHostName('127.0.0.1', port)} ${sshd.hostPublicKey}\n`);
    try {
      for (let i = 0; i < 10; i++) await h.call('delivery.send', target(secretId, `many/${i}.env`, { port }));
      for (let i = 0; i < 10; i++) rmSync(remote(`many/${i}.env`));
      most = 0;
      const results = await h.call('delivery.resend', { secretId });
      expect(results).toHaveLength(10);
      expect(results.every((r) => r.ok)).toBe(true);
      for (let i = 0; i < 10; i++) expect(readFileSync(remote(`many/${i}.env`), 'utf8')).toContain(secret);
      expect(most).toBeLessThanOrEqual(4);
      expect(most).toBeGreaterThan(1);
    } finally {
      relay.close();
    }
  });
});
