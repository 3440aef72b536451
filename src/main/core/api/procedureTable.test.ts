// The procedure table is the one place a procedure is declared: every other list (the names the
// preload exposes, the router's known procedures, the schemas, the lock-screen and reminder
// flags) is derived from it, so none can drift.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createRouter, type Handlers } from './router';
import { createKeyportApi } from '../../../shared/api';
import { PROCEDURE_NAMES as CONTRACT_NAMES } from '../../../shared/contract';
import { PROCEDURE_NAMES, isProcedureName, procedures, proceduresWith } from '../../../shared/procedures';
import { inputSchemas } from '../../../shared/schemas';

describe('the procedure table', () => {
  it('has exactly one entry per procedure, and the names are its keys in order', () => {
    expect(PROCEDURE_NAMES).toEqual(Object.keys(procedures));
    expect(new Set(PROCEDURE_NAMES).size).toBe(PROCEDURE_NAMES.length);
    expect(CONTRACT_NAMES).toBe(PROCEDURE_NAMES);
  });

  it('has no entry written twice in its source (an object literal keeps only the last)', async () => {
    const source = await readFile(new URL('../../../shared/procedures.ts', import.meta.url), 'utf8');
    const start = source.indexOf('export const procedures = {');
    const table = source.slice(start, source.indexOf('} as const;', start));
    const keys = [...table.matchAll(/^ {2}'([a-zA-Z.]+)':/gm)].map((m) => m[1]);
    expect(keys).toEqual([...PROCEDURE_NAMES]);
  });

  it('is what the schemas, the preload’s API and the router know, and nothing else', async () => {
    expect(Object.keys(inputSchemas)).toEqual([...PROCEDURE_NAMES]);

    const invoked: string[] = [];
    const api = createKeyportApi({ invoke: async (p) => (invoked.push(p), { ok: true, value: null }), on: () => () => undefined });
    expect(api.procedures).toBe(PROCEDURE_NAMES);

    const handlers = Object.fromEntries(PROCEDURE_NAMES.map((name) => [name, () => 'ran'])) as unknown as Handlers;
    const route = createRouter(handlers, { warn: () => undefined, error: () => undefined });
    for (const name of PROCEDURE_NAMES) {
      const answer = await route(name, {});
      // Known to the router: it validates (and may refuse the input), never "does not offer".
      expect(answer.ok || answer.error.message !== 'Keyport does not offer that operation.', name).toBe(true);
      await api.invoke(name, {});
    }
    expect(invoked).toEqual([...PROCEDURE_NAMES]);
    for (const stranger of ['servers.lst', 'toString', '__proto__', 'constructor', '']) {
      expect(isProcedureName(stranger), stranger).toBe(false);
      expect(await route(stranger, undefined)).toEqual({ ok: false, error: { code: 'VALIDATION', message: 'Keyport does not offer that operation.' } });
      expect((await api.invoke(stranger as never)).ok).toBe(false);
    }
    expect(invoked).toHaveLength(PROCEDURE_NAMES.length);
  });

  it('carries the flags main applies around a call', () => {
    expect([...proceduresWith('availableWhileLocked')].sort()).toEqual(['app.activity', 'app.bootstrap', 'app.lock', 'app.status', 'app.unlock', 'app.unlockWithSystemCheck', 'kinds.list', 'settings.get']);
    expect([...proceduresWith('changesWhatExpires')].sort()).toEqual([
      'app.unlock',
      'app.unlockWithSystemCheck',
      'auth.finishDeviceSignIn',
      'auth.signInWithBrowser',
      'auth.signInWithPassword',
      'auth.signInWithToken',
      'delivery.rotate',
      'sessionFiles.import',
      'settings.update',
      'tokens.create',
    ]);
    // The table holds flags only (no zod, nothing else): the renderer imports it.
    for (const entry of Object.values(procedures)) {
      for (const [flag, value] of Object.entries(entry)) {
        expect(['availableWhileLocked', 'changesWhatExpires']).toContain(flag);
        expect(value).toBe(true);
      }
    }
  });
});
