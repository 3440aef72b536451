/** Test-only helpers shared by the providers' unit tests: a ServerContext for a reference server,
 * and catching a KeyportError while checking that it carries no secret. Imported only by
 * *.test.ts files; nothing in the app loads it. */
import { expect } from 'vitest';
import { KeyportError } from '../../src/main/core/errors';
import type { HttpClient } from '../../src/main/core/http/types';
import type { ServerContext } from '../../src/main/core/providers/provider';
import type { ServerRecord } from '../../src/main/core/vault/records';

/** A server record with test defaults; `kind` and `url` are the test's. */
export function serverRecord(base: Pick<ServerRecord, 'kind' | 'url' | 'name'>, overrides: Partial<ServerRecord> = {}): ServerRecord {
  return {
    id: 'srv',
    allowInsecureTls: false,
    caCertificatePath: null,
    options: {},
    createdAt: '2025-01-01T00:00:00.000Z',
    ...base,
    ...overrides,
  };
}

/** What a provider gets from the session service for `server` (no CA file). */
export function serverContext(server: ServerRecord, http: HttpClient, now: () => Date = () => new Date()): ServerContext {
  return { server, target: { serverName: server.name, tls: { allowInsecureTls: server.allowInsecureTls, caCertificatePem: null } }, http, now };
}

/** The KeyportError `promise` rejects with; fails the test when it resolves, rejects with
 * anything else, or when the error (message, hint, field or stack) contains one of `secrets`. */
export async function expectKeyportError(promise: Promise<unknown>, secrets: readonly string[]): Promise<KeyportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyportError) {
      const text = JSON.stringify({ ...error.toShape(), stack: error.stack });
      for (const secret of secrets) expect(text.includes(secret), 'an error carries a secret').toBe(false);
      return error;
    }
    throw error;
  }
  throw new Error('expected a KeyportError');
}
