// Hostile answers up to the HTTP client's body limit, through parseJson with the kinds' real
// schemas: each is refused (or accepted) quickly, never after seconds of checking item by item,
// and the error is short and names no value (issue: 4.9 million wrong-typed items blocked main
// for 12–18 s and built a 146 MB message).
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { KeyportError } from '../errors';
import { tokenListAnswer as edsTokenList } from '../providers/eds/edsProtocol';
// The exact schemas: what parseJsonList checks a refused list with, item by item (the worst case).
import { tokenListAnswerExact as npmTokenList } from '../providers/npm/npmProtocol';
import { clientListAnswer as tapisClientList } from '../providers/tapis/tapisProtocol';
import { MAX_JSON_DEPTH, MAX_JSON_VALUES, MAX_LIST_ITEMS, parseJson, shapeExcess } from './responses';
import { DEFAULT_MAX_BODY_BYTES } from './types';

/** Repeats `item` (joined by commas) inside `open`…`close` until the body is just under the limit. */
function fill(open: string, item: string, close: string): string {
  const count = Math.floor((DEFAULT_MAX_BODY_BYTES - open.length - close.length) / (item.length + 1));
  return `${open}${Array.from({ length: count }, () => item).join(',')}${close}`;
}

/** `{"0":1,"1":1,…}` up to the body limit. */
function manyKeys(): string {
  const entries: string[] = [];
  let length = 2;
  for (let i = 0; ; i++) {
    const entry = `"${i.toString(36)}":1`;
    if (length + entry.length + 1 > DEFAULT_MAX_BODY_BYTES) break;
    entries.push(entry);
    length += entry.length + 1;
  }
  return `{${entries.join(',')}}`;
}

const HOSTILE: Array<[string, string, z.ZodType]> = [
  ['4.9 million wrong-typed items in the token list', fill('{"objects":[', '1', ']}'), npmTokenList],
  ['a top-level list of 4.9 million numbers', fill('[', '1', ']'), npmTokenList],
  ['2.5 million empty objects as tokens', fill('{"tokens":[', '{}', ']}'), edsTokenList],
  ['a million wrong-typed clients in the Tapis envelope', fill('{"status":"success","result":[', '"x"', ']}'), tapisClientList],
  ['one object with a million keys', manyKeys(), npmTokenList],
  ['lists nested 2 million levels deep', `${'['.repeat(2_000_000)}${']'.repeat(2_000_000)}`, npmTokenList],
  ['9,999 tokens, each with 100 wrong fields', `{"objects":[${Array.from({ length: 9_999 }, () => `{"key":1,"token":2,"cidr_whitelist":[${Array.from({ length: 40 }, () => '3').join(',')}]}`).join(',')}]}`, npmTokenList],
];

/** The fastest of three runs, in ms: a loaded machine slows single runs, not all three. */
function fastestOfThree(run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function outcome(body: string, schema: z.ZodType): KeyportError | 'accepted' {
  try {
    parseJson({ status: 200, headers: { 'content-type': 'application/json' }, text: body }, schema, 'Hostile', 'a test server');
    return 'accepted';
  } catch (error) {
    if (error instanceof KeyportError) return error;
    throw error;
  }
}

describe('answers up to the 10 MB body limit', () => {
  for (const [name, body, schema] of HOSTILE) {
    it(`${name}: refused in < 500 ms, with a short message that quotes nothing`, { timeout: 60_000 }, () => {
      expect(body.length).toBeLessThanOrEqual(DEFAULT_MAX_BODY_BYTES);
      const result = outcome(body, schema);
      expect(result).toBeInstanceOf(KeyportError);
      const error = result as KeyportError;
      expect(error.code).toBe('BAD_RESPONSE');
      const everything = JSON.stringify({ shape: error.toShape(), cause: String((error as Error & { cause?: unknown }).cause) });
      expect(everything.length).toBeLessThan(1_000);
      expect(fastestOfThree(() => outcome(body, schema))).toBeLessThan(500);
    });
  }

  it('a list within the cap is still checked item by item (and a well-formed one accepted)', () => {
    const good = `{"objects":[${Array.from({ length: MAX_LIST_ITEMS }, (_, i) => `{"key":"k${i}","token":"npm_…${i}","readonly":false}`).join(',')}]}`;
    expect(outcome(good, npmTokenList)).toBe('accepted');
    const error = outcome(`{"objects":[${Array.from({ length: MAX_LIST_ITEMS }, () => '1').join(',')}]}`, npmTokenList) as KeyportError;
    expect(error.message).toBe('Hostile answered in an unexpected format.');
    // The first few issues, and how many more: never one line per item.
    expect(String((error as Error & { cause?: unknown }).cause)).toMatch(/^Error: Schema mismatch: objects\.0: [a-z_]+; .*\(and 9995 more\)$/);
  });

  it('names the bound it hit: list length, values in all, nesting; strings and escapes do not count', () => {
    const list = (n: number, item = '0') => `[${Array.from({ length: n }, () => item).join(',')}]`;
    expect(shapeExcess(list(MAX_LIST_ITEMS + 1))).toBe('a list of more than 10,000 items');
    expect(shapeExcess(list(MAX_LIST_ITEMS))).toBeNull();
    expect(shapeExcess(`{"a":${list(MAX_LIST_ITEMS)},"b":{"c":${list(MAX_LIST_ITEMS + 1)}}}`)).toBe('a list of more than 10,000 items');
    expect(shapeExcess(list(30, list(MAX_LIST_ITEMS)))).toBe(`more than ${MAX_JSON_VALUES.toLocaleString('en-US')} values`);
    expect(shapeExcess(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toBe(`nested more than ${MAX_JSON_DEPTH} levels deep`);
    expect(shapeExcess(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBeNull();
    // Commas and brackets inside strings (with escaped quotes) are text, not structure.
    expect(shapeExcess(JSON.stringify({ objects: [{ key: 'a', name: `"${',['.repeat(20_000)}` }] }))).toBeNull();
    expect(outcome(fill('[', '1', ']'), npmTokenList)).toMatchObject({ message: 'Hostile sent an answer too large to accept (a list of more than 10,000 items).' });
  });
});
