import { describe, expect, it } from 'vitest';
import { mapStore } from '../../../../../test/support/vaultTesting';
import { typedSecretMetadata } from './0001-typed-secret-metadata';
import { typedDeliveryMetadata } from './0002-typed-delivery-metadata';
import { migrateStore, MIGRATIONS, STORE_VERSION } from './index';
import type { Migration } from './migration';
import { parseStoredSecret } from '../records';

const layout1Meta = (id: string, attributes: Record<string, string>) => ({ id, serverId: 'srv', purpose: 'api-token', name: id, savedAt: '2026-01-01T00:00:00.000Z', attributes });

describe('migrations', () => {
  it('are numbered 2, 3, … in order, one per layout, and STORE_VERSION is the last', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 2));
    expect(STORE_VERSION).toBe(1 + MIGRATIONS.length);
  });

  it('run the due ones in order, then write the version, all in one write', () => {
    const log: string[] = [];
    const step = (version: number): Migration => ({ version, name: `step ${version}`, keys: ['n'], migrate: ({ n }) => (log.push(`${version}:${String(n)}`), { n: `${String(n)}+${version}` }) });
    const store = mapStore({ version: 2, n: 'x' });
    migrateStore(store, [step(2), step(3), step(4)]);
    expect(log).toEqual(['3:x', '4:x+3']);
    expect(store.get('n')).toBe('x+3+4');
    expect(store.get('version')).toBe(4);
    expect(store.writes).toEqual(['n', 'version']);
  });

  it('a new store (no version) is layout 1; an up-to-date one is not written; a newer one is left at its number', () => {
    const fresh = mapStore();
    migrateStore(fresh);
    expect(fresh.get('version')).toBe(STORE_VERSION);
    const current = mapStore({ version: STORE_VERSION });
    migrateStore(current);
    expect(current.writes).toEqual([]);
    const newer = mapStore({ version: STORE_VERSION + 1, secrets: { a: 1 } });
    migrateStore(newer);
    expect(newer.writes).toEqual([]);
    expect(newer.get('version')).toBe(STORE_VERSION + 1);
  });
});

describe('every migration of saved secrets', () => {
  it('leaves an entry without the fields every layout had (a newer purpose, a hand edit) exactly as stored, so it is exported as stored', () => {
    const unreadable = {
      newerPurpose: { meta: { id: 'broken', serverId: 'good', purpose: 'from-the-future' }, ciphertext: 'v1.aaaa.bbbb.cccc' },
      noName: { meta: { ...layout1Meta('noName', { pinned: 'true' }), name: undefined }, ciphertext: 'x' },
      noCiphertext: { meta: layout1Meta('noCiphertext', {}) },
    };
    for (const migration of MIGRATIONS) {
      const before = structuredClone(unreadable);
      expect(migration.migrate({ secrets: unreadable }), migration.name).toEqual({ secrets: before });
    }
  });
});

describe('0001: typed secret metadata', () => {
  it('moves expiresAt, pinned and claims out of attributes into typed fields; the rest stays', () => {
    const secrets = {
      a: { meta: layout1Meta('a', { tokenId: 'a', expiresAt: '2027-03-01T00:00:00.000Z', pinned: 'true', other: 'kept' }), ciphertext: 'v1.a' },
      b: { meta: layout1Meta('b', { method: 'browser', claims: '[["sub","bob"],["email_verified","true"]]', scope: 'openid' }), ciphertext: 'v1.b' },
      c: { meta: layout1Meta('c', {}), ciphertext: 'v1.c' },
    };
    expect(typedSecretMetadata.migrate({ secrets })).toEqual({
      secrets: {
        a: { meta: { ...layout1Meta('a', { tokenId: 'a', other: 'kept' }), expiresAt: '2027-03-01T00:00:00.000Z', pinned: true, claims: null }, ciphertext: 'v1.a' },
        b: { meta: { ...layout1Meta('b', { method: 'browser', scope: 'openid' }), expiresAt: null, pinned: false, claims: [{ name: 'sub', value: 'bob' }, { name: 'email_verified', value: 'true' }] }, ciphertext: 'v1.b' },
        c: { meta: { ...layout1Meta('c', {}), expiresAt: null, pinned: false, claims: null }, ciphertext: 'v1.c' },
      },
    });
    // Nothing changed in place.
    expect(secrets.a.meta.attributes.pinned).toBe('true');
  });

  it('an expiry that is no time becomes unknown, a pin other than "true" unpinned, damaged claims none', () => {
    const { secrets } = typedSecretMetadata.migrate({ secrets: { a: { meta: layout1Meta('a', { expiresAt: 'never', pinned: 'yes', claims: '{' }), ciphertext: 'x' } } }) as { secrets: Record<string, { meta: Record<string, unknown> }> };
    expect(secrets.a?.meta).toMatchObject({ expiresAt: null, pinned: false, claims: null, attributes: {} });
  });

  it('leaves entries it cannot read as they are (the vault sets them aside), and a missing or damaged key alone', () => {
    const odd = { s: 'fake', n: null, noMeta: { ciphertext: 'x' } };
    expect(typedSecretMetadata.migrate({ secrets: odd })).toEqual({ secrets: odd });
    expect(typedSecretMetadata.migrate({ secrets: undefined })).toEqual({});
    expect(typedSecretMetadata.migrate({ secrets: [1] })).toEqual({});
  });
});

