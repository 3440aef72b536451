/** The browser host's stand-in for src/preload: the same createKeyportApi, with a transport
 * over Playwright bindings instead of ipcRenderer. Bundled to an IIFE and installed with
 * addInitScript before any page script runs. */
import { createKeyportApi } from '../../src/shared/api';
import type { WireResult } from '../../src/shared/errors';

interface HostWindow {
  __keyportInvoke(procedure: string, input: unknown): Promise<WireResult<unknown>>;
  __keyportDispatch?: (event: string, payload: unknown) => void;
}

const hostWindow = window as unknown as HostWindow;
const listeners = new Map<string, Set<(payload: unknown) => void>>();

hostWindow.__keyportDispatch = (event, payload) => {
  for (const listener of listeners.get(event) ?? []) listener(payload);
};

// As src/preload does: the first screen's one call starts before the page's scripts run.
const api = createKeyportApi(
  {
    invoke: (procedure, input) => hostWindow.__keyportInvoke(procedure, input),
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  },
  { startEarly: 'app.bootstrap' },
);

Object.defineProperty(window, 'keyport', { value: api, enumerable: true, configurable: false, writable: false });
