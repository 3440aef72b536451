import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAesCipher } from './aesCipher';
import { Vault } from './vault';
import { seededRandom } from '../../../../test/support/seededRandom';
import { openVaultFile } from './vaultFile';

/** Crash safety: a child process writes secrets through the real Vault over its real store
 * (vaultFile.ts: an append-only log, fdatasync'd, compacted in the background) with the AES cipher, printing each write's id and value once
 * putSecret has returned. The parent kills it with SIGKILL at random moments, 200 times, and
 * after every kill a fresh Vault must load the file without error and hold every reported
 * write (or a later write to the same slot, which may land without being reported).
 *
 * How the child runs: src imports its modules without extensions, which Node's type stripping
 * cannot resolve, so the child is bundled once with Vite's build API (the tool the repo already
 * builds with; test/host bundles its preload the same way) into one self-contained .mjs that
 * plain `node` runs with no flags or loaders. */

const KILLS = 200;
/** The child overwrites this many secrets in turn, so the file keeps a steady size. */
const SLOTS = 40;

const here = resolve(import.meta.dirname);
const CHILD_ENTRY = 'virtual:keyport-crash-child';
const CHILD_SOURCE = `
import { Vault } from ${JSON.stringify(join(here, 'vault.ts'))};
import { createAesCipher } from ${JSON.stringify(join(here, 'aesCipher.ts'))};
import { openVaultFile } from ${JSON.stringify(join(here, 'vaultFile.ts'))};

const { KEYPORT_CRASH_DIR: dir, KEYPORT_CRASH_KEY: key, KEYPORT_CRASH_RUN: run } = process.env;
// Compacting from 16 KB (the app: 1 MB), so that kills also land during compactions.
const vault = new Vault(openVaultFile(dir + '/vault.json', { minCompactBytes: 16 * 1024 }), createAesCipher(Buffer.from(key, 'hex')), { warn() {}, error() {} });
// stdout to a pipe is synchronous on POSIX: a line printed here has reached the parent.
process.stdout.write('ready\\n');
for (let i = 0; ; i++) {
  const id = 'slot-' + ((Number(run) * 7 + i) % ${SLOTS});
  const value = run + ':' + i;
  await vault.putSecret({ id, serverId: 'server-1', purpose: 'api-token', name: id, savedAt: new Date().toISOString(), attributes: { tokenId: value } }, value);
  process.stdout.write(id + ' ' + value + '\\n');
}
`;

const dirs: string[] = [];
let childPath: string;

beforeAll(async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'keyport-crash-child-'));
  dirs.push(outDir);
  await build({
    configFile: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'keyport-crash-child',
        enforce: 'pre',
        // Vite hands the ssr entry over as a path under the root.
        resolveId: (id) => (id.endsWith(CHILD_ENTRY) ? `\0${CHILD_ENTRY}` : null),
        load: (id) => (id === `\0${CHILD_ENTRY}` ? CHILD_SOURCE : null),
      },
    ],
    // Bundle the dependencies too (write-file-atomic, zod): the output lives outside node_modules' reach.
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: CHILD_ENTRY,
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'node22',
      rolldownOptions: {
        output: {
          format: 'es',
          entryFileNames: 'child.mjs',
          // write-file-atomic (CommonJS) names its temporary files from __filename, which an ES
          // module does not have; the Electron build leaves it in node_modules as CommonJS.
          banner: "import { fileURLToPath as keyportFileUrl } from 'node:url'; const __filename = keyportFileUrl(import.meta.url);",
        },
      },
    },
  });
  childPath = join(outDir, 'child.mjs');
}, 60_000);

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface ChildRun {
  /** "slot value" lines printed after each completed write. */
  written: Array<{ id: string; value: string }>;
  ready: boolean;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts the child, kills it `delayMs` after it is ready (or after it starts, when
 * `beforeReady`), and resolves once it has exited. */
function runAndKill(env: Record<string, string>, delayMs: number, beforeReady: boolean): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [childPath], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    const kill = () => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.startsWith('ready\n')) kill();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
    if (beforeReady) kill();
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      const lines = stdout.split('\n');
      lines.pop(); // a line cut by the kill, or ''
      const ready = lines[0] === 'ready';
      const written = lines.slice(ready ? 1 : 0).map((line) => {
        const [id = '', value = ''] = line.split(' ');
        return { id, value };
      });
      resolvePromise({ written, ready, signal, stderr });
    });
  });
}