describe('0002: typed delivery metadata', () => {
  const layout2Meta = (id: string, attributes: Record<string, string>) => ({ ...layout1Meta(id, attributes), expiresAt: null, pinned: false, claims: null });
  const target = { id: 't1', host: 'ci.example.com', port: 2222, user: 'deploy', path: '~/.npmrc', format: 'npmrc', lastDeliveredAt: '2026-02-01T00:00:00.000Z', sha256: 'ab'.repeat(32) };

  it('moves deliveryTargets, rotatedTo and createdWith out of attributes into typed fields; the rest stays', () => {
    const secrets = {
      a: { meta: layout2Meta('a', { tokenId: 'a', deliveryTargets: JSON.stringify([target]), rotatedTo: 'b', createdWith: '{"scopes":"read write","expiresInDays":"30"}', other: 'kept' }), ciphertext: 'v1.a' },
      b: { meta: layout2Meta('b', { tokenId: 'b' }), ciphertext: 'v1.b' },
    };
    expect(typedDeliveryMetadata.migrate({ secrets })).toEqual({
      secrets: {
        a: { meta: { ...layout2Meta('a', { tokenId: 'a', other: 'kept' }), deliveryTargets: [target], rotatedTo: 'b', createdWith: { scopes: 'read write', expiresInDays: '30' } }, ciphertext: 'v1.a' },
        b: { meta: { ...layout2Meta('b', { tokenId: 'b' }), deliveryTargets: [], rotatedTo: null, createdWith: null }, ciphertext: 'v1.b' },
      },
    });
    // Nothing changed in place.
    expect(secrets.a.meta.attributes.rotatedTo).toBe('b');
  });

  it('keeps what the delivery service read before: targets it skipped dropped, missing facts null, damaged text none', () => {
    const targets = [{ id: 'old', host: 'h', path: '/p', format: 'env' }, { id: 'bad-format', host: 'h', path: '/p', format: 'zip' }, { host: 'no id', path: '/p', format: 'env' }, 'text', { ...target, port: '22', user: 5 }];
    const migrated = typedDeliveryMetadata.migrate({
      secrets: {
        a: { meta: layout2Meta('a', { deliveryTargets: JSON.stringify(targets), createdWith: '{"scopes":"read","n":1,"list":["x"]}', rotatedTo: '' }), ciphertext: 'x' },
        b: { meta: layout2Meta('b', { deliveryTargets: '[{', createdWith: '["a"]' }), ciphertext: 'x' },
        c: { meta: layout2Meta('c', { deliveryTargets: '{"id":"t"}', createdWith: '{"n":1}' }), ciphertext: 'x' },
      },
    }) as { secrets: Record<string, { meta: Record<string, unknown> }> };
    expect(migrated.secrets.a?.meta).toMatchObject({
      deliveryTargets: [
        { id: 'old', host: 'h', port: null, user: null, path: '/p', format: 'env', lastDeliveredAt: null, sha256: null },
        { ...target, port: null, user: null },
      ],
      rotatedTo: null,
      createdWith: { scopes: 'read' },
      attributes: {},
    });
    for (const id of ['b', 'c']) expect(migrated.secrets[id]?.meta).toMatchObject({ deliveryTargets: [], rotatedTo: null, createdWith: null, attributes: {} });
  });

  it('gives records the schema reads exactly as Keyport writes them', () => {
    const { secrets } = typedDeliveryMetadata.migrate({
      secrets: { a: { meta: layout2Meta('a', { deliveryTargets: JSON.stringify([{ id: 'old', host: 'h', path: '/p', format: 'env' }]), createdWith: '{"scopes":"read"}', rotatedTo: 'b' }), ciphertext: 'v1.a' } },
    }) as { secrets: Record<string, unknown> };
    // The direct check accepts only records the schema returns unchanged: the same object back.
    expect(parseStoredSecret(secrets.a)).toBe(secrets.a);
  });

  it('leaves entries it cannot read as they are, and a missing or damaged key alone', () => {
    const odd = { s: 'fake', n: null, noMeta: { ciphertext: 'x' } };
    expect(typedDeliveryMetadata.migrate({ secrets: odd })).toEqual({ secrets: odd });
    expect(typedDeliveryMetadata.migrate({ secrets: undefined })).toEqual({});
    expect(typedDeliveryMetadata.migrate({ secrets: 'x' })).toEqual({});
  });
});
