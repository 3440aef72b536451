import type { WireResult } from '../../shared/errors';
import type { AppCommand, EventName, EventPayloads } from '../../shared/contract';
import type { Cipher, Clipboard, ExternalBrowser, FilePicker, KeyValueStore, Logger, LookupFunction, Notifier, SystemUserCheck, Timers } from './ports';
import type { FileTrust } from './sessionFiles/filePermissions';

/** Everything the core needs from its host (Electron app, browser host, unit tests). */
export interface CoreAdapters {
  store: KeyValueStore;
  cipher: Cipher;
  clipboard: Clipboard;
  filePicker: FilePicker;
  /** Where browser sign-ins open (the system browser; a second page in the browser host).
   * Without one, browser sign-in is refused. */
  browser?: ExternalBrowser | undefined;
  logger: Logger;
  /** Expiry reminders; without one they show only in the app. */
  notifier?: Notifier | undefined;
  appVersion: string;
  lookup?: LookupFunction | undefined;
  timers?: Timers | undefined;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY and the CLIs' variables (AGAVE_CACHE_DIR, …)
   * are read from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** The person's home folder, where CLIs keep their session files; default `os.homedir()`. */
  homeDir?: string | undefined;
  /** Who besides the person may change a session file (their uid and private group); default
   * this process and /etc/group. */
  fileTrust?: FileTrust | undefined;
  /** How long a browser or device sign-in may take; default 5 minutes (tests shorten it). */
  signInTimeoutMs?: number | undefined;
  /** The system's own user check for unlocking (macOS Touch ID); none elsewhere. */
  systemCheck?: SystemUserCheck | undefined;
  /** scrypt cost for new passphrases and unlock secrets; tests lower it to stay fast. */
  scryptCost?: { N: number; r: number; p: number } | undefined;
}

export type CoreEventListener = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

export interface Core {
  /** Validates `input` against the procedure's schema, runs it, and never throws. */
  handle(procedure: string, input: unknown): Promise<WireResult<unknown>>;
  /** Passes a command from the app menu or tray to the windows (as the 'app.command' event). */
  command(command: AppCommand): void;
  /** Subscribes to events for the renderer; returns the unsubscribe function. */
  onEvent(listener: CoreEventListener): () => void;
  dispose(): Promise<void>;
}
