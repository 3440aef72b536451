import type { z } from 'zod';
import type { inputSchemas } from './schemas';
import type { ClipboardEvent, AppStatus, DeliveryStep } from './model';
import type { ProcedureName } from './procedures';

/** The one API contract between renderer and main (GitHub Desktop's typed channel map, plus a
 * zod schema per procedure so main validates what it receives). The procedures, their result
 * types and flags are one table in procedures.ts; their input schemas are in schemas.ts. */
export { PROCEDURE_NAMES, type ProcedureName, type ProcedureResults } from './procedures';

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
