/** Every key Keyport keeps in its store (the vault file), in one place, as Bitwarden's
 * state-definitions.ts lists its state: a new key is added here, and a key's meaning changes
 * only through a numbered migration (vault/migrations/). The values are the names in the file
 * and never change. */
export const STORE_KEYS = {
  /** The layout's number: which migrations the file has had (vault/migrations/index.ts). */
  version: 'version',
  /** Saved servers: ServerRecord[] (vault/records.ts). */
  servers: 'servers',
  /** Saved secrets by id: StoredSecret (metadata + ciphertext; vault/records.ts). */
  secrets: 'secrets',
  /** Settings (shared/schemas.ts settingsSchema), read field by field. */
  settings: 'settings',
  /** How secrets are protected: passphrase parameters + check, or session only (vault.ts). */
  storagePolicy: 'storagePolicy',
  /** Saved servers and secrets that could not be read, kept as they were (vault.ts). */
  unreadable: 'unreadable',
  /** Expiry reminders already sent, by "<id>@<expiry>:<days>" (reminders/reminderService.ts). */
  remindersSent: 'remindersSent',
  /** The unlock passphrase's or PIN's salted scrypt hash (lock/unlockVerifier.ts). */
  unlockVerifier: 'unlockVerifier',
  /** Failed unlock attempts and when the next is allowed (lock/attemptThrottle.ts). */
  unlockThrottle: 'unlockThrottle',
  /** The activity log, oldest first (audit/auditLog.ts). */
  auditLog: 'auditLog',
} as const;

export type StoreKey = (typeof STORE_KEYS)[keyof typeof STORE_KEYS];
