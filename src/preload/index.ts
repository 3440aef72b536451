import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createKeyportApi, type KeyportTransport } from '../shared/api';
import { eventChannel, procedureChannel } from '../shared/contract';
import type { WireResult } from '../shared/errors';

/** The only bridge between the page and main. The page gets `window.keyport` (procedure names,
 * `invoke`, `on`) and nothing else: never `ipcRenderer`, never an IPC event object. */
export const ipcTransport: KeyportTransport = {
  async invoke(procedure, input) {
    try {
      return (await ipcRenderer.invoke(procedureChannel(procedure), input)) as WireResult<unknown>;
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: 'Keyport did not answer. Restart Keyport and try again.' } };
    }
  },
  on(event, listener) {
    const channel = eventChannel(event);
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
};

// The first screen's one call starts now, while the page's scripts load.
contextBridge.exposeInMainWorld('keyport', createKeyportApi(ipcTransport, { startEarly: 'app.bootstrap' }));
