import { z } from 'zod';
import { type ProcedureName, type ProcedureParsedInput, type ProcedureResults } from '../../../shared/contract';
import { echoInput } from '../../../shared/echoInput';
import type { KeyportErrorShape, WireResult } from '../../../shared/errors';
import { isProcedureName } from '../../../shared/procedures';
import { inputSchemas } from '../../../shared/schemas';
import { KeyportError } from '../errors';
import type { Logger } from '../ports';

export type Handlers = { [P in ProcedureName]: (input: ProcedureParsedInput<P>) => Promise<ProcedureResults[P]> | ProcedureResults[P] };

/** The API router: validates untrusted input with the shared schemas, runs the handler, and
 * maps every failure to a KeyportErrorShape once, here. It never throws. */
export function createRouter(handlers: Handlers, logger: Logger) {
  return async function handle(procedure: string, input: unknown): Promise<WireResult<unknown>> {
    if (!isProcedureName(procedure)) {
      return fail({ code: 'VALIDATION', message: 'Keyport does not offer that operation.' });
    }
    const name: ProcedureName = procedure;
    try {
      // Inside the try: an in-process caller's object can throw from a getter while parsed.
      const parsed = inputSchemas[name].safeParse(input);
      if (!parsed.success) return fail(validationShape(parsed.error));
      const handler = handlers[name] as (input: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof KeyportError) return fail(error.toShape());
      if (error instanceof z.ZodError) return fail(validationShape(error));
      // Unknown errors may carry anything in their message; log only their kind.
      logger.error(`router: ${name} failed with ${error instanceof Error ? error.name : typeof error}`);
      return fail({ code: 'INTERNAL', message: 'Something went wrong inside Keyport.', hint: 'Try again. If it keeps happening, restart Keyport.' });
    }
  };
}

function fail(error: KeyportErrorShape): WireResult<never> {
  return { ok: false, error };
}

/** zod messages here are the schemas' own fixed sentences, never the input value. The path can
 * hold a record key the caller chose, so it is cut to a short echo before it is joined. */
function validationShape(error: z.ZodError): KeyportErrorShape {
  const issue = error.issues[0];
  const joined = issue?.path.map((part) => echoInput(String(part))).join('.');
  const field = joined ? echoInput(joined) : undefined;
  const message = issue?.code === 'invalid_type' && issue.path.length === 0 ? 'The request was not in the expected form.' : (issue?.message ?? 'Invalid input.');
  return { code: 'VALIDATION', message, field };
}
