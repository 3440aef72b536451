import type { z } from 'zod';
import { KeyportError } from '../errors';
import type { HttpResponse } from './types';

/** Parses a response body as JSON and checks it against `schema`.
 * @param expected what the server should be, for the hint, e.g. 'an Enthought Deployment Server'. */
export function parseJson<T>(res: HttpResponse, schema: z.ZodType<T>, serverName: string, expected?: string): T {
  const urlHint = `Check that the URL points to ${expected ?? 'the right kind of server'}.`;

  let data: unknown;
  try {
    data = JSON.parse(res.text);
  } catch {
    // No cause and no excerpt: the body may be a token response cut short.
    if (looksLikeHtml(res)) {
      return fail(`${serverName} did not answer with JSON (it sent an HTML page).`, `${urlHint} A web page often means a login portal, a proxy or the site's home page.`);
    }
    return fail(`${serverName} sent an answer that is not valid JSON.`, urlHint);
  }

  const result = schema.safeParse(data);
  if (!result.success) {
    // Only where and what kind of mismatch, never the values, which may be secrets.
    const summary = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.code}`).join('; ');
    throw new KeyportError('BAD_RESPONSE', `${serverName} answered in an unexpected format.`, {
      hint: urlHint,
      cause: new Error(`Schema mismatch: ${summary}`),
    });
  }
  return result.data;
}

function fail(message: string, hint: string): never {
  throw new KeyportError('BAD_RESPONSE', message, { hint });
}

function looksLikeHtml(res: HttpResponse): boolean {
  if ((res.headers['content-type'] ?? '').toLowerCase().includes('text/html')) return true;
  const start = res.text.trimStart().slice(0, 64).toLowerCase();
  return start.startsWith('<!doctype html') || start.startsWith('<html') || start.startsWith('<head') || start.startsWith('<body');
}

/** The error for a status the provider did not expect. `overrides` carries the provider's own
 * wording for statuses it knows better (e.g. 404 meaning "token already revoked"). */
export function errorForStatus(
  res: HttpResponse,
  serverName: string,
  overrides?: Partial<Record<number, KeyportError>>,
): KeyportError {
  const { status } = res;
  const override = overrides?.[status];
  if (override !== undefined) return override;

  if (status >= 300 && status < 400) {
    return new KeyportError('BAD_RESPONSE', `${serverName} redirected the request to another address.`, {
      hint: 'Use the final URL of the server.',
    });
  }
  switch (status) {
    case 401:
      return new KeyportError('AUTH_FAILED', 'Authentication failed.', {
        hint: 'Check your user name and password, or sign in again.',
      });
    case 403:
      return new KeyportError('FORBIDDEN', `${serverName} refused access (HTTP 403).`, {
        hint: 'Your account may not be allowed to do this; ask the server\u2019s administrator.',
      });
    case 404:
      return new KeyportError('NOT_FOUND', `${serverName} could not find what was asked for (HTTP 404).`, {
        hint: 'Check the server\u2019s URL; the item may also have been removed already.',
      });
    case 409:
      return new KeyportError('CONFLICT', `${serverName} reported a conflict (HTTP 409).`, {
        hint: 'Something with the same name may already exist; refresh and try again.',
      });
    case 429: {
      const seconds = retryAfterSeconds(res.headers['retry-after']);
      const message =
        seconds === undefined
          ? `${serverName} received too many requests (HTTP 429).`
          : `${serverName} received too many requests; it asks to wait ${seconds} second${seconds === 1 ? '' : 's'}.`;
      return new KeyportError('RATE_LIMITED', message, { hint: 'Wait a moment, then try again.' });
    }
  }
  if (status >= 500 && status < 600) {
    return new KeyportError('SERVER_ERROR', `${serverName} had an internal error (HTTP ${status}).`, {
      hint: 'Try again later.',
    });
  }
  return new KeyportError('BAD_RESPONSE', `${serverName} answered with an unexpected status (HTTP ${status}).`, {
    hint: 'Check the server\u2019s URL and kind in its settings.',
  });
}

/** Only the delta-seconds form: an HTTP date would need the server's clock to agree with ours. */
function retryAfterSeconds(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}
