import { z } from 'zod';
import type { Settings, StorageMode, StorageStatus } from '../../../shared/model';
import { settingsSchema } from '../../../shared/schemas';
import { KeyportError } from '../errors';
import type { Cipher, KeyValueStore, Logger } from '../ports';
import { createAesCipher } from './aesCipher';
import { DEFAULT_SCRYPT, derivePassphraseKey, newPassphraseParams, passphraseParamsSchema } from './passphraseKey';
import { serverRecordSchema, storedSecretSchema, type SecretMeta, type SecretPurpose, type ServerRecord, type StoredSecret } from './records';

export const DEFAULT_SETTINGS: Settings = { clipboardClearSeconds: 30, requestTimeoutSeconds: 15, idleLockMinutes: 15, theme: 'system', reminderDays: [30, 7], defaultCopyFormats: {} };

const KEYS = { version: 'version', servers: 'servers', secrets: 'secrets', settings: 'settings', policy: 'storagePolicy' } as const;
const STORE_VERSION = 1;
/** Encrypted with the passphrase key: decrypting it proves the passphrase before any secret is
 * touched (GCM's tag makes a wrong key fail, never decrypt to garbage). */
const CHECK_PLAINTEXT = 'keyport-vault-check-v1';

const storagePolicySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('passphrase'), params: passphraseParamsSchema, check: z.string() }),
  z.object({ mode: z.literal('session') }),
]);
type StoragePolicy = z.infer<typeof storagePolicySchema>;

export interface VaultOptions {
  /** scrypt cost for new passphrases (tests lower it). */
  scryptCost?: { N: number; r: number; p: number };
}

/** Server definitions, settings and secrets. Secrets are stored only as ciphertext: from the
 * OS keyring (the Cipher port) when it is real; otherwise from a passphrase the person chose,
 * or not at all ("this session only", the default until they choose). Locking drops every
 * secret and key from memory. */
export class Vault {
  private readonly serverCache: ServerRecord[];
  private readonly secretCache: Map<string, StoredSecret>;
  private readonly memoryValues = new Map<string, string>();
  private settingsCache: Settings;
  private readonly store: KeyValueStore;
  private readonly osCipher: Cipher;
  private readonly logger: Logger;
  private readonly scryptCost: { N: number; r: number; p: number };
  private mode: StorageMode;
  /** The cipher secrets are written with; null while locked or when not persisting. */
  private cipher: Cipher | null;
  private locked = false;
  private policy: StoragePolicy | null;

  constructor(store: KeyValueStore, osCipher: Cipher, logger: Logger, options: VaultOptions = {}) {
    this.store = store;
    this.osCipher = osCipher;
    this.logger = logger;
    this.scryptCost = options.scryptCost ?? DEFAULT_SCRYPT;
    const parsedPolicy = storagePolicySchema.safeParse(store.get(KEYS.policy));
    this.policy = parsedPolicy.success ? parsedPolicy.data : null;
    if (osCipher.status().available) {
      this.mode = 'os';
      this.cipher = osCipher;
    } else if (this.policy?.mode === 'passphrase') {
      // Starts locked: only the passphrase can open it.
      this.mode = 'passphrase';
      this.cipher = null;
      this.locked = true;
    } else {
      this.mode = this.policy?.mode === 'session' ? 'session' : 'undecided';
      this.cipher = null;
    }
    this.serverCache = this.loadList(KEYS.servers, serverRecordSchema);
    this.secretCache = this.loadSecrets();
    this.settingsCache = loadSettings(store.get(KEYS.settings));
    if (store.get(KEYS.version) !== STORE_VERSION) store.set(KEYS.version, STORE_VERSION);
  }

  storage(): StorageStatus {
    const os = this.osCipher.status();
    const status: StorageStatus = {
      mode: this.mode,
      persistent: this.mode === 'os' || this.mode === 'passphrase',
      locked: this.locked,
      backend: this.mode === 'passphrase' ? 'passphrase (scrypt + AES-256-GCM)' : os.backend,
    };
    if (!os.available) status.reason = os.reason ?? 'Your system offers no keyring to encrypt secrets with.';
    return status;
  }

  // Storage policy and lock -------------------------------------------------------------

  /** Drops every secret value and key from memory. Metadata (names, who is signed in) stays. */
  lock(): void {
    this.memoryValues.clear();
    if (!this.storage().persistent) {
      // Session-only secrets exist nowhere else: locking forgets them.
      for (const [id, stored] of this.secretCache) if (!stored.ciphertext) this.secretCache.delete(id);
    }
    if (this.mode === 'passphrase') this.cipher = null;
    this.locked = true;
  }

  /** Unlocks: with the passphrase in passphrase mode, without one otherwise. */
  async unlock(passphrase?: string): Promise<void> {
    if (!this.locked) return;
    if (this.mode === 'passphrase') {
      if (!passphrase) throw wrongPassphrase('Enter your passphrase.');
      if (this.policy?.mode !== 'passphrase') throw new KeyportError('STORAGE_UNAVAILABLE', 'The vault’s passphrase settings are missing.');
      const cipher = createAesCipher(await derivePassphraseKey(passphrase, this.policy.params), 'passphrase (scrypt + AES-256-GCM)');
      try {
        if ((await cipher.decrypt(this.policy.check)) !== CHECK_PLAINTEXT) throw new Error('check mismatch');
      } catch {
        throw wrongPassphrase('That passphrase is not correct.');
      }
      this.cipher = cipher;
    }
    this.locked = false;
  }

