import { secretPurposeSchema } from '../records';

/** One numbered change of the store's layout, run once on open for a file of an older layout. */
export interface Migration {
  /** The layout a file has after it; migrations run in this order, each exactly once. */
  version: number;
  name: string;
  /** The store keys it reads and may rewrite (STORE_KEYS values). */
  keys: readonly string[];
  /** The new values of the keys it changes, from their current values (never changed in place). */
  migrate(values: Record<string, unknown>): Record<string, unknown>;
}

/** A migration of every saved secret's metadata: `change` gets each readable entry's meta and
 * returns its new one. An entry of a shape Keyport cannot read is left as it is (the vault sets
 * it aside as before), and a missing or damaged `secrets` key alone. */
export function secretMetaMigration(version: number, name: string, change: (meta: Record<string, unknown>) => Record<string, unknown>): Migration {
  return {
    version,
    name,
    keys: ['secrets'],
    migrate({ secrets }) {
      if (!isObject(secrets)) return {};
      const next: Record<string, unknown> = {};
      for (const [id, stored] of Object.entries(secrets)) next[id] = isReadableSecret(stored) ? { ...stored, meta: change(stored.meta) } : stored;
      return { secrets: next };
    },
  };
}

/** The fields a saved secret has had in every layout. An entry without them (a hand edit, a
 * purpose a newer Keyport added) is unreadable: the vault keeps it exactly as stored, so that
 * "export as stored" gives back what the file held, and no migration may fill it in. */
function isReadableSecret(stored: unknown): stored is { meta: Record<string, unknown> } {
  if (!isObject(stored) || typeof stored.ciphertext !== 'string' || !isObject(stored.meta)) return false;
  const { id, serverId, purpose, name, savedAt } = stored.meta;
  return isText(id) && isText(serverId) && typeof purpose === 'string' && PURPOSES.has(purpose) && typeof name === 'string' && typeof savedAt === 'string';
}

const PURPOSES: ReadonlySet<string> = new Set(secretPurposeSchema.options);
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

export const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
