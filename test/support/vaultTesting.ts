/** Test-only helpers for the vault's unit tests. */
import type { KeyValueStore, Logger } from '../../src/main/core/ports';
import type { SecretMeta, ServerRecord } from '../../src/main/core/vault/records';
import { STORE_KEYS } from '../../src/main/core/storeKeys';

/** A store in memory that records which keys each write touched. */
export function mapStore(initial: Record<string, unknown> = {}): KeyValueStore & { map: Map<string, unknown>; writes: string[] } {
  const map = new Map<string, unknown>(Object.entries(initial));
  const writes: string[] = [];
  return {
    map,
    writes,
    get: (k) => map.get(k),
    set: (k, v) => {
      writes.push(k);
      map.set(k, structuredClone(v));
    },
    delete: (k) => {
      writes.push(k);
      map.delete(k);
    },
    setMany: (values) => {
      for (const [k, v] of Object.entries(values)) {
        writes.push(k);
        map.set(k, structuredClone(v));
      }
    },
    setEntries: (k, put, remove) => {
      writes.push(k);
      const current = map.get(k);
      const next: Record<string, unknown> = current !== null && typeof current === 'object' && !Array.isArray(current) ? { ...current } : {};
      for (const [id, v] of Object.entries(put)) next[id] = structuredClone(v);
      for (const id of remove) delete next[id];
      map.set(k, next);
    },
  };
}

export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

export const testServer = (id: string, name = `Server ${id}`): ServerRecord => ({
  id,
  name,
  kind: 'eds',
  url: `https://${id}.example.com`,
  allowInsecureTls: false,
  caCertificatePath: null,
  options: {},
  createdAt: '2025-01-01T00:00:00.000Z',
});

export const testMeta = (id: string, serverId: string, purpose: SecretMeta['purpose'] = 'api-token'): SecretMeta => ({
  id,
  serverId,
  purpose,
  name: `token ${id}`,
  savedAt: '2025-01-02T00:00:00.000Z',
  expiresAt: null,
  pinned: false,
  claims: null,
  deliveryTargets: [],
  rotatedTo: null,
  createdWith: null,
  attributes: { tokenId: `tok-${id}` },
});

/** Makes every saved token in `store` look saved before Keyport recorded the settings it made
 * tokens with (or pasted): the `createdWith` record goes. Returns how many had one. A core opened
 * on the store afterwards rotates them with the settings read from the server's list. */
export function forgetRecordedSettings(store: Pick<KeyValueStore, 'get' | 'set'>): number {
  const secrets = store.get(STORE_KEYS.secrets) as Record<string, { meta?: { createdWith?: Record<string, string> | null } }> | undefined;
  let forgotten = 0;
  const next: Record<string, unknown> = {};
  for (const [id, stored] of Object.entries(secrets ?? {})) {
    if (stored.meta && stored.meta.createdWith) {
      forgotten += 1;
      next[id] = { ...stored, meta: { ...stored.meta, createdWith: null } };
    } else next[id] = stored;
  }
  store.set(STORE_KEYS.secrets, next);
  return forgotten;
}
