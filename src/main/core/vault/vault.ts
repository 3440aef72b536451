import { z } from 'zod';
import type { Settings, StorageStatus } from '../../../shared/model';
import { settingsSchema } from '../../../shared/schemas';
import { KeyportError } from '../errors';
import type { Cipher, KeyValueStore, Logger } from '../ports';
import { serverRecordSchema, storedSecretSchema, type SecretMeta, type SecretPurpose, type ServerRecord, type StoredSecret } from './records';

export const DEFAULT_SETTINGS: Settings = { clipboardClearSeconds: 30, requestTimeoutSeconds: 15 };

const KEYS = { version: 'version', servers: 'servers', secrets: 'secrets', settings: 'settings' } as const;
const STORE_VERSION = 1;

/** Server definitions, settings and secrets. Secrets are stored only as ciphertext from the
 * Cipher port; when the cipher cannot protect them (no keyring), they live in memory for this
 * session only and `storage()` says so, so the UI can tell the person. */
export class Vault {
  private readonly serverCache: ServerRecord[];
  private readonly secretCache: Map<string, StoredSecret>;
  private readonly memoryValues = new Map<string, string>();
  private settingsCache: Settings;
  private readonly store: KeyValueStore;
  private readonly cipher: Cipher;
  private readonly logger: Logger;

  constructor(store: KeyValueStore, cipher: Cipher, logger: Logger) {
    this.store = store;
    this.cipher = cipher;
    this.logger = logger;
    this.serverCache = this.loadList(KEYS.servers, serverRecordSchema);
    this.secretCache = this.loadSecrets();
    const settings = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...asObject(store.get(KEYS.settings)) });
    this.settingsCache = settings.success ? settings.data : { ...DEFAULT_SETTINGS };
    if (store.get(KEYS.version) !== STORE_VERSION) store.set(KEYS.version, STORE_VERSION);
  }

  storage(): StorageStatus {
    const status = this.cipher.status();
    if (status.available) return { persistent: true, backend: status.backend };
    return {
      persistent: false,
      backend: status.backend,
      reason: status.reason ?? 'Secrets cannot be encrypted on this system, so they are kept for this session only.',
    };
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
    const storage = this.storage();
    if (!storage.persistent) {
      if (options.requirePersistent) {
        throw new KeyportError('STORAGE_UNAVAILABLE', 'Keyport cannot save secrets on this system.', { hint: storage.reason });
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

  async readSecret(id: string): Promise<string | null> {
    const memory = this.memoryValues.get(id);
    if (memory !== undefined) return memory;
    const stored = this.secretCache.get(id);
    if (!stored || !stored.ciphertext) return null;
    try {
      return await this.cipher.decrypt(stored.ciphertext);
    } catch {
      this.logger.warn(`vault: secret ${id} could not be decrypted`);
      throw new KeyportError('STORAGE_UNAVAILABLE', 'A saved secret could not be decrypted.', {
        hint: 'The system key that protects Keyport’s secrets has changed. Remove the secret and save it again.',
      });
    }
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

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

