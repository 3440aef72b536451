import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { EdsServer } from '../test/servers/eds/edsServer';
import { BASELINE_OUT, RENDERER_DIR } from './bundle.ts';
import { openVaultStore, servedContext, startBenchHost } from './benchHost.ts';
import { median, percentile, round, type Figure } from './report.ts';
import { LARGE_TOKENS, SMALL_TOKENS, largeVault, tokenNames, writeVault } from './seed.ts';

interface BenchWindow {
  __bench: {
    lastKeyDown: number;
    lastInputDone: number;
    firstRender: number | null;
    pending: Promise<{ total: number; work: number }> | null;
    paintedWhen(cond: () => boolean, timeoutMs?: number): Promise<number>;
  };
}
declare const window: Window & typeof globalThis & BenchWindow;

const FIRST_RENDER_RUNS = 10;
const SWITCH_RUNS = 10;
const RELOAD_RUNS = 5;

interface FirstRender {
  painted: number;
  /** When the last script file had arrived. */
  scriptsLoaded: number;
  /** Calls to the core before the list was painted: first start, last end, count. */
  ipcStart: number | null;
  ipcEnd: number | null;
  ipcCalls: number;
}

async function firstRenderOnce(page: Page): Promise<FirstRender> {
  await page.goto('/');
  await page.waitForFunction(() => window.__bench.firstRender !== null, undefined, { timeout: 60_000 });
  return page.evaluate(() => {
    const painted = window.__bench.firstRender as number;
    const scripts = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')) as PerformanceResourceTiming[];
    const calls = ((window as unknown as { __benchIpc?: { start: number; end: number }[] }).__benchIpc ?? []).filter((c) => c.end <= painted);
    return {
      painted,
      scriptsLoaded: Math.max(0, ...scripts.map((e) => e.responseEnd)),
      ipcStart: calls.length ? Math.min(...calls.map((c) => c.start)) : null,
      ipcEnd: calls.length ? Math.max(...calls.map((c) => c.end)) : null,
      ipcCalls: calls.length,
    };
  });
}

const medianOf = (runs: readonly FirstRender[], pick: (r: FirstRender) => number | null): number | null => {
  const values = runs.map(pick).filter((n): n is number => n !== null);
  return values.length ? round(median(values)) : null;
};

