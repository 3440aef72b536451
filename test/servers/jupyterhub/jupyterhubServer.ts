// A real JupyterHub 6.1.1 (from PyPI, in the venv of conformance/requirements-jupyterhub.txt)
// for the `jupyterhub` kind's e2e and conformance tests and for `npm run servers`. The hub is
// the reference, not a fake: what it does is what docs/protocols/jupyterhub.md describes. It
// listens on 127.0.0.1 on a port picked just before, keeps its database in memory and knows
// only the seeded users (jupyterhub_config.py). This file must run under plain
// `node --experimental-strip-types` (npm run servers): erasable TypeScript only, nothing
// imported from src/.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonEnv, venvLayout } from '../../../conformance/pythonEnv.ts';

export const HUB_VENV = 'jupyterhub';

export interface HubUser {
  readonly username: string;
  readonly password: string;
}

export const DEFAULT_HUB_USERS: readonly HubUser[] = [
  { username: 'alice', password: 'alice-hub-password-1' },
  { username: 'bob', password: 'bob-hub-password-2' },
];

export interface HubOptions {
  users?: readonly HubUser[];
  /** Users who are the hub's admins (default: none). */
  admins?: readonly string[];
  /** `c.JupyterHub.token_expires_in_max_seconds`: the longest token life the hub allows. */
  tokenExpiresInMaxSeconds?: number;
}

export interface HubServer {
  /** http://127.0.0.1:PORT, no trailing slash: the hub's base URL (the API is at /hub/api). */
  readonly url: string;
  readonly apiUrl: string;
  readonly users: readonly HubUser[];
  close(): Promise<void>;
}

const CONFIG = join(dirname(fileURLToPath(import.meta.url)), 'jupyterhub_config.py');
// About 2 s on an idle machine; a busy 2-core CI machine needs more.
const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 10_000;

/** Whether the hub's venv is installed (npm run servers starts a hub only then). */
export function hubInstalled(): boolean {
  return existsSync(join(venvLayout(HUB_VENV).bin, 'jupyterhub'));
}

/** Installs the hub's venv when missing or stale (minutes the first time, then instant). */
export async function ensureHubEnv(): Promise<void> {
  await ensurePythonEnv({ venv: HUB_VENV });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Waits until GET /hub/api answers 200 (the version document, no authentication). */
async function waitReady(apiUrl: string, exited: () => string | null, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit !== null) throw new Error(`JupyterHub exited (${exit}) before it was ready: ${stderr()}`);
    try {
      const res = await fetch(`${apiUrl}/`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`JupyterHub was not ready within ${START_TIMEOUT_MS} ms: ${stderr()}`);
}

/** Starts a hub (the venv must be installed: ensureHubEnv) and resolves once its API answers. */
export async function startJupyterHub(options: HubOptions = {}): Promise<HubServer> {
  const users = options.users ?? DEFAULT_HUB_USERS;
  const executable = join(venvLayout(HUB_VENV).bin, 'jupyterhub');
  if (!existsSync(executable)) throw new Error(`${executable} does not exist: call ensureHubEnv() first`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const settings = {
    bindUrl: `${url}/`,
    users: Object.fromEntries(users.map((u) => [u.username, u.password])),
    admins: options.admins ?? [],
    tokenExpiresInMaxSeconds: options.tokenExpiresInMaxSeconds ?? 0,
  };
  // The working directory: anything the hub writes despite the configuration lands here.
  const dir = mkdtempSync(join(tmpdir(), 'keyport-jupyterhub-'));
  const child = spawn(executable, ['-f', CONFIG], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: `${dirname(executable)}:${process.env.PATH ?? ''}`, HOME: dir, LANG: 'C.UTF-8', KEYPORT_HUB_SETTINGS: JSON.stringify(settings) },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  let exitCode: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = String(code ?? signal);
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const apiUrl = `${url}/hub/api`;
  try {
    await waitReady(apiUrl, () => exitCode, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, apiUrl, users, close: stop };
}
