import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { build } from 'vite';
import { isTrustedSenderUrl } from '../../src/main/core/api/senderPolicy';
import type { Core } from '../../src/main/core/core';
import { CONTENT_SECURITY_POLICY } from '../../src/main/electron/security';
import { openVaultFile } from '../../src/main/core/vault/vaultFile';
import { resultToWire } from '../../src/shared/tokenListWire';
import { createTestCore, type MemoryClipboard } from '../support/testCore';

export { MemoryClipboard, loopbackOnlyLookup } from '../support/testCore';

/** The fixed origin the built renderer is served from, through page routing: no port opens. */
export const HOST_ORIGIN = 'http://keyport.localhost';
const RENDERER_DIR = resolve('out/renderer');
// The policy the Electron session sends, so CSP violations show up in the browser tests too.
const CSP = CONTENT_SECURITY_POLICY;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Serves `dir` at HOST_ORIGIN through Playwright routing (no port opens), with the app's CSP,
 * and refuses every other origin. */
export async function routeRenderer(context: BrowserContext, dir: string): Promise<void> {
  const root = resolve(dir);
  // Routes run newest first: anything that is not the app's origin is refused.
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
}

/** Installs `window.__keyportInvoke`, answering only the app's own main frame, as the
 * Electron IPC adapter does. */
export async function exposeCore(context: BrowserContext, core: Core): Promise<void> {
  await context.exposeBinding('__keyportInvoke', async (source, procedure: string, input: unknown) => {
    // The same check the Electron IPC adapter makes: main frame of the app's own origin.
    if (source.frame.parentFrame() !== null || !isTrustedSenderUrl(source.frame.url(), [HOST_ORIGIN])) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'This window is not allowed to use Keyport.' } };
    }
    return resultToWire(procedure, await core.handle(procedure, input));
  });
}

let preloadBundle: Promise<string> | null = null;
/** The host preload (test/host/hostPreload.ts) built once as an IIFE, for addInitScript. */
export function hostPreloadScript(): Promise<string> {
  preloadBundle ??= build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry: resolve('test/host/hostPreload.ts'), formats: ['iife'], name: 'KeyportHostPreload' },
    },
  }).then((out) => {
    const outputs = Array.isArray(out) ? out : [out];
    for (const o of outputs) {
      if ('output' in o) {
        const chunk = o.output.find((c) => c.type === 'chunk');
        if (chunk && chunk.type === 'chunk') return chunk.code;
      }
    }
    throw new Error('The host preload did not build.');
  });
  return preloadBundle;
}

export interface HostOptions {
  /** 'aes' (default): secrets persist, encrypted. 'unavailable': as Linux basic_text. */
  cipher?: 'aes' | 'unavailable';
  /** What "Browse…" for a CA certificate returns. */
  certificateToPick?: string | null;
  /** Reuse a vault folder (to test restarts). */
  dataDir?: string;
  /** The home folder the core sees (CLI session files such as ~/.agave/current); default: a
   * `home` folder inside the vault folder, so no test touches the real one. */
  homeDir?: string;
  /** Environment variables the core sees (AGAVE_CACHE_DIR, HTTPS_PROXY, …); default none. */
  env?: Record<string, string>;
  /** What "open the system browser" does (a test opens a second page and logs in as a person
   * would); default: the URL is only recorded in `opened`. */
  openBrowser?: (url: string) => Promise<void>;
  signInTimeoutMs?: number;
}

export interface KeyportHost {
  page: Page;
  context: BrowserContext;
  core: Core;
  clipboard: MemoryClipboard;
  dataDir: string;
  /** The vault file, as written to disk. */
  vaultPath: string;
  /** Everything the core logged (already redacted by the core). */
  logs: string[];
  /** URLs the core opened in "the system browser". */
  opened: string[];
  /** Desktop notifications the core sent, recorded. */
  notifications: Array<{ title: string; body: string }>;
  /** Calls the API the way the renderer does, for arranging state in a test. */
  call(procedure: string, input?: unknown): Promise<unknown>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/** Starts the real core in Node with test adapters, and the real renderer in Chromium with
 * `window.keyport` installed through the same createKeyportApi the preload uses. */
export async function startHost(browser: Browser, options: HostOptions = {}): Promise<KeyportHost> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'keyport-host-')));
  const store = openVaultFile(join(dataDir, 'vault.json'));
  const { core, clipboard, logs, opened, notifications } = createTestCore({
    store,
    cipher: options.cipher,
    key: testKeyFor(dataDir),
    certificateToPick: options.certificateToPick,
    homeDir: options.homeDir ?? join(dataDir, 'home'),
    env: options.env ?? {},
    openBrowser: options.openBrowser,
    signInTimeoutMs: options.signInTimeoutMs,
  });

  const context = await browser.newContext({ baseURL: HOST_ORIGIN });
  await routeRenderer(context, RENDERER_DIR);
  await exposeCore(context, core);
  await context.addInitScript({ content: await hostPreloadScript() });

  const page = await context.newPage();
  const offEvents = core.onEvent((event, payload) => {
    page
      .evaluate(([e, p]) => (window as unknown as { __keyportDispatch?: (e: string, p: unknown) => void }).__keyportDispatch?.(e, p), [event, payload] as const)
      .catch(() => undefined);
  });
  await page.goto('/');

  return {
    page,
    context,
    core,
    clipboard,
    dataDir,
    vaultPath: store.path,
    logs,
    opened,
    notifications,
    async call(procedure, input) {
      const result = await core.handle(procedure, input);
      if (!result.ok) throw new Error(`${procedure} failed: ${result.error.code} ${result.error.message}`);
      return result.value;
    },
    async close({ keepData = false } = {}) {
      offEvents();
      await context.close();
      await core.dispose();
      await store.settled();
      store.close();
      if (!keepData && !options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// One stable key per vault folder, so a restarted host can read what the last one wrote.
const keys = new Map<string, Buffer>();
function testKeyFor(dataDir: string): Buffer {
  let key = keys.get(dataDir);
  if (!key) {
    key = randomBytes(32);
    keys.set(dataDir, key);
  }
  return key;
}
