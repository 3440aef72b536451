// The Python side of the conformance suite: virtualenvs with the real CLIs pinned in
// conformance/requirements.txt (the main one) and conformance/requirements-<name>.txt (a client
// whose dependencies clash with the main set gets a venv of its own), and a runner that starts
// them with a clean environment.
// A missing Python must fail the suite with instructions, never skip it: the suite exists
// to catch drift between our reference servers and the real clients.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_HINT =
  'Install Python 3.11+ with pip and venv (Debian: apt-get install python3 python3-venv python3-pip)';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const IS_WINDOWS = process.platform === 'win32';

/** Where one venv lives and what it installs: `main` is conformance/requirements.txt in
 * .cache/conformance-venv; any other name N is conformance/requirements-N.txt in
 * .cache/conformance-venv-N. */
export interface VenvLayout {
  dir: string;
  requirements: string;
  stamp: string;
  lock: string;
  bin: string;
}

export function venvLayout(name = 'main'): VenvLayout {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`venv name ${JSON.stringify(name)}: use lower-case letters, digits and -`);
  const dir = join(REPO_ROOT, '.cache', name === 'main' ? 'conformance-venv' : `conformance-venv-${name}`);
  const requirements = join(REPO_ROOT, 'conformance', name === 'main' ? 'requirements.txt' : `requirements-${name}.txt`);
  return { dir, requirements, stamp: join(dir, '.requirements.sha256'), lock: `${dir}.lock`, bin: join(dir, IS_WINDOWS ? 'Scripts' : 'bin') };
}

const MAIN = venvLayout();
export const VENV_DIR = MAIN.dir;
export const REQUIREMENTS_FILE = MAIN.requirements;
const MIN_PYTHON: readonly [number, number] = [3, 11];

/** Per command run inside the venv: the CLIs talk only to local servers, so a minute is generous. */
export const COMMAND_TIMEOUT_MS = 60_000;
// Creating the venv downloads wheels; slow mirrors need far more than a CLI call.
const INSTALL_TIMEOUT_MS = 9 * 60_000;
const LOCK_WAIT_MS = 10 * 60_000;

export interface CommandResult {
  /** Exit code; null when the process was killed (see timedOut). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  /** Which venv's programs to run (see venvLayout); `main` when absent. */
  venv?: string;
  /** Extra environment variables on top of the clean environment. */
  env?: Record<string, string>;
  /** Written to stdin; stdin is closed right away when absent, so prompts see EOF instead of hanging. */
  input?: string;
  timeoutMs?: number;
  /** Working directory; the caller's when absent. */
  cwd?: string;
}

export interface PythonEnv {
  venvDir: string;
  /** True when this call built the venv, false when it reused a matching one. */
  created: boolean;
  /** Time spent creating the venv and installing requirements (0 when reused). */
  setupMs: number;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? COMMAND_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => undefined); // the child may exit before reading its input
    child.stdin.end(options.input ?? '');
  });
}

function summarize(result: CommandResult): string {
  const why = result.timedOut ? 'timed out' : `exited with ${String(result.code)}`;
  return `${why}\n${result.stderr.trim() || result.stdout.trim()}`;
}

