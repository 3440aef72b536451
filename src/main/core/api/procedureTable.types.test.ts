// Compile-time checks of the procedure table: `npx tsc --noEmit` fails if any line marked
// `@ts-expect-error` compiles (a misspelt name, a missing or extra schema), and `expectTypeOf`
// fails it if a derived type drifts. The runtime part only shows the same names are refused.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Handlers } from './router';
import type { KeyportClient } from '../../../shared/api';
import type { ProcedureInput } from '../../../shared/contract';
import type { AppStatus, ServerView } from '../../../shared/model';
import { isProcedureName, proceduresWith, type ProcedureName, type ProcedureResults } from '../../../shared/procedures';
import { inputSchemas, type InputSchemaTable } from '../../../shared/schemas';

describe('the procedure table at compile time', () => {
  it('refuses a misspelt procedure name wherever a name is written', () => {
    // @ts-expect-error 'servers.lst' is not a procedure.
    const name: ProcedureName = 'servers.lst';
    const compileOnly = (client: KeyportClient) => {
      // @ts-expect-error a misspelt name in a call.
      void client.call('servers.lst');
      // @ts-expect-error a flag that does not exist.
      proceduresWith('allowedWhileLocked');
      const handlers: Partial<Handlers> = {
        // @ts-expect-error a handler for a procedure that does not exist.
        'tokens.lst': () => [],
      };
      return handlers;
    };
    expect(typeof compileOnly).toBe('function');
    expect(isProcedureName(name)).toBe(false);
  });

  it('refuses a schema table with a procedure missing, added or misspelt', () => {
    const { 'servers.list': dropped, ...withoutOne } = inputSchemas;
    // @ts-expect-error 'servers.list' has no schema.
    const missing: InputSchemaTable = withoutOne;
    const extra = {
      ...inputSchemas,
      // @ts-expect-error a schema for a procedure that does not exist.
      'servers.lst': z.undefined(),
    } satisfies InputSchemaTable;
    expect(Object.keys(missing)).not.toContain('servers.list');
    expect(Object.keys(extra)).toContain('servers.lst');
    expect(dropped).toBe(inputSchemas['servers.list']);
  });

  it('derives results and inputs from the one entry', () => {
    expectTypeOf<ProcedureResults['app.status']>().toEqualTypeOf<AppStatus>();
    expectTypeOf<ProcedureResults['servers.add']>().toEqualTypeOf<ServerView>();
    expectTypeOf<ProcedureResults['app.activity']>().toEqualTypeOf<void>();
    expectTypeOf<ProcedureInput<'servers.remove'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<keyof typeof inputSchemas>().toEqualTypeOf<ProcedureName>();
    expectTypeOf<ReturnType<KeyportClient['call']>>().toEqualTypeOf<Promise<ProcedureResults[ProcedureName]>>();
    expect(proceduresWith('availableWhileLocked').has('app.status')).toBe(true);
  });
});
