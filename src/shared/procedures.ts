import type {
  AppBootstrap,
  AppStatus,
  AuditEntry,
  CopyResult,
  CreatedToken,
  DeliveryResult,
  DeliveryTargetView,
  DeviceSignInCode,
  KindDescriptor,
  RevokeResult,
  RotationResult,
  SavedSecretView,
  ServerDescription,
  SessionFileExport,
  SessionFileLocation,
  ServerView,
  Settings,
  TokenView,
  WithdrawResult,
} from './model';

/** The one table of procedures: each has exactly one entry here, with its result type and its
 * flags. Everything else is derived from it: the names (`PROCEDURE_NAMES`), the result types the
 * typed client returns, the router's handler table and the IPC channels; `inputSchemas` in
 * schemas.ts must have an entry for exactly these names (a compile error otherwise). It holds no
 * zod, so the renderer can import it. */

/** Rules main applies around a procedure, besides validating its input. */
export interface ProcedureFlags {
  /** Allowed while Keyport is locked. What the lock screen needs: its state, the theme (settings
   * hold no secret), the kinds (fixed descriptions) and the ways to unlock; nothing that names a
   * server, a person or a token. */
  readonly availableWhileLocked?: true;
  /** A reminder may be due after it succeeds (a key saved, imported or signed in with; the
   * reminder days changed; the vault unlocked). */
  readonly changesWhatExpires?: true;
}

declare const resultType: unique symbol;
/** An entry of the table: its flags, and its result type (a type only; nothing at run time). */
export type ProcedureEntry<Result> = ProcedureFlags & { readonly [resultType]: Result };

// The entries are plain objects cast to their entry type, not calls: a bundle that uses nothing
// of the table at run time (the renderer's) then drops it, which it cannot do with calls.
const NO_FLAGS: ProcedureFlags = {};
const LOCK_SCREEN: ProcedureFlags = { availableWhileLocked: true };
const EXPIRES: ProcedureFlags = { changesWhatExpires: true };
const LOCK_SCREEN_EXPIRES: ProcedureFlags = { availableWhileLocked: true, changesWhatExpires: true };

