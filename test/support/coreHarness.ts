/** Test-only helpers shared by the core's unit tests: fake timers, and a harness that runs the
 * real core (createCore) against a reference EDS server and a vault file in a temporary folder.
 * Imported only by *.test.ts files; nothing in the app loads it. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createTestCore, type MemoryClipboard, type TestCore } from './testCore';
import { startEdsServer, type EdsServer } from '../servers/eds/edsServer';
import type { EventName, EventPayloads } from '../../src/shared/contract';
import type { Core } from '../../src/main/core/core';
import type { SystemUserCheck, Timers } from '../../src/main/core/ports';
import { openVaultFile, type VaultFile } from '../../src/main/core/vault/vaultFile';
import type { FileTrust } from '../../src/main/core/sessionFiles/filePermissions';

/** The fake clock's start for the core harness. */
export const START = Date.UTC(2025, 0, 1, 12);

/** Timers under the test's control: nothing scheduled runs until `advance`. */
export class FakeTimers implements Timers {
  current: number;
  private queue: { at: number; fn: () => void; cancelled: boolean }[] = [];
  private readonly settleAfterAdvance: boolean;
  /** `settleAfterAdvance`: `advance` lets pending callbacks run once more after the last due timer. */
  constructor(start: number = START, options: { settleAfterAdvance?: boolean } = {}) {
    this.current = start;
    this.settleAfterAdvance = options.settleAfterAdvance ?? false;
  }
  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number) {
    const entry = { at: this.current + ms, fn, cancelled: false };
    this.queue.push(entry);
    return { cancel: () => void (entry.cancelled = true) };
  }
  pending(): number {
    return this.queue.filter((e) => !e.cancelled).length;
  }
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.queue.filter((e) => !e.cancelled && e.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.queue = this.queue.filter((e) => e !== due);
      this.current = due.at;
      due.fn();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.current = target;
    if (this.settleAfterAdvance) await new Promise((resolve) => setImmediate(resolve));
  }
}

export type Emitted = { [E in EventName]: [E, EventPayloads[E]] }[EventName];

export interface Harness extends Pick<TestCore, 'call' | 'fail'> {
  core: Core;
  eds: EdsServer;
  timers: FakeTimers;
  clipboard: MemoryClipboard;
  events: Emitted[];
  /** Desktop notifications (expiry reminders) the core sent. */
  notifications: Array<{ title: string; body: string }>;
  logs: string[];
  store: VaultFile;
  /** The vault file's text, as on disk. */
  vaultText(): string;
  /** Requests to the server whose path matches, since the log was last cleared. */
  hits(pattern: RegExp): number;
}

export interface HarnessOptions {
  cipher?: 'aes' | 'unavailable';
  eds?: EdsServer;
  /** The environment the core reads (proxies, TAPIS_CACHE_DIR…); default the process's. */
  env?: Record<string, string | undefined>;
  /** The home directory for default session-file paths; default the real one. */
  homeDir?: string;
  /** The system's user check (Touch ID stand-in); default none. */
  systemCheck?: SystemUserCheck;
  /** scrypt cost of passphrases and unlock secrets; default the app's. */
  scryptCost?: { N: number; r: number; p: number };
  /** Who may change session files besides the person; default the system's. */
  fileTrust?: FileTrust;
}

/** Call once at a test file's top level. Returns `harness`, which starts a core (and, unless
 * given one, an EDS server), and `cleanups`, run in reverse after each test. */
export function useCoreHarness(): {
  cleanups: Array<() => Promise<void>>;
  harness(options?: HarnessOptions): Promise<Harness>;
} {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function harness(options: HarnessOptions = {}): Promise<Harness> {
    const eds = options.eds ?? (await startEdsServer());
    if (!options.eds) cleanups.push(() => eds.close());
    const dir = mkdtempSync(join(tmpdir(), 'keyport-core-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const store = openVaultFile(join(dir, 'vault.json'));
    // Cleanups run in reverse: the store settles (a background compaction) before the folder goes.
    cleanups.push(() => store.settled());
    const timers = new FakeTimers();
    const test = createTestCore({
      store,
      cipher: options.cipher,
      timers,
      // The harness's core reads the process's environment and resolves names as the system
      // does, and has no browser, unless a test says otherwise.
      env: options.env ?? process.env,
      lookup: 'system',
      openBrowser: false,
      homeDir: options.homeDir,
      systemCheck: options.systemCheck,
      scryptCost: options.scryptCost,
      fileTrust: options.fileTrust,
    });
    const { core, clipboard, logs, notifications } = test;
    cleanups.push(() => core.dispose());
    const events: Emitted[] = [];
    core.onEvent((event, payload) => events.push([event, payload] as Emitted));
    return {
      core,
      eds,
      timers,
      clipboard,
      events,
      notifications,
      logs,
      store,
      vaultText: () => {
        try {
          return readFileSync(store.path, 'utf8');
        } catch {
          return '';
        }
      },
      call: test.call,
      fail: test.fail,
      hits: (pattern) => eds.requestLog.filter((e) => pattern.test(e.path)).length,
    };
  }

  return { cleanups, harness };
}
