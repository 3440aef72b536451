import { describe, expect, it } from 'vitest';
import { parseStoredSecret, storedSecretSchema } from './records';

const meta = { id: 's1', serverId: 'srv', purpose: 'api-token', name: 'laptop', savedAt: '2026-01-01T00:00:00.000Z', attributes: { tokenId: 'laptop' } };
const exact = { meta, ciphertext: 'v1.a.b.c' };

describe('parseStoredSecret', () => {
  it('keeps a record exactly as Keyport writes it as it is (no copy)', () => {
    expect(parseStoredSecret(exact)).toBe(exact);
  });

  // Every variation decides as the zod schema does: the same result, or refused by both.
  const variations: Record<string, unknown> = {
    'attributes missing (filled with {})': { meta: { ...meta, attributes: undefined }, ciphertext: 'x' },
    'attributes absent': { meta: (({ attributes: _a, ...rest }) => rest)(meta), ciphertext: 'x' },
    'an unknown meta field (dropped)': { meta: { ...meta, extra: 1 }, ciphertext: 'x' },
    'an unknown record field (dropped)': { ...exact, extra: 'y' },
    'a number attribute': { meta: { ...meta, attributes: { n: 1 } }, ciphertext: 'x' },
    'an unknown purpose': { meta: { ...meta, purpose: 'nope' }, ciphertext: 'x' },
    'an empty id': { meta: { ...meta, id: '' }, ciphertext: 'x' },
    'an empty server id': { meta: { ...meta, serverId: '' }, ciphertext: 'x' },
    'a numeric name': { meta: { ...meta, name: 5 }, ciphertext: 'x' },
    'no savedAt': { meta: { ...meta, savedAt: undefined }, ciphertext: 'x' },
    'a ciphertext that is not text': { meta, ciphertext: 5 },
    'no meta': { ciphertext: 'x' },
    'meta a list': { meta: [meta], ciphertext: 'x' },
    'attributes a list': { meta: { ...meta, attributes: ['a'] }, ciphertext: 'x' },
    'a string': 'fake',
    null: null,
    'a list': [exact],
  };
  for (const [what, value] of Object.entries(variations)) {
    it(`decides as the schema does: ${what}`, () => {
      const zod = storedSecretSchema.safeParse(value);
      expect(parseStoredSecret(value)).toEqual(zod.success ? zod.data : null);
    });
  }
});
