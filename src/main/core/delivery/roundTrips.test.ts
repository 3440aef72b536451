// What a delivery costs is round trips, not bytes: over a link that delays every packet by
// 60 ms each way, writing a token into an existing file (read, backup, temporary file with
// fsync, rename, read back, leftovers) takes a few round trips because independent SFTP
// requests go out together. Sent one after another (as before), the same steps took over 20.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSshd, type SshdServer } from '../../../../test/servers/sshd/sshdServer';
import { knownHostName } from './knownHosts';
import { writeRemoteFile } from './remoteFile';
import { resolveEndpoint } from './sshEndpoint';
import { openSshSession } from './sshSession';

const ONE_WAY_MS = 60;
const RTT_MS = 2 * ONE_WAY_MS;
let sshd: SshdServer;
let relay: Server;
let port: number;

/** Forwards bytes after ONE_WAY_MS in each direction, in order. */
function delayed(from: Socket, to: Socket): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => to.write(chunk), ONE_WAY_MS);
  });
  from.on('end', () => setTimeout(() => to.end(), ONE_WAY_MS));
  from.on('error', () => to.destroy());
}

beforeAll(async () => {
  sshd = await startSshd();
  relay = createServer((inbound) => {
    const outbound = connect(sshd.port, '127.0.0.1');
    // No Nagle on the relay's own sockets: it must add only the delay.
    inbound.setNoDelay(true);
    outbound.setNoDelay(true);
    delayed(inbound, outbound);
    delayed(outbound, inbound);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', () => resolve()));
  port = (relay.address() as { port: number }).port;
}, 30_000);
afterAll(async () => {
  relay?.close();
  await sshd?.close();
});

it('writing into an existing file takes at most 9 round trips (read, backup and new file, rename with read back)', async () => {
  const home = mkdtempSync(join(tmpdir(), 'keyport-rtt-'));
  mkdirSync(join(sshd.home, 'rtt'), { recursive: true });
  writeFileSync(join(sshd.home, 'rtt/.env'), 'KEEP=1\nTOKEN=old\n');
  const session = await openSshSession({
    endpoint: resolveEndpoint({ host: '127.0.0.1', port, user: sshd.user }, null, home, sshd.user),
    credentials: { agentSocket: sshd.agentSocket },
    knownHosts: `${knownHostName('127.0.0.1', port)} ${sshd.hostPublicKey}\n`,
    timeoutMs: 20_000,
    onTrusted: async () => undefined,
  });
  try {
    const startedAt = performance.now();
    const written = await writeRemoteFile(session, 'rtt/.env', (existing) => (existing ?? '').replace('TOKEN=old', 'TOKEN=new'), () => undefined);
    const elapsed = performance.now() - startedAt;
    expect(readFileSync(join(sshd.home, 'rtt/.env'), 'utf8')).toBe('KEEP=1\nTOKEN=new\n');
    expect(readFileSync(join(sshd.home, 'rtt/.env.keyport-backup'), 'utf8')).toBe('KEEP=1\nTOKEN=old\n');
    expect(written.backedUp).toBe(true);
    // 6 round trips when nothing else runs; 9 leaves room for a loaded machine, far from the 30 of
    // requests sent one after another.
    expect(elapsed / RTT_MS, `${elapsed.toFixed(0)} ms`).toBeLessThan(9);
    expect(elapsed / RTT_MS).toBeGreaterThan(4); // the delay is really there
  } finally {
    session.close();
  }
}, 60_000);
