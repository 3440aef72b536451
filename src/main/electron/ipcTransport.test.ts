import { TOKEN_LIST_FORMAT, valueFromWire } from '../../shared/tokenListWire';
import { describe, expect, it, vi } from 'vitest';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { PROCEDURE_NAMES, eventChannel, procedureChannel } from '../../shared/contract';
import type { WireResult } from '../../shared/errors';
import type { Core, CoreEventListener } from '../core/core';
import { FORBIDDEN_RESULT, registerIpc } from './ipcTransport';

// The real module would try to locate the Electron binary, which is not installed here.
vi.mock('electron', () => ({}));

type Handler = (event: IpcMainInvokeEvent, input?: unknown) => Promise<WireResult<unknown>>;

function setup(targetUrl = 'app://keyport/index.html') {
  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handle: vi.fn((channel: string, handler: Handler) => void handlers.set(channel, handler)),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  };
  let listener: CoreEventListener | undefined;
  const unsubscribe = vi.fn();
  const core = {
    handle: vi.fn(async (_procedure: string, input: unknown): Promise<WireResult<unknown>> => ({ ok: true, value: { echoed: input } })),
    onEvent: vi.fn((l: CoreEventListener) => {
      listener = l;
      return unsubscribe;
    }),
  };
  const target = { send: vi.fn(), isDestroyed: vi.fn(() => false), getURL: vi.fn(() => targetUrl) };
  // The fake ipcMain has only the two members registerIpc uses.
  const dispose = registerIpc(ipcMain as unknown as Pick<IpcMain, 'handle' | 'removeHandler'>, core satisfies Pick<Core, 'handle' | 'onEvent'>, {
    trustedOrigins: ['app://keyport'],
    eventTarget: () => target,
  });
  const call = (channel: string, event: unknown, input?: unknown) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`no handler on ${channel}`);
    // A stand-in for IpcMainInvokeEvent: the handler reads only `senderFrame`.
    return handler(event as IpcMainInvokeEvent, input);
  };
  return { handlers, ipcMain, core, target, dispose, call, unsubscribe, emit: (...args: Parameters<CoreEventListener>) => listener?.(...args) };
}

const mainFrame = (url: string) => ({ senderFrame: { url, parent: null } });

describe('registerIpc', () => {
  it('registers exactly one handler per procedure, on its own channel', () => {
    const { handlers } = setup();
    expect([...handlers.keys()].sort()).toEqual(PROCEDURE_NAMES.map(procedureChannel).sort());
  });

  it('forwards a trusted main-frame call to the core and returns its result', async () => {
    const { call, core } = setup();
    const input = { serverId: 's1' };
    const result = await call(procedureChannel('tokens.revoke'), mainFrame('app://keyport/index.html'), input);
    expect(core.handle).toHaveBeenCalledWith('tokens.revoke', input);
    expect(result).toEqual({ ok: true, value: { echoed: input } });
  });

  it('sends a token list in its compact form, which the window’s client turns back into the same list', async () => {
    const { call, core } = setup();
    const tokens = [{ id: 'k1', name: 'ci', createdAt: null, lastUsedAt: null, expiresAt: null, scopes: ['read'], extra: { access: 'Read-only' }, savedSecretId: null, usedBySession: true }];
    core.handle.mockResolvedValueOnce({ ok: true, value: tokens });
    const result = (await call(procedureChannel('tokens.list'), mainFrame('app://keyport/index.html'), { serverId: 's1' })) as { ok: true; value: unknown };
    expect(result.value).toMatchObject({ format: TOKEN_LIST_FORMAT, count: 1 });
    expect(valueFromWire('tokens.list', structuredClone(result.value))).toEqual(tokens);
  });

  it.each([
    ['an untrusted origin', mainFrame('https://evil.example/index.html')],
    ['a look-alike origin', mainFrame('app://keyport.evil/index.html')],
    ['a file: page', mainFrame('file:///tmp/index.html')],
    ['a subframe of the app', { senderFrame: { url: 'app://keyport/frame.html', parent: { url: 'app://keyport/index.html' } } }],
    ['a missing senderFrame', { senderFrame: null }],
    ['a destroyed senderFrame', Object.defineProperty({}, 'senderFrame', { get: () => { throw new Error('Object has been destroyed'); } })],
  ])('refuses %s with FORBIDDEN and never calls the core', async (_what, event) => {
    const { call, core } = setup();
    const result = await call(procedureChannel('clipboard.copy'), event, { secretId: 'x', format: 'shell' });
    expect(result).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'This window is not allowed to use Keyport.' } });
    expect(result).toEqual(FORBIDDEN_RESULT);
    expect(core.handle).not.toHaveBeenCalled();
  });

  it('turns a throwing core into an INTERNAL result', async () => {
    const { call, core } = setup();
    core.handle.mockRejectedValueOnce(new Error('boom'));
    const result = await call(procedureChannel('servers.list'), mainFrame('app://keyport/index.html'));
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('pushes core events to the window with webContents.send', () => {
    const { emit, target } = setup();
    const payload = { state: 'copied', label: 'token', clearsAt: 1, seconds: 30 } as const;
    emit('clipboard', payload);
    expect(target.send).toHaveBeenCalledWith(eventChannel('clipboard'), payload);
  });

  it('does not push events to a window showing another origin', () => {
    const { emit, target } = setup('https://evil.example/');
    emit('servers.changed', { serverId: 's1' });
    expect(target.send).not.toHaveBeenCalled();
  });

  it('does not push events to a destroyed window', () => {
    const { emit, target } = setup();
    target.isDestroyed.mockReturnValue(true);
    emit('servers.changed', { serverId: 's1' });
    expect(target.send).not.toHaveBeenCalled();
  });

  it('dispose removes every handler and the event subscription', () => {
    const { dispose, handlers, ipcMain, unsubscribe } = setup();
    dispose();
    expect(handlers.size).toBe(0);
    expect(ipcMain.removeHandler).toHaveBeenCalledTimes(PROCEDURE_NAMES.length);
    expect(unsubscribe).toHaveBeenCalled();
  });
});
