import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { PROCEDURE_NAMES, eventChannel, procedureChannel } from '../../shared/contract';
import type { WireResult } from '../../shared/errors';
import { resultToWire } from '../../shared/tokenListWire';
import type { Core } from '../core/core';
import { isTrustedSenderUrl } from '../core/api/senderPolicy';

export const FORBIDDEN_RESULT: WireResult<never> = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'FORBIDDEN', message: 'This window is not allowed to use Keyport.' }),
});

export interface IpcOptions {
  /** Origins whose main frame may call the API, e.g. `app://keyport`. */
  trustedOrigins: readonly string[];
  /** Where core events go: the app window's WebContents, when there is one. */
  eventTarget: () => Pick<WebContents, 'send' | 'isDestroyed' | 'getURL'> | null | undefined;
}

/** The router over ipcMain: one `handle` channel per procedure, each answering only the main
 * frame of a page on a trusted origin (not a subframe, not a frame that has navigated away).
 * Core events are pushed to the window with `webContents.send`. Returns the undo function. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, core: Pick<Core, 'handle' | 'onEvent'>, options: IpcOptions): () => void {
  const { trustedOrigins } = options;
  const channels = PROCEDURE_NAMES.map((procedure) => {
    const channel = procedureChannel(procedure);
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input?: unknown): Promise<WireResult<unknown>> => {
      if (!isTrustedSender(event, trustedOrigins)) return FORBIDDEN_RESULT;
      try {
        return resultToWire(procedure, await core.handle(procedure, input));
      } catch {
        // core.handle never throws by contract; if it ever does, the renderer still gets a
        // result it can show rather than a bare rejected promise.
        return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong in Keyport.' } };
      }
    });
    return channel;
  });

  const unsubscribe = core.onEvent((event, payload) => {
    const target = options.eventTarget();
    if (!target || target.isDestroyed()) return;
    if (!isTrustedSenderUrl(target.getURL(), trustedOrigins)) return;
    target.send(eventChannel(event), payload);
  });

  return () => {
    unsubscribe();
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

function isTrustedSender(event: IpcMainInvokeEvent, trustedOrigins: readonly string[]): boolean {
  let frame: IpcMainInvokeEvent['senderFrame'];
  try {
    frame = event.senderFrame;
  } catch {
    // A destroyed frame can throw instead of returning null.
    return false;
  }
  if (!frame || frame.parent !== null) return false;
  return isTrustedSenderUrl(frame.url, trustedOrigins);
}
