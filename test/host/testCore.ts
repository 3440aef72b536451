import { randomBytes } from 'node:crypto';
import type { Core } from '../../src/main/core/core';
import { createCore } from '../../src/main/core/createCore';
import type { Cipher, Clipboard, KeyValueStore, LookupFunction, Timers } from '../../src/main/core/ports';
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
  /** What "open the system browser" does; default: records the URL only (see `opened`). */
  openBrowser?: (url: string) => Promise<void>;
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
  /** Calls a procedure as the renderer does; throws with the error's code and message. */
  call<T = unknown>(procedure: string, input?: unknown): Promise<T>;
}

/** The real core (the app's composition root) with test adapters. */
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
    lookup: loopbackOnlyLookup,
    timers: options.timers,
    // No proxy: a proxy set on the machine must not change what the tests see.
    env: options.env ?? {},
    homeDir: options.homeDir,
    fileTrust: options.fileTrust,
    browser: {
      open: async (url) => {
        opened.push(url);
        await options.openBrowser?.(url);
      },
    },
    signInTimeoutMs: options.signInTimeoutMs,
    notifier: { notify: (notification) => notifications.push(notification) },
  });
  return {
    core,
    clipboard,
    logs,
    opened,
    notifications,
    async call<T>(procedure: string, input?: unknown): Promise<T> {
      const result = await core.handle(procedure, input);
      if (!result.ok) throw Object.assign(new Error(`${procedure} failed: ${result.error.code} ${result.error.message}`), { code: result.error.code });
      return result.value as T;
    },
  };
}