  /** Protects secrets with a (new) passphrase: every secret is re-encrypted and written in one
   * atomic write together with the new policy, so a crash leaves the old state or the new. */
  async usePassphrase(passphrase: string): Promise<void> {
    this.requireChoice();
    const params = newPassphraseParams(this.scryptCost);
    const cipher = createAesCipher(await derivePassphraseKey(passphrase, params), 'passphrase (scrypt + AES-256-GCM)');
    const plaintexts = await this.allPlaintexts();
    const next = new Map<string, StoredSecret>();
    for (const [id, { meta }] of this.secretCache) next.set(id, { meta, ciphertext: await cipher.encrypt(plaintexts.get(id) ?? '') });
    const policy: StoragePolicy = { mode: 'passphrase', params, check: await cipher.encrypt(CHECK_PLAINTEXT) };
    this.store.setMany({ [KEYS.secrets]: Object.fromEntries(next), [KEYS.policy]: policy });
    this.replaceSecrets(next, new Map());
    this.policy = policy;
    this.mode = 'passphrase';
    this.cipher = cipher;
  }

  /** Keeps secrets in memory only from now on; what was on disk is decrypted into memory and
   * removed from the file in one write. */
  async useSessionOnly(): Promise<void> {
    this.requireChoice();
    const plaintexts = await this.allPlaintexts();
    const policy: StoragePolicy = { mode: 'session' };
    this.store.setMany({ [KEYS.secrets]: {}, [KEYS.policy]: policy });
    const next = new Map<string, StoredSecret>();
    for (const [id, { meta }] of this.secretCache) next.set(id, { meta, ciphertext: '' });
    this.replaceSecrets(next, plaintexts);
    this.policy = policy;
    this.mode = 'session';
    this.cipher = null;
  }

  private requireChoice(): void {
    if (this.mode === 'os') {
      throw new KeyportError('UNSUPPORTED', 'Your system keyring already protects Keyport’s secrets.', {
        hint: 'A passphrase or session-only storage is offered only where no keyring is available.',
      });
    }
    this.requireUnlocked();
  }

  private requireUnlocked(): void {
    if (this.locked) throw new KeyportError('LOCKED', 'Keyport is locked.', { hint: 'Unlock Keyport first.' });
  }

