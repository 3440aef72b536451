import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { round, type Figure } from './report.ts';
import { LARGE_TOKENS } from './seed.ts';

const run = promisify(execFile);

/** 6. Heap of the core after opening the large vault (10,000 saved tokens), in a fresh Node
 * process with --expose-gc; MB per 1,000 tokens, against the same file parsed as plain JSON. */
export async function memoryFigure(input: { dataDir: string; key: Buffer; serverId: string }): Promise<Figure> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--disable-warning=ExperimentalWarning', '--experimental-strip-types', '--import', './bench/resolveTs.mjs', 'bench/memoryChild.ts', JSON.stringify({ dataDir: input.dataDir, keyHex: input.key.toString('hex'), serverId: input.serverId })],
    { maxBuffer: 1024 * 1024 },
  );
  const m = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { rawHeldMB: number; coreHeldMB: number; listHeldMB: number; listed: number };
  const per1000 = (n: number) => n / (LARGE_TOKENS / 1000);
  return {
    id: '6',
    figure: 'Core heap with the large vault, per 1,000 saved tokens',
    unit: 'MB',
    value: per1000(m.coreHeldMB),
    baseline: per1000(m.rawHeldMB),
    baselineLabel: 'the vault file as parsed JSON',
    target: null,
    note: `Whole vault: ${round(m.coreHeldMB, 1)} MB for ${LARGE_TOKENS.toLocaleString('en')} tokens. Holding the ${m.listed.toLocaleString('en')} tokens tokens.list returns adds ${round(per1000(m.listHeldMB), 2)} MB per 1,000.`,
    details: { coreHeldMB: round(m.coreHeldMB, 3), rawHeldMB: round(m.rawHeldMB, 3), listHeldMB: round(m.listHeldMB, 3), listed: m.listed },
  };
}
