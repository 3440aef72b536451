import type { KeyValueStore } from '../../ports';
import { STORE_KEYS } from '../../storeKeys';
import { typedSecretMetadata } from './0001-typed-secret-metadata';
import { typedDeliveryMetadata } from './0002-typed-delivery-metadata';
import type { Migration } from './migration';

/** Every migration, in order. Layout 1 is Keyport 0.1.0's (its files are in fixtures/). */
export const MIGRATIONS: readonly Migration[] = [typedSecretMetadata, typedDeliveryMetadata];

/** The layout this Keyport writes. */
export const STORE_VERSION = 1 + MIGRATIONS.length;

/** Brings a store of an older layout (or none: a new or pre-version file is layout 1) to
 * STORE_VERSION: every due migration, then the new version, in one atomic write, so a crash
 * leaves the old layout or the new, never half. A file of a newer layout (a newer Keyport) is
 * left at its number: this one reads what it can and sets the rest aside, as for any entry it
 * cannot read. */
export function migrateStore(store: KeyValueStore, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = 1 + migrations.length;
  const stored = store.get(STORE_KEYS.version);
  const from = typeof stored === 'number' && Number.isInteger(stored) && stored >= 1 ? stored : 1;
  if (from > latest) return;
  const changes: Record<string, unknown> = {};
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    const values = Object.fromEntries(migration.keys.map((key) => [key, key in changes ? changes[key] : store.get(key)]));
    Object.assign(changes, migration.migrate(values));
  }
  if (stored !== latest) store.setMany({ ...changes, [STORE_KEYS.version]: latest });
}
