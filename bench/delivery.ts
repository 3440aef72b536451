// Delivering one saved token to 10 targets on the loopback sshd (new SSH connections each
// time, host keys known, at most 4 at a time), against the floor of 10 plain `ssh host true`
// runs of the OpenSSH client, one after the other.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestCore } from '../test/support/testCore';
import type { EdsServer } from '../test/servers/eds/edsServer';
import { startSshd } from '../test/servers/sshd/sshdServer';
import { median, round, type Figure } from './report.ts';

const run = promisify(execFile);
const TARGETS = 10;
const RUNS = 5;

export async function deliveryFigure(eds: EdsServer): Promise<Figure> {
  const sshd = await startSshd();
  const home = await mkdtemp(join(tmpdir(), 'keyport-bench-delivery-'));
  const keyport = createTestCore({ env: { SSH_AUTH_SOCK: sshd.agentSocket, USER: sshd.user }, homeDir: home });
  try {
    await mkdir(join(home, '.ssh'), { mode: 0o700 });
    const knownHosts = join(home, '.ssh', 'known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    const server = await keyport.call('servers.add', { name: 'EDS', kind: 'eds', url: eds.url });
    await keyport.call('auth.signInWithPassword', { serverId: server.id, username: 'alice', password: 'wonderland-secret' });
    const created = await keyport.call('tokens.create', { serverId: server.id, name: 'bench-delivery', save: true });
    for (let i = 0; i < TARGETS; i++) await keyport.call('delivery.send', { secretId: created.secretId, host: '127.0.0.1', port: sshd.port, path: `bench/${i}.env`, format: 'env' });

    const keyportRuns: number[] = [];
    const floorRuns: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      const results = await keyport.call('delivery.resend', { secretId: created.secretId });
      keyportRuns.push(performance.now() - t);
      if (!results.every((x) => x.ok)) throw new Error('a delivery failed during the bench');
      t = performance.now();
      for (let i = 0; i < TARGETS; i++) {
        await run('ssh', ['-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-i', sshd.clientKeyPath, '-p', String(sshd.port), `${sshd.user}@127.0.0.1`, 'true'], { timeout: 10_000 });
      }
      floorRuns.push(performance.now() - t);
    }
    return {
      id: 'delivery-10-targets',
      figure: `Deliver one token to ${TARGETS} targets over SSH (loopback sshd, ≤ 4 connections at a time)`,
      unit: 'ms',
      value: round(median(keyportRuns), 1),
      baseline: round(median(floorRuns), 1),
      baselineLabel: `${TARGETS} × \`ssh host true\` (OpenSSH), one after the other`,
      target: { max: 2000 },
      details: { keyportRuns, floorRuns },
    };
  } finally {
    await keyport.core.dispose();
    await sshd.close();
    await rm(home, { recursive: true, force: true });
  }
}
