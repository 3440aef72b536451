// `npm start`, `npm run dev` and `npm run dist` run this first. Electron (>= 42) downloads its
// binary lazily, when its own index.js is first required or `install-electron` runs; electron-vite
// 6 only reads node_modules/electron/path.txt and otherwise dies with "Error: Electron uninstall".
// So we run Electron's own installer (its `install-electron` bin, i.e. @electron/get with its
// checksums, cache, ELECTRON_MIRROR and electron_config_cache) before electron-vite, and turn a
// failure into one line a person can act on. No downloader of our own.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeVersionProblem } from './check-node.mjs';

const require = createRequire(import.meta.url);

/** Roughly what the zip weighs, for the progress line (Linux x64 45.x: 108 MB). */
const APPROXIMATE_SIZE_MB = 110;

/** Where Electron's package lives and which version it wants. */
export function electronPackage(root = process.cwd()) {
  const dir = dirname(require.resolve('electron/package.json', { paths: [root] }));
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { dir, version };
}

/** The executable's path inside an Electron dist folder (as Electron's install.js names it). */
export function platformExecutable(platform = process.env.ELECTRON_INSTALL_PLATFORM || process.env.npm_config_platform || process.platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  return platform === 'win32' ? 'electron.exe' : 'electron';
}

/** The Electron executable to run, or null when it still has to be downloaded: the one in
 * ELECTRON_OVERRIDE_DIST_PATH when that is set (Electron's own override), else the one
 * node_modules/electron/path.txt names (what Electron's installer writes). */
export function installedElectron(dir, env = process.env) {
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const executable = join(env.ELECTRON_OVERRIDE_DIST_PATH, platformExecutable());
    return existsSync(executable) ? executable : null;
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = join(dir, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(executable) ? executable : null;
}

/** The three ways out, the same for every failure. */
export const WAYS_OUT = [
  'set ELECTRON_MIRROR to a reachable mirror (e.g. ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/),',
  'unpack a downloaded Electron in a folder and name it in ELECTRON_OVERRIDE_DIST_PATH,',
  'or run `npx install-electron` on a connected machine and copy node_modules/electron over.',
];

/** One sentence saying what failed, from what Electron's installer printed (its error stack). */
export function describeFailure(output, version) {
  const http = /Response code (\d{3}) \(([^)]*)\) for (\S+)/.exec(output);
  if (http) {
    const [, status, text, url] = http;
    if (status === '404') return `the download address has no Electron ${version} for this platform (HTTP 404 from ${url})`;
    return `the server answered HTTP ${status}${text ? ` ${text}` : ''} for ${url}`;
  }
  if (/did not match|checksum/i.test(output)) return `the downloaded file does not match Electron ${version}'s published checksum (a broken mirror or a proxy that changes files)`;
  if (/ENOTFOUND|EAI_AGAIN/.test(output)) return 'the download host could not be found (offline, or DNS is blocked)';
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|fetch failed/.test(output)) return 'the download host could not be reached (offline, a firewall, or a proxy that is not set)';
  const firstLine = output.split('\n').find((line) => line.trim() !== '') ?? 'no output';
  return `Electron's installer failed: ${firstLine.trim().slice(0, 200)}`;
}

/** The environment for Electron's installer: @electron/get honours HTTP(S)_PROXY only when
 * ELECTRON_GET_USE_PROXY is set, so we set it whenever a proxy is configured. */
export function installerEnvironment(env = process.env) {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
  return proxied && env.ELECTRON_GET_USE_PROXY === undefined ? { ...env, ELECTRON_GET_USE_PROXY: 'true' } : { ...env };
}

/**
 * Makes sure the Electron binary is there. Resolves with { ok: true } or
 * { ok: false, message } (the message is what a person reads; `detail` is the installer's own
 * output, shown with DEBUG=keyport).
 */
export async function ensureElectron({ root = process.cwd(), env = process.env, log = (line) => console.error(line) } = {}) {
  const { dir, version } = electronPackage(root);
  const present = installedElectron(dir, env);
  if (present) return { ok: true, downloaded: false, executable: present };
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    return { ok: false, message: `Keyport cannot start: ELECTRON_OVERRIDE_DIST_PATH is ${env.ELECTRON_OVERRIDE_DIST_PATH}, but ${platformExecutable()} is not in it. Unpack Electron ${version} there, or unset it to download Electron.`, detail: '' };
  }
  const from = env.ELECTRON_MIRROR ? env.ELECTRON_MIRROR : 'GitHub';
  log(`Downloading Electron ${version} (about ${APPROXIMATE_SIZE_MB} MB) from ${from} … (once; it is cached)`);
  const started = Date.now();
  const child = spawn(process.execPath, [join(dir, 'install.js')], { env: installerEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  // @electron/get draws its own bar only on a terminal after 30 s; a line every 15 s says we
  // are still at it.
  const heartbeat = setInterval(() => log(`  … still downloading Electron (${Math.round((Date.now() - started) / 1000)} s)`), 15_000);
  const code = await new Promise((resolve) => {
    child.on('error', (error) => {
      output += String(error);
      resolve(1);
    });
    child.on('close', resolve);
  });
  clearInterval(heartbeat);
  const executable = code === 0 ? installedElectron(dir, env) : null;
  if (executable) return { ok: true, downloaded: true, executable };
  const message = [`Keyport cannot start: Electron ${version} could not be downloaded: ${describeFailure(output, version)}.`, 'Ways out:', ...WAYS_OUT.map((way) => `  - ${way}`)].join('\n');
  return { ok: false, message, detail: output };
}

/** Runs `command` (what follows `--`) with ELECTRON_EXEC_PATH set, which electron-vite reads
 * before path.txt, so an Electron from ELECTRON_OVERRIDE_DIST_PATH is the one that starts. */
function runAfterward(command, executable) {
  const [program, ...args] = command;
  const child = spawn(program, args, { stdio: 'inherit', shell: process.platform === 'win32', env: { ...process.env, ELECTRON_EXEC_PATH: process.env.ELECTRON_EXEC_PATH || executable } });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    console.error(`Could not run ${program}: ${error.message}`);
    process.exit(1);
  });
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

// Run as a script: `node scripts/ensure-electron.mjs [-- command …]`. Exit 1 with the message
// when Electron cannot be had; otherwise run the command (if any) and exit with its code.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  const result = await ensureElectron();
  if (!result.ok) {
    console.error(result.message);
    if (/\bkeyport\b/.test(process.env.DEBUG ?? '')) console.error(`\nElectron's installer said:\n${result.detail}`);
    else console.error('(DEBUG=keyport shows the installer’s own output.)');
    process.exit(1);
  }
  const separator = process.argv.indexOf('--');
  if (separator !== -1 && process.argv.length > separator + 1) runAfterward(process.argv.slice(separator + 1), result.executable);
}
