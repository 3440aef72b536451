import Store from 'electron-store';
import type { KeyValueStore, Logger } from '../core/ports';
import { confStore, VAULT_STORE_OPTIONS } from '../core/vault/confStore';

/** The vault's key-value store: one JSON file in the user data folder, written atomically.
 * No schema here: the core validates everything it reads with zod. Keys are opaque names, not
 * dot paths. A malformed file is an error, not a reason to overwrite the person's data. */
export function createVaultStore(): KeyValueStore {
  const store = new Store<Record<string, unknown>>({ name: 'keyport-vault', ...VAULT_STORE_OPTIONS });
  return confStore(store);
}

/** The core passes only redacted text, so the lines can go to the console as they are. */
export function createConsoleLogger(prefix = 'keyport'): Logger {
  return {
    warn: (message) => console.warn(`[${prefix}] ${message}`),
    error: (message) => console.error(`[${prefix}] ${message}`),
  };
}
