import type { z } from 'zod';
import type { inputSchemas } from './schemas';
import type {
  AppStatus,
  AuditEntry,
  ClipboardEvent,
  CopyResult,
  CreatedToken,
  DeviceSignInCode,
  KindDescriptor,
  RevokeResult,
  SavedSecretView,
  ServerDescription,
  SessionFileExport,
  SessionFileLocation,
  ServerView,
  Settings,
  TokenView,
} from './model';

/** The one API contract between renderer and main (GitHub Desktop's typed channel map, plus a
 * zod schema per procedure so main validates what it receives). */
export interface ProcedureResults {
  'app.status': AppStatus;
  'app.lock': AppStatus;
  'app.unlock': AppStatus;
  'app.activity': void;
  'storage.usePassphrase': AppStatus;
  'storage.useSessionOnly': AppStatus;
  'kinds.list': KindDescriptor[];
  'servers.list': ServerView[];
  'servers.add': ServerView;
  'servers.update': ServerView;
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
  'settings.get': Settings;
  'settings.update': Settings;
  'secrets.pin': void;
  'audit.list': AuditEntry[];
  'audit.exportCsv': string;
}

export type ProcedureName = keyof ProcedureResults & keyof typeof inputSchemas;
export const PROCEDURE_NAMES = [
  'app.status',
  'app.lock',
  'app.unlock',
  'app.activity',
  'storage.usePassphrase',
  'storage.useSessionOnly',
  'kinds.list',
  'servers.list',
  'servers.add',
  'servers.update',
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
  'settings.get',
  'settings.update',
  'secrets.pin',
  'audit.list',
  'audit.exportCsv',
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
}
export type AppCommand = 'search' | 'add-server' | 'settings' | 'activity' | 'overview';
export type EventName = keyof EventPayloads;
export const EVENT_NAMES = ['clipboard', 'servers.changed', 'app.status', 'secrets.changed', 'app.command'] as const satisfies readonly EventName[];

/** IPC channel of a procedure / event. One channel each, prefixed so a sender cannot reach
 * anything else on ipcMain. */
export const procedureChannel = (p: ProcedureName) => `keyport:call:${p}`;
export const eventChannel = (e: EventName) => `keyport:event:${e}`;
