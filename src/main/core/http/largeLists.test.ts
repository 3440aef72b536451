import { randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { KeyportError } from '../errors';
import { isEdsToken, tokenListAnswer as edsList, tokenListAnswerFast as edsListFast } from '../providers/eds/edsProtocol';
import { tokenListAnswer as npmList, tokenListAnswerExact as npmListExact } from '../providers/npm/npmProtocol';
import { createHttpClient } from './httpClient';
import { parseJson, parseJsonList, shapeExcess } from './responses';
import type { HttpResponse } from './types';

const answer = (body: unknown): HttpResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body) });
const edsTokens = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `token-${i}`, created: '2026-01-02T03:04:05.000Z', last_used: i % 3 ? null : '2026-02-03T04:05:06.000Z' }));

/** What parseJson with the full zod schema alone throws: the error the fast path must repeat. */
function exactError(res: HttpResponse, schema: z.ZodType<unknown>): KeyportError {
  try {
    parseJson(res, schema, 'Big Server');
  } catch (error) {
    return error as KeyportError;
  }
  throw new Error('the full schema accepted the answer');
}

function fastError(res: HttpResponse, fast: z.ZodType<unknown>, exact: z.ZodType<unknown>): KeyportError {
  try {
    parseJsonList(res, fast, exact, 'Big Server');
  } catch (error) {
    return error as KeyportError;
  }
  throw new Error('the fast path accepted the answer');
}

const facts = (e: KeyportError) => ({ code: e.code, message: e.message, hint: e.hint, cause: (e.cause as Error | undefined)?.message });

describe('long lists: checked and mapped in one pass, refused as the full schema refuses', () => {
  it('the EDS entry check accepts exactly what the EDS list schema accepts', () => {
    const samples: unknown[] = [
      { name: 'a' },
      { name: 'a', created: null, last_used: null },
      { name: 'a', created: '2026-01-01', last_used: 'yesterday', extra: { nested: [1] } },
      { name: '' },
      { name: 3 },
      { name: null },
      {},
      { name: 'a', created: 5 },
      { name: 'a', last_used: false },
      { name: 'a', created: {} },
      ['a'],
      null,
      'a',
      7,
      JSON.parse('{"name":"a","__proto__":{"x":1}}'),
    ];
    for (const sample of samples) expect(isEdsToken(sample), JSON.stringify(sample)).toBe(edsList.safeParse({ tokens: [sample] }).success);
  });

  it('maps an accepted 10,000-token EDS list to the same values as the full schema', () => {
    const body = { tokens: [...edsTokens(9_999), { name: 'no-dates' }] };
    const fast = parseJsonList(answer(body), edsListFast, edsList, 'Big Server').tokens;
    const exact = parseJson(answer(body), edsList, 'Big Server').tokens;
    expect(fast.map((t) => ({ name: t.name, created: t.created ?? null, last_used: t.last_used ?? null }))).toEqual(exact);
  });

  it('refuses one malformed entry in a 10,000-token EDS list with the full schema’s error, naming the entry and field', () => {
    for (const bad of [{ name: 42 }, { name: 'x', created: 1700000000 }, null, ['x'], { created: 'now' }]) {
      const tokens: unknown[] = edsTokens(10_000);
      const at = randomInt(tokens.length);
      tokens[at] = bad;
      const res = answer({ tokens });
      const error = fastError(res, edsListFast, edsList);
      expect(facts(error)).toEqual(facts(exactError(res, edsList)));
      expect(error.code).toBe('BAD_RESPONSE');
      expect((error.cause as Error).message).toMatch(new RegExp(`^Schema mismatch: tokens\\.${at}`));
    }
    // And a wrong envelope, as before.
    expect(facts(fastError(answer({ tokens: 'all' }), edsListFast, edsList))).toEqual(facts(exactError(answer({ tokens: 'all' }), edsList)));
  });

  it('refuses one malformed entry in a long npm page with the full entry schema’s error', () => {
    const objects: unknown[] = Array.from({ length: 5_000 }, (_, i) => ({ key: `k${i}`, name: `n${i}`, created: '2026-01-02T03:04:05.000Z', packages_all: true }));
    objects[4321] = { key: 'k', packages: ['ok', 7] };
    const res = answer({ objects, urls: { next: null } });
    const error = fastError(res, npmList, npmListExact);
    expect(facts(error)).toEqual(facts(exactError(res, npmListExact)));
    expect((error.cause as Error).message).toBe('Schema mismatch: objects.4321.packages.1: invalid_type');
  });

  it('bounds the shape as the character-by-character scan did, escapes and all', () => {
    /** The scan before strings were skipped with indexOf: the reference. */
    const reference = (text: string): string | null => {
      const items: number[] = [];
      let values = 1;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === '\\') i += 1;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') inString = true;
        else if (c === '[' || c === '{') {
          if (items.length >= 64) return 'nested more than 64 levels deep';
          items.push(c === '[' ? 1 : -1);
        } else if (c === ']' || c === '}') items.pop();
        else if (c === ',') {
          values += 1;
          if (values > 250_000) return 'more than 250,000 values';
          const top = items.length - 1;
          if (top >= 0 && items[top]! > 0 && ++items[top]! > 10_000) return 'a list of more than 10,000 items';
        }
      }
      return null;
    };
    const alphabet = ['"', '\\', ',', '[', ']', '{', '}', 'a', ':'];
    for (let n = 0; n < 3_000; n++) {
      const text = Array.from({ length: randomInt(1, 60) }, () => alphabet[randomInt(alphabet.length)]).join('');
      expect(shapeExcess(text), text).toBe(reference(text));
    }
    const strings = (count: number, s: string) => `[${Array.from({ length: count }, () => JSON.stringify(s)).join(',')}]`;
    for (const s of ['a,b', 'quote " inside', 'backslashes \\\\ \\" [,]', '\\']) {
      expect(shapeExcess(strings(10_000, s))).toBe(reference(strings(10_000, s)));
      expect(shapeExcess(strings(10_001, s))).toBe('a list of more than 10,000 items');
    }
  });
});

describe('the HTTP client reads a body in one go', () => {
  it('drops a UTF-8 byte-order mark and replaces malformed bytes as TextDecoder does', async () => {
    const bodies = [Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"a":"é"}')]), Buffer.from([0x7b, 0xff, 0xc3, 0x7d]), Buffer.alloc(200_000, 0x61)];
    let next = 0;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // In pieces, so the body arrives in more than one chunk.
      const body = bodies[next++] as Buffer;
      res.write(body.subarray(0, 2));
      res.end(body.subarray(2));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/1.0', env: {} });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      for (const body of bodies) {
        const res = await client.send({ serverName: 'Test', tls: { allowInsecureTls: false, caCertificatePem: null } }, { method: 'GET', url });
        expect(res.text).toBe(new TextDecoder('utf-8').decode(body));
      }
    } finally {
      await client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
