/** The ports the core needs from its host. The Electron app implements them in
 * src/main/electron; tests and the browser host implement them in plain Node. */

/** Encrypts secrets at rest. Electron: safeStorage. Tests: AES-256-GCM with a test key. */
export interface Cipher {
  status(): CipherStatus;
  encrypt(plaintext: string): Promise<string>;
  decrypt(ciphertext: string): Promise<string>;
}

export interface CipherStatus {
  /** True only when encryption is backed by a real key store (not Linux `basic_text`). */
  available: boolean;
  /** e.g. 'keychain', 'dpapi', 'gnome_libsecret', 'basic_text', 'aes-256-gcm (test key)'. */
  backend: string;
  /** Why it is unavailable, in words for people. */
  reason?: string | undefined;
}

/** The vault's store (vault/vaultFile.ts: one JSON file, written durably). */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** Writes several keys in one atomic write, for changes that must
   * not be seen half done, such as re-encrypting every secret. */
  setMany(values: Record<string, unknown>): void;
  /** Writes some entries of an object-valued key (`put` replaces or adds them, `remove` takes
   * them out) without handing over the whole object, so a change to one secret of 10,000 costs
   * that secret. Optional: the vault falls back to setMany without it. */
  setEntries?(key: string, put: Record<string, unknown>, remove: readonly string[]): void;
  /** `set` for a record whose loss in a power cut costs nothing lasting (the activity log): in
   * the file at once, flushed to the device in the background instead of on the main thread
   * before returning. Optional: callers fall back to `set`. */
  setLazily?(key: string, value: unknown): void;
  /** Copies the file as it is now beside it and returns the copy's path, before the vault
   * refuses to open a file it cannot read safely. Absent for stores without a file. */
  backUp?(): string;
}

/** The system clipboard. Asynchronous, as Electron's is since 44. */
export interface Clipboard {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
}

/** Asks the person to pick a CA certificate file; null when cancelled. */
export interface FilePicker {
  pickCertificate(): Promise<string | null>;
}

/** Opens a URL in the person's browser (Electron: shell.openExternal). The core calls it only
 * with sign-in URLs it built from a configured server's discovery document. */
export interface ExternalBrowser {
  open(url: string): Promise<void>;
}

/** Desktop notifications (Electron: Notification; the browser host records them). Text only:
 * names and dates, never a secret. */
export interface Notifier {
  notify(notification: { title: string; body: string }): void;
}

/** The operating system's own check that the person at the computer is its user (macOS:
 * Touch ID). Offered on the lock screen besides the unlock secret. */
export interface SystemUserCheck {
  /** For people, e.g. "Touch ID". */
  label: string;
  /** False when the system cannot ask now (no sensor, none enrolled). */
  available(): boolean;
  /** Asks the person; true only when the system confirmed them. Never throws. */
  confirm(reason: string): Promise<boolean>;
}

/** Lines for a local diagnostic log. Callers pass only redacted text. */
export interface Logger {
  warn(message: string): void;
  error(message: string): void;
}

/** DNS resolution for outgoing connections, as Node's `dns.lookup` callback form. The browser
 * host passes one that resolves only loopback names, so tests never send DNS traffic out. */
export type LookupFunction = (
  hostname: string,
  options: { family?: number | undefined; all?: boolean | undefined },
  callback: (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void,
) => void;

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};
