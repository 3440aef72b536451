import { describe, expect, it } from 'vitest';
import { claimsFromText, expiryTime, parseStoredSecret, storedSecretSchema } from './records';

const meta = { id: 's1', serverId: 'srv', purpose: 'api-token', name: 'laptop', savedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', pinned: true, claims: [{ name: 'sub', value: 'a' }],
  deliveryTargets: [{ id: 't1', host: 'ci', port: 22, user: null, path: '~/.npmrc', format: 'npmrc', lastDeliveredAt: null, sha256: 'ab' }],
  rotatedTo: null,
  createdWith: { scopes: 'read' },
  attributes: { tokenId: 'laptop' },
};
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
    'typed fields missing (their defaults)': { meta: { id: 's1', serverId: 'srv', purpose: 'api-token', name: 'n', savedAt: 'x', attributes: {} }, ciphertext: 'x' },
    'expiresAt null, claims null': { meta: { ...meta, expiresAt: null, claims: null }, ciphertext: 'x' },
    'pinned as text (layout 1)': { meta: { ...meta, pinned: 'true' }, ciphertext: 'x' },
    'expiresAt a number': { meta: { ...meta, expiresAt: 5 }, ciphertext: 'x' },
    'a claim with an extra field (dropped)': { meta: { ...meta, claims: [{ name: 'a', value: 'b', c: 1 }] }, ciphertext: 'x' },
    'a claim without a value': { meta: { ...meta, claims: [{ name: 'a' }] }, ciphertext: 'x' },
    'claims as text (layout 1)': { meta: { ...meta, claims: '[["a","b"]]' }, ciphertext: 'x' },
    'no targets, rotatedTo and createdWith set': { meta: { ...meta, deliveryTargets: [], rotatedTo: 'other', createdWith: null }, ciphertext: 'x' },
    'targets as text (layout 2)': { meta: { ...meta, deliveryTargets: '[]' }, ciphertext: 'x' },
    'a target without its optional facts (their defaults)': { meta: { ...meta, deliveryTargets: [{ id: 't', host: 'h', path: '/p', format: 'env' }] }, ciphertext: 'x' },
    'a target of an unknown format': { meta: { ...meta, deliveryTargets: [{ ...meta.deliveryTargets[0], format: 'zip' }] }, ciphertext: 'x' },
    'a target with a text port': { meta: { ...meta, deliveryTargets: [{ ...meta.deliveryTargets[0], port: '22' }] }, ciphertext: 'x' },
    'a target with an extra field (dropped)': { meta: { ...meta, deliveryTargets: [{ ...meta.deliveryTargets[0], extra: 1 }] }, ciphertext: 'x' },
    'an empty rotatedTo': { meta: { ...meta, rotatedTo: '' }, ciphertext: 'x' },
    'createdWith as text (layout 2)': { meta: { ...meta, createdWith: '{"a":"b"}' }, ciphertext: 'x' },
    'createdWith with a number': { meta: { ...meta, createdWith: { days: 30 } }, ciphertext: 'x' },
  };
  for (const [what, value] of Object.entries(variations)) {
    it(`decides as the schema does: ${what}`, () => {
      const zod = storedSecretSchema.safeParse(value);
      expect(parseStoredSecret(value)).toEqual(zod.success ? zod.data : null);
    });
  }
});

describe('expiryTime (the one place an expiry is read)', () => {
  it('reads ISO times, with or without an offset', () => {
    expect(expiryTime({ expiresAt: '2026-02-03T04:05:06.000Z' })).toBe(Date.UTC(2026, 1, 3, 4, 5, 6));
    expect(expiryTime({ expiresAt: '2026-02-03T05:05:06+01:00' })).toBe(Date.UTC(2026, 1, 3, 4, 5, 6));
  });
  it('says unknown (null) for none and for text that is no time', () => {
    expect(expiryTime({ expiresAt: null })).toBeNull();
    expect(expiryTime({ expiresAt: 'soon' })).toBeNull();
    expect(expiryTime({ expiresAt: '' })).toBeNull();
  });
});

describe('claimsFromText', () => {
  it('reads the [name, value] pairs the OpenID Connect kind writes, skipping damaged ones', () => {
    expect(claimsFromText('[["sub","a"],["email","a@example.com"],[1,2],"x"]')).toEqual([
      { name: 'sub', value: 'a' },
      { name: 'email', value: 'a@example.com' },
    ]);
  });
  it('null when absent, not JSON, or not a list', () => {
    expect(claimsFromText(undefined)).toBeNull();
    expect(claimsFromText('{')).toBeNull();
    expect(claimsFromText('{"sub":"a"}')).toBeNull();
  });
});
