// The browser host of test/host/host.ts, with what the bench needs and the e2e host does not
// offer: a vault folder and key chosen by the caller (so a large vault can be written before
// the core opens it), no navigation until asked, and a plain static page served the same way
// for the baselines. Routing, CSP, the sender check and the preload come from
// test/host/host.ts.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { Core } from '../src/main/core/core';
import type { KeyValueStore } from '../src/main/core/ports';
import { openVaultFile } from '../src/main/core/vault/vaultFile';
import { exposeCore, HOST_ORIGIN, hostPreloadScript, routeRenderer } from '../test/host/host';
import { createTestCore, type TestCore } from '../test/support/testCore';
import { PAGE_HARNESS } from './pageHarness.ts';

export { HOST_ORIGIN };

/** The vault file as the e2e host opens it: `vault.json` in `dataDir`, written durably. */
export function openVaultStore(dataDir: string): { store: KeyValueStore; path: string } {
  const store = openVaultFile(join(dataDir, 'vault.json'));
  return { store, path: store.path };
}

/** A context whose only origin is HOST_ORIGIN, served from `dir` through Playwright routing (no
 * port opens), with the bench's in-page harness installed. */
export async function servedContext(browser: Browser, dir: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: HOST_ORIGIN, viewport: { width: 1280, height: 800 } });
  await routeRenderer(context, dir);
  await context.addInitScript({ content: PAGE_HARNESS });
  return context;
}

const IPC_TIMING = `(() => {
  const invoke = window.__keyportInvoke;
  if (typeof invoke !== 'function') return;
  const calls = [];
  Object.defineProperty(window, '__benchIpc', { value: calls });
  window.__keyportInvoke = (procedure, input) => {
    const start = performance.now();
    return invoke(procedure, input).finally(() => calls.push({ procedure, start, end: performance.now() }));
  };
})();`;

export interface BenchHost {
  context: BrowserContext;
  page: Page;
  core: Core;
  call: TestCore['call'];
  close(): Promise<void>;
}

/** The real core on the vault in `dataDir` (AES cipher with `key`) and the built renderer in
 * Chromium. The page is opened but not navigated. */
export async function startBenchHost(browser: Browser, options: { rendererDir: string; dataDir: string; key: Buffer }): Promise<BenchHost> {
  const { store } = openVaultStore(options.dataDir);
  const { core, call } = createTestCore({ store, key: options.key });
  const context = await servedContext(browser, options.rendererDir);
  await exposeCore(context, core);
  await context.addInitScript({ content: await hostPreloadScript() });
  // Times every call the page makes to the core (the IPC stand-in), for the first-render breakdown.
  await context.addInitScript({ content: IPC_TIMING });
  const page = await context.newPage();
  const offEvents = core.onEvent((event, payload) => {
    page
      .evaluate(([e, p]) => (window as unknown as { __keyportDispatch?: (e: string, p: unknown) => void }).__keyportDispatch?.(e, p), [event, payload] as const)
      .catch(() => undefined);
  });
  return {
    context,
    page,
    core,
    call,
    async close() {
      offEvents();
      await context.close();
      await core.dispose();
    },
  };
}
