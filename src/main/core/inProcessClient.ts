import { createKeyportApi, createKeyportClient, type KeyportClient } from '../../shared/api';
import { resultToWire } from '../../shared/tokenListWire';
import type { Core } from './core';

/** The renderer's typed client for callers inside main (the tray) and for tests: the same
 * checks, the same input and result types, over a direct call instead of IPC. */
export function createInProcessClient(core: Pick<Core, 'handle' | 'onEvent'>): KeyportClient {
  return createKeyportClient(
    createKeyportApi({
      // As every transport does (ipcTransport, the browser host): the client decodes the token
      // list's compact form, so tests go through the same encoding as the window.
      invoke: async (procedure, input) => resultToWire(procedure, await core.handle(procedure, input)),
      on: (event, listener) =>
        core.onEvent((emitted, payload) => {
          if (emitted === event) listener(payload);
        }),
    }),
  );
}
