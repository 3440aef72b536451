import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensurePythonEnv, venvLayout } from '../conformance/pythonEnv.ts';
import { npmCliJs } from '../conformance/npmCli.ts';
import { createTestCore } from '../test/support/testCore';
import { startEdsServer, type EdsServer } from '../test/servers/eds/edsServer';
import { startVerdaccio, type VerdaccioServer } from '../test/servers/npm/verdaccioServer.ts';
import { openVaultFile } from '../src/main/core/vault/vaultFile';
import { buildCoreCli } from './coreBundle.ts';
import { median, round, type Figure } from './report.ts';
import { tokenNames } from './seed.ts';

const RUNS = 7;
const RUN_TIMEOUT_MS = 120_000;
/** GNU time (Debian package `time`): %M is the child's peak resident set size in KB, from the
 * rusage wait4() returns (what `time -v` prints as "Maximum resident set size"); %U and %S its
 * user and system CPU seconds. */
const GNU_TIME = '/usr/bin/time';

/** One whole-process run: wall time (spawn → exit, seen from here), peak RSS, and CPU time
 * (user + system), which a loaded machine stretches far less than wall time. */
interface ProcessRun {
  ms: number;
  rssMB: number;
  cpuMs: number;
}

interface Command {
  program: string;
  args: readonly string[];
  env: Record<string, string>;
  /** Copies a fresh state in place before each run (not timed). */
  prepare?: () => Promise<void>;
}

/** Runs `command` under GNU time with stdout on /dev/null (or captured, for the check). */
async function runOnce(command: Command, capture: boolean): Promise<ProcessRun & { stdout: string }> {
  await command.prepare?.();
  const scratch = await mkdtemp(join(tmpdir(), 'keyport-bench-cli-'));
  const timeFile = join(scratch, 'time');
  const devNull = capture ? null : await open('/dev/null', 'w');
  try {
    const started = performance.now();
    const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command.program, ...command.args], {
      env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: scratch, LANG: 'C.UTF-8', ...command.env },
      stdio: ['ignore', devNull ? devNull.fd : 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    }).finally(() => clearTimeout(timer));
    const ms = performance.now() - started;
    if (code !== 0) throw new Error(`${command.program} ${command.args.join(' ')} exited with ${String(code)}: ${stderr.trim()}`);
    const [kb, user, system] = ((await readFile(timeFile, 'utf8')).trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (!kb || !Number.isFinite(kb) || user === undefined || system === undefined) throw new Error(`${GNU_TIME} gave no peak RSS for ${command.program}`);
    return { ms, rssMB: kb / 1024, cpuMs: (user + system) * 1000, stdout };
  } finally {
    await devNull?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Warm-up (page cache, .pyc files), a checked run with the output captured, then RUNS runs of
 * each with output to /dev/null, alternating and swapping who goes first each time. */
async function compare(keyport: Command, cli: Command, check: { keyport: (out: string) => number; cli: (out: string) => number; expected: number }) {
  const listedByKeyport = check.keyport((await runOnce(keyport, true)).stdout);
  const listedByCli = check.cli((await runOnce(cli, true)).stdout);
  if (listedByKeyport !== check.expected || listedByCli !== check.expected) {
    throw new Error(`listed ${listedByKeyport} (Keyport) and ${listedByCli} (${cli.program}), not ${check.expected}`);
  }
  const samples = { keyport: [] as ProcessRun[], cli: [] as ProcessRun[] };
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? (['keyport', 'cli'] as const) : (['cli', 'keyport'] as const);
    for (const who of order) samples[who].push(await runOnce(who === 'keyport' ? keyport : cli, false));
  }
  return samples;
}

async function requireGnuTime(): Promise<void> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing: figure 8 reads each process's peak RSS from GNU time (Debian: apt-get install time).`);
}

/** A vault file holding only `server` (added through the core, so it is what the app writes),
 * copied fresh before each Keyport run: each run signs in on the same state. */
async function keyportCommand(dir: string, server: { name: string; kind: string; url: string }, token: string, cli: string): Promise<Command> {
  const key = randomBytes(32);
  const template = join(dir, `${server.kind}-template.json`);
  const vault = join(dir, `${server.kind}-vault.json`);
  const { core, call } = createTestCore({ store: openVaultFile(template), key });
  let serverId: string;
  try {
    serverId = (await call('servers.add', server)).id;
  } finally {
    await core.dispose();
  }
  return {
    program: process.execPath,
    args: [cli],
    env: { KEYPORT_BENCH_VAULT: vault, KEYPORT_BENCH_KEY: key.toString('hex'), KEYPORT_BENCH_SERVER: serverId, KEYPORT_BENCH_TOKEN: token },
    prepare: () => copyFile(template, vault),
  };
}

