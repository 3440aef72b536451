/** Plain data that crosses the process boundary. No secrets here, except `CreatedToken.secret`,
 * the one show-once value (ARCHITECTURE.md, "Secrets"). */

export type SignInMethod = 'password' | 'token';

export interface CopyFormatDescriptor {
  id: string;
  label: string;
}

/** What a server kind can do; the renderer draws its forms and columns from this and never
 * switches on the kind itself. */
export interface KindDescriptor {
  kind: string;
  label: string;
  description: string;
  urlLabel: string;
  urlPlaceholder: string;
  signInMethods: SignInMethod[];
  tokenNoun: string;
  tokenColumns: { created: boolean; lastUsed: boolean; expires: boolean; scopes: boolean };
  copyFormats: CopyFormatDescriptor[];
  defaultCopyFormat: string;
  /** Shown when the server refuses token creation (403/404), e.g. EDS on-site servers. */
  tokenCreationNote?: string;
}

export interface UserInfo {
  name: string;
  email?: string | undefined;
}

export type SessionView =
  | { state: 'signed-out' }
  | { state: 'signed-in'; user: UserInfo; method: SignInMethod; signedInAt: string; persisted: boolean }
  | { state: 'expired'; message: string };

export interface ServerView {
  id: string;
  name: string;
  kind: string;
  url: string;
  allowInsecureTls: boolean;
  caCertificatePath: string | null;
  createdAt: string;
  session: SessionView;
}

export interface TokenView {
  /** The identity the server uses to revoke it (EDS: the name). */
  id: string;
  name: string;
  createdAt: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
  scopes: string[] | null;
  /** The id of the saved copy in Keyport's vault, if any. */
  savedSecretId: string | null;
}

export interface SavedSecretView {
  id: string;
  serverId: string;
  name: string;
  savedAt: string;
}

export interface CreatedToken {
  token: TokenView;
  /** The token value, shown once. The renderer must not keep it after the dialog closes. */
  secret: string;
  /** Id under which Keyport can copy it: a saved secret, or a short-lived in-memory one. */
  secretId: string;
  saved: boolean;
}

/** How secrets are kept at rest.
 * - `os`: encrypted with the operating system's keyring (Electron safeStorage).
 * - `passphrase`: no usable keyring; encrypted with a key derived from the person's passphrase.
 * - `session`: no usable keyring; kept in memory only, lost at quit (the person chose this).
 * - `undecided`: no usable keyring and no choice made yet; behaves like `session`. */
export type StorageMode = 'os' | 'passphrase' | 'session' | 'undecided';

export interface StorageStatus {
  mode: StorageMode;
  /** True when secrets are encrypted and written to disk. */
  persistent: boolean;
  /** True when Keyport is locked: secrets are out of memory until unlocked. */
  locked: boolean;
  backend: string;
  /** Why the OS keyring cannot be used, in words for people. */
  reason?: string | undefined;
}

export interface Settings {
  clipboardClearSeconds: number;
  requestTimeoutSeconds: number;
  /** Lock after this many idle minutes; 0 never locks by itself. */
  idleLockMinutes: number;
}

export interface AppStatus {
  version: string;
  storage: StorageStatus;
}

export type ClipboardEvent =
  | { state: 'copied'; label: string; clearsAt: number; seconds: number }
  | { state: 'cleared' }
  | { state: 'replaced' };

export interface CopyResult {
  clearsAt: number;
  seconds: number;
}
