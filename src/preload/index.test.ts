import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { KeyportApi } from '../shared/api';
import { PROCEDURE_NAMES } from '../shared/contract';

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
}));
vi.mock('electron', () => electron);

let api: KeyportApi;
let exposed: unknown[][];

beforeAll(async () => {
  await import('./index');
  // Kept here: the mocks' call lists may be cleared between tests.
  exposed = [...electron.contextBridge.exposeInMainWorld.mock.calls];
  api = exposed[0]?.[1] as KeyportApi;
});

describe('preload', () => {
  it('exposes exactly one thing, window.keyport, with procedures, invoke and on', () => {
    expect(exposed).toHaveLength(1);
    expect(exposed[0]?.[0]).toBe('keyport');
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'procedures']);
    expect(api.procedures).toEqual(PROCEDURE_NAMES);
    for (const value of Object.values(api)) expect(value).not.toBe(electron.ipcRenderer);
  });

  it('invokes the procedure on its own channel and returns the result', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: [] });
    await expect(api.invoke('servers.list')).resolves.toEqual({ ok: true, value: [] });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('keyport:call:servers.list', undefined);

    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: [] });
    await api.invoke('tokens.list', { serverId: 's1' });
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('keyport:call:tokens.list', { serverId: 's1' });
  });

  it('answers INTERNAL instead of rejecting when main does not answer', async () => {
    electron.ipcRenderer.invoke.mockRejectedValueOnce(new Error('No handler registered'));
    await expect(api.invoke('app.status')).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('passes listeners only the payload, never the IPC event, and unsubscribes', () => {
    const listener = vi.fn();
    const unsubscribe = api.on('clipboard', listener);
    const [channel, forward] = electron.ipcRenderer.on.mock.calls[0] ?? [];
    expect(channel).toBe('keyport:event:clipboard');
    forward({ sender: electron.ipcRenderer, ports: [] }, { state: 'cleared' });
    expect(listener).toHaveBeenCalledWith({ state: 'cleared' });
    expect(listener.mock.calls[0]).toHaveLength(1);
    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith('keyport:event:clipboard', forward);
  });
});
