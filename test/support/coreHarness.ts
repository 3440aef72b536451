/** Test-only helpers shared by the core's unit tests: fake timers, and a harness that runs the
 * real core (createCore) against a reference EDS server and a vault file in a temporary folder.
 * Imported only by *.test.ts files; nothing in the app loads it. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { MemoryClipboard } from '../host/testCore';
import { startEdsServer, type EdsServer } from '../servers/eds/edsServer';
import type { EventName, EventPayloads } from '../../src/shared/contract';
import type { KeyportErrorShape } from '../../src/shared/errors';
import type { Core } from '../../src/main/core/core';
import { createCore } from '../../src/main/core/createCore';
import type { Cipher, SystemUserCheck, Timers } from '../../src/main/core/ports';
import { openVaultFile, type VaultFile } from '../../src/main/core/vault/vaultFile';
import { createAesCipher, createUnavailableCipher } from '../../src/main/core/vault/aesCipher';
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

export interface Harness {
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
  /** Calls a procedure and returns its value; fails the test on an error answer. */
  call<T = unknown>(procedure: string, input?: unknown): Promise<T>;
  /** Calls a procedure that must fail, and returns its error. */
  fail(procedure: string, input?: unknown): Promise<KeyportErrorShape>;
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
    const cipher: Cipher =
      options.cipher === 'unavailable'
        ? createUnavailableCipher('basic_text', 'No keyring on this system, so secrets cannot be encrypted.')
        : createAesCipher(randomBytes(32), 'aes-256-gcm (test key)');
    const timers = new FakeTimers();
    const clipboard = new MemoryClipboard();
    const logs: string[] = [];
    const notifications: Array<{ title: string; body: string }> = [];
    const core = createCore({
      notifier: { notify: (n) => notifications.push(n) },
      store,
      cipher,
      clipboard,
      filePicker: { pickCertificate: async () => null },
      logger: { warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
      appVersion: '0.0.0-test',
      timers,
      env: options.env,
      homeDir: options.homeDir,
      systemCheck: options.systemCheck,
      scryptCost: options.scryptCost,
      fileTrust: options.fileTrust,
    });
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
      async call<T>(procedure: string, input?: unknown) {
        const result = await core.handle(procedure, input);
        if (!result.ok) throw new Error(`${procedure} failed: ${result.error.code} ${result.error.message}`);
        return result.value as T;
      },
      async fail(procedure: string, input?: unknown) {
        const result = await core.handle(procedure, input);
        if (result.ok) throw new Error(`${procedure} succeeded, but should have failed`);
        return result.error;
      },
      hits: (pattern) => eds.requestLog.filter((e) => pattern.test(e.path)).length,
    };
  }

  return { cleanups, harness };
}
