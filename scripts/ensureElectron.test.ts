import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations (it runs before any build)
import { describeFailure, installerEnvironment } from './ensure-electron.mjs';
// @ts-expect-error: as above
import { nodeVersionProblem } from './check-node.mjs';

/** The first step of `npm start`, proven without the internet: a server on 127.0.0.1 stands in
 * for Electron's download mirror (ELECTRON_MIRROR), the cache folder is empty, and the real
 * script runs Electron's real installer (@electron/get) against it. Electron itself is never
 * started: the mirror never serves a real Electron. */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'scripts', 'ensure-electron.mjs');
const ELECTRON_DIR = join(ROOT, 'node_modules', 'electron');
const { version: ELECTRON_VERSION } = JSON.parse(readFileSync(join(ELECTRON_DIR, 'package.json'), 'utf8')) as { version: string };
const ZIP = `electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`;

function platformName(): string {
  return process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
}

interface Mirror {
  url: string;
  requests: string[];
  server: Server;
}

/** A stand-in mirror: `answer` decides each response. */
async function startMirror(answer: (path: string) => { status: number; body: Buffer | string }): Promise<Mirror> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    requests.push(path);
    const { status, body } = answer(path);
    res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests, server };
}

let project: string;
let cache: string;

// A project folder whose node_modules/electron is a copy of the real package's files (not its
// binary), so that the real node_modules never gets a path.txt or a dist from a test, and
// whatever is installed there cannot short-circuit the check.
beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'keyport-first-run-'));
  cache = mkdtempSync(join(tmpdir(), 'keyport-electron-cache-'));
  const electronCopy = join(project, 'node_modules', 'electron');
  mkdirSync(electronCopy, { recursive: true });
  for (const file of readdirSync(ELECTRON_DIR)) {
    if (['dist', 'path.txt', 'node_modules'].includes(file)) continue;
    copyFileSync(join(ELECTRON_DIR, file), join(electronCopy, file));
  }
  // Electron's installer requires @electron/get (and, on success only, the zip extractor).
  symlinkSync(join(ROOT, 'node_modules', '@electron'), join(project, 'node_modules', '@electron'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@electron-internal'), join(project, 'node_modules', '@electron-internal'), 'dir');
});

afterEach(() => {
  rmSync(project, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

function runPreparation(mirror: Mirror, extraEnv: Record<string, string> = {}, then: string[] = []): Promise<{ code: number | null; output: string; ms: number }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: project,
    ELECTRON_MIRROR: mirror.url,
    electron_config_cache: cache,
    ...extraEnv,
  };
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SCRIPT, ...(then.length ? ['--', ...then] : [])], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output, ms: Date.now() - started });
    });
  });
}

const mirrors: Mirror[] = [];
afterEach(async () => {
  for (const m of mirrors.splice(0)) await new Promise((ok) => m.server.close(ok));
});

async function mirror(answer: Parameters<typeof startMirror>[0]): Promise<Mirror> {
  const m = await startMirror(answer);
  mirrors.push(m);
  return m;
}

