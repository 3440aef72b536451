// Debian's real OpenSSH sshd for the delivery tests: the server Keyport writes tokens to. It
// listens on 127.0.0.1 on an ephemeral port with a temporary ed25519 host key and accepts one
// temporary client key (authorized through a temporary AuthorizedKeysFile, so the machine's own
// ~root/.ssh is never touched). A test ssh-agent holding that key is started with it. sshd runs
// as root (it must, to switch to the user); the tests log in as the current user, whose
// "home" for SFTP's relative paths is the temporary folder given by ChrootDirectory-less
// `sftp-server -d`. Erasable TypeScript only; nothing imported from src/.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../common/freePort.ts';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';
const START_TIMEOUT_MS = 10_000;

export interface SshdServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The login name (the user running the tests). */
  readonly user: string;
  /** Where SFTP starts: relative paths such as `.npmrc` land here (the test user's "home"). */
  readonly home: string;
  /** The temporary client key (no passphrase) the server accepts, and its public half. */
  readonly clientKeyPath: string;
  /** The same client key protected with `clientKeyPassphrase`. */
  readonly encryptedClientKeyPath: string;
  readonly clientKeyPassphrase: string;
  /** An ssh-agent socket holding the client key. */
  readonly agentSocket: string;
  /** The server's host public key line (`ssh-ed25519 AAAA…`) and its SHA256 fingerprint. */
  readonly hostPublicKey: string;
  readonly hostFingerprint: string;
  /** A key the server does not accept (for "refused key" tests). */
  readonly strangerKeyPath: string;
  /** A folder for the test's own files (known_hosts, config). */
  readonly scratch: string;
  /** What sshd logged (LogLevel VERBOSE: one "Starting session: …" line per channel, naming
   * a subsystem, a shell or a command). */
  log(): string;
  close(): Promise<void>;
}

async function keygen(path: string, passphrase = ''): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'keyport-test', '-f', path], { timeout: 10_000 });
}

async function fingerprint(publicKeyPath: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath], { timeout: 10_000 });
  const match = /SHA256:[A-Za-z0-9+/]+/.exec(stdout);
  if (!match) throw new Error(`ssh-keygen printed no fingerprint: ${stdout}`);
  return match[0];
}

/** Starts sshd and an ssh-agent; `readOnly` serves SFTP read-only (`sftp-server -R`), the way
 * a read-only target refuses writes. `hostKeyPath` reuses a host key (or a fresh one is made). */
export async function startSshd(options: { readOnly?: boolean; hostKeyPath?: string } = {}): Promise<SshdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'keyport-sshd-'));
  const home = join(dir, 'home');
  const scratch = join(dir, 'scratch');
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(scratch, { mode: 0o700 });
  // sshd refuses to start without its privilege-separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = options.hostKeyPath ?? join(dir, 'host_ed25519');
  if (!options.hostKeyPath) await keygen(hostKey);
  const clientKeyPath = join(dir, 'client_ed25519');
  const encryptedClientKeyPath = join(dir, 'client_encrypted_ed25519');
  const strangerKeyPath = join(dir, 'stranger_ed25519');
  const clientKeyPassphrase = 'correct horse battery staple';
  await Promise.all([keygen(clientKeyPath), keygen(encryptedClientKeyPath, clientKeyPassphrase), keygen(strangerKeyPath)]);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${clientKeyPath}.pub`, 'utf8') + readFileSync(`${encryptedClientKeyPath}.pub`, 'utf8'), { mode: 0o600 });
  const user = userInfo().username;
  const port = await freePort();
  const sftp = `internal-sftp -d ${home}${options.readOnly ? ' -R' : ''}`;
  const config = [
    `ListenAddress 127.0.0.1`,
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    // The temporary files are owned by root in /tmp; StrictModes would refuse /tmp's mode.
    `StrictModes no`,
    `PasswordAuthentication no`,
    `KbdInteractiveAuthentication no`,
    `PubkeyAuthentication yes`,
    `PermitRootLogin prohibit-password`,
    `UsePAM no`,
    `Subsystem sftp ${sftp}`,
    `LogLevel VERBOSE`,
  ].join('\n');
  const configPath = join(dir, 'sshd_config');
  writeFileSync(configPath, config + '\n', { mode: 0o600 });

  const sshd = spawn(SSHD, ['-D', '-e', '-f', configPath, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  sshd.stderr?.setEncoding('utf8');
  sshd.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
    fullLog = (fullLog + chunk).slice(-1_000_000);
  });
  let fullLog = '';
  const agentSocket = join(dir, 'agent.sock');
  let agent: ChildProcess | null = null;
  const close = async () => {
    for (const child of [sshd, agent]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, () => (sshd.exitCode !== null ? `sshd exited: ${stderr}` : null));
    // -D keeps the agent in the foreground, so it is a child that close() ends.
    agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
    await waitFor(async () => {
      try {
        await run('ssh-add', [clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, timeout: 5_000 });
        return true;
      } catch {
        return false;
      }
    }, 'ssh-agent did not accept the key');
    const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    return {
      host: '127.0.0.1',
      port,
      user,
      home,
      clientKeyPath,
      encryptedClientKeyPath,
      clientKeyPassphrase,
      agentSocket,
      hostPublicKey,
      hostFingerprint: await fingerprint(`${hostKey}.pub`),
      strangerKeyPath,
      scratch,
      log: () => fullLog,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} within ${START_TIMEOUT_MS} ms`);
}

async function waitForPort(port: number, failed: () => string | null): Promise<void> {
  const { connect } = await import('node:net');
  await waitFor(async () => {
    const reason = failed();
    if (reason) throw new Error(reason);
    return new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }, `sshd did not listen on ${port}`);
}
