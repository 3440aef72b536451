import { readFile } from 'node:fs/promises';
import ssh2, { type AuthenticationType, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { KeyportError } from '../errors';

// ssh2 is CommonJS: its named exports are reached through the default import under Node's ESM.
const { Client, utils } = ssh2;
import { fingerprintOf, judgeHostKey, keyTypeOf, knownKeysFor } from './knownHosts';
import type { SshEndpoint } from './sshEndpoint';

/** A host whose key is not in known_hosts: the person is shown the fingerprint and asked. */
export class HostKeyUnknownError extends KeyportError {
  readonly fingerprint: string;
  readonly keyType: string;
  readonly blob: Buffer;
  constructor(endpoint: SshEndpoint, blob: Buffer) {
    const fingerprint = fingerprintOf(blob);
    super('HOST_KEY_UNKNOWN', `Keyport has not connected to ${endpoint.host}:${endpoint.port} before. Its ${keyTypeOf(blob)} key fingerprint is ${fingerprint}.`, {
      hint: 'Compare the fingerprint with the one the machine’s owner gives you (ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub) before trusting it.',
      field: 'host',
    });
    this.fingerprint = fingerprint;
    this.keyType = keyTypeOf(blob);
    this.blob = blob;
  }
}

export interface SshCredentials {
  /** The ssh-agent socket (SSH_AUTH_SOCK), or null. */
  agentSocket: string | null;
  /** A key file chosen for this delivery, tried after the config's IdentityFile entries. */
  keyFile?: string | undefined;
  passphrase?: string | undefined;
}

export interface ConnectOptions {
  endpoint: SshEndpoint;
  credentials: SshCredentials;
  /** The known_hosts text the key is judged against. */
  knownHosts: string;
  /** A fingerprint the person has just confirmed for this host (trust on first use). */
  trustFingerprint?: string | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs: number;
  /** Called with the key when the host was trusted on first use, to remember it. */
  onTrusted(blob: Buffer): Promise<void>;
}

export interface SshSession {
  client: InstanceType<typeof Client>;
  sftp: SFTPWrapper;
  /** Whether the connection ended (dropped, cancelled) before we closed it. */
  dropped(): boolean;
  /** Whether the person cancelled. */
  aborted(): boolean;
  /** Settles when the connection or its SFTP channel closes, so no request waits forever for
   * an answer that cannot come. */
  closed: Promise<void>;
  close(): void;
}

const PREFERRED_HOST_KEYS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] as const;

/** Key files to try: an unencrypted key directly, an encrypted one only with its passphrase
 * (else the caller is asked for it). */
async function keyAuths(endpoint: SshEndpoint, credentials: SshCredentials): Promise<Array<{ type: 'publickey'; username: string; key: Buffer; passphrase?: string }>> {
  const paths = [...endpoint.identityFiles, ...(credentials.keyFile ? [credentials.keyFile] : [])];
  const auths: Array<{ type: 'publickey'; username: string; key: Buffer; passphrase?: string }> = [];
  for (const path of paths) {
    let key: Buffer;
    try {
      key = await readFile(path);
    } catch {
      if (path === credentials.keyFile) throw new KeyportError('FILE_ERROR', `The key file ${path} could not be read.`, { field: 'keyFile' });
      continue; // an IdentityFile that does not exist is skipped, as ssh does
    }
    const parsed = utils.parseKey(key, credentials.passphrase);
    if (parsed instanceof Error) {
      if (/encrypted|passphrase/i.test(parsed.message)) {
        throw new KeyportError('PASSWORD_REQUIRED', credentials.passphrase ? `The passphrase for ${path} is not right.` : `The key ${path} is protected by a passphrase.`, {
          hint: 'Enter the key’s passphrase.',
          field: 'passphrase',
        });
      }
      if (path === credentials.keyFile) throw new KeyportError('VALIDATION', `${path} is not a private key Keyport can use.`, { field: 'keyFile' });
      continue;
    }
    auths.push({ type: 'publickey', username: endpoint.user, key, ...(credentials.passphrase ? { passphrase: credentials.passphrase } : {}) });
  }
  return auths;
}

/** Opens an SSH connection and its SFTP channel. The host key is checked against known_hosts
 * before authentication (OpenSSH's StrictHostKeyChecking=ask): an unknown key throws
 * HostKeyUnknownError unless it is the fingerprint the person confirmed; a changed or revoked
 * key is refused. */
