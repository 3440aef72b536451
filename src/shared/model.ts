/** Plain data that crosses the process boundary. No secrets here, except `CreatedToken.secret`,
 * the one show-once value (ARCHITECTURE.md, "Secrets"). */

/** `browser`: authorization code + PKCE in the system browser; `device`: a code entered on
 * another device (RFC 8628). */
export type SignInMethod = 'password' | 'token' | 'browser' | 'device';

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
  /** Shown beside a server URL that has a path (EDS: hatcher calls the API at the host's root,
   * so `https://host/eds` works in Keyport and fails in hatcher); `{root}` is replaced by the
   * URL without its path. */
  urlPathWarning?: string | undefined;
  /** Names Keyport gives the tokens it creates for its own sign-ins (Tapis: `keyport-`): listed
   * ones that no session uses and whose secret Keyport does not keep are offered for deletion. */
  ownTokenPrefix?: string | undefined;
  /** Settings of a server beyond name, URL and TLS (Tapis: the tenant id). */
  serverFields: FieldDescriptor[];
  /** Columns of the token list beyond name and dates (Tapis: description, tier, key). */
  extraColumns: FieldDescriptor[];
  /** Fields of "create token" beyond its name (Tapis: description). */
  createFields: FieldDescriptor[];
  /** Advice shown in "create token", with a link main opens (`kinds.openCreateNoteLink`; the
   * renderer never sends the URL). npm: trusted publishing instead of long-lived tokens. */
  createNote?: { text: string; linkLabel: string; url: string } | undefined;
  /** The verb of the destructive action on a token: "Revoke", or "Delete" for OAuth clients. */
  revokeVerb: string;
  /** The server manages tokens with the account's password, not the session (Tapis clients
   * API): the UI asks for it, or uses the one the person chose to remember. */
  tokensNeedPassword: boolean;
  /** Only creating a token needs the account password (npm's token API); listing and revoking
   * use the session. The UI asks for it in the create dialog, or uses a remembered one. */
  tokenCreationNeedsPassword?: boolean | undefined;
  /** Shown under the pasted-token field of the sign-in form: where such a token comes from
   * (JupyterHub: the hub's /hub/token page, for hubs behind OAuth). */
  tokenSignInHint?: string | undefined;
  /** Shown under the name field of "create token" instead of the usual hint, when the server
   * does not keep names (npm). */
  tokenNameNote?: string | undefined;
  /** The server keeps no token names (npm): a token Keyport saved is listed under the name it
   * was given when created, the others under what the server shows (a masked value). */
  unnamedTokens?: boolean | undefined;
  /** Password sign-in goes through an OAuth client: reuse one or let Keyport create one. */
  oauthClient?:
    | {
        noun: string;
        defaultNamePrefix: string;
        /** Labels of a pasted client's two parts; default "Client key", "Client secret" (Tapis v3: "Client id", "Client key"). */
        keyLabel?: string | undefined;
        secretLabel?: string | undefined;
      }
    | undefined;
  /** Sessions expire and can be refreshed without the person (shows expiry and "Refresh now"). */
  refreshableSession: boolean;
  /** What can be copied from the session itself (an access token, a whole session file). */
  sessionCopyFormats: CopyFormatDescriptor[];
  /** A file a CLI of this kind keeps its session in, which Keyport imports and exports. */
  sessionFile?: SessionFileDescriptor | undefined;
  /** False when the kind has no list of API tokens (OpenID Connect: the session's own access
   * and refresh tokens are all there is): the UI shows no token table and no "create".
   * Absent means true. */
  tokenList?: boolean | undefined;
  /** Keyport can read and show what the server says about itself (OpenID Connect discovery):
   * `servers.describe` answers with facts under this title. Adding the server checks it too. */
  serverDescription?: { title: string } | undefined;
}

export interface FieldDescriptor {
  id: string;
  label: string;
  placeholder?: string | undefined;
  hint?: string | undefined;
  required?: boolean | undefined;
  /** A secret setting (a client secret): kept encrypted in the vault, never in the server's
   * options, never sent back to the renderer. Empty when editing keeps the saved value. */
  secret?: boolean | undefined;
  /** Some of the session's scopes (SessionView `scopes`), picked with checkboxes; the value is
   * the picked ones separated by spaces. A text field where the session has no scopes. */
  choicesFromSessionScopes?: boolean | undefined;
  /** A choice among fixed values (shown as a list), the first being the default. */
  choices?: Array<{ value: string; label: string }> | undefined;
}

