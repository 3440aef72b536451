// Bundled and run by bench/memory.ts in its own Node process with --expose-gc, so that nothing else the
// bench holds (Playwright, the reference server, the other figures) is in the heap. Prints one
// JSON line. Each measure runs in its own function so that no temporary of one (the file's
// text, say) is still held by the module's frame while the next is measured.
// It imports nothing from the browser host (bench/benchHost.ts, test/host/host.ts): host.ts
// imports vite, which the bundle keeps as a side-effect import, and the process then held vite
// (~25 MB resident, 13 MB of heap) that the app never loads.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTestCore, type TestCore } from '../test/support/testCore';
import { openVaultFile, readVaultContents } from '../src/main/core/vault/vaultFile';

const { dataDir, keyHex, serverId } = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; keyHex: string; serverId: string };
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function heapUsed(): number {
  return settledMemory().heapUsed;
}

function settledMemory(): NodeJS.MemoryUsage {
  for (let i = 0; i < 4; i++) gc?.();
  return process.memoryUsage();
}
const mb = (bytes: number) => bytes / 1024 / 1024;
const held: unknown[] = [];

/** The floor: the vault file parsed (its log replayed) and held as plain objects (its text is
 * not counted). */
function rawHeld(path: string): number {
  const text = readFileSync(path, 'utf8');
  const before = heapUsed();
  held.push(readVaultContents(path));
  const after = heapUsed();
  if (text.length === 0) throw new Error('empty vault file');
  return after - before;
}

/** The core on that vault: servers and 10,000 saved-token records (ciphertext in memory); the
 * process's resident size and V8's reserved heap before and after, not only the live heap. */
function coreHeld(): { bytes: number; before: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage; test: TestCore } {
  const before = settledMemory();
  const test = createTestCore({ store: openVaultFile(path), key: Buffer.from(keyHex, 'hex') });
  const after = settledMemory();
  return { bytes: after.heapUsed - before.heapUsed, before, after, test };
}

/** The same core holding the 10,000 tokens it just listed (what tokens.list hands the renderer). */
async function listHeld(test: TestCore): Promise<{ bytes: number; count: number; rss: number }> {
  const before = heapUsed();
  const listed = await test.call('tokens.list', { serverId });
  const after = settledMemory();
  return { bytes: after.heapUsed - before, count: listed.length, rss: after.rss };
}

// The path only: opening the vault here too would leave the 'before' figures holding one more parse.
const path = join(dataDir, 'vault.json');
// The file the core opens (tokens.list then appends to the log, which may double it before
// its compaction).
const fileBytes = statSync(path).size;
// The core first, so that the resident size before it is not inflated by the floor's parse.
const core = coreHeld();
const list = await listHeld(core.test);
const raw = rawHeld(path);
held.length = 0;
await core.test.core.dispose();

process.stdout.write(
  `${JSON.stringify({
    fileMB: mb(fileBytes),
    rawHeldMB: mb(raw),
    coreHeldMB: mb(core.bytes),
    listHeldMB: mb(list.bytes),
    listed: list.count,
    rssBeforeMB: mb(core.before.rss),
    rssMB: mb(core.after.rss),
    rssListedMB: mb(list.rss),
    heapTotalBeforeMB: mb(core.before.heapTotal),
    heapTotalMB: mb(core.after.heapTotal),
    heapUsedMB: mb(core.after.heapUsed),
    externalMB: mb(core.after.external),
  })}\n`,
);