export const procedures = {
  'app.status': (LOCK_SCREEN as ProcedureEntry<AppStatus>),
  'app.lock': (LOCK_SCREEN as ProcedureEntry<AppStatus>),
  'app.unlock': (LOCK_SCREEN_EXPIRES as ProcedureEntry<AppStatus>),
  'app.activity': (LOCK_SCREEN as ProcedureEntry<void>),
  'app.unlockWithSystemCheck': (LOCK_SCREEN_EXPIRES as ProcedureEntry<AppStatus>),
  'app.bootstrap': (LOCK_SCREEN as ProcedureEntry<AppBootstrap>),
  'lock.setSecret': (NO_FLAGS as ProcedureEntry<AppStatus>),
  'lock.removeSecret': (NO_FLAGS as ProcedureEntry<AppStatus>),
  'storage.usePassphrase': (NO_FLAGS as ProcedureEntry<AppStatus>),
  'storage.useSessionOnly': (NO_FLAGS as ProcedureEntry<AppStatus>),
  /** Writes the unreadable items, as stored (nothing decrypted), to a file; returns its path. */
  'storage.exportUnreadable': (NO_FLAGS as ProcedureEntry<{ path: string }>),
  'storage.deleteUnreadable': (NO_FLAGS as ProcedureEntry<AppStatus>),
  'kinds.list': (LOCK_SCREEN as ProcedureEntry<KindDescriptor[]>),
  'kinds.openCreateNoteLink': (NO_FLAGS as ProcedureEntry<void>),
  'servers.list': (NO_FLAGS as ProcedureEntry<ServerView[]>),
  'servers.add': (NO_FLAGS as ProcedureEntry<ServerView>),
  'servers.update': (NO_FLAGS as ProcedureEntry<ServerView>),
  /** Resolves when the address answers as a server of the kind; a KeyportError with
   * `field: 'url'` says what answered instead. */
  'servers.check': (NO_FLAGS as ProcedureEntry<void>),
  'servers.remove': (NO_FLAGS as ProcedureEntry<void>),
  'servers.pickCertificate': (NO_FLAGS as ProcedureEntry<string | null>),
  'servers.describe': (NO_FLAGS as ProcedureEntry<ServerDescription>),
  'auth.signInWithPassword': (EXPIRES as ProcedureEntry<ServerView>),
  'auth.signInWithToken': (EXPIRES as ProcedureEntry<ServerView>),
  'auth.signOut': (NO_FLAGS as ProcedureEntry<ServerView>),
  'auth.refresh': (NO_FLAGS as ProcedureEntry<ServerView>),
  'auth.signInWithBrowser': (EXPIRES as ProcedureEntry<ServerView>),
  /** null: already signed in with a valid session and `force` was false. */
  'auth.startDeviceSignIn': (NO_FLAGS as ProcedureEntry<DeviceSignInCode | null>),
  'auth.finishDeviceSignIn': (EXPIRES as ProcedureEntry<ServerView>),
  'auth.openDeviceVerification': (NO_FLAGS as ProcedureEntry<void>),
  'auth.cancelSignIn': (NO_FLAGS as ProcedureEntry<void>),
  /** Crosses to the window as a TokenListWire (src/shared/tokenListWire.ts); the client decodes it. */
  'tokens.list': (NO_FLAGS as ProcedureEntry<TokenView[]>),
  'tokens.create': (EXPIRES as ProcedureEntry<CreatedToken>),
  'tokens.revoke': (NO_FLAGS as ProcedureEntry<RevokeResult>),
  'secrets.list': (NO_FLAGS as ProcedureEntry<SavedSecretView[]>),
  'secrets.forget': (NO_FLAGS as ProcedureEntry<void>),
  'clipboard.copy': (NO_FLAGS as ProcedureEntry<CopyResult>),
  'clipboard.copySession': (NO_FLAGS as ProcedureEntry<CopyResult>),
  'clipboard.clear': (NO_FLAGS as ProcedureEntry<void>),
  'sessionFiles.locate': (NO_FLAGS as ProcedureEntry<SessionFileLocation>),
  'sessionFiles.import': (EXPIRES as ProcedureEntry<ServerView>),
  'sessionFiles.export': (NO_FLAGS as ProcedureEntry<SessionFileExport>),
  'sessionFiles.makePrivate': (NO_FLAGS as ProcedureEntry<void>),
  'settings.get': (LOCK_SCREEN as ProcedureEntry<Settings>),
  'settings.update': (EXPIRES as ProcedureEntry<Settings>),
  'secrets.pin': (NO_FLAGS as ProcedureEntry<void>),
  'audit.list': (NO_FLAGS as ProcedureEntry<AuditEntry[]>),
  'audit.exportCsv': (NO_FLAGS as ProcedureEntry<string>),
  'delivery.send': (NO_FLAGS as ProcedureEntry<DeliveryResult>),
  'delivery.targets': (NO_FLAGS as ProcedureEntry<DeliveryTargetView[]>),
  'delivery.forget': (NO_FLAGS as ProcedureEntry<void>),
  'delivery.cancel': (NO_FLAGS as ProcedureEntry<void>),
  'delivery.withdraw': (NO_FLAGS as ProcedureEntry<WithdrawResult[]>),
  'delivery.resend': (NO_FLAGS as ProcedureEntry<WithdrawResult[]>),
  'delivery.rotate': (EXPIRES as ProcedureEntry<RotationResult>),
  'delivery.rollBack': (NO_FLAGS as ProcedureEntry<RotationResult>),
} as const;

export type ProcedureName = keyof typeof procedures;
/** What each procedure returns. */
export type ProcedureResults = { [P in ProcedureName]: (typeof procedures)[P] extends ProcedureEntry<infer Result> ? Result : never };

export const PROCEDURE_NAMES = /* @__PURE__ */ Object.freeze(Object.keys(procedures) as ProcedureName[]);

/** Whether `name` is a procedure (own keys only: `toString` and `__proto__` are not). */
export const isProcedureName = (name: string): name is ProcedureName => Object.hasOwn(procedures, name);

/** The procedures with a flag, e.g. `proceduresWith('availableWhileLocked')`. */
export const proceduresWith = (flag: keyof ProcedureFlags): ReadonlySet<ProcedureName> =>
  new Set(PROCEDURE_NAMES.filter((name) => (procedures[name] as ProcedureFlags)[flag] === true));
