import { join } from 'node:path';
import { app } from 'electron';
import type { KeyValueStore, Logger } from '../core/ports';
import { openVaultFile } from '../core/vault/vaultFile';

/** The vault's key-value store: one JSON file in the user data folder, written durably. The
 * path is the one electron-store used before (`keyport-vault.json` in userData), so an existing
 * vault is read as it is. No schema here: the core validates everything it reads with zod. A
 * malformed file is an error, not a reason to overwrite the person's data. */
export function createVaultStore(): KeyValueStore {
  return openVaultFile(join(app.getPath('userData'), 'keyport-vault.json'));
}

/** The core passes only redacted text, so the lines can go to the console as they are. */
export function createConsoleLogger(prefix = 'keyport'): Logger {
  return {
    warn: (message) => console.warn(`[${prefix}] ${message}`),
    error: (message) => console.error(`[${prefix}] ${message}`),
  };
}
