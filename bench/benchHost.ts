// The browser host of e2e/host/host.ts, with what the bench needs and the e2e host does not
// offer: a vault folder and key chosen by the caller (so a large vault can be written before
// the core opens it), no navigation until asked, and a plain static page served the same way
// for the baselines. Routing, CSP, the sender check and the preload are as in e2e/host/host.ts.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import Conf from 'conf';
import { build } from 'vite';
import { isTrustedSenderUrl } from '../src/main/core/api/senderPolicy';
import type { Core } from '../src/main/core/core';
import type { KeyValueStore } from '../src/main/core/ports';
import { confStore, VAULT_STORE_OPTIONS } from '../src/main/core/vault/confStore';
import { HOST_ORIGIN } from '../e2e/host/host';
import { createTestCore } from '../e2e/host/testCore';
import { PAGE_HARNESS } from './pageHarness.ts';

export { HOST_ORIGIN };

// Same policy as e2e/host/host.ts (and the Electron session): a CSP violation shows up here too.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** The vault file as the e2e host opens it: conf in `dataDir`, written atomically. */
export function openConfStore(dataDir: string): { store: KeyValueStore; path: string } {
  const conf = new Conf<Record<string, unknown>>({ cwd: dataDir, configName: 'vault', projectName: 'keyport-test', ...VAULT_STORE_OPTIONS });
  return { store: confStore(conf), path: conf.path };
}

/** A context whose only origin is HOST_ORIGIN, served from `dir` through Playwright routing (no
 * port opens), with the bench's in-page harness installed. */
export async function servedContext(browser: Browser, dir: string): Promise<BrowserContext> {
  const root = resolve(dir);
  const context = await browser.newContext({ baseURL: HOST_ORIGIN, viewport: { width: 1280, height: 800 } });
  await context.route('**/*', (route) => route.abort('blockedbyclient'));
  await context.route(`${HOST_ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    const file = resolve(root, `.${url.pathname === '/' ? '/index.html' : decodeURIComponent(url.pathname)}`);
    if (!file.startsWith(root)) return route.fulfill({ status: 404 });
    try {
      const body = await readFile(file);
      await route.fulfill({ status: 200, body, headers: { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP } });
    } catch {
      await route.fulfill({ status: 404 });
    }
  });
  await context.addInitScript({ content: PAGE_HARNESS });
  return context;
}

let preloadBundle: Promise<string> | null = null;
function hostPreloadScript(): Promise<string> {
  preloadBundle ??= build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry: resolve('e2e/host/hostPreload.ts'), formats: ['iife'], name: 'KeyportHostPreload' } },
  }).then((out) => {
    for (const o of Array.isArray(out) ? out : [out]) {
      if ('output' in o) {
        const chunk = o.output.find((c) => c.type === 'chunk');
        if (chunk && chunk.type === 'chunk') return chunk.code;
      }
    }
    throw new Error('The host preload did not build.');
  });
  return preloadBundle;
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
  call<T = unknown>(procedure: string, input?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** The real core on the vault in `dataDir` (AES cipher with `key`) and the built renderer in
 * Chromium. The page is opened but not navigated. */
export async function startBenchHost(browser: Browser, options: { rendererDir: string; dataDir: string; key: Buffer }): Promise<BenchHost> {
  const { store } = openConfStore(options.dataDir);
  const { core, call } = createTestCore({ store, key: options.key });
  const context = await servedContext(browser, options.rendererDir);
  await context.exposeBinding('__keyportInvoke', async (source, procedure: string, input: unknown) => {
    if (source.frame.parentFrame() !== null || !isTrustedSenderUrl(source.frame.url(), [HOST_ORIGIN])) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'This window is not allowed to use Keyport.' } };
    }
    return core.handle(procedure, input);
  });
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
