import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { PROCEDURE_NAMES } from '../../../shared/contract';
import { KeyportError } from '../errors';
import type { Logger } from '../ports';
import { createRouter, type Handlers } from './router';

const FAKE_SECRET = 'fake-secret-9f8e7d-token';

function setup(overrides: Partial<Record<keyof Handlers, (input: never) => unknown>> = {}) {
  const calls: Array<[string, unknown]> = [];
  const handlers = Object.fromEntries(
    PROCEDURE_NAMES.map((name) => {
      const override = overrides[name] as ((input: unknown) => unknown) | undefined;
      return [
        name,
        (input: unknown) => {
          calls.push([name, input]);
          return override ? override(input) : { echoed: input };
        },
      ];
    }),
  ) as unknown as Handlers;
  const lines: string[] = [];
  const logger: Logger = { warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
  return { handle: createRouter(handlers, logger), calls, lines };
}

describe('createRouter', () => {
  it('runs a known procedure with the parsed input (defaults and transforms applied)', async () => {
    const { handle, calls } = setup();
    expect(await handle('servers.add', { name: '  Main  ', kind: 'eds', url: 'https://eds.example.com' })).toEqual({
      ok: true,
      value: { echoed: { name: 'Main', kind: 'eds', url: 'https://eds.example.com', allowInsecureTls: false, caCertificatePath: null, options: {}, skipCheck: false } },
    });
    await handle('auth.signInWithToken', { serverId: 's', token: `  ${FAKE_SECRET}\n` });
    expect(calls[1]).toEqual(['auth.signInWithToken', { serverId: 's', token: FAKE_SECRET }]);
    expect(await handle('app.status', undefined)).toEqual({ ok: true, value: { echoed: undefined } });
  });

  it('answers VALIDATION for an unknown procedure without calling anything', async () => {
    const { handle, calls, lines } = setup();
    for (const name of ['nope', '', 'servers', 'servers.add ', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(await handle(name, undefined)).toEqual({ ok: false, error: { code: 'VALIDATION', message: 'Keyport does not offer that operation.' } });
    }
    expect(calls).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('answers VALIDATION naming the field for invalid input, without calling the handler', async () => {
    const { handle, calls } = setup();
    expect(await handle('servers.add', { name: '', kind: 'eds', url: 'https://eds.example.com' })).toEqual({
      ok: false,
      error: { code: 'VALIDATION', message: 'Enter a name.', field: 'name' },
    });
    expect(await handle('tokens.create', { serverId: 's', name: 'ci' })).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'save' } });
    expect(await handle('servers.update', { id: 's', changes: { name: 'x', kind: 'eds', url: 'ftp://x' } })).toEqual({
      ok: false,
      error: { code: 'VALIDATION', message: 'Only http and https URLs are allowed, not ftp.', field: 'changes.url' },
    });
    expect(await handle('settings.update', { clipboardClearSeconds: 1 })).toEqual({
      ok: false,
      error: { code: 'VALIDATION', message: 'At least 5 seconds.', field: 'clipboardClearSeconds' },
    });
    expect(calls).toEqual([]);
  });

  it('echoes at most 100 characters of a refused record key (a 50 MB key once came back whole)', async () => {
    const { handle, calls } = setup();
    const hugeKey = `${'k'.repeat(50 * 1024 * 1024)}-end`;
    for (const [procedure, input, prefix] of [
      ['tokens.create', { serverId: 's', name: 'ci', save: false, fields: { [hugeKey]: 'x' } }, 'fields.'],
      ['settings.update', { defaultCopyFormats: { [hugeKey]: 'raw' } }, 'defaultCopyFormats.'],
    ] as const) {
      const result = await handle(procedure, input);
      if (result.ok) throw new Error(`${procedure} accepted a 50 MB key`);
      expect(result.error.code).toBe('VALIDATION');
      expect(result.error.field?.startsWith(`${prefix}kkk`)).toBe(true);
      expect(result.error.field?.endsWith('k-end')).toBe(true);
      expect(result.error.field?.length).toBeLessThanOrEqual(100);
      expect(JSON.stringify(result).length).toBeLessThan(400);
    }
    expect(calls).toEqual([]);
  });

  it('caps the field of a KeyportError a handler throws, too', async () => {
    const { handle } = setup({
      'servers.remove': () => {
        throw new KeyportError('VALIDATION', 'No.', { field: `cidr.${'x'.repeat(10_000)}` });
      },
    });
    const result = await handle('servers.remove', { id: 's' });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: 'No.' } });
    expect(!result.ok && result.error.field?.length).toBe(100);
  });

  it('says the request was malformed when the whole input has the wrong type', async () => {
    const { handle } = setup();
    for (const input of [undefined, null, 'servers', 42, []]) {
      const result = await handle('servers.add', input);
      expect(result).toEqual({ ok: false, error: { code: 'VALIDATION', message: 'The request was not in the expected form.', field: undefined } });
    }
    // Procedures without input refuse one.
    expect(await handle('servers.list', { sneaky: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('never echoes the invalid value in a validation error', async () => {
    const { handle } = setup();
    const inputs: Array<[string, unknown]> = [
      ['servers.add', { name: 'x', kind: 'eds', url: `https://alice:${FAKE_SECRET}@eds.example.com` }],
      ['servers.add', { name: 'x', kind: 'eds', url: `https://eds.example.com/?token=${FAKE_SECRET}` }],
      ['auth.signInWithPassword', { serverId: 's', username: 'alice', password: 42 }],
      ['auth.signInWithPassword', { serverId: 's', username: 'alice', password: FAKE_SECRET.repeat(2000) }],
      ['auth.signInWithToken', { serverId: 's', token: [FAKE_SECRET] }],
      ['settings.update', { clipboardClearSeconds: FAKE_SECRET }],
    ];
    for (const [procedure, input] of inputs) {
      const result = await handle(procedure, input);
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain('fake-secret');
    }
  });

  it('maps a KeyportError to its shape', async () => {
    const { handle, lines } = setup({
      'tokens.list': () => {
        throw new KeyportError('TOKENS_UNAVAILABLE', 'No tokens here.', { hint: 'Use a password.', field: 'serverId' });
      },
      'tokens.revoke': async () => {
        throw new KeyportError('NOT_FOUND', 'Gone.');
      },
    });
    expect(await handle('tokens.list', { serverId: 's' })).toEqual({
      ok: false,
      error: { code: 'TOKENS_UNAVAILABLE', message: 'No tokens here.', hint: 'Use a password.', field: 'serverId' },
    });
    const revoked = await handle('tokens.revoke', { serverId: 's', tokenId: 't' });
    expect(revoked).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'Gone.' } });
    expect(Object.keys(revoked.ok ? {} : revoked.error)).toEqual(['code', 'message']);
    expect(lines).toEqual([]);
  });

  it('maps a ZodError thrown by a handler to VALIDATION', async () => {
    const { handle } = setup({
      'settings.update': () => z.object({ clipboardClearSeconds: z.number().max(600, 'At most 10 minutes.') }).parse({ clipboardClearSeconds: 9999 }),
    });
    expect(await handle('settings.update', {})).toEqual({
      ok: false,
      error: { code: 'VALIDATION', message: 'At most 10 minutes.', field: 'clipboardClearSeconds' },
    });
  });

  it('maps an unexpected error to INTERNAL without its message, in the answer or the log', async () => {
    class UndiciLikeError extends Error {
      override name = 'UndiciLikeError';
    }
    const thrown: Array<() => unknown> = [
      () => {
        throw new Error(`request failed: Authorization: Bearer ${FAKE_SECRET}`);
      },
      async () => {
        throw new TypeError(`Cannot read properties of ${FAKE_SECRET}`);
      },
      () => Promise.reject(new UndiciLikeError(FAKE_SECRET)),
      () => {
        throw FAKE_SECRET;
      },
      () => {
        throw { token: FAKE_SECRET };
      },
      () => {
        throw null;
      },
    ];
    for (const fn of thrown) {
      const { handle, lines } = setup({ 'tokens.list': fn });
      const result = await handle('tokens.list', { serverId: 's' });
      expect(result).toEqual({
        ok: false,
        error: { code: 'INTERNAL', message: 'Something went wrong inside Keyport.', hint: 'Try again. If it keeps happening, restart Keyport.' },
      });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error router: tokens\.list failed with /);
      expect(lines[0]).not.toContain('fake-secret');
    }
  });

  it('names the kind of unexpected error in the log line', async () => {
    const { handle, lines } = setup({
      'servers.list': () => {
        throw new RangeError('x');
      },
    });
    await handle('servers.list', undefined);
    expect(lines).toEqual(['error router: servers.list failed with RangeError']);
  });

  it('never throws, whatever the input', async () => {
    const { handle } = setup({
      'servers.list': () => {
        throw new Error('boom');
      },
    });
    const hostile = [Object.create(null), Symbol('s'), () => 1, BigInt(1), new Date(0), new Map([['name', 'x']])];
    for (const input of hostile) {
      for (const procedure of ['servers.add', 'servers.list', 'nope']) {
        const result = await handle(procedure, input);
        expect(result.ok).toBe(false);
      }
    }
  });

  it('never throws, even for an input whose getters throw', async () => {
    // Unreachable over IPC (structured clone has no getters), but `handle` promises never to throw.
    const { handle, calls } = setup();
    const trap = new Proxy(
      {},
      {
        get: () => {
          throw new Error(`trap ${FAKE_SECRET}`);
        },
      },
    );
    const result = await handle('servers.add', trap).catch((error: unknown) => ({ threw: String(error) }));
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: expect.any(String) }) });
    expect(JSON.stringify(result)).not.toContain('fake-secret');
    expect(calls).toEqual([]);
  });

  it('passes a handler result through untouched', async () => {
    const logger: Logger = { warn: vi.fn(), error: vi.fn() };
    const value = [{ id: 'a' }];
    const handlers = Object.fromEntries(PROCEDURE_NAMES.map((n) => [n, () => value])) as unknown as Handlers;
    const result = await createRouter(handlers, logger)('servers.list', undefined);
    expect(result).toEqual({ ok: true, value });
    expect(logger.error).not.toHaveBeenCalled();
  });
});
