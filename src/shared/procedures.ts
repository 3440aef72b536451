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

/** One entry whose procedure returns `Result`. */
const returns = <Result>(flags: ProcedureFlags = {}) => flags as ProcedureEntry<Result>;

const LOCK_SCREEN = { availableWhileLocked: true } as const;
const EXPIRES = { changesWhatExpires: true } as const;

export const procedures = {
  'app.status': returns<AppStatus>(LOCK_SCREEN),
  'app.lock': returns<AppStatus>(LOCK_SCREEN),
  'app.unlock': returns<AppStatus>({ ...LOCK_SCREEN, ...EXPIRES }),
  'app.activity': returns<void>(LOCK_SCREEN),
  'app.unlockWithSystemCheck': returns<AppStatus>({ ...LOCK_SCREEN, ...EXPIRES }),
  'app.bootstrap': returns<AppBootstrap>(LOCK_SCREEN),
  'lock.setSecret': returns<AppStatus>(),
  'lock.removeSecret': returns<AppStatus>(),
  'storage.usePassphrase': returns<AppStatus>(),
  'storage.useSessionOnly': returns<AppStatus>(),
  /** Writes the unreadable items, as stored (nothing decrypted), to a file; returns its path. */
  'storage.exportUnreadable': returns<{ path: string }>(),
  'storage.deleteUnreadable': returns<AppStatus>(),
  'kinds.list': returns<KindDescriptor[]>(LOCK_SCREEN),
  'kinds.openCreateNoteLink': returns<void>(),
  'servers.list': returns<ServerView[]>(),
  'servers.add': returns<ServerView>(),
  'servers.update': returns<ServerView>(),
  /** Resolves when the address answers as a server of the kind; a KeyportError with
   * `field: 'url'` says what answered instead. */
  'servers.check': returns<void>(),
  'servers.remove': returns<void>(),
  'servers.pickCertificate': returns<string | null>(),
  'servers.describe': returns<ServerDescription>(),
  'auth.signInWithPassword': returns<ServerView>(EXPIRES),
  'auth.signInWithToken': returns<ServerView>(EXPIRES),
  'auth.signOut': returns<ServerView>(),
  'auth.refresh': returns<ServerView>(),
  'auth.signInWithBrowser': returns<ServerView>(EXPIRES),
  /** null: already signed in with a valid session and `force` was false. */
  'auth.startDeviceSignIn': returns<DeviceSignInCode | null>(),
  'auth.finishDeviceSignIn': returns<ServerView>(EXPIRES),
  'auth.openDeviceVerification': returns<void>(),
  'auth.cancelSignIn': returns<void>(),
  /** Crosses to the window as a TokenListWire (src/shared/tokenListWire.ts); the client decodes it. */
  'tokens.list': returns<TokenView[]>(),
  'tokens.create': returns<CreatedToken>(EXPIRES),
  'tokens.revoke': returns<RevokeResult>(),
  'secrets.list': returns<SavedSecretView[]>(),
  'secrets.forget': returns<void>(),
  'clipboard.copy': returns<CopyResult>(),
  'clipboard.copySession': returns<CopyResult>(),
  'clipboard.clear': returns<void>(),
  'sessionFiles.locate': returns<SessionFileLocation>(),
  'sessionFiles.import': returns<ServerView>(EXPIRES),
  'sessionFiles.export': returns<SessionFileExport>(),
  'sessionFiles.makePrivate': returns<void>(),
  'settings.get': returns<Settings>(LOCK_SCREEN),
  'settings.update': returns<Settings>(EXPIRES),
  'secrets.pin': returns<void>(),
  'audit.list': returns<AuditEntry[]>(),
  'audit.exportCsv': returns<string>(),
  'delivery.send': returns<DeliveryResult>(),
  'delivery.targets': returns<DeliveryTargetView[]>(),
  'delivery.forget': returns<void>(),
  'delivery.cancel': returns<void>(),
  'delivery.withdraw': returns<WithdrawResult[]>(),
  'delivery.resend': returns<WithdrawResult[]>(),
  'delivery.rotate': returns<RotationResult>(EXPIRES),
  'delivery.rollBack': returns<RotationResult>(),
} as const;

export type ProcedureName = keyof typeof procedures;
/** What each procedure returns. */
export type ProcedureResults = { [P in ProcedureName]: (typeof procedures)[P] extends ProcedureEntry<infer Result> ? Result : never };

export const PROCEDURE_NAMES = Object.freeze(Object.keys(procedures) as ProcedureName[]);

/** Whether `name` is a procedure (own keys only: `toString` and `__proto__` are not). */
export const isProcedureName = (name: string): name is ProcedureName => Object.hasOwn(procedures, name);

/** The procedures with a flag, e.g. `proceduresWith('availableWhileLocked')`. */
export const proceduresWith = (flag: keyof ProcedureFlags): ReadonlySet<ProcedureName> =>
  new Set(PROCEDURE_NAMES.filter((name) => (procedures[name] as ProcedureFlags)[flag] === true));
