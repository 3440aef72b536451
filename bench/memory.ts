import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startEdsServer } from '../test/servers/eds/edsServer';
import { createTestCore } from '../test/support/testCore';
import { openVaultStore } from './benchHost.ts';
import { buildLikeMain } from './coreBundle.ts';
import { round, type Figure } from './report.ts';
import { LARGE_TOKENS, largeVault, seedEds, writeVault } from './seed.ts';

const run = promisify(execFile);
/** Inside the project, so the bundle's imports of packages resolve from its node_modules. */
const CHILD_DIR = resolve('out/bench-memory');

/** Row 6: the core after opening the large vault (10,000 saved tokens), in a fresh Node process
 * with --expose-gc. (6a) the live heap the core holds for it against the file's size (target
 * ≤ 2×); (6b) the process's resident size with it (target ≤ 110 MB) against the same process
 * before the core opened the vault; heapTotal (what V8 reserved) is reported beside both. */
export async function memoryFigures(input: { dataDir: string; key: Buffer; serverId: string }): Promise<Figure[]> {
  // Bundled first, as the app's main process is (electron-vite's main build): run from
  // TypeScript through Node's type stripping, the process would also hold the stripper (~40 MB
  // more resident).
  const child = (await buildLikeMain('bench/memoryChild.ts', CHILD_DIR)).file;
  const { stdout } = await run(process.execPath, ['--expose-gc', child, JSON.stringify({ dataDir: input.dataDir, keyHex: input.key.toString('hex'), serverId: input.serverId })], {
    maxBuffer: 1024 * 1024,
  });
  const m = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
    fileMB: number;
    rawHeldMB: number;
    coreHeldMB: number;
    listHeldMB: number;
    listed: number;
    rssBeforeMB: number;
    rssMB: number;
    /** After tokens.list of the 10,000 tokens too (what the app's first screen does). */
    rssListedMB: number;
    heapTotalBeforeMB: number;
    heapTotalMB: number;
    heapUsedMB: number;
    externalMB: number;
  };
  const per1000 = (n: number) => n / (LARGE_TOKENS / 1000);
  const details = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, round(v, 3)]));
  return [
    {
      id: '6a',
      figure: `Core heap held for the large vault (${LARGE_TOKENS.toLocaleString('en')} saved tokens)`,
      unit: 'MB',
      value: m.coreHeldMB,
      baseline: m.fileMB,
      baselineLabel: 'the vault file’s size',
      target: { maxRatio: 2 },
      note: `Live heap after GC, ${round(per1000(m.coreHeldMB), 2)} MB per 1,000 tokens; the file parsed as plain JSON holds ${round(m.rawHeldMB, 1)} MB. heapTotal ${round(m.heapTotalBeforeMB, 1)} → ${round(m.heapTotalMB, 1)} MB. Holding the ${m.listed.toLocaleString('en')} tokens tokens.list returns adds ${round(per1000(m.listHeldMB), 2)} MB per 1,000.`,
      details,
    },
    {
      id: '6b',
      figure: 'Core RSS with the large vault open',
      unit: 'MB',
      value: m.rssMB,
      baseline: m.rssBeforeMB,
      baselineLabel: 'same process, core loaded, before opening the vault',
      target: { max: 110 },
      note: `Resident size of the Node process running the core (built as electron-vite builds main: every kind loaded, ssh2 and openid-client not until their first use) after it opened the vault; ${round(m.rssBeforeMB, 1)} MB before it did, ${round(m.rssListedMB, 1)} MB once it has also listed the 10,000 tokens (as the window's first screen does); heapTotal ${round(m.heapTotalMB, 1)} MB, heapUsed ${round(m.heapUsedMB, 1)} MB, external ${round(m.externalMB, 1)} MB.`,
      details,
    },
  ];
}

/** `npm run bench -- memory`: row 6 alone, on the same large vault as the whole run (written
 * the same way, alice and bob signed in through the core), without the browser rows. */
export async function memoryOnlyFigures(): Promise<Figure[]> {
  const eds = await startEdsServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'keyport-bench-memory-'));
  try {
    seedEds(eds);
    const key = randomBytes(32);
    const { servers, secrets } = await largeVault(key, eds);
    writeVault(openVaultStore(dataDir).store, servers, secrets);
    const big = servers[0] as { id: string };
    const small = servers[1] as { id: string };
    const { core, call } = createTestCore({ store: openVaultStore(dataDir).store, key });
    await call('auth.signInWithPassword', { serverId: big.id, username: 'alice', password: 'wonderland-secret' });
    await call('auth.signInWithPassword', { serverId: small.id, username: 'bob', password: 'builder-secret' });
    await core.dispose();
    return await memoryFigures({ dataDir, key, serverId: big.id });
  } finally {
    await eds.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