/** 2. Navigation → 20 server buttons visible and focusable, Keyport vs. a bare React page. */
export async function firstRenderFigure(browser: Browser, eds: EdsServer): Promise<Figure> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyport-bench-'));
  const host = await startBenchHost(browser, { rendererDir: RENDERER_DIR, dataDir, key: randomBytes(32) });
  const bare = await servedContext(browser, BASELINE_OUT);
  try {
    // Seeded through the core's API, as a person adding 20 servers would.
    for (let i = 1; i <= 20; i++) await host.call('servers.add', { name: `Server ${String(i).padStart(2, '0')}`, kind: 'eds', url: eds.url });
    const barePage = await bare.newPage();
    await firstRenderOnce(host.page); // warm-up: first use of the context and its routes
    await firstRenderOnce(barePage);
    const appRuns: FirstRender[] = [];
    const baseRuns: FirstRender[] = [];
    for (let run = 0; run < FIRST_RENDER_RUNS; run++) {
      appRuns.push(await firstRenderOnce(host.page));
      baseRuns.push(await firstRenderOnce(barePage));
    }
    const app = appRuns.map((r) => r.painted);
    const base = baseRuns.map((r) => r.painted);
    return {
      id: '2',
      figure: 'First interactive render, 20 servers (median of 10)',
      unit: 'ms',
      value: median(app),
      baseline: median(base),
      baselineLabel: 'bare React, 20 items',
      target: { maxRatio: 1.3 },
      note: 'Navigation start → 20 server buttons painted and focusable. In the browser host each call to the core is a Playwright binding round trip, slower than Electron IPC.',
      details: {
        samples: app.map((n) => round(n)),
        baselineSamples: base.map((n) => round(n)),
        medianScriptsLoaded: medianOf(appRuns, (r) => r.scriptsLoaded),
        baselineMedianScriptsLoaded: medianOf(baseRuns, (r) => r.scriptsLoaded),
        medianFirstCoreCallStart: medianOf(appRuns, (r) => r.ipcStart),
        medianLastCoreCallEnd: medianOf(appRuns, (r) => r.ipcEnd),
        coreCallsBeforePaint: appRuns[0]?.ipcCalls ?? 0,
      },
    };
  } finally {
    await bare.close();
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Clicks `buttonName` in the page and returns ms from the click to the first painted frame in
 * which the token table of `serverName` shows `rowCount` rows. */
async function clickUntilTable(page: Page, buttonText: string, tableName: string, rowCount: number): Promise<number> {
  return page.evaluate(
    async ({ buttonText, tableName, rowCount }) => {
      const button = [...document.querySelectorAll<HTMLButtonElement>('nav[aria-label="Servers"] button')].find((b) => b.textContent?.includes(buttonText));
      if (!button) throw new Error(`no server button ${buttonText}`);
      const t0 = performance.now();
      button.click();
      const t1 = await window.__bench.paintedWhen(() => {
        const table = document.querySelector(`table[aria-label="${tableName}"]`);
        return table?.getAttribute('aria-rowcount') === String(rowCount + 1) && table.querySelector('tbody th[scope="row"]') !== null;
      });
      return t1 - t0;
    },
    { buttonText, tableName, rowCount },
  );
}

async function clickUntilHeading(page: Page, buttonText: string): Promise<void> {
  await page.evaluate(async (buttonText) => {
    const button = [...document.querySelectorAll<HTMLButtonElement>('nav[aria-label="Servers"] button')].find((b) => b.textContent?.includes(buttonText));
    button?.click();
    await window.__bench.paintedWhen(() => document.querySelector('#server-title')?.textContent === buttonText);
  }, buttonText);
}

/** Reload (IPC → core → HTTP → zod → render): ms from the click to the painted table once the
 * Reload button is enabled again. */
async function reloadUntilTable(page: Page, tableName: string, rowCount: number): Promise<{ total: number; call: number }> {
  return page.evaluate(
    async ({ tableName, rowCount }) => {
      const button = [...document.querySelectorAll<HTMLButtonElement>('section button')].find((b) => b.textContent === 'Reload');
      if (!button) throw new Error('no Reload button');
      let seenBusy = false;
      const observer = new MutationObserver(() => {
        seenBusy = true;
      });
      observer.observe(button, { attributes: true, attributeFilter: ['disabled'] });
      const t0 = performance.now();
      button.click();
      const t1 = await window.__bench.paintedWhen(() => {
        const table = document.querySelector(`table[aria-label="${tableName}"]`);
        return seenBusy && !button.disabled && table?.getAttribute('aria-rowcount') === String(rowCount + 1);
      });
      observer.disconnect();
      const calls = (window as unknown as { __benchIpc?: { procedure: string; start: number; end: number }[] }).__benchIpc ?? [];
      const list = calls.filter((c) => c.procedure === 'tokens.list' && c.start >= t0).pop();
      return { total: t1 - t0, call: list ? list.end - list.start : Number.NaN };
    },
    { tableName, rowCount },
  );
}

/** 50 keystrokes: narrowing, widening back to all 10,000, a query with no match, mixed case. */
export const KEYSTROKES: readonly string[] = [
  ...'gpu-node-0',
  ...Array<string>(10).fill('Backspace'),
  ...'CI-RUNNER-012',
  ...Array<string>(13).fill('Backspace'),
  ...'zz',
  'Backspace',
  'Backspace',
];

/** Types the keystrokes into `inputSelector`, measuring each from the key event to the painted
 * frame where `ready(query)` holds. */
async function keystrokeLatencies(page: Page, inputSelector: string, check: 'tokens' | 'value', names: readonly string[]): Promise<{ total: number[]; work: number[] }> {
  await page.focus(inputSelector);
  await page.fill(inputSelector, '');
  let query = '';
  const total: number[] = [];
  const work: number[] = [];
  for (const key of KEYSTROKES) {
    query = key === 'Backspace' ? query.slice(0, -1) : query + key;
    const needle = query.toLowerCase();
    const expected = needle === '' ? names.length : names.filter((n) => n.toLowerCase().includes(needle)).length;
    await page.evaluate(
      ({ inputSelector, query, expected, check }) => {
        const armed = performance.now();
        const bench = window.__bench;
        bench.pending = bench
          .paintedWhen(() => {
            if (bench.lastKeyDown <= armed) return false;
            const input = document.querySelector<HTMLInputElement>(inputSelector);
            if (input?.value !== query) return false;
            if (check === 'value') return true;
            const table = document.querySelector('table.tokens');
            if (expected === 0) return table === null;
            if (table?.getAttribute('aria-rowcount') !== String(expected + 1)) return false;
            const heads = [...table.querySelectorAll('tbody th[scope="row"]')];
            const q = query.toLowerCase();
            return heads.length > 0 && heads.every((h) => (h.textContent ?? '').toLowerCase().includes(q));
          })
          .then((t) => ({ total: t - bench.lastKeyDown, work: bench.lastInputDone - bench.lastKeyDown }));
      },
      { inputSelector, query, expected, check },
    );
    if (key === 'Backspace') await page.keyboard.press('Backspace');
    else await page.keyboard.type(key);
    const sample = await page.evaluate(() => window.__bench.pending as Promise<{ total: number; work: number }>);
    total.push(sample.total);
    work.push(sample.work);
  }
  return { total, work };
}

export interface LargeVaultResult {
  figures: Figure[];
  dataDir: string;
  key: Buffer;
  /** The server with 10,000 tokens, signed in as alice. */
  bigServerId: string;
}

/** 3. The large vault in the browser host: 200 servers, 10,000 saved tokens, a server with
 * 10,000 tokens. Leaves the vault folder (signed in) for the memory figure. */
export async function largeVaultFigures(browser: Browser, eds: EdsServer, screenshotPath: string): Promise<LargeVaultResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyport-bench-large-'));
  const key = randomBytes(32);
  const { servers, secrets } = await largeVault(key, eds);
  writeVault(openVaultStore(dataDir).store, servers, secrets);
  const host = await startBenchHost(browser, { rendererDir: RENDERER_DIR, dataDir, key });
  const bare = await servedContext(browser, BASELINE_OUT);
  const big = servers[0] as { id: string; name: string };
  const small = servers[1] as { id: string; name: string };
  const other = servers[2] as { id: string; name: string };
  const bigTable = `API tokens on ${big.name}`;
  const smallTable = `API tokens on ${small.name}`;
  try {
    await host.call('auth.signInWithPassword', { serverId: big.id, username: 'alice', password: 'wonderland-secret' });
    await host.call('auth.signInWithPassword', { serverId: small.id, username: 'bob', password: 'builder-secret' });
    const { page } = host;

    // Opening the app on this vault: navigation → the first server's 10,000 tokens painted.
    await page.goto('/');
    const openMs = await page.evaluate(
      (tableName) =>
        window.__bench.paintedWhen(() => document.querySelector(`table[aria-label="${tableName}"]`)?.getAttribute('aria-rowcount') === '10001', 60_000),
      bigTable,
    );
    const domRows = await page.evaluate((tableName) => document.querySelectorAll(`table[aria-label="${tableName}"] tbody tr`).length, bigTable);

    // 3a. Render of the token list from the renderer's state: switch away, then back.
    await clickUntilHeading(page, small.name);
    await page.waitForSelector(`table[aria-label="${smallTable}"]`);
    const bigSwitch: number[] = [];
    const smallSwitch: number[] = [];
    for (let run = 0; run < SWITCH_RUNS; run++) {
      await clickUntilHeading(page, other.name);
      bigSwitch.push(await clickUntilTable(page, big.name, bigTable, LARGE_TOKENS));
      await clickUntilHeading(page, other.name);
      smallSwitch.push(await clickUntilTable(page, small.name, smallTable, SMALL_TOKENS));
    }

    // 3c. Reload from the server, for the record.
    const bigReload: number[] = [];
    const bigReloadCall: number[] = [];
    const smallReload: number[] = [];
    await clickUntilTable(page, big.name, bigTable, LARGE_TOKENS);
    for (let run = 0; run < RELOAD_RUNS; run++) {
      const r = await reloadUntilTable(page, bigTable, LARGE_TOKENS);
      bigReload.push(r.total);
      bigReloadCall.push(r.call);
    }
    await clickUntilTable(page, small.name, smallTable, SMALL_TOKENS);
    for (let run = 0; run < RELOAD_RUNS; run++) smallReload.push((await reloadUntilTable(page, smallTable, SMALL_TOKENS)).total);

    // 3b. Keystrokes in the filter, against the floor: the same keystrokes in a bare input.
    await clickUntilTable(page, big.name, bigTable, LARGE_TOKENS);
    const filter = 'input[type="search"]';
    const keys = await keystrokeLatencies(page, filter, 'tokens', tokenNames(LARGE_TOKENS));
    const barePage = await bare.newPage();
    await barePage.goto('/');
    const bareKeys = await keystrokeLatencies(barePage, filter, 'value', []);

    // What a person sees: the filtered list.
    await page.fill(filter, 'gpu-node-01');
    await page.waitForFunction(() => document.querySelector('table.tokens')?.getAttribute('aria-rowcount') === String(125 + 1));
    await mkdir(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });

    const figures: Figure[] = [
      {
        id: '3a',
        figure: 'Render the token list, 10,000 tokens (median of 10)',
        unit: 'ms',
        value: median(bigSwitch),
        baseline: median(smallSwitch),
        baselineLabel: 'same, 20 tokens',
        target: { max: 100 },
        note: 'Click on the server → table painted, from the renderer’s state (no request).',
        details: { samples: bigSwitch.map((n) => round(n)), baselineSamples: smallSwitch.map((n) => round(n)), domRowsOf10000: domRows, openAppTo10000TokensMs: round(openMs) },
      },
      {
        // p90 (issue 15): the median hid the slow keystrokes a person notices.
        id: '3b',
        // Median and max in the label too, so the README's table shows all three.
        figure: `Keystroke in the filter → filtered list painted, 10,000 tokens (p90 of 50; median ${round(median(keys.total), 1)} ms, max ${round(Math.max(...keys.total), 1)} ms)`,
        unit: 'ms',
        value: percentile(keys.total, 90),
        baseline: percentile(bareKeys.total, 90),
        baselineLabel: 'keystroke in a bare input, p90',
        target: { max: 16 },
        note: `The bare input: median ${round(median(bareKeys.total), 1)} ms, max ${round(Math.max(...bareKeys.total), 1)} ms. From the key event to the end of the next painted frame, so it includes waiting for that frame (60 Hz).`,
        details: {
          samples: keys.total.map((n) => round(n)),
          median: round(median(keys.total)),
          p90: round(percentile(keys.total, 90)),
          max: round(Math.max(...keys.total)),
          scriptWorkMedian: round(median(keys.work)),
          scriptWorkP90: round(percentile(keys.work, 90)),
          scriptWorkMax: round(Math.max(...keys.work)),
          scriptWorkSamples: keys.work.map((n) => round(n)),
          baselineSamples: bareKeys.total.map((n) => round(n)),
          baselineMedian: round(median(bareKeys.total)),
          baselineP90: round(percentile(bareKeys.total, 90)),
          baselineMax: round(Math.max(...bareKeys.total)),
          keystrokes: KEYSTROKES.join(' '),
        },
      },
      {
        id: '3c',
        figure: 'Reload 10,000 tokens: IPC + core + HTTP + render (median of 5)',
        unit: 'ms',
        value: median(bigReload),
        baseline: median(smallReload),
        baselineLabel: 'same, 20 tokens',
        target: null,
        note: `Of which the tokens.list call, as the page sees it, takes ${round(median(bigReloadCall), 0)} ms: in the browser host the 10,000 tokens cross a Playwright binding (CDP), where the core itself needs ~20 ms (5c).`,
        details: { samples: bigReload.map((n) => round(n)), tokensListCallMs: bigReloadCall.map((n) => round(n)), baselineSamples: smallReload.map((n) => round(n)) },
      },
    ];
    return { figures, dataDir, key, bigServerId: big.id };
  } finally {
    await bare.close();
    await host.close();
  }
}
