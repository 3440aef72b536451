import type { z } from 'zod';
import type { inputSchemas } from './schemas';
import type {
  AppBootstrap,
  AppStatus,
  AuditEntry,
  ClipboardEvent,
  CopyResult,
  CreatedToken,
  DeliveryResult,
  DeliveryStep,
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

/** The one API contract between renderer and main (GitHub Desktop's typed channel map, plus a
 * zod schema per procedure so main validates what it receives). */
export interface ProcedureResults {
  'app.status': AppStatus;
  'app.lock': AppStatus;
  'app.unlock': AppStatus;
  'app.activity': void;
  'app.unlockWithSystemCheck': AppStatus;
  'app.bootstrap': AppBootstrap;
  'lock.setSecret': AppStatus;
  'lock.removeSecret': AppStatus;
  'storage.usePassphrase': AppStatus;
  'storage.useSessionOnly': AppStatus;
  /** Writes the unreadable items, as stored (nothing decrypted), to a file; returns its path. */
  'storage.exportUnreadable': { path: string };
  'storage.deleteUnreadable': AppStatus;
  'kinds.list': KindDescriptor[];
  'kinds.openCreateNoteLink': void;
  'servers.list': ServerView[];
  'servers.add': ServerView;
  'servers.update': ServerView;
  /** Resolves when the address answers as a server of the kind; a KeyportError with
   * `field: 'url'` says what answered instead. */
  'servers.check': void;
  'servers.remove': void;
  'servers.pickCertificate': string | null;
  'servers.describe': ServerDescription;
  'auth.signInWithPassword': ServerView;
  'auth.signInWithToken': ServerView;
  'auth.signOut': ServerView;
  'auth.refresh': ServerView;
  'auth.signInWithBrowser': ServerView;
  /** null: already signed in with a valid session and `force` was false. */
  'auth.startDeviceSignIn': DeviceSignInCode | null;
  'auth.finishDeviceSignIn': ServerView;
  'auth.openDeviceVerification': void;
  'auth.cancelSignIn': void;
  'tokens.list': TokenView[];
  'tokens.create': CreatedToken;
  'tokens.revoke': RevokeResult;
  'secrets.list': SavedSecretView[];
  'secrets.forget': void;
  'clipboard.copy': CopyResult;
  'clipboard.copySession': CopyResult;
  'clipboard.clear': void;
  'sessionFiles.locate': SessionFileLocation;
  'sessionFiles.import': ServerView;
  'sessionFiles.export': SessionFileExport;
  'sessionFiles.makePrivate': void;
  'settings.get': Settings;
  'settings.update': Settings;
  'secrets.pin': void;
  'audit.list': AuditEntry[];
  'audit.exportCsv': string;
  'delivery.send': DeliveryResult;
  'delivery.targets': DeliveryTargetView[];
  'delivery.forget': void;
  'delivery.cancel': void;
  'delivery.withdraw': WithdrawResult[];
  'delivery.resend': WithdrawResult[];
  'delivery.rotate': RotationResult;
  'delivery.rollBack': RotationResult;
}

export type ProcedureName = keyof ProcedureResults & keyof typeof inputSchemas;
export const PROCEDURE_NAMES = [
  'app.status',
  'app.lock',
  'app.unlock',
  'app.activity',
  'app.unlockWithSystemCheck',
  'app.bootstrap',
  'lock.setSecret',
  'lock.removeSecret',
  'storage.usePassphrase',
  'storage.useSessionOnly',
  'storage.exportUnreadable',
  'storage.deleteUnreadable',
  'kinds.list',
  'kinds.openCreateNoteLink',
  'servers.list',
  'servers.add',
  'servers.update',
  'servers.check',
  'servers.remove',
  'servers.pickCertificate',
  'servers.describe',
  'auth.signInWithPassword',
  'auth.signInWithToken',
  'auth.signOut',
  'auth.refresh',
  'auth.signInWithBrowser',
  'auth.startDeviceSignIn',
  'auth.finishDeviceSignIn',
  'auth.openDeviceVerification',
  'auth.cancelSignIn',
  'tokens.list',
  'tokens.create',
  'tokens.revoke',
  'secrets.list',
  'secrets.forget',
  'clipboard.copy',
  'clipboard.copySession',
  'clipboard.clear',
  'sessionFiles.locate',
  'sessionFiles.import',
  'sessionFiles.export',
  'sessionFiles.makePrivate',
  'settings.get',
  'settings.update',
  'secrets.pin',
  'audit.list',
  'audit.exportCsv',
  'delivery.send',
  'delivery.targets',
  'delivery.forget',
  'delivery.cancel',
  'delivery.withdraw',
  'delivery.resend',
  'delivery.rotate',
  'delivery.rollBack',
] as const satisfies readonly ProcedureName[];

/** What the caller passes (before zod defaults and transforms). */
export type ProcedureInput<P extends ProcedureName> = z.input<(typeof inputSchemas)[P]>;
/** What the handler in main receives (after validation). */
export type ProcedureParsedInput<P extends ProcedureName> = z.output<(typeof inputSchemas)[P]>;

/** Events main pushes to the renderer. */
export interface EventPayloads {
  clipboard: ClipboardEvent;
  /** Storage or lock state changed (e.g. Keyport locked itself after being idle). */
  'app.status': AppStatus;
  /** A server's state changed outside a call the renderer made (e.g. its session expired). */
  'servers.changed': { serverId: string };
  /** The saved tokens changed (saved, pinned, forgotten, revoked): lists and the tray redraw. */
  'secrets.changed': Record<string, never>;
  /** A command from the app menu or the tray, for the window to carry out. */
  'app.command': { command: AppCommand };
  /** A delivery over SSH moved on to its next step (for the progress line of the send dialog). */
  'delivery.progress': { secretId: string; step: DeliveryStep };
}
export type AppCommand = 'search' | 'add-server' | 'settings' | 'activity' | 'overview';
export type EventName = keyof EventPayloads;
export const EVENT_NAMES = ['clipboard', 'servers.changed', 'app.status', 'secrets.changed', 'app.command', 'delivery.progress'] as const satisfies readonly EventName[];

/** IPC channel of a procedure / event. One channel each, prefixed so a sender cannot reach
 * anything else on ipcMain. */
export const procedureChannel = (p: ProcedureName) => `keyport:call:${p}`;
export const eventChannel = (e: EventName) => `keyport:event:${e}`;
