// `npm run preview:browser`: try Keyport without Electron (a headless box, a container, a
// machine where Electron cannot be downloaded). It starts the reference servers (`npm run
// servers`) and the *browser host* the end-to-end tests use: the real core in this Node process,
// the real renderer (out/renderer, built by the npm script) in Debian's Chromium, joined by the
// same createKeyportApi the preload uses. With a display, Chromium opens a window; without one,
// it runs headless with DevTools on 127.0.0.1:9222, to be reached through an SSH tunnel.
//
// A trial, not the app: the vault lives in a temporary folder with a throw-away key and goes
// when you press Ctrl+C, and copies land in an in-memory clipboard (the page says what it
// copied) rather than the system's.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { startHost } from '../test/host/host.ts';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`Chromium was not found at ${executablePath}. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}
if (!existsSync('out/renderer/index.html')) {
  console.error('The renderer is not built: run `npm run preview:browser` (it builds first), not this script directly.');
  process.exit(1);
}

const servers = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'test/servers/cli.ts'], { stdio: ['ignore', 'inherit', 'inherit'] });

const headed = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform !== 'linux');
const debuggingPort = process.env.KEYPORT_PREVIEW_DEVTOOLS_PORT ?? '9222';
const browser = await chromium.launch({
  executablePath,
  headless: !headed,
  args: [
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    ...(headed ? [] : [`--remote-debugging-address=127.0.0.1`, `--remote-debugging-port=${debuggingPort}`]),
  ],
});
const host = await startHost(browser);
await host.page.setViewportSize({ width: 1200, height: 800 });

console.log('');
console.log('Keyport (browser host) is running. The reference servers above are ready to add.');
if (headed) {
  console.log('Its window is open in Chromium.');
} else {
  console.log(`No display: Chromium runs headless with DevTools on 127.0.0.1:${debuggingPort}.`);
  console.log(`From your desktop: ssh -L ${debuggingPort}:127.0.0.1:${debuggingPort} <this machine>, then open`);
  console.log('chrome://inspect in Chrome, add localhost:' + debuggingPort + ' under "Configure…", and "inspect" the Keyport page.');
}
console.log('Ctrl+C stops everything and deletes the trial vault.');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  servers.kill('SIGINT');
  await host.close().catch(() => undefined);
  await browser.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
browser.on('disconnected', () => void stop());
servers.on('exit', (code) => {
  if (!stopping) {
    console.error(`The reference servers stopped (exit ${String(code)}).`);
    void stop();
  }
});