export interface SessionFileDescriptor {
  /** The usual place, for people, e.g. "~/.agave/current". */
  displayPath: string;
  /** What reads it, e.g. "agavepy and the Tapis CLI". */
  consumer: string;
  /** Shown before exporting: what the person should know (shared refresh token, …). */
  exportNote: string;
  /** The file holds several servers, and signing out can remove this one's entry. */
  removableEntry?: boolean | undefined;
  /** A saved token of this kind is what the file holds as a session (Anaconda: an API key), so
   * a saved token can be delivered in it; otherwise only the session can. */
  holdsSavedTokens?: boolean | undefined;
}

export interface UserInfo {
  name: string;
  email?: string | undefined;
  /** What the server says the person is beyond a name (JupyterHub: "hub administrator"). */
  role?: string | undefined;
}

export type SessionView =
  | {
      state: 'signed-in';
      user: UserInfo;
      /** How the session was obtained; `file` = imported from a CLI's session file. */
      method: SignInMethod | 'file';
      signedInAt: string;
      persisted: boolean;
      /** When the access token expires (refreshable sessions), else null. */
      expiresAt: string | null;
      /** The token or OAuth client the session depends on (deleting it signs out). */
      dependsOn: string | null;
      /** The person chose to keep their password (encrypted) for managing tokens. */
      passwordRemembered: boolean;
      /** The scopes the server granted to the session's access token, when it said. */
      scopes?: string[] | undefined;
      /** Claims of the ID token (who the server says you are), as text, in the server's order. */
      claims?: Array<{ name: string; value: string }> | undefined;
    }
  /** `notice`: something the person should know about the sign-out (the server could not be
   * told to revoke the tokens). */
  | { state: 'signed-out'; notice?: string | undefined }
  | { state: 'expired'; message: string };

export interface ServerView {
  id: string;
  name: string;
  kind: string;
  url: string;
  allowInsecureTls: boolean;
  caCertificatePath: string | null;
  /** Kind-specific settings (see KindDescriptor.serverFields). */
  options: Record<string, string>;
  createdAt: string;
  session: SessionView;
  /** Secret settings (FieldDescriptor.secret) that have a saved value; the values stay in main. */
  savedSecretFields?: string[] | undefined;
}

/** What a server says about itself (KindDescriptor.serverDescription), for people to read. */
export interface ServerDescription {
  title: string;
  facts: Array<{ label: string; value: string }>;
}

export interface TokenView {
  /** The identity the server uses to revoke it (EDS: the name). */
  id: string;
  name: string;
  createdAt: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
  scopes: string[] | null;
  /** Values of the kind's extra columns. */
  extra: Record<string, string>;
  /** The id of the saved copy in Keyport's vault, if any. */
  savedSecretId: string | null;
  /** Keyport's own session on this server depends on it. */
  usedBySession: boolean;
}

/** A device sign-in in progress: what the person enters, and where. */
export interface DeviceSignInCode {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  expiresAt: string;
  intervalSeconds: number;
}

export interface RevokeResult {
  /** Revoking it ended Keyport's session on the server (it was the session's OAuth client). */
  signedOut: boolean;
}

export interface SessionFileLocation {
  path: string;
  exists: boolean;
}

export type SessionFileExport =
  | { state: 'written'; path: string; backupPath: string | null; warnings: string[] }
  /** The file exists and `overwrite` was false: ask the person, then call again. */
  | { state: 'exists'; path: string };

export interface SavedSecretView {
  id: string;
  serverId: string;
  name: string;
  savedAt: string;
  /** When the token stops working, when the server said (ISO time). */
  expiresAt: string | null;
  /** Offered for quick copy in the tray menu. */
  pinned: boolean;
  /** The last token list did not have the token it was created as (revoked elsewhere, or
   * replaced by a new one of the same name): it is kept only to be forgotten. Absent: false. */
  goneFromServer?: boolean | undefined;
}