describe('npm start: making sure the Electron binary is there', () => {
  it('asks the mirror for the exact Electron zip, and a 404 ends in one actionable message, non-zero, in under 10 s', async () => {
    const m = await mirror(() => ({ status: 404, body: 'not here' }));
    const { code, output, ms } = await runPreparation(m);

    expect(m.requests).toContain(`/v${ELECTRON_VERSION}/${ZIP}`);
    expect(code).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(output).toContain(`Downloading Electron ${ELECTRON_VERSION} (about 110 MB)`);
    expect(output).toContain(`Electron ${ELECTRON_VERSION} could not be downloaded: the download address has no Electron ${ELECTRON_VERSION} for this platform (HTTP 404 from ${m.url}v${ELECTRON_VERSION}/${ZIP})`);
    for (const way of ['ELECTRON_MIRROR', 'ELECTRON_OVERRIDE_DIST_PATH', 'npx install-electron']) expect(output).toContain(way);
    // No stack trace unless asked for.
    expect(output).not.toMatch(/^\s+at /m);
    expect(existsSync(join(project, 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });

  it('a zip whose checksum does not match Electron’s checksums.json is refused with the same ways out', async () => {
    const m = await mirror((path) => (path.endsWith('.zip') ? { status: 200, body: Buffer.from('PK\u0003\u0004 not electron at all') } : { status: 404, body: '' }));
    const { code, output, ms } = await runPreparation(m);

    expect(m.requests).toEqual([`/v${ELECTRON_VERSION}/${ZIP}`]); // checksums come with the package
    expect(code).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(output).toContain(`does not match Electron ${ELECTRON_VERSION}'s published checksum`);
    expect(output).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(output).not.toMatch(/^\s+at /m);
    expect(existsSync(join(project, 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });

  it('DEBUG=keyport shows the installer’s own output', async () => {
    const m = await mirror(() => ({ status: 500, body: 'boom' }));
    const { code, output } = await runPreparation(m, { DEBUG: 'keyport' });
    expect(code).not.toBe(0);
    expect(output).toContain('the server answered HTTP 500');
    expect(output).toContain("Electron's installer said:");
    expect(output).toMatch(/Response code 500/);
  });

  it('an unreachable mirror is named as such', async () => {
    // A port that was just free: nothing listens there.
    const m = await mirror(() => ({ status: 404, body: '' }));
    await new Promise((ok) => m.server.close(ok));
    mirrors.splice(mirrors.indexOf(m), 1);
    const { code, output, ms } = await runPreparation(m);
    expect(code).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(output).toContain('could not be reached');
  });
});

describe('a download that succeeds', () => {
  it('unpacks what the mirror served, writes path.txt as Electron does, and the command after -- gets that executable (never started)', async () => {
    // A zip holding a stand-in `electron` file, and a SHASUMS256.txt that matches it: with
    // electron_use_remote_checksums Electron's installer checks against the mirror's list.
    const zipDir = mkdtempSync(join(tmpdir(), 'keyport-zip-'));
    const zipPath = join(zipDir, ZIP);
    const made = spawnSync('python3', ['-c', 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n  z.writestr(sys.argv[2], "not really electron\\n")\n  z.writestr("version", "v" + sys.argv[3])', zipPath, platformName(), ELECTRON_VERSION]);
    expect(made.status, String(made.stderr)).toBe(0);
    const zip = readFileSync(zipPath);
    rmSync(zipDir, { recursive: true, force: true });
    const sums = `${createHash('sha256').update(zip).digest('hex')} *${ZIP}\n`;
    const m = await mirror((path) => (path.endsWith('/SHASUMS256.txt') ? { status: 200, body: sums } : path.endsWith(`/${ZIP}`) ? { status: 200, body: zip } : { status: 404, body: '' }));

    const { code, output } = await runPreparation(m, { electron_use_remote_checksums: '1' }, [process.execPath, '-e', 'console.log("exec=" + process.env.ELECTRON_EXEC_PATH)']);

    expect(code, output).toBe(0);
    expect(m.requests).toContain(`/v${ELECTRON_VERSION}/${ZIP}`);
    const electronCopy = join(project, 'node_modules', 'electron');
    expect(readFileSync(join(electronCopy, 'path.txt'), 'utf8')).toBe(platformName());
    expect(output).toContain(`exec=${join(electronCopy, 'dist', platformName())}`);
    // A second start finds it and downloads nothing.
    const before = m.requests.length;
    const again = await runPreparation(m, { electron_use_remote_checksums: '1' });
    expect(again.code).toBe(0);
    expect(again.output).not.toContain('Downloading');
    expect(m.requests.length).toBe(before);
  });
});

describe('an Electron people already have', () => {
  it('ELECTRON_OVERRIDE_DIST_PATH: nothing is downloaded, and the command after -- gets that executable as ELECTRON_EXEC_PATH (read by electron-vite)', async () => {
    const dist = join(project, 'my-electron');
    mkdirSync(dist);
    const executable = join(dist, platformName());
    mkdirSync(dirname(executable), { recursive: true });
    copyFileSync(SCRIPT, executable); // any file: it is never started
    const m = await mirror(() => ({ status: 404, body: '' }));
    const { code, output } = await runPreparation(m, { ELECTRON_OVERRIDE_DIST_PATH: dist }, [process.execPath, '-e', 'console.log("exec=" + process.env.ELECTRON_EXEC_PATH); process.exit(7)']);
    expect(m.requests).toEqual([]);
    expect(output).toContain(`exec=${executable}`);
    expect(code).toBe(7); // the command's own exit code
  });

  it('ELECTRON_OVERRIDE_DIST_PATH without an Electron in it says so', async () => {
    const m = await mirror(() => ({ status: 404, body: '' }));
    const { code, output } = await runPreparation(m, { ELECTRON_OVERRIDE_DIST_PATH: join(project, 'empty') });
    expect(code).not.toBe(0);
    expect(m.requests).toEqual([]);
    expect(output).toContain(`ELECTRON_OVERRIDE_DIST_PATH is ${join(project, 'empty')}, but`);
  });
});

describe('the pieces of the first-run step', () => {
  it('turns the installer’s errors into sentences', () => {
    expect(describeFailure('HTTPError: Response code 403 (Forbidden) for https://m/x.zip\n    at …', '45.4.1')).toBe('the server answered HTTP 403 Forbidden for https://m/x.zip');
    expect(describeFailure('Error: getaddrinfo ENOTFOUND github.com', '45.4.1')).toContain('could not be found');
    expect(describeFailure('something odd\n  at x', '45.4.1')).toBe("Electron's installer failed: something odd");
  });

  it('lets @electron/get use the proxy variables people already set', () => {
    expect(installerEnvironment({ HTTPS_PROXY: 'http://proxy:3128' }).ELECTRON_GET_USE_PROXY).toBe('true');
    expect(installerEnvironment({ https_proxy: 'http://proxy:3128', ELECTRON_GET_USE_PROXY: '' }).ELECTRON_GET_USE_PROXY).toBe('');
    expect(installerEnvironment({}).ELECTRON_GET_USE_PROXY).toBeUndefined();
  });

  it('says in one line when Node.js is too old', () => {
    expect(nodeVersionProblem('20.20.2')).toBe(
      'Keyport needs Node.js 22.12 or newer; this is Node.js 20.20.2. Install a newer Node (`nvm install` reads .nvmrc) and run the command again.',
    );
    expect(nodeVersionProblem('22.11.9')).not.toBeNull();
    expect(nodeVersionProblem('22.12.0')).toBeNull();
    expect(nodeVersionProblem('24.9.0')).toBeNull();
  });

  it('npm start, dev and dist prepare Electron first; npm test checks Node first; engines and .nvmrc agree', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; engines: { node: string } };
    expect(pkg.scripts.start).toBe('node scripts/ensure-electron.mjs -- electron-vite preview');
    expect(pkg.scripts.dev).toBe('node scripts/ensure-electron.mjs -- electron-vite dev');
    expect(pkg.scripts.dist).toMatch(/^node scripts\/ensure-electron\.mjs && electron-vite build && electron-builder /);
    expect(readFileSync(join(ROOT, 'scripts', 'test-all.mjs'), 'utf8')).toContain("from './check-node.mjs'");
    expect(pkg.engines.node).toBe('>=22.12');
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe('24');
  });
});
