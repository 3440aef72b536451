import { custom as zCustom, type z } from 'zod';
import { KeyportError } from '../errors';
import type { HttpResponse } from './types';

/** Parses a response body as JSON and checks it against `schema`.
 * @param expected what the server should be, for the hint, e.g. 'an Enthought Deployment Server'. */
export function parseJson<T>(res: HttpResponse, schema: z.ZodType<T>, serverName: string, expected?: string): T {
  const urlHint = hintFor(expected);
  const result = schema.safeParse(parseBoundedJson(res, serverName, urlHint));
  if (!result.success) throw mismatch(serverName, urlHint, result.error.issues);
  return result.data;
}

/** parseJson for long lists. `fast` checks list entries with a guard function (no copy, no issue
 * machinery per field) and must accept exactly what `exact`, the answer's full zod schema,
 * accepts (each kind's tests keep the two in step). An answer `fast` refuses is checked again
 * with `exact`, so a malformed entry is refused with the same error, naming the same fields, as
 * with `exact` alone. */
export function parseJsonList<T>(res: HttpResponse, fast: z.ZodType<T>, exact: z.ZodType<unknown>, serverName: string, expected?: string): T {
  const urlHint = hintFor(expected);
  const data = parseBoundedJson(res, serverName, urlHint);
  const result = fast.safeParse(data);
  if (result.success) return result.data;
  const checked = exact.safeParse(data);
  throw mismatch(serverName, urlHint, checked.success ? result.error.issues : checked.error.issues);
}

/** A list whose every entry `isEntry` accepts, for the `fast` schema of parseJsonList: one
 * plain loop over the entries, where `z.array(z.custom(isEntry))` runs zod's per-item machinery
 * (a result object and an issue list per entry) for each of 10,000 entries (bench 5c). It
 * refuses without saying which entry: parseJsonList then names it with the exact schema. */
export function listOf<T>(isEntry: (value: unknown) => value is T): z.ZodType<T[]> {
  return zCustom<T[]>((value) => {
    if (!Array.isArray(value)) return false;
    for (let i = 0; i < value.length; i++) if (!isEntry(value[i])) return false;
    return true;
  }, 'a list');
}

const hintFor = (expected: string | undefined): string => `Check that the URL points to ${expected ?? 'the right kind of server'}.`;

function parseBoundedJson(res: HttpResponse, serverName: string, urlHint: string): unknown {
  // A hostile answer can hold millions of values (10 MB of `[1,1,…]`): parsed, then checked
  // against a schema item by item with an issue for each, it would block the main process for
  // seconds. Its shape is bounded first, in one pass over the text that stops at the first excess.
  const excess = shapeExcess(res.text);
  if (excess !== null) return fail(`${serverName} sent an answer too large to accept (${excess}).`, urlHint);

  try {
    return JSON.parse(res.text);
  } catch {
    // No cause and no excerpt: the body may be a token response cut short.
    if (looksLikeHtml(res)) {
      return fail(`${serverName} did not answer with JSON (it sent an HTML page).`, `${urlHint} A web page often means a login portal, a proxy or the site's home page.`);
    }
    return fail(`${serverName} sent an answer that is not valid JSON.`, urlHint);
  }
}

/** Only where and what kind of mismatch, never the values, which may be secrets; the first few
 * issues, never a summary of the whole input. */
function mismatch(serverName: string, urlHint: string, issues: readonly z.core.$ZodIssue[]): KeyportError {
  const shown = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => `${issue.path.slice(0, 8).map(String).join('.').slice(0, 200) || '(root)'}: ${issue.code}`);
  const more = issues.length > MAX_REPORTED_ISSUES ? ` (and ${issues.length - MAX_REPORTED_ISSUES} more)` : '';
  return new KeyportError('BAD_RESPONSE', `${serverName} answered in an unexpected format.`, {
    hint: urlHint,
    cause: new Error(`Schema mismatch: ${shown.join('; ')}${more}`),
  });
}

/** The longest list Keyport accepts in a server's answer (tokens, keys, OAuth clients, scopes,
 * CIDR ranges): far more than any account holds, few enough to check at once. Every kind's
 * answers go through parseJson, so the cap holds for all of them. */
export const MAX_LIST_ITEMS = 10_000;
/** The most JSON values (object members and list items, counted by their separators) an
 * answer may hold in all. */
export const MAX_JSON_VALUES = 250_000;
/** The most nested levels an answer may have. */
export const MAX_JSON_DEPTH = 64;
const MAX_REPORTED_ISSUES = 5;

/** What makes a JSON text too large, in words, or null when it is within the bounds. One pass
 * over the characters (no parsing), stopping at the first excess; values are counted by their
 * separators, so the count is an upper bound near the real one. Text that is not JSON passes
 * here and fails in JSON.parse. */
export function shapeExcess(text: string): string | null {
  /** Per open container: its item count so far, negative for objects (not counted). */
  const items: number[] = [];
  let values = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Strings are most of a token list's text: jump to the closing quote (the next one not
      // escaped) instead of visiting every character.
      i = closingQuote(text, i);
      if (i < 0) return null;
    } else if (c === OPEN_LIST || c === OPEN_OBJECT) {
      if (items.length >= MAX_JSON_DEPTH) return `nested more than ${MAX_JSON_DEPTH} levels deep`;
      items.push(c === OPEN_LIST ? 1 : -1);
    } else if (c === CLOSE_LIST || c === CLOSE_OBJECT) {
      items.pop();
    } else if (c === COMMA) {
      values += 1;
      if (values > MAX_JSON_VALUES) return `more than ${MAX_JSON_VALUES.toLocaleString('en-US')} values`;
      const top = items.length - 1;
      if (top >= 0 && items[top]! > 0 && ++items[top]! > MAX_LIST_ITEMS) return `a list of more than ${MAX_LIST_ITEMS.toLocaleString('en-US')} items`;
    }
  }
  return null;
}

/** Where the string opened at `open` ends: the next quote preceded by an even number of
 * backslashes (each pair is one escaped backslash), or -1 when it never ends. Each run of
 * backslashes is counted once, so the whole scan stays linear. */
function closingQuote(text: string, open: number): number {
  let q = text.indexOf('"', open + 1);
  while (q !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
  return -1;
}

const [QUOTE, BACKSLASH, COMMA, OPEN_LIST, CLOSE_LIST, OPEN_OBJECT, CLOSE_OBJECT] = ['"', '\\', ',', '[', ']', '{', '}'].map((ch) => ch.charCodeAt(0)) as [number, number, number, number, number, number, number];

function fail(message: string, hint: string): never {
  throw new KeyportError('BAD_RESPONSE', message, { hint });
}

export function looksLikeHtml(res: HttpResponse): boolean {
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
