import { randomBytes } from 'node:crypto';
import type { Core } from '../../src/main/core/core';
import { createCore } from '../../src/main/core/createCore';
import type { ProcedureArgs } from '../../src/shared/api';
import type { ProcedureName, ProcedureResults } from '../../src/shared/contract';
import { KeyportApiError, type KeyportErrorShape } from '../../src/shared/errors';
import { createInProcessClient } from '../../src/main/core/inProcessClient';
import type { Cipher, Clipboard, KeyValueStore, LookupFunction, SystemUserCheck, Timers } from '../../src/main/core/ports';
import { createAesCipher, createUnavailableCipher } from '../../src/main/core/vault/aesCipher';
import type { FileTrust } from '../../src/main/core/sessionFiles/filePermissions';

/** An in-memory clipboard standing in for the system one. */
export class MemoryClipboard implements Clipboard {
  text = '';
  writes: string[] = [];
  async readText() {
    return this.text;
  }
  async writeText(text: string) {
    this.text = text;
    this.writes.push(text);
  }
}

/** Resolves only loopback names, so no test sends a DNS query off the machine. Anything
 * else fails as an unknown host would. */
export const loopbackOnlyLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
  callback(error, '', 4);
};

export const BASIC_TEXT_REASON = 'Your system has no keyring (Linux “basic_text” backend), so Keyport cannot encrypt secrets at rest.';

export function mapStore(): KeyValueStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: (k) => structuredClone(data.get(k)),
    set: (k, v) => void data.set(k, structuredClone(v)),
    delete: (k) => void data.delete(k),
    setMany: (values) => {
      for (const [k, v] of Object.entries(values)) data.set(k, structuredClone(v));
    },
  };
}

export interface TestCoreOptions {
  store?: KeyValueStore;
  /** 'aes' (default): encrypted with `key`. 'unavailable': as Linux basic_text. */
  cipher?: 'aes' | 'unavailable';
  key?: Buffer;
  certificateToPick?: string | null;
  timers?: Timers;
  /** The environment the core reads (proxies, AGAVE_CACHE_DIR…); default `{}`, so variables set
   * on the machine change nothing. */
  env?: Record<string, string | undefined>;
  /** The home directory for default session-file paths; default the real one. */
  homeDir?: string;
  /** What "open the system browser" does; default: records the URL only (see `opened`).
   * `false`: the core has no browser (as in a core without a window). */
  openBrowser?: ((url: string) => Promise<void>) | false;
  /** Host names resolve only to loopback by default; `'system'` uses the system's resolver. */
  lookup?: LookupFunction | 'system';
  /** The system's user check (Touch ID stand-in); default none. */
  systemCheck?: SystemUserCheck;
  /** scrypt cost of passphrases and unlock secrets; default the app's. */
  scryptCost?: { N: number; r: number; p: number };
  /** How long browser and device sign-ins wait; default the app's 5 minutes. */
  signInTimeoutMs?: number;
  /** Who may change session files besides the person; default the system's (uid, /etc/group). */
  fileTrust?: FileTrust;
}

export interface TestCore {
  core: Core;
  clipboard: MemoryClipboard;
  logs: string[];
  /** Every URL the core asked the system browser to open, in order. */
  opened: string[];
  /** Every desktop notification the core sent (the browser host's stand-in for Notification). */
  notifications: Array<{ title: string; body: string }>;
  /** Calls a procedure as the renderer does (typed like the renderer's client); throws with the
   * error's code and message. */
  call<P extends ProcedureName>(procedure: P, ...input: ProcedureArgs<P>): Promise<ProcedureResults[P]>;
  /** Calls a procedure that must fail, and returns its error. The input is not typed: this is
   * how tests send what a hostile or broken renderer would. */
  fail(procedure: string, input?: unknown): Promise<KeyportErrorShape>;
}

/** The real core (the app's composition root) with test adapters: the one wiring of createCore
 * for tests, used by the unit-test harness (coreHarness.ts), the browser host, the conformance
 * tests and the benchmarks. */
export function createTestCore(options: TestCoreOptions = {}): TestCore {
  const cipher: Cipher =
    options.cipher === 'unavailable' ? createUnavailableCipher('basic_text', BASIC_TEXT_REASON) : createAesCipher(options.key ?? randomBytes(32), 'aes-256-gcm (test key)');
  const clipboard = new MemoryClipboard();
  const logs: string[] = [];
  const opened: string[] = [];
  const notifications: Array<{ title: string; body: string }> = [];
  const core = createCore({
    store: options.store ?? mapStore(),
    cipher,
    clipboard,
    filePicker: { pickCertificate: async () => options.certificateToPick ?? null },
    logger: { warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
    appVersion: '0.0.0-test',
    lookup: options.lookup === 'system' ? undefined : (options.lookup ?? loopbackOnlyLookup),
    timers: options.timers,
    // No proxy: a proxy set on the machine must not change what the tests see.
    env: options.env ?? {},
    homeDir: options.homeDir,
    fileTrust: options.fileTrust,
    systemCheck: options.systemCheck,
    scryptCost: options.scryptCost,
    browser:
      options.openBrowser === false
        ? undefined
        : {
            open: async (url) => {
              opened.push(url);
              if (options.openBrowser) await options.openBrowser(url);
            },
          },
    signInTimeoutMs: options.signInTimeoutMs,
    notifier: { notify: (notification) => notifications.push(notification) },
  });
  // The window's typed client over a direct call; a failure names the procedure and its code.
  const client = createInProcessClient(core);
  const call: TestCore['call'] = async (procedure, ...input) => {
    try {
      return await client.call(procedure, ...input);
    } catch (error) {
      if (error instanceof KeyportApiError) throw Object.assign(new Error(`${procedure} failed: ${error.code} ${error.message}`), { code: error.code });
      throw error;
    }
  };
  return {
    core,
    clipboard,
    logs,
    opened,
    notifications,
    call,
    async fail(procedure: string, input?: unknown): Promise<KeyportErrorShape> {
      const result = await core.handle(procedure, input);
      if (result.ok) throw new Error(`${procedure} succeeded, but should have failed`);
      return result.error;
    },
  };
}