/** Finds a Python 3.11+ interpreter; throws the install hint when there is none. */
async function findPython(preferred: string | undefined): Promise<string> {
  const candidates = preferred !== undefined ? [preferred] : IS_WINDOWS ? ['python', 'py'] : ['python3', 'python'];
  const found: string[] = [];
  for (const candidate of candidates) {
    let result: CommandResult;
    try {
      result = await run(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], process.env);
    } catch {
      continue; // ENOENT: not on PATH
    }
    if (result.code !== 0) continue;
    const [major = 0, minor = 0] = result.stdout.trim().split('.').map(Number);
    if (major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1])) return candidate;
    found.push(`${candidate} is ${result.stdout.trim()}`);
  }
  const detail = found.length > 0 ? `only found ${found.join(', ')}` : `none of ${candidates.join(', ')} is on PATH`;
  throw new Error(`${INSTALL_HINT}. The conformance suite runs the real CLIs from PyPI; ${detail}.`);
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function venvExecutableIn(name: string, venv: VenvLayout = MAIN): string {
  return join(venv.bin, IS_WINDOWS ? `${name}.exe` : name);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Two test runs at once must not build the same venv on top of each other; mkdir is atomic.
async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // The holder has made the directory but not yet written its pid.
      }
      if (Number.isInteger(holder) && !pidAlive(holder)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir} (held by pid ${String(holder)}); delete it if no test run is active`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Creates the venv `options.venv` (default `main`: .cache/conformance-venv from
 * conformance/requirements.txt), or reuses it when its stamp holds the sha256 of the current
 * requirements file. `python` overrides the interpreter (otherwise
 * $KEYPORT_CONFORMANCE_PYTHON, then python3/python on PATH).
 */
export async function ensurePythonEnv(options: { python?: string; venv?: string } = {}): Promise<PythonEnv> {
  const layout = venvLayout(options.venv);
  const { dir: VENV_DIR, requirements: REQUIREMENTS_FILE, stamp: STAMP_FILE } = layout;
  const venvExecutable = (name: string): string => venvExecutableIn(name, layout);
  const wanted = sha256(REQUIREMENTS_FILE);
  // The interpreter must also still start: a venv outlives an upgraded or removed system
  // Python, and then every CLI in it would fail with a confusing error.
  const usable = async (): Promise<boolean> =>
    existsSync(STAMP_FILE) &&
    readFileSync(STAMP_FILE, 'utf8').trim() === wanted &&
    existsSync(venvExecutable('python')) &&
    (await run(venvExecutable('python'), ['-c', ''], process.env).catch(() => undefined))?.code === 0;
  if (await usable()) return { venvDir: VENV_DIR, created: false, setupMs: 0 };

  const python = await findPython(options.python ?? process.env.KEYPORT_CONFORMANCE_PYTHON);
  return withLock(layout.lock, async () => {
    if (await usable()) return { venvDir: VENV_DIR, created: false, setupMs: 0 }; // built while we waited
    const started = Date.now();
    rmSync(VENV_DIR, { recursive: true, force: true });
    mkdirSync(dirname(VENV_DIR), { recursive: true });

    const venv = await run(python, ['-m', 'venv', VENV_DIR], process.env, { timeoutMs: INSTALL_TIMEOUT_MS });
    if (venv.code !== 0 || !existsSync(venvExecutable('python'))) {
      rmSync(VENV_DIR, { recursive: true, force: true });
      throw new Error(`${INSTALL_HINT}. "${python} -m venv" ${summarize(venv)}`);
    }
    // pip runs with the caller's environment on purpose: index mirrors, proxies and
    // PIP_CERT live there. Only the CLIs under test get a clean environment.
    const pipArgs = ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS_FILE];
    const install = await run(venvExecutable('python'), pipArgs, process.env, { timeoutMs: INSTALL_TIMEOUT_MS });
    if (install.code !== 0) {
      rmSync(VENV_DIR, { recursive: true, force: true });
      const noPip = /No module named pip/.test(install.stderr) ? `${INSTALL_HINT}. ` : '';
      throw new Error(`${noPip}pip install -r ${REQUIREMENTS_FILE} ${summarize(install)}`);
    }
    // The stamp goes last so that an interrupted install is rebuilt next time.
    writeFileSync(STAMP_FILE, `${wanted}\n`);
    return { venvDir: VENV_DIR, created: true, setupMs: Date.now() - started };
  });
}

/**
 * Runs a program of the venv (e.g. "hatcher", "python") with a clean environment: PATH,
 * a fresh temporary HOME and LANG, plus `options.env`. The caller's REQUESTS_CA_BUNDLE,
 * proxies and HATCHER_* variables would otherwise change what the CLI does.
 */
export async function runInVenv(program: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const layout = venvLayout(options.venv);
  const BIN_DIR = layout.bin;
  const executable = venvExecutableIn(program, layout);
  if (!existsSync(executable)) throw new Error(`${executable} does not exist: call ensurePythonEnv() first`);
  const home = mkdtempSync(join(tmpdir(), 'keyport-conformance-home-'));
  const env: NodeJS.ProcessEnv = {
    PATH: `${BIN_DIR}${delimiter}${process.env.PATH ?? ''}`,
    HOME: home,
    LANG: 'C.UTF-8',
    // Windows' Python cannot open sockets or seed its RNG without SYSTEMROOT.
    ...(IS_WINDOWS ? { SYSTEMROOT: process.env.SYSTEMROOT ?? 'C:\\Windows', USERPROFILE: home } : {}),
    ...options.env,
  };
  try {
    return await run(executable, args, env, options);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * bash without profile or rc files, with exactly `env` (the caller gives PATH, HOME and LANG):
 * how a fresh machine's shell evaluates the copy texts Keyport produces.
 */
export function runCleanBash(script: string, env: Record<string, string>, options: Omit<RunOptions, 'env'> = {}): Promise<CommandResult> {
  return run('bash', ['--noprofile', '--norc', '-c', script], env, options);
}

/** Runs the real `hatcher` CLI from the venv. */
export function runHatcher(args: readonly string[], env: Record<string, string> = {}, options: Omit<RunOptions, 'env'> = {}): Promise<CommandResult> {
  return runInVenv('hatcher', args, { ...options, env });
}

/**
 * Runs `python -c code args…` in the venv (clean environment as for runInVenv). For the
 * library-level checks (agavepy) whose scripts live in the test files as strings.
 */
export function runPython(code: string, args: readonly string[] = [], options: RunOptions = {}): Promise<CommandResult> {
  return runInVenv('python', ['-c', code, ...args], options);
}