interface Pair {
  id: string;
  memoryId: string;
  what: string;
  cliLabel: string;
  samples: { keyport: ProcessRun[]; cli: ProcessRun[] };
}

type Floors = { node: ProcessRun; python: ProcessRun };

function figuresOf(pair: Pair): [Figure, Figure] {
  const pick = (runs: ProcessRun[], key: keyof ProcessRun) => runs.map((r) => r[key]);
  const cpu = { keyport: median(pick(pair.samples.keyport, 'cpuMs')), cli: median(pick(pair.samples.cli, 'cpuMs')) };
  const samples = (key: keyof ProcessRun) => ({ samples: pick(pair.samples.keyport, key).map((n) => round(n, 1)), baselineSamples: pick(pair.samples.cli, key).map((n) => round(n, 1)) });
  const row = (id: string, measure: string, unit: 'ms' | 'MB', key: keyof ProcessRun): Figure => ({
    id,
    figure: `${pair.what}, whole process: ${measure} (median of ${RUNS})`,
    unit,
    value: median(pick(pair.samples.keyport, key)),
    baseline: median(pick(pair.samples.cli, key)),
    baselineLabel: pair.cliLabel,
    target: null,
    details: samples(key),
  });
  return [
    {
      ...row(pair.id, 'wall time', 'ms', 'ms'),
      note: `CPU time (user + system): ${round(cpu.keyport, 0)} ms against ${round(cpu.cli, 0)} ms (${round(cpu.keyport / cpu.cli, 2)}×).`,
      details: { ...samples('ms'), cpuMs: samples('cpuMs') },
    },
    row(pair.memoryId, 'peak RSS', 'MB', 'rssMB'),
  ];
}

/** What a process costs before it does anything, for the notes. */
const floorNotes = (floors: Floors) => ({
  time: `Keyport is the core bundled as the app's main process is (out/bench/coreCli.js), run by plain Node 24. A bare \`node -e 0\` takes ${round(floors.node.ms, 0)} ms (${round(floors.node.cpuMs, 0)} ms CPU) here, the venv's \`python -c pass\` ${round(floors.python.ms, 0)} ms (${round(floors.python.cpuMs, 0)} ms CPU).`,
  memory: `Peak RSS from GNU time (%M, wait4's rusage). A bare \`node -e 0\` peaks at ${round(floors.node.rssMB, 0)} MB, the venv's \`python -c pass\` at ${round(floors.python.rssMB, 0)} MB.`,
});

/** EDS: `hatcher -t TOKEN api-tokens list` (HATCHER_URL and HATCHER_TOKEN in its environment)
 * against Keyport signing in with the same token and listing, for `count` tokens of `user`. */
async function edsPair(eds: EdsServer, dir: string, cli: string, user: string, count: number, ids: [string, string]): Promise<Pair> {
  for (const name of tokenNames(count - 1)) eds.createApiToken(user, name);
  const token = eds.createApiToken(user, 'bench-cli');
  const hatcher: Command = { program: join(venvLayout().bin, 'hatcher'), args: ['api-tokens', 'list'], env: { HATCHER_URL: eds.url, HATCHER_TOKEN: token } };
  const keyport = await keyportCommand(dir, { name: `EDS ${user}`, kind: 'eds', url: eds.url }, token, cli);
  // hatcher prints a header and a rule, then a row per token (tabulate); Keyport a line per token.
  const samples = await compare(keyport, hatcher, { keyport: lineCount, cli: (out) => lineCount(out) - 2, expected: count });
  return { id: ids[0], memoryId: ids[1], what: `Sign in with a token + list ${count.toLocaleString('en')} EDS tokens`, cliLabel: 'hatcher 0.17.0 -t TOKEN api-tokens list', samples };
}

/** npm: `npm token list` with the token in its user config, against Keyport signing in with the
 * same token and listing, for `count` tokens of `user` on Verdaccio. */
