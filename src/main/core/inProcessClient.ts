import { createKeyportApi, createKeyportClient, type KeyportClient } from '../../shared/api';
import type { Core } from './core';

/** The renderer's typed client for callers inside main (the tray) and for tests: the same
 * checks, the same input and result types, over a direct call instead of IPC. */
export function createInProcessClient(core: Pick<Core, 'handle' | 'onEvent'>): KeyportClient {
  return createKeyportClient(
    createKeyportApi({
      invoke: (procedure, input) => core.handle(procedure, input),
      on: (event, listener) =>
        core.onEvent((emitted, payload) => {
          if (emitted === event) listener(payload);
        }),
    }),
  );
}
