import { describe, expect, it, vi } from 'vitest';
import { createKeyportApi, createKeyportClient, type KeyportTransport } from './api';
import { EVENT_NAMES, PROCEDURE_NAMES, eventChannel, procedureChannel, type ProcedureName } from './contract';
import { KeyportApiError, type WireResult } from './errors';
import { encodeTokenList } from './tokenListWire';

function fakeTransport(answer: WireResult<unknown> = { ok: true, value: 'answer' }) {
  const unsubscribe = vi.fn();
  const transport = {
    invoke: vi.fn(async (_procedure: ProcedureName, _input: unknown): Promise<WireResult<unknown>> => answer),
    on: vi.fn((_event: string, _listener: (payload: unknown) => void) => unsubscribe),
  };
  return { transport: transport as unknown as KeyportTransport & typeof transport, unsubscribe };
}

describe('createKeyportApi', () => {
  it('passes known procedures and their input to the transport', async () => {
    const { transport } = fakeTransport();
    const api = createKeyportApi(transport);
    expect(await api.invoke('servers.remove', { id: 'a' })).toEqual({ ok: true, value: 'answer' });
    expect(transport.invoke).toHaveBeenCalledExactlyOnceWith('servers.remove', { id: 'a' });
  });

  it('starts the first screen’s call at once and hands that answer to the first call only', async () => {
    const { transport } = fakeTransport();
    let answerEarly: (result: WireResult<unknown>) => void = () => {};
    transport.invoke.mockImplementationOnce(() => new Promise((resolve) => (answerEarly = resolve)));
    const api = createKeyportApi(transport, { startEarly: 'app.bootstrap' });
    // Started before the page asked: the round trip overlaps loading the page's scripts.
    expect(transport.invoke).toHaveBeenCalledExactlyOnceWith('app.bootstrap', undefined);
    const first = api.invoke('app.bootstrap');
    answerEarly({ ok: true, value: 'early' });
    expect(await first).toEqual({ ok: true, value: 'early' });
    expect(transport.invoke).toHaveBeenCalledOnce();
    // Later calls (a reload after unlocking) ask main again.
    expect(await api.invoke('app.bootstrap')).toEqual({ ok: true, value: 'answer' });
    expect(transport.invoke).toHaveBeenCalledTimes(2);
  });

  it('starts nothing early unless asked', () => {
    const { transport } = fakeTransport();
    createKeyportApi(transport);
    expect(transport.invoke).not.toHaveBeenCalled();
  });

  it('refuses an unknown procedure without calling the transport', async () => {
    const { transport } = fakeTransport();
    const api = createKeyportApi(transport);
    for (const name of ['nope', 'servers', '__proto__', 'toString', '']) {
      const result = await api.invoke(name as ProcedureName, { x: 1 });
      expect(result).toEqual({ ok: false, error: { code: 'VALIDATION', message: `Unknown procedure “${name}”.` } });
    }
    expect(transport.invoke).not.toHaveBeenCalled();
  });

  it('subscribes to known events only', () => {
    const { transport, unsubscribe } = fakeTransport();
    const api = createKeyportApi(transport);
    const listener = vi.fn();
    const off = api.on('clipboard', listener);
    expect(transport.on).toHaveBeenCalledExactlyOnceWith('clipboard', listener);
    off();
    expect(unsubscribe).toHaveBeenCalledOnce();

    expect(() => api.on('secrets.leak' as 'clipboard', listener)).toThrow('Unknown event “secrets.leak”.');
    expect(transport.on).toHaveBeenCalledOnce();
  });

  it('lists the procedures and cannot be altered (it is what the page sees)', () => {
    const { transport } = fakeTransport();
    const api = createKeyportApi(transport);
    expect(api.procedures).toEqual(PROCEDURE_NAMES);
    expect(Object.isFrozen(api)).toBe(true);
    expect(() => {
      (api as { invoke: unknown }).invoke = () => undefined;
    }).toThrow(TypeError);
  });
});

describe('createKeyportClient', () => {
  it('returns the value of a successful call, passing the input through', async () => {
    const { transport } = fakeTransport({ ok: true, value: [{ id: 's1' }] });
    const client = createKeyportClient(createKeyportApi(transport));
    expect(await client.call('servers.list')).toEqual([{ id: 's1' }]);
    expect(transport.invoke).toHaveBeenLastCalledWith('servers.list', undefined);
    transport.invoke.mockResolvedValueOnce({ ok: true, value: encodeTokenList([]) });
    expect(await client.call('tokens.list', { serverId: 's1' })).toEqual([]);
    expect(transport.invoke).toHaveBeenLastCalledWith('tokens.list', { serverId: 's1' });
  });

  it('throws a KeyportApiError with the code, message, hint and field of a failure', async () => {
    const { transport } = fakeTransport({
      ok: false,
      error: { code: 'CONFLICT', message: 'A token named “ci” already exists.', hint: 'Choose another name.', field: 'name' },
    });
    const client = createKeyportClient(createKeyportApi(transport));
    let caught: unknown;
    try {
      await client.call('tokens.create', { serverId: 's', name: 'ci', save: false });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeyportApiError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as KeyportApiError;
    expect(error.name).toBe('KeyportApiError');
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe('A token named “ci” already exists.');
    expect(error.hint).toBe('Choose another name.');
    expect(error.field).toBe('name');
  });

  it('an error without a hint has none', async () => {
    const { transport } = fakeTransport({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Keyport.' } });
    const client = createKeyportClient(createKeyportApi(transport));
    await expect(client.call('app.status')).rejects.toMatchObject({ code: 'INTERNAL', hint: undefined, field: undefined });
  });

  it('delivers events with their payload', () => {
    const { transport } = fakeTransport();
    const client = createKeyportClient(createKeyportApi(transport));
    const seen: unknown[] = [];
    client.on('servers.changed', (payload) => seen.push(payload.serverId));
    const deliver = transport.on.mock.calls[0]?.[1];
    deliver?.({ serverId: 's9' });
    expect(seen).toEqual(['s9']);
  });
});

describe('contract', () => {
  it('names one prefixed channel per procedure and event', () => {
    expect(procedureChannel('servers.list')).toBe('keyport:call:servers.list');
    expect(eventChannel('clipboard')).toBe('keyport:event:clipboard');
    expect(new Set(PROCEDURE_NAMES.map(procedureChannel)).size).toBe(PROCEDURE_NAMES.length);
    expect(EVENT_NAMES).toEqual(expect.arrayContaining(['clipboard', 'servers.changed']));
    expect(new Set(EVENT_NAMES.map(eventChannel)).size).toBe(EVENT_NAMES.length);
    for (const p of PROCEDURE_NAMES) for (const e of EVENT_NAMES) expect(procedureChannel(p)).not.toBe(eventChannel(e));
  });
});
