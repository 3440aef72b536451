import { describe, expect, it, vi } from 'vitest';
import { KeyportApiError, type WireResult } from '../../shared/errors';
import type { CoreEventListener } from './core';
import { createInProcessClient } from './inProcessClient';

function fakeCore(answer: WireResult<unknown>) {
  let listener: CoreEventListener | undefined;
  const core = {
    handle: vi.fn(async (_procedure: string, _input: unknown) => answer),
    onEvent: vi.fn((l: CoreEventListener) => {
      listener = l;
      return () => (listener = undefined);
    }),
  };
  return { core, emit: (...args: Parameters<CoreEventListener>) => listener?.(...args) };
}

describe('createInProcessClient', () => {
  it('calls the core with the procedure and input, and returns the value', async () => {
    const { core } = fakeCore({ ok: true, value: [{ id: 's1' }] });
    const client = createInProcessClient(core);
    expect(await client.call('servers.list')).toEqual([{ id: 's1' }]);
    await client.call('servers.remove', { id: 's1' });
    expect(core.handle.mock.calls).toEqual([
      ['servers.list', undefined],
      ['servers.remove', { id: 's1' }],
    ]);
  });

  it('throws the core’s error as a KeyportApiError, and never calls the core for an unknown name', async () => {
    const { core } = fakeCore({ ok: false, error: { code: 'LOCKED', message: 'Keyport is locked.', hint: 'Unlock Keyport to continue.' } });
    const client = createInProcessClient(core);
    await expect(client.call('secrets.list')).rejects.toEqual(expect.objectContaining({ name: 'KeyportApiError', code: 'LOCKED', hint: 'Unlock Keyport to continue.' }));
    await expect(client.call('secrets.list')).rejects.toBeInstanceOf(KeyportApiError);
    await expect(client.call('secrets.lst' as 'secrets.list')).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(core.handle).toHaveBeenCalledTimes(2);
  });

  it('passes on only the events subscribed to', () => {
    const { core, emit } = fakeCore({ ok: true, value: null });
    const client = createInProcessClient(core);
    const seen: string[] = [];
    const off = client.on('servers.changed', ({ serverId }) => seen.push(serverId));
    emit('secrets.changed', {});
    emit('servers.changed', { serverId: 's2' });
    off();
    emit('servers.changed', { serverId: 's3' });
    expect(seen).toEqual(['s2']);
  });
});
