import { echoInput } from '../../shared/echoInput';
import type { ErrorCode, KeyportErrorShape } from '../../shared/errors';

/** The one error type of the core: a code, a message for people and, where there is something
 * to do, a hint. Built only from fixed text and non-secret facts (server name, status code), so
 * it is safe to show and to log. */
export class KeyportError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string | undefined; field?: string | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeyportError';
    this.code = code;
    this.hint = options.hint;
    // A field name can come from the input (a record key): never repeat more than a little of it.
    this.field = options.field === undefined ? undefined : echoInput(options.field);
  }

  toShape(): KeyportErrorShape {
    const shape: KeyportErrorShape = { code: this.code, message: this.message };
    if (this.hint !== undefined) shape.hint = this.hint;
    if (this.field !== undefined) shape.field = this.field;
    return shape;
  }
}

export const isKeyportError = (e: unknown): e is KeyportError => e instanceof KeyportError;