export interface CreatedToken {
  token: TokenView;
  /** The token value, shown once. The renderer must not keep it after the dialog closes. */
  secret: string;
  /** A non-secret identifier shown with it (an OAuth client's key), or null. */
  identifier: { label: string; value: string } | null;
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

/** What the activity log records: things done with tokens, never their values. */
export type AuditAction = 'token.created' | 'token.revoked' | 'token.copied' | 'session.copied' | 'session.imported' | 'session.exported' | 'token.delivered' | 'token.rotated';

export interface AuditEntry {
  id: string;
  /** ISO time. */
  at: string;
  action: AuditAction;
  /** Null once the server is gone (its name stays in the entry). */
  serverId: string | null;
  serverName: string;
  kind: string;
  /** The token, client or key the action concerned, by name. */
  subject: string | null;
  /** The copy format, the file path, or what happened with the session. */
  detail: string | null;
}

export interface Settings {
  clipboardClearSeconds: number;
  requestTimeoutSeconds: number;
  /** Lock after this many idle minutes; 0 never locks by itself. */
  idleLockMinutes: number;
  /** `system` follows the operating system's light or dark mode. */
  theme: Theme;
  /** Days before a saved key expires to send a reminder (e.g. [30, 7]); empty sends none. */
  reminderDays: number[];
  /** The copy format chosen first for each kind's tokens (kind → format id); a kind not here
   * uses its own default. */
  defaultCopyFormats: Record<string, string>;
}

export type Theme = 'system' | 'light' | 'dark';

export interface AppStatus {
  version: string;
  storage: StorageStatus;
  /** Saved servers and secrets that no longer validate, kept aside in the vault file until the
   * person exports or deletes them (storage.exportUnreadable / storage.deleteUnreadable). */
  unreadableItems: number;
  lock: LockStatus;
}

/** What locking protects and what unlocking asks for. */
export interface LockStatus {
  /** `vault-passphrase`: the passphrase that encrypts the vault; `unlock-secret`: the unlock
   * passphrase or PIN set in Settings; `nothing`: locking only clears secrets from memory and
   * anyone at the computer can open Keyport again. */
  unlockWith: 'vault-passphrase' | 'unlock-secret' | 'nothing';
  /** The operating system's own check of the person offered besides the unlock secret
   * (macOS: "Touch ID"), or null. */
  systemCheck: string | null;
}

/** Everything the window needs to draw its first screen, in one call. Locked: status and
 * settings (for the theme) only, the lists empty. */
export interface AppBootstrap {
  status: AppStatus;
  settings: Settings;
  kinds: KindDescriptor[];
  servers: ServerView[];
  saved: SavedSecretView[];
}

export type ClipboardEvent =
  | { state: 'copied'; label: string; clearsAt: number; seconds: number }
  | { state: 'cleared' }
  | { state: 'replaced' };

export interface CopyResult {
  clearsAt: number;
  seconds: number;
}

/** The id a server's session is delivered under (delivery.*'s `secretId`): a session is sent in
 * its kind's session file, like a saved token, and its targets are kept with it. */
export const sessionDeliveryId = (serverId: string): string => `session:${serverId}`;

/** A machine a saved token was delivered to over SSH (the file there and its format). */
export interface DeliveryTargetView {
  id: string;
  /** What the person entered: a host name, an address or an ~/.ssh/config alias. */
  host: string;
  port: number | null;
  user: string | null;
  path: string;
  /** session-file: the kind's own session file (~/.agave/current + config.json, ~/.anaconda/keyring). */
  format: 'npmrc' | 'env' | 'plain' | 'session-file';
  lastDeliveredAt: string | null;
  /** SHA-256 of the file as Keyport wrote it last time. */
  sha256: string | null;
}

export type DeliveryStep = 'connecting' | 'reading' | 'writing' | 'verifying';

export type DeliveryResult =
  | { state: 'delivered'; target: DeliveryTargetView; backedUp: boolean }
  /** The host is not in known_hosts: show the fingerprint, and send again with it to trust it. */
  | { state: 'confirm-host'; host: string; port: number; keyType: string; fingerprint: string };

/** One step of a rotation, for the step-by-step result. */
export interface RotationStep {
  step: 'create' | 'deliver' | 'check' | 'revoke';
  /** The target the step concerns (deliver, check). */
  targetId?: string | undefined;
  ok: boolean;
  message: string;
}

export interface RotationResult {
  /** done: the new token is everywhere and the old one revoked; stopped: a step failed and the
   * old token was not revoked. */
  state: 'done' | 'stopped';
  newSecretId: string | null;
  oldSecretId: string;
  steps: RotationStep[];
  /** Which token each target holds now. */
  targets: Array<{ id: string; holds: 'new' | 'old' }>;
}

/** What removing a token from one of its targets (before a revoke), or delivering it again, did. */
export interface WithdrawResult {
  targetId: string;
  ok: boolean;
  message: string;
}
