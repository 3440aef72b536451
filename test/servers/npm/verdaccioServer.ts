// A real Verdaccio 6 npm registry for Keyport's tests, `npm run servers` and the conformance
// suite that drives the real npm CLI against it. Verdaccio is the reference, not a fake: what
// it does is what docs/protocols/npm.md describes. It listens on 127.0.0.1 on an ephemeral port,
// keeps everything in a temporary folder, and knows only the seeded htpasswd users (nobody can
// register). This file must run under plain `node --experimental-strip-types` (npm run
// servers): erasable TypeScript only, nothing imported from src/.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NpmUser {
  readonly username: string;
  readonly password: string;
}

export const DEFAULT_NPM_USERS: readonly NpmUser[] = [
  { username: 'alice', password: 'alice-npm-password-1' },
  { username: 'bob', password: 'bob-npm-password-2' },
];

export interface VerdaccioServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  readonly url: string;
  readonly users: readonly NpmUser[];
  close(): Promise<void>;
}

/** Verdaccio's htpasswd plugin reads `{SHA}` hashes (verdaccio-htpasswd utils verifyPassword);
 * they cost nothing to check, unlike bcrypt, which keeps every sign-in in the tests fast. */
function htpasswdLine(user: NpmUser): string {
  const sha = createHash('sha1').update(user.password, 'utf8').digest('base64');
  return `${user.username}:{SHA}${sha}:autocreated ${new Date().toISOString()}`;
}

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'verdaccioMain.mjs');
const START_TIMEOUT_MS = 20_000;

/** Starts Verdaccio in a child Node process (see verdaccioMain.mjs for why) and resolves once it
 * listens. */
export async function startVerdaccio(options: { users?: readonly NpmUser[]; userRateLimit?: { windowMs: number; max: number } } = {}): Promise<VerdaccioServer> {
  const users = options.users ?? DEFAULT_NPM_USERS;
  const dir = mkdtempSync(join(tmpdir(), 'keyport-verdaccio-'));
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, users.map(htpasswdLine).join('\n') + '\n', { mode: 0o600 });
  const configuration = {
    configPath: join(dir, 'config.yaml'),
    storage: join(dir, 'storage'),
    // max_users -1: no self-registration, so only the seeded users exist.
    auth: { htpasswd: { file: htpasswd, max_users: -1 } },
    uplinks: {},
    packages: { '**': { access: '$authenticated', publish: '$authenticated', unpublish: '$authenticated' } },
    // The npm token API (/-/npm/v1/tokens) is behind this flag in Verdaccio 6.
    flags: { token: true },
    // Verdaccio limits calls to its user and token API per window; the bench raises the limit to
    // seed 1,000 tokens and list them many times.
    ...(options.userRateLimit ? { userRateLimit: options.userRateLimit } : {}),
    web: { enable: false },
    log: { type: 'stdout', format: 'json', level: 'fatal' },
    // A fixed secret keeps start-up from writing one into the config file.
    secret: createHash('sha256').update(dir).digest('hex').slice(0, 32),
  };
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(configuration), { mode: 0o600 });

  const child = spawn(process.execPath, [MAIN, configFile], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Verdaccio did not start within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
      let stdout = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        const line = stdout.split('\n').find((l) => l.startsWith('{"port":'));
        if (line) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { port: number }).port);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Verdaccio exited (${String(code)}) before listening: ${stderr}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    users,
    close: async () => {
      child.stdin.end();
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
