/** Error codes that cross the process boundary. Each has a person-readable message and,
 * where there is something to do about it, a hint. Messages never contain secrets. */
export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'SERVER_UNREACHABLE',
  'DNS_FAILURE',
  'TIMEOUT',
  'TLS_FAILURE',
  'CONNECTION_RESET',
  'AUTH_FAILED',
  'FORBIDDEN',
  'TOKENS_UNAVAILABLE',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'BAD_RESPONSE',
  'SESSION_EXPIRED',
  'NOT_SIGNED_IN',
  'PASSWORD_REQUIRED',
  /** The server asks for a one-time password (two-factor authentication): ask, then call again with it. */
  'OTP_REQUIRED',
  'STORAGE_UNAVAILABLE',
  'LOCKED',
  'FILE_ERROR',
  /** An SSH host Keyport has not met: its key fingerprint is in the message, to confirm. */
  'HOST_KEY_UNKNOWN',
  /** An SSH host whose key differs from the one known_hosts lists: refused. */
  'HOST_KEY_CHANGED',
  'UNSUPPORTED',
  'CANCELLED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface KeyportErrorShape {
  code: ErrorCode;
  message: string;
  hint?: string | undefined;
  /** For VALIDATION: the input field at fault, so a form can show the message beside it. */
  field?: string | undefined;
}

/** What the renderer's API throws when a procedure fails. */
export class KeyportApiError extends Error implements KeyportErrorShape {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly field: string | undefined;

  constructor(shape: KeyportErrorShape) {
    super(shape.message);
    this.name = 'KeyportApiError';
    this.code = shape.code;
    this.hint = shape.hint;
    this.field = shape.field;
  }
}

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: KeyportErrorShape };
