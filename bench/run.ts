// `npm run bench`: the performance figures of issue 8, each beside a floor measured in the same
// run on the same machine. Prints a Markdown table and writes bench/results.json. Not part of
// `npm test`: timings depend on the machine, so they are reported, not asserted.
//
// Runs under plain Node 24 (type stripping); bench/resolveTs.mjs lets it import src/ and e2e/,
// whose relative imports have no extension. Needs the built renderer (`electron-vite build`,
// which the npm script runs first) and /usr/bin/chromium (or CHROMIUM_PATH).
import { rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { chromium } from '@playwright/test';
import { startEdsServer } from '../test/servers/eds/edsServer';
import { BASELINE_DIR, buildBaseline, bundleFigure } from './bundle.ts';
import { firstRenderFigure, largeVaultFigures } from './browser.ts';
import { cliFigures } from './cli.ts';
import { deliveryFigure } from './delivery.ts';
import { memoryFigures, memoryOnlyFigures } from './memory.ts';
import { ipcCloneFigure, networkFigures } from './network.ts';
import { npmListFigure, scalingFigure } from './npmList.ts';
import { jsonFigure, markdownTable, met, ratioOf, round, targetText, type Figure } from './report.ts';
import { seedEds } from './seed.ts';
import { vaultFigures } from './vault.ts';

// The browser host's flags (playwright.config.ts): nothing leaves the machine.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = 'test-results/bench/token-filter.png';

// `npm run bench -- memory`: row 6 only, printed, results.json left as the last whole run wrote it.
if (process.argv[2] === 'memory') {
  const figures = await memoryOnlyFigures();
  console.log(`\n${markdownTable(figures)}\n`);
  for (const f of figures) if (f.note) console.log(`${f.id}: ${f.note}`);
  process.exit(0);
}

// `npm run bench -- 2 3` runs only those figures (`browser` = 1, 2 and 3: the renderer's) and
// prints them without writing bench/results.json, which holds whole runs only. Figure 6 (memory)
// needs the vault of figure 3, so it brings it along.
const ALIASES: Record<string, string[]> = { browser: ['1', '2', '3'] };
const chosen = new Set(process.argv.slice(2).flatMap((a) => ALIASES[a] ?? [a]));
if (chosen.has('6')) chosen.add('3');
const runs = (step: string) => chosen.size === 0 || chosen.has(step);

const started = performance.now();
const step = (what: string) => console.log(`[${round((performance.now() - started) / 1000, 1)} s] ${what}`);
const figures: Figure[] = [];
const small = await startEdsServer();
const large = await startEdsServer();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
const chromiumVersion = browser.version();
let largeVaultDir: string | null = null;
try {
  // The bare React build is the floor of figures 1 to 3.
  if (runs('1') || runs('2') || runs('3')) await buildBaseline();
  if (runs('1')) {
    step('1. renderer bundle vs. a bare React build');
    figures.push(await bundleFigure());
  }

  if (runs('2')) {
    step('2. first interactive render, 20 servers');
    figures.push(await firstRenderFigure(browser, small));
  }

  let largeVault: Awaited<ReturnType<typeof largeVaultFigures>> | null = null;
  if (runs('3')) {
    step('3. large vault in the browser host: seeding 10,000 tokens');
    seedEds(large);
    largeVault = await largeVaultFigures(browser, large, SCREENSHOT);
    largeVaultDir = largeVault.dataDir;
    figures.push(...largeVault.figures);
  }
  await browser.close();

  if (runs('4')) {
    step('4. vault open and save, 10,000 secrets');
    figures.push(...(await vaultFigures()));
  }

  if (runs('5')) {
    // 5c lists the large server's 10,000 tokens, seeded with figure 3's.
    if (!runs('3')) seedEds(large);
    step('5. network: core vs. undici.request + JSON.parse');
    const network = await networkFigures(small, large);
    figures.push(...network.figures);
    figures.push(ipcCloneFigure(network.largeList));
    step('5d. npm: 1,000 granular tokens in 10 pages, core vs. undici.request');
    figures.push(await npmListFigure());
    step('5e. 50,000 tokens vs. 10,000');
    figures.push(await scalingFigure());
  }

  if (runs('6') && largeVault) {
    step('6. memory');
    figures.push(...(await memoryFigures({ dataDir: largeVault.dataDir, key: largeVault.key, serverId: largeVault.bigServerId })));
  }

  if (runs('7')) {
    step('7. delivery over SSH to 10 targets vs. 10 × ssh true');
    figures.push(await deliveryFigure(small));
  }

  if (runs('8')) {
    step('8. whole process: the bundled core vs. hatcher and npm token list');
    figures.push(...(await cliFigures()));
  }
} finally {
  await browser.close().catch(() => undefined);
  await small.close();
  await large.close();
  await rm(BASELINE_DIR, { recursive: true, force: true });
  if (largeVaultDir) await rm(largeVaultDir, { recursive: true, force: true });
}

const seconds = round((performance.now() - started) / 1000, 1);
const table = markdownTable(figures);
console.log(`\n${table}\n`);
for (const f of figures) if (f.note) console.log(`${f.id}: ${f.note}`);
const missed = figures.filter((f) => met(f) === false);
console.log(
  missed.length === 0
    ? '\nEvery target met.'
    : `\nMissed: ${missed.map((f) => `${f.id} (${targetText(f)}: ${round(f.target && 'max' in f.target ? f.value / f.target.max : (ratioOf(f) ?? 0) / ((f.target as { maxRatio: number }).maxRatio), 2)}× the target)`).join(', ')}`,
);
console.log(`Screenshot: ${SCREENSHOT}. Took ${seconds} s.`);
if (chosen.size > 0) {
  console.log(`Only figures ${[...chosen].sort().join(', ')}: bench/results.json left as it was.`);
  process.exit(0);
}

const cpu = cpus();
await writeFile(
  'bench/results.json',
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? '', memoryGB: round(totalmem() / 1024 ** 3, 1), node: process.version, platform: `${process.platform} ${process.arch}`, chromium: chromiumVersion },
      seconds,
      figures: figures.map(jsonFigure),
      markdown: table,
    },
    null,
    2,
  )}\n`,
);