async function npmPair(registry: VerdaccioServer, dir: string, cli: string, user: { username: string; password: string }, count: number, ids: [string, string]): Promise<Pair> {
  const token = await seedNpmTokens(registry, user, count);
  const host = new URL(registry.url).host;
  const npmDir = join(dir, `npm-${user.username}`);
  const userconfig = `${npmDir}-npmrc`;
  const globalconfig = `${npmDir}-global-npmrc`;
  await writeFile(userconfig, `//${host}/:_authToken=${token}\n`, { mode: 0o600 });
  await writeFile(globalconfig, '');
  const npm: Command = {
    program: process.execPath,
    args: [npmCliJs(), 'token', 'list', '--registry', `${registry.url}/`, '--userconfig', userconfig, '--globalconfig', globalconfig, '--cache', join(npmDir, 'cache'), '--no-update-notifier', '--no-audit', '--no-fund'],
    env: {},
  };
  const keyport = await keyportCommand(dir, { name: `Verdaccio ${user.username}`, kind: 'npm', url: registry.url }, token, cli);
  // npm prints "Token npm_…… with id … created …" and an empty line per token.
  const npmRows = (out: string) => out.split('\n').filter((l) => l.startsWith('Token ')).length;
  const samples = await compare(keyport, npm, { keyport: lineCount, cli: npmRows, expected: count });
  return { id: ids[0], memoryId: ids[1], what: `Sign in with a token + list ${count.toLocaleString('en')} npm tokens (Verdaccio)`, cliLabel: 'npm 11 token list', samples };
}

const lineCount = (out: string): number => out.split('\n').filter((l) => l !== '').length;

/** `count` tokens for `user` through Verdaccio's token API; returns the first one's value. */
async function seedNpmTokens(registry: VerdaccioServer, user: { username: string; password: string }, count: number): Promise<string> {
  const login = await fetch(`${registry.url}/-/user/org.couchdb.user:${user.username}`, {
    method: 'PUT',
    // Basic as npm sends it: Verdaccio answers a login without it with 409 (registration is off).
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` },
    body: JSON.stringify({ _id: `org.couchdb.user:${user.username}`, name: user.username, password: user.password, type: 'user', roles: [], date: new Date().toISOString() }),
  });
  if (!login.ok) throw new Error(`Verdaccio login failed: ${login.status}`);
  const { token: session } = (await login.json()) as { token: string };
  let first = '';
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${registry.url}/-/npm/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
      body: JSON.stringify({ password: user.password, readonly: false, cidr_whitelist: [] }),
    });
    if (!res.ok) throw new Error(`Verdaccio token create failed: ${res.status}`);
    const { token } = (await res.json()) as { token: string };
    first ||= token;
  }
  return first;
}

/** The floors of a process: Node and the venv's Python starting and exiting with nothing to do. */
async function bareProcesses(): Promise<Floors> {
  const node: Command = { program: process.execPath, args: ['-e', '0'], env: {} };
  const python: Command = { program: join(venvLayout().bin, 'python'), args: ['-c', 'pass'], env: {} };
  const runs = { node: [] as ProcessRun[], python: [] as ProcessRun[] };
  for (let i = 0; i < RUNS; i++) {
    runs.node.push(await runOnce(node, false));
    runs.python.push(await runOnce(python, false));
  }
  const mid = (rs: ProcessRun[]): ProcessRun => ({ ms: median(rs.map((r) => r.ms)), rssMB: median(rs.map((r) => r.rssMB)), cpuMs: median(rs.map((r) => r.cpuMs)) });
  return { node: mid(runs.node), python: mid(runs.python) };
}

/** 8 (issue 15). What a person compares Keyport with: the command-line clients. Whole-process
 * wall time and peak RSS of one "sign in with a saved token and list every token", Keyport's
 * core bundled as the app's main process is (bench/coreBundle.ts) and run by plain Node, against
 * the real hatcher on the reference EDS server and the real npm CLI on Verdaccio. */
export async function cliFigures(): Promise<Figure[]> {
  await requireGnuTime();
  await ensurePythonEnv();
  const cli = await buildCoreCli();
  const dir = await mkdtemp(join(tmpdir(), 'keyport-bench-cli-state-'));
  const eds = await startEdsServer();
  const registry = await startVerdaccio({ userRateLimit: { windowMs: 60_000, max: 100_000 } });
  try {
    const floors = await bareProcesses();
    const [alice, bob] = registry.users as [VerdaccioServer['users'][number], VerdaccioServer['users'][number]];
    const pairs = [
      await edsPair(eds, dir, cli, 'bob', 20, ['8a', '8e']),
      await edsPair(eds, dir, cli, 'alice', 10_000, ['8b', '8f']),
      await npmPair(registry, dir, cli, bob, 20, ['8c', '8g']),
      await npmPair(registry, dir, cli, alice, 1_000, ['8d', '8h']),
    ];
    const figures = pairs.map(figuresOf);
    const notes = floorNotes(floors);
    // Wall times first (8a–8d), then peak RSS (8e–8h); the floors' notes go on the first of each.
    const times = figures.map((f) => f[0]);
    const memory = figures.map((f) => f[1]);
    times[0] = { ...times[0]!, note: `${notes.time} ${times[0]!.note ?? ''}`, details: { ...times[0]!.details, floors } };
    memory[0] = { ...memory[0]!, note: notes.memory };
    return [...times, ...memory];
  } finally {
    await eds.close();
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  }
}
