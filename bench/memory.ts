import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import { round, type Figure } from './report.ts';
import { LARGE_TOKENS } from './seed.ts';

const run = promisify(execFile);
/** Inside node_modules, so the bundle's imports of packages resolve as from the project. */
const CHILD_DIR = 'node_modules/.cache/keyport-bench/memory';

/** Row 6: the core after opening the large vault (10,000 saved tokens), in a fresh Node process
 * with --expose-gc. (6a) the live heap the core holds for it against the file's size (target
 * ≤ 2×); (6b) the process's resident size with it (target ≤ 110 MB) against the same process
 * before the core opened the vault; heapTotal (what V8 reserved) is reported beside both. */
export async function memoryFigures(input: { dataDir: string; key: Buffer; serverId: string }): Promise<Figure[]> {
  // Bundled first, as the app's main process is: run from TypeScript through Node's type
  // stripping, the process would also hold the stripper (~40 MB more resident).
  await build({
    configFile: false,
    logLevel: 'warn',
    build: { ssr: 'bench/memoryChild.ts', outDir: CHILD_DIR, emptyOutDir: true, minify: false, target: 'node22' },
  });
  const { stdout } = await run(process.execPath, ['--expose-gc', join(CHILD_DIR, 'memoryChild.js'), JSON.stringify({ dataDir: input.dataDir, keyHex: input.key.toString('hex'), serverId: input.serverId })], {
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
      note: `Resident size of the Node process running the core (bundled, every kind loaded) after it opened the vault; ${round(m.rssBeforeMB, 1)} MB before it did; heapTotal ${round(m.heapTotalMB, 1)} MB, heapUsed ${round(m.heapUsedMB, 1)} MB, external ${round(m.externalMB, 1)} MB.`,
      details,
    },
  ];
}
