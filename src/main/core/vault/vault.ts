import { z } from 'zod';
import type { Settings, StorageMode, StorageStatus } from '../../../shared/model';
import { settingsSchema } from '../../../shared/schemas';
import { KeyportError } from '../errors';
import type { Cipher, KeyValueStore, Logger } from '../ports';
import { createAesCipher } from './aesCipher';
import { DEFAULT_SCRYPT, derivePassphraseKey, newPassphraseParams, passphraseParamsSchema } from './passphraseKey';
import { migrateStore } from './migrations/index';
import { damagedVault } from './vaultFile';
import { STORE_KEYS } from '../storeKeys';
import { SecretsByServer } from './secretsByServer';
import { completeMeta, parseStoredSecret, serverRecordSchema, type NewSecretMeta, type SecretMeta, type SecretPurpose, type ServerRecord, type StoredSecret } from './records';

export const DEFAULT_SETTINGS: Settings = { clipboardClearSeconds: 30, requestTimeoutSeconds: 15, idleLockMinutes: 15, theme: 'system', reminderDays: [30, 7], defaultCopyFormats: {} };

const KEYS = { servers: STORE_KEYS.servers, secrets: STORE_KEYS.secrets, settings: STORE_KEYS.settings, policy: STORE_KEYS.storagePolicy, unreadable: STORE_KEYS.unreadable } as const;
/** Encrypted with the passphrase key: decrypting it proves the passphrase before any secret is
 * touched (GCM's tag makes a wrong key fail, never decrypt to garbage). */
const CHECK_PLAINTEXT = 'keyport-vault-check-v1';

const storagePolicySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('passphrase'), params: passphraseParamsSchema, check: z.string() }),
  z.object({ mode: z.literal('session') }),
]);
type StoragePolicy = z.infer<typeof storagePolicySchema>;

/** A saved server or secret that no longer validates (hand-edited, written by a newer Keyport,
 * damaged). It is kept as it was, under the file's `unreadable` key, until the person exports
 * or deletes it: never dropped by an ordinary write. */