const order = (value: string): [number, number] => {
  const [run = '-1', index = '-1'] = value.split(':');
  return [Number(run), Number(index)];
};
const notOlder = (stored: string, reported: string): boolean => {
  const [sr, si] = order(stored);
  const [rr, ri] = order(reported);
  return sr > rr || (sr === rr && si >= ri);
};

describe('vault crash safety', () => {
  it(`keeps every completed write across ${KILLS} SIGKILLs at random moments, and always loads`, async () => {
    const seed = Number(process.env.KEYPORT_CRASH_SEED ?? 0xc0ffee);
    const random = seededRandom(seed);
    const dir = mkdtempSync(join(tmpdir(), 'keyport-crash-vault-'));
    dirs.push(dir);
    const key = randomBytes(32);
    /** The last value reported for each slot. */
    const reported = new Map<string, string>();
    let writes = 0;
    let killedWhileWriting = 0;
    const started = Date.now();

    for (let run = 0; run < KILLS; run++) {
      const where = `seed ${seed}, run ${run}`;
      const beforeReady = random() < 0.1;
      // Up to 80 ms after ready: each write is fsync'd (file and folder), which takes a few ms.
      const delayMs = Math.floor(random() * (beforeReady ? 120 : 80));
      const result = await runAndKill({ KEYPORT_CRASH_DIR: dir, KEYPORT_CRASH_KEY: key.toString('hex'), KEYPORT_CRASH_RUN: String(run) }, delayMs, beforeReady);
      expect(result.signal, `${where}: the child ended by itself: ${result.stderr}`).toBe('SIGKILL');
      expect(result.stderr, where).toBe('');
      for (const { id, value } of result.written) reported.set(id, value);
      writes += result.written.length;
      if (result.written.length > 0) killedWhileWriting++;

      // A fresh process's view: the store re-reads the file (and throws on a damaged one), and
      // the Vault validates every entry.
      const warnings: string[] = [];
      const vault = new Vault(openVaultFile(join(dir, 'vault.json')), createAesCipher(key), { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) });
      expect(warnings, `${where}: unreadable entries`).toEqual([]);
      // At most one write was unreported: the one the kill interrupted, which may have landed.
      const unreported = vault.secrets().filter((m) => !reported.has(m.id));
      expect(unreported.length, where).toBeLessThanOrEqual(1);
      for (const meta of unreported) reported.set(meta.id, `${run}:-1`);
      for (const [id, value] of reported) {
        const stored = await vault.readSecret(id);
        expect(stored, `${where}: ${id} is missing`).not.toBeNull();
        expect(notOlder(stored as string, value), `${where}: ${id} holds ${stored}, older than the reported ${value}`).toBe(true);
        expect(vault.secretMeta(id)?.attributes.tokenId, `${where}: ${id}'s metadata and value disagree`).toBe(stored);
      }
    }

    // Enough kills landed in the middle of writing for the test to mean something.
    expect(killedWhileWriting).toBeGreaterThan(KILLS / 2);
    expect(writes).toBeGreaterThan(KILLS);
    expect(reported.size).toBe(SLOTS);
    // A kill during a write leaves that write's temporary file (write-file-atomic's: a temp file
    // renamed over the vault; SIGKILL skips its exit cleanup), never anything else. Nothing
    // removes them yet.
    const leftovers = readdirSync(dir).filter((f) => f !== 'vault.json');
    for (const file of leftovers) expect(file).toMatch(/^vault\.json\.\d+$/);
    expect(leftovers.length, `${writes} writes, ${killedWhileWriting} kills while writing`).toBeLessThanOrEqual(killedWhileWriting);
    // About 45 s on an idle 2-core machine; the bound leaves room for a CI machine under load.
    expect(Date.now() - started).toBeLessThan(150_000);
  }, 200_000);
});