  private async allPlaintexts(): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (const id of this.secretCache.keys()) {
      const value = await this.readSecret(id);
      if (value !== null) values.set(id, value);
    }
    return values;
  }

  private replaceSecrets(next: Map<string, StoredSecret>, memory: Map<string, string>): void {
    this.secretCache.clear();
    for (const [id, stored] of next) this.secretCache.set(id, stored);
    this.memoryValues.clear();
    for (const [id, value] of memory) this.memoryValues.set(id, value);
  }

  // Servers -------------------------------------------------------------------------------

  servers(): readonly ServerRecord[] {
    return this.serverCache;
  }

  server(id: string): ServerRecord {
    const found = this.serverCache.find((s) => s.id === id);
    if (!found) throw new KeyportError('NOT_FOUND', 'That server is no longer in Keyport.', { hint: 'Reload the list of servers.' });
    return found;
  }

  putServer(record: ServerRecord): void {
    const index = this.serverCache.findIndex((s) => s.id === record.id);
    if (index >= 0) this.serverCache[index] = record;
    else this.serverCache.push(record);
    this.store.set(KEYS.servers, this.serverCache);
  }

  removeServer(id: string): void {
    const index = this.serverCache.findIndex((s) => s.id === id);
    if (index < 0) return;
    this.serverCache.splice(index, 1);
    this.store.set(KEYS.servers, this.serverCache);
    for (const meta of this.secrets({ serverId: id })) {
      this.secretCache.delete(meta.id);
      this.memoryValues.delete(meta.id);
    }
    this.saveSecrets();
  }

  // Secrets -------------------------------------------------------------------------------

  secrets(filter: { serverId?: string; purpose?: SecretPurpose } = {}): SecretMeta[] {
    const result: SecretMeta[] = [];
    for (const { meta } of this.secretCache.values()) {
      if (filter.serverId !== undefined && meta.serverId !== filter.serverId) continue;
      if (filter.purpose !== undefined && meta.purpose !== filter.purpose) continue;
      result.push(meta);
    }
    return result;
  }

  secretMeta(id: string): SecretMeta | undefined {
    return this.secretCache.get(id)?.meta;
  }

  /** Stores a secret. With `requirePersistent`, refuses (STORAGE_UNAVAILABLE) rather than keep
   * it in memory only, for secrets the person explicitly asked Keyport to keep. */
  async putSecret(meta: SecretMeta, value: string, options: { requirePersistent?: boolean } = {}): Promise<void> {
    this.requireUnlocked();
    if (!this.cipher) {
      if (options.requirePersistent) {
        throw new KeyportError('STORAGE_UNAVAILABLE', 'Keyport is keeping secrets for this session only.', {
          hint: 'Protect Keyport with a passphrase to save tokens.',
        });
      }
      // Memory-only: the metadata is not written either, so nothing refers to a missing value
      // after a restart.
      this.secretCache.set(meta.id, { meta, ciphertext: '' });
      this.memoryValues.set(meta.id, value);
      return;
    }
    const ciphertext = await this.cipher.encrypt(value);
    this.secretCache.set(meta.id, { meta, ciphertext });
    this.saveSecrets();
  }

  /** Stores several secrets in one write, so a crash leaves all of them or none (a rotated
   * refresh token and the access token issued with it). */
  async putSecrets(entries: ReadonlyArray<{ meta: SecretMeta; value: string }>): Promise<void> {
    this.requireUnlocked();
    if (!this.cipher) {
      for (const { meta, value } of entries) {
        this.secretCache.set(meta.id, { meta, ciphertext: '' });
        this.memoryValues.set(meta.id, value);
      }
      return;
    }
    const encrypted: StoredSecret[] = [];
    for (const { meta, value } of entries) encrypted.push({ meta, ciphertext: await this.cipher.encrypt(value) });
    for (const stored of encrypted) this.secretCache.set(stored.meta.id, stored);
    this.saveSecrets();
  }

  async readSecret(id: string): Promise<string | null> {
    this.requireUnlocked();
    const memory = this.memoryValues.get(id);
    if (memory !== undefined) return memory;
    const stored = this.secretCache.get(id);
    if (!stored || !stored.ciphertext || !this.cipher) return null;
    try {
      return await this.cipher.decrypt(stored.ciphertext);
    } catch {
      this.logger.warn(`vault: secret ${id} could not be decrypted`);
      throw new KeyportError('STORAGE_UNAVAILABLE', 'A saved secret could not be decrypted.', {
        hint: 'The system key that protects Keyport’s secrets has changed. Remove the secret and save it again.',
      });
    }
  }

  /** Changes a secret's metadata (a pin) without touching its value or re-encrypting it. */
  updateSecretAttributes(id: string, attributes: Record<string, string>): void {
    this.requireUnlocked();
    const stored = this.secretCache.get(id);
    if (!stored) throw new KeyportError('NOT_FOUND', 'That saved secret is no longer in Keyport.');
    this.secretCache.set(id, { ...stored, meta: { ...stored.meta, attributes } });
    if (stored.ciphertext) this.saveSecrets();
  }

  deleteSecret(id: string): void {
    this.memoryValues.delete(id);
    if (this.secretCache.delete(id)) this.saveSecrets();
  }

  // Settings ------------------------------------------------------------------------------

  settings(): Settings {
    return { ...this.settingsCache };
  }

  updateSettings(changes: Partial<Settings>): Settings {
    this.settingsCache = settingsSchema.parse({ ...this.settingsCache, ...changes });
    this.store.set(KEYS.settings, this.settingsCache);
    return this.settings();
  }

  // Loading and saving ---------------------------------------------------------------------

  private saveSecrets(): void {
    const persisted: Record<string, StoredSecret> = {};
    for (const [id, stored] of this.secretCache) if (stored.ciphertext) persisted[id] = stored;
    this.store.set(KEYS.secrets, persisted);
  }

  private loadList<T>(key: string, schema: z.ZodType<T>): T[] {
    const raw = this.store.get(key);
    if (!Array.isArray(raw)) return [];
    const items: T[] = [];
    for (const item of raw) {
      const parsed = schema.safeParse(item);
      if (parsed.success) items.push(parsed.data);
      else this.logger.warn(`vault: ignored an unreadable entry in "${key}"`);
    }
    return items;
  }

  private loadSecrets(): Map<string, StoredSecret> {
    const map = new Map<string, StoredSecret>();
    for (const [id, value] of Object.entries(asObject(this.store.get(KEYS.secrets)))) {
      const parsed = storedSecretSchema.safeParse(value);
      if (parsed.success && parsed.data.meta.id === id) map.set(id, parsed.data);
      else this.logger.warn('vault: ignored an unreadable secret entry');
    }
    return map;
  }
}

const wrongPassphrase = (message: string) =>
  new KeyportError('AUTH_FAILED', message, { hint: 'Passphrases are case-sensitive. Keyport cannot recover a forgotten one.', field: 'passphrase' });

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Stored settings, one field at a time: a field an older Keyport did not have (or a newer one
 * removed) or that does not validate falls back to its default, and the others are kept. That
 * is the whole migration story for settings: fields are only ever added with a default. */
export function loadSettings(stored: unknown): Settings {
  const raw = asObject(stored);
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, schema] of Object.entries(settingsSchema.shape)) {
    const parsed = schema.safeParse(raw[key]);
    if (parsed.success) settings[key] = parsed.data;
  }
  return settings as unknown as Settings;
}