const quarantinedItemSchema = z.object({ from: z.enum(['servers', 'secrets', 'unreadable']), key: z.string().optional(), value: z.unknown() });
type QuarantinedItem = z.infer<typeof quarantinedItemSchema>;

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
  private readonly secretCache: SecretsByServer;
  private readonly memoryValues = new Map<string, string>();
  /** Decrypted sessions, by their stored record: a server's session is read for every request
   * to it, and decrypting it each time cost more than the rest of the core's work on a short
   * list (bench 5a). A renewed or replaced session is a new record, so a stale value is never
   * found; locking drops them all. */
  private decryptedSessions = new WeakMap<StoredSecret, string>();
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
  private quarantine: QuarantinedItem[] = [];
  /** Whether the file's servers, secrets and unreadable keys are as this vault holds them, so a
   * change to some secrets can be written as those entries alone. False after an open that set
   * something aside, until the next whole write moves it to `unreadable`. */
  private layoutSaved = false;
  /** Async changes (encrypting, re-encrypting, unlocking) run one at a time, so that one never
   * writes a snapshot taken before another's change. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(store: KeyValueStore, osCipher: Cipher, logger: Logger, options: VaultOptions = {}) {
    this.store = store;
    this.osCipher = osCipher;
    this.logger = logger;
    this.scryptCost = options.scryptCost ?? DEFAULT_SCRYPT;
    const storedPolicy = store.get(KEYS.policy);
    const parsedPolicy = storagePolicySchema.safeParse(storedPolicy);
    if (storedPolicy !== undefined && !parsedPolicy.success) {
      // Opening as "undecided" would let a new choice re-encrypt every secret it cannot read
      // as nothing: refuse, and keep a copy.
      throw damagedVault('Keyport’s vault is damaged: the setting that says how your secrets are protected (storagePolicy) cannot be read', store.backUp?.() ?? null);
    }
    this.policy = parsedPolicy.success ? parsedPolicy.data : null;
    migrateStore(store);
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
    this.quarantine = loadQuarantine(store.get(KEYS.unreadable));
    const quarantined = this.quarantine.length;
    this.serverCache = this.loadServers();
    this.secretCache = this.loadSecrets();
    this.layoutSaved = this.quarantine.length === quarantined;
    this.settingsCache = loadSettings(store.get(KEYS.settings));
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
    this.decryptedSessions = new WeakMap();
    if (!this.storage().persistent) {
      // Session-only secrets exist nowhere else: locking forgets them.
      for (const [id, stored] of this.secretCache) if (!stored.ciphertext) this.secretCache.delete(id);
    }
    if (this.mode === 'passphrase') this.cipher = null;
    this.locked = true;
  }

  /** Unlocks: with the passphrase in passphrase mode, without one otherwise. */
  unlock(passphrase?: string): Promise<void> {
    return this.exclusive(() => this.unlockNow(passphrase));
  }

  private async unlockNow(passphrase?: string): Promise<void> {
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
      this.locked = false;
      if (weakerThan(this.policy.params, this.scryptCost)) await this.strengthenPassphraseKey(passphrase);
      return;
    }
    this.locked = false;
  }

  /** A vault protected with older, cheaper scrypt parameters is re-encrypted with the current
   * ones right after an unlock proved the passphrase: one atomic write, so a crash leaves the
   * old protection or the new. If any secret cannot be decrypted, nothing changes. */
  private async strengthenPassphraseKey(passphrase: string): Promise<void> {
    try {
      await this.protectWithPassphrase(passphrase, await this.allPlaintexts());
    } catch (error) {
      this.logger.warn(`vault: kept the older passphrase parameters (${error instanceof KeyportError ? error.code : 'error'})`);
    }
  }

  /** Protects secrets with a (new) passphrase: every secret is re-encrypted and written in one
   * atomic write together with the new policy, so a crash leaves the old state or the new. */
  usePassphrase(passphrase: string): Promise<void> {
    return this.exclusive(async () => {
      this.requireChoice();
      await this.protectWithPassphrase(passphrase, await this.allPlaintexts());
    });
  }

  private async protectWithPassphrase(passphrase: string, plaintexts: ReadonlyMap<string, string>): Promise<void> {
    const params = newPassphraseParams(this.scryptCost);
    const cipher = createAesCipher(await derivePassphraseKey(passphrase, params), 'passphrase (scrypt + AES-256-GCM)');
    const next = new Map<string, StoredSecret>();
    for (const [id, { meta }] of this.secretCache) {
      const value = plaintexts.get(id);
      // allPlaintexts has every value or refused; a missing one would be saved as "".
      if (value === undefined) throw new KeyportError('INTERNAL', 'A saved secret was not read before re-encrypting.');
      next.set(id, { meta, ciphertext: await cipher.encrypt(value) });
    }
    const policy: StoragePolicy = { mode: 'passphrase', params, check: await cipher.encrypt(CHECK_PLAINTEXT) };
    this.store.setMany({ [KEYS.secrets]: this.secretsForFile(next), [KEYS.unreadable]: this.quarantine, [KEYS.policy]: policy });
    this.replaceSecrets(next, new Map());
    this.policy = policy;
    this.mode = 'passphrase';
    this.cipher = cipher;
  }

  /** Keeps secrets in memory only from now on; what was on disk is decrypted into memory and
   * removed from the file in one write. */
  useSessionOnly(): Promise<void> {
    return this.exclusive(async () => {
      this.requireChoice();
      const plaintexts = await this.allPlaintexts();
      const policy: StoragePolicy = { mode: 'session' };
      this.store.setMany({ [KEYS.secrets]: this.secretsForFile(new Map()), [KEYS.unreadable]: this.quarantine, [KEYS.policy]: policy });
      const next = new Map<string, StoredSecret>();
      for (const [id, { meta }] of this.secretCache) next.set(id, { meta, ciphertext: '' });
      this.replaceSecrets(next, plaintexts);
      this.policy = policy;
      this.mode = 'session';
      this.cipher = null;
    });
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
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

  /** Every secret's value, for re-encrypting them all. Refuses (and so changes nothing) while
   * any saved secret cannot be decrypted: re-encrypting it would replace it with nothing. */
  private async allPlaintexts(): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    let unreadable = 0;
    for (const id of this.secretCache.keys()) {
      let value: string | null;
      try {
        value = await this.readSecret(id);
      } catch {
        value = null;
      }
      if (value === null) unreadable++;
      else values.set(id, value);
    }
    if (unreadable > 0) {
      throw new KeyportError('STORAGE_UNAVAILABLE', `${unreadable === 1 ? '1 saved secret' : `${unreadable} saved secrets`} cannot be decrypted, so Keyport did not change how secrets are protected: that would lose ${unreadable === 1 ? 'it' : 'them'}.`, {
        hint: 'Start Keyport where the keyring or passphrase they were saved with is available, or remove those secrets (sign out, forget saved tokens) first.',
      });
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

  /** Adds or replaces a server. Names are unique (ignoring case): the check is part of the
   * write, so callers that checked earlier and awaited since cannot both add one name. */
  putServer(record: ServerRecord): void {
    const clash = this.serverCache.find((s) => s.id !== record.id && s.name.toLocaleLowerCase() === record.name.toLocaleLowerCase());
    if (clash) throw serverNameTaken(record.name);
    const next = [...this.serverCache];
    const index = next.findIndex((s) => s.id === record.id);
    if (index >= 0) next[index] = record;
    else next.push(record);
    this.saveServers(next);
    this.serverCache.splice(0, this.serverCache.length, ...next);
  }

  removeServer(id: string): void {
    const index = this.serverCache.findIndex((s) => s.id === id);
    if (index < 0) return;
    this.saveServers(this.serverCache.filter((s) => s.id !== id));
    this.serverCache.splice(index, 1);
    for (const meta of this.secrets({ serverId: id })) {
      this.secretCache.delete(meta.id);
      this.memoryValues.delete(meta.id);
    }
    this.saveSecrets();
  }

  // Secrets -------------------------------------------------------------------------------

  secrets(filter: { serverId?: string; purpose?: SecretPurpose } = {}): SecretMeta[] {
    const result: SecretMeta[] = [];
    if (filter.serverId !== undefined) {
      // The index has each server's secrets of each purpose: a server's session is found without
      // a walk over its 10,000 saved tokens.
      for (const { meta } of this.secretCache.ofServer(filter.serverId, filter.purpose)) result.push(meta);
      return result;
    }
    for (const { meta } of this.secretCache.values()) {
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
  putSecret(meta: NewSecretMeta, value: string, options: { requirePersistent?: boolean } = {}): Promise<void> {
    return this.exclusive(() => this.putSecretNow(completeMeta(meta), value, options));
  }

  private async putSecretNow(meta: SecretMeta, value: string, options: { requirePersistent?: boolean }): Promise<void> {
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
    this.saveSecretEntries([meta.id]);
  }

  /** Stores several secrets in one write, so a crash leaves all of them or none (a rotated
   * refresh token and the access token issued with it). */
  putSecrets(entries: ReadonlyArray<{ meta: NewSecretMeta; value: string }>): Promise<void> {
    return this.exclusive(() => this.putSecretsNow(entries.map(({ meta, value }) => ({ meta: completeMeta(meta), value }))));
  }

  private async putSecretsNow(entries: ReadonlyArray<{ meta: SecretMeta; value: string }>): Promise<void> {
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
    this.saveSecretEntries(encrypted.map((stored) => stored.meta.id));
  }

  async readSecret(id: string): Promise<string | null> {
    this.requireUnlocked();
    const memory = this.memoryValues.get(id);
    if (memory !== undefined) return memory;
    const stored = this.secretCache.get(id);
    if (!stored || !stored.ciphertext || !this.cipher) return null;
    const decrypted = this.decryptedSessions.get(stored);
    if (decrypted !== undefined) return decrypted;
    try {
      const value = await this.cipher.decrypt(stored.ciphertext);
      // Not if Keyport locked meanwhile, or the session changed while it was decrypted.
      if (stored.meta.purpose === 'session' && !this.locked && this.secretCache.get(id) === stored) this.decryptedSessions.set(stored, value);
      return value;
    } catch {
      this.logger.warn(`vault: secret ${id} could not be decrypted`);
      throw new KeyportError('STORAGE_UNAVAILABLE', 'A saved secret could not be decrypted.', {
        hint: 'The system key that protects Keyport’s secrets has changed. Remove the secret and save it again.',
      });
    }
  }

  /** Changes some of a secret's metadata (a pin, delivery targets) without touching its value or
   * re-encrypting it; never its id or server. */
  updateSecretMeta(id: string, changes: Partial<Pick<SecretMeta, 'pinned' | 'expiresAt' | 'deliveryTargets' | 'rotatedTo' | 'attributes'>>): void {
    this.requireUnlocked();
    const stored = this.secretCache.get(id);
    if (!stored) throw new KeyportError('NOT_FOUND', 'That saved secret is no longer in Keyport.');
    this.secretCache.set(id, { ...stored, meta: { ...stored.meta, ...changes } });
    if (stored.ciphertext) this.saveSecretEntries([id]);
  }

  /** Changes the attributes of several secrets in one write: matching a 10,000-token list with
   * its saved copies must not rewrite the vault once per copy. */
  updateManySecretAttributes(changes: ReadonlyMap<string, Record<string, string>>): void {
    if (changes.size === 0) return;
    this.requireUnlocked();
    for (const id of changes.keys()) if (!this.secretCache.has(id)) throw new KeyportError('NOT_FOUND', 'That saved secret is no longer in Keyport.');
    const persisted: string[] = [];
    for (const [id, attributes] of changes) {
      const stored = this.secretCache.get(id) as StoredSecret;
      this.secretCache.set(id, { ...stored, meta: { ...stored.meta, attributes } });
      if (stored.ciphertext) persisted.push(id);
    }
    // Those entries alone: a first list of 10,000 saved copies appended every secret of the vault.
    if (persisted.length > 0) this.saveSecretEntries(persisted);
  }

  deleteSecret(id: string): void {
    this.memoryValues.delete(id);
    if (this.secretCache.delete(id)) this.saveSecretEntries([id]);
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

  // Saved items that could not be read -----------------------------------------------------

  /** How many saved servers and secrets could not be read and are kept aside. */
  unreadableCount(): number {
    return this.quarantine.length;
  }

  /** The unreadable items as they are in the file (ciphertexts stay ciphertexts), as JSON. */
  exportUnreadable(): string {
    return `${JSON.stringify({ unreadable: this.quarantine }, null, 2)}\n`;
  }

  /** Deletes the unreadable items: the person chose to, after seeing them. */
  deleteUnreadable(): void {
    this.store.setMany({ [KEYS.servers]: this.serverCache, [KEYS.secrets]: this.secretsForFile(this.secretCache), [KEYS.unreadable]: [] });
    this.quarantine = [];
    this.layoutSaved = true;
  }

  // Loading and saving ---------------------------------------------------------------------

  /** Servers and secrets are written together with the quarantine, so an unreadable entry
   * moves from its list to `unreadable` in the same atomic write, never lost in between. */
  private saveServers(servers: readonly ServerRecord[]): void {
    this.store.setMany({ [KEYS.servers]: servers, [KEYS.secrets]: this.secretsForFile(this.secretCache), [KEYS.unreadable]: this.quarantine });
    this.layoutSaved = true;
  }

  private saveSecrets(): void {
    this.store.setMany({ [KEYS.servers]: this.serverCache, [KEYS.secrets]: this.secretsForFile(this.secretCache), [KEYS.unreadable]: this.quarantine });
    this.layoutSaved = true;
  }

  /** Writes the secrets `ids` as they are now (removed, if they are gone or kept in memory
   * only), without going through the other 10,000: the cost of a save is the change. */
  private saveSecretEntries(ids: readonly string[]): void {
    if (!this.layoutSaved || !this.store.setEntries) {
      this.saveSecrets();
      return;
    }
    const put: Record<string, StoredSecret> = {};
    const remove: string[] = [];
    for (const id of ids) {
      const stored = this.secretCache.get(id);
      if (stored?.ciphertext) put[id] = stored;
      else remove.push(id);
    }
    this.store.setEntries(KEYS.secrets, put, remove);
  }

  private secretsForFile(secrets: ReadonlyMap<string, StoredSecret>): Record<string, StoredSecret> {
    const persisted: Record<string, StoredSecret> = {};
    for (const [id, stored] of secrets) if (stored.ciphertext) persisted[id] = stored;
    return persisted;
  }

  private setAside(item: QuarantinedItem): void {
    this.quarantine.push(item);
    this.logger.warn(`vault: kept an unreadable entry of "${item.from}" aside`);
  }

  private loadServers(): ServerRecord[] {
    const raw = this.store.get(KEYS.servers);
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      this.setAside({ from: 'servers', value: raw });
      return [];
    }
    const servers: ServerRecord[] = [];
    for (const item of raw) {
      const parsed = serverRecordSchema.safeParse(item);
      if (parsed.success) servers.push(parsed.data);
      else this.setAside({ from: 'servers', value: item });
    }
    return servers;
  }

  private loadSecrets(): SecretsByServer {
    const map = new SecretsByServer();
    const raw = this.store.get(KEYS.secrets);
    if (raw === undefined) return map;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      this.setAside({ from: 'secrets', value: raw });
      return map;
    }
    // Object.keys, not Object.entries: no [id, value] pair allocated for each of 10,000 secrets.
    const entries = raw as Record<string, unknown>;
    for (const id of Object.keys(entries)) {
      const value = entries[id];
      const parsed = parseStoredSecret(value);
      if (parsed && parsed.meta.id === id) map.set(id, parsed);
      else this.setAside({ from: 'secrets', key: id, value });
    }
    return map;
  }
}

/** The file's `unreadable` list as it is; a damaged list is itself kept as one item. */
function loadQuarantine(raw: unknown): QuarantinedItem[] {
  if (raw === undefined) return [];
  const parsed = z.array(quarantinedItemSchema).safeParse(raw);
  return parsed.success ? parsed.data : [{ from: 'unreadable', value: raw }];
}

/** Stored parameters cheaper than the current ones in any way. */
function weakerThan(stored: { N: number; r: number; p: number }, current: { N: number; r: number; p: number }): boolean {
  return stored.N < current.N || stored.r < current.r || stored.p < current.p;
}

export const serverNameTaken = (name: string) => new KeyportError('CONFLICT', `A server named “${name}” is already in Keyport.`, { hint: 'Choose another name.', field: 'name' });

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