export async function openSshSession(options: ConnectOptions): Promise<SshSession> {
  const { endpoint, credentials, signal } = options;
  if (signal?.aborted) throw cancelled();
  const auths: Array<AuthenticationType | { type: string; username: string; [k: string]: unknown }> = [];
  if (credentials.agentSocket) auths.push({ type: 'agent', username: endpoint.user, agent: credentials.agentSocket });
  auths.push(...(await keyAuths(endpoint, credentials)));
  if (auths.length === 0) {
    throw new KeyportError('AUTH_FAILED', 'Keyport has no SSH key to sign in with.', {
      hint: 'Start an ssh-agent with your key loaded (ssh-add), or choose a key file.',
      field: 'keyFile',
    });
  }
  // Known key types first, so the server presents the key known_hosts lists (as ssh does).
  const knownTypes = knownKeysFor(options.knownHosts, endpoint.host, endpoint.port).map((e) => e.type);
  const order = [...new Set([...knownTypes.filter((t) => (PREFERRED_HOST_KEYS as readonly string[]).includes(t)), ...PREFERRED_HOST_KEYS])];

  const client = new Client();
  let hostProblem: KeyportError | null = null;
  let trustedBlob: Buffer | null = null;
  let authStarted = false;
  let ready = false;
  let ended = false;
  client.on('close', () => {
    ended = true;
  });
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: options.timeoutMs,
    keepaliveInterval: 5_000,
    keepaliveCountMax: 3,
    algorithms: { serverHostKey: order as ConnectConfig['algorithms'] extends infer A ? (A extends { serverHostKey?: infer S } ? S : never) : never },
    authHandler: auths as ConnectConfig['authHandler'],
    hostVerifier: (blob: Buffer) => {
      const verdict = judgeHostKey(options.knownHosts, endpoint.host, endpoint.port, blob);
      if (verdict.state === 'known') return (authStarted = true);
      if (verdict.state === 'unknown') {
        if (options.trustFingerprint && options.trustFingerprint === fingerprintOf(blob)) {
          trustedBlob = Buffer.from(blob);
          return (authStarted = true);
        }
        hostProblem = new HostKeyUnknownError(endpoint, Buffer.from(blob));
        return false;
      }
      hostProblem =
        verdict.state === 'revoked'
          ? new KeyportError('HOST_KEY_CHANGED', `The key of ${endpoint.host}:${endpoint.port} is marked revoked in known_hosts. Keyport did not connect.`, { field: 'host' })
          : new KeyportError(
              'HOST_KEY_CHANGED',
              `WARNING: the host key of ${endpoint.host}:${endpoint.port} has changed (it now presents ${keyTypeOf(blob)} ${fingerprintOf(blob)}). Someone could be intercepting the connection. Keyport did not send anything.`,
              { hint: 'If the machine was reinstalled, ask its owner for the new fingerprint and remove the old line with `ssh-keygen -R HOST`.', field: 'host' },
            );
      return false;
    },
  };

  const onAbort = () => client.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => {
        ready = true;
        resolve();
      });
      client.once('error', (error: Error & { level?: string; code?: string }) => reject(connectError(error, endpoint, hostProblem, authStarted, signal)));
      client.once('close', () => reject(signal?.aborted ? cancelled() : (hostProblem ?? new KeyportError('CONNECTION_RESET', `${endpoint.host}:${endpoint.port} closed the connection.`))));
      client.connect(config);
    });
    if (trustedBlob) await options.onTrusted(trustedBlob);
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
      client.sftp((error, channel) => (error ? reject(new KeyportError('UNSUPPORTED', `${endpoint.host} does not offer SFTP, which Keyport writes files with.`, { hint: 'Enable the sftp subsystem in its sshd_config.' })) : resolve(channel)));
    });
    const closed = new Promise<void>((resolve) => {
      const end = () => {
        ended = true;
        resolve();
      };
      sftp.once('close', end);
      // 'end': the server side hung up; without it a half-closed socket waits for keepalives.
      client.once('end', end);
      client.once('close', end);
      if (ended) resolve();
    });
    return {
      client,
      sftp,
      closed,
      dropped: () => ended || signal?.aborted === true,
      aborted: () => signal?.aborted === true,
      close: () => {
        signal?.removeEventListener('abort', onAbort);
        client.end();
      },
    };
  } catch (error) {
    signal?.removeEventListener('abort', onAbort);
    client.destroy();
    if (!ready && signal?.aborted) throw cancelled();
    throw error;
  }
}

export function cancelled(): KeyportError {
  return new KeyportError('CANCELLED', 'The delivery was cancelled.');
}

function connectError(error: Error & { level?: string; code?: string }, endpoint: SshEndpoint, hostProblem: KeyportError | null, authStarted: boolean, signal: AbortSignal | undefined): KeyportError {
  const where = `${endpoint.host}:${endpoint.port}`;
  if (signal?.aborted) return cancelled();
  if (hostProblem) return hostProblem;
  if (error.level === 'client-authentication') {
    return new KeyportError('AUTH_FAILED', `${where} refused the SSH key for ${endpoint.user}.`, {
      hint: 'Check the user name, and that your public key is in that user’s ~/.ssh/authorized_keys there.',
      field: 'user',
    });
  }
  if (error.level === 'client-timeout') return new KeyportError('TIMEOUT', `${where} did not answer in time.`, { hint: 'Check the host and port, and that the machine is on.' });
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return new KeyportError('DNS_FAILURE', `The host name ${endpoint.host} could not be found.`, { field: 'host' });
  if (error.level === 'client-socket' && !authStarted) {
    return new KeyportError('SERVER_UNREACHABLE', `Keyport could not connect to ${where}${error.code ? ` (${error.code})` : ''}.`, { hint: 'Check the host and port, and that sshd runs there.', field: 'host' });
  }
  return new KeyportError('CONNECTION_RESET', `The connection to ${where} failed.`, { hint: 'Try again.' });
}
