import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyportError } from '../errors';
import type { Cipher } from '../ports';
import { mapStore, recordingLogger, testMeta as meta, testServer as server } from '../../../../test/support/vaultTesting';
import { createAesCipher, createUnavailableCipher } from './aesCipher';
import { STORE_VERSION } from './migrations/index';
import { DEFAULT_SETTINGS, loadSettings, Vault } from './vault';
import { openVaultFile, readVaultContents, type VaultFile } from './vaultFile';

const SECRET = 'fake-secret-Zq8v\u00e9-value';
const OTHER_SECRET = 'fake-secret-other-77';
const REASON = 'Your system has no keyring, so Keyport cannot encrypt secrets at rest.';

const dirs: string[] = [];
const stores: VaultFile[] = [];
afterEach(async () => {
  // A removal compacts the log in the background: let it finish before the folder goes.
  for (const store of stores.splice(0)) await store.settled();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface FileStore {
  store: VaultFile;
  path: string;
  dir: string;
  text(): string;
}

/** The real store on a file in a temporary folder (or in `dir`, to reopen it as after a restart). */
function fileStore(dir?: string): FileStore {
  const cwd = dir ?? mkdtempSync(join(tmpdir(), 'keyport-vault-'));
  if (!dir) dirs.push(cwd);
  const store = openVaultFile(join(cwd, 'vault.json'));
  stores.push(store);
  return {
    store,
    path: store.path,
    dir: cwd,
    text: () => {
      try {
        return readFileSync(store.path, 'utf8');
      } catch {
        return '';
      }
    },
  };
}

async function keyportError(promise: Promise<unknown>): Promise<KeyportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyportError) return error;
    throw error;
  }
  throw new Error('expected a KeyportError');
}

describe('Vault servers', () => {
  it('puts, gets, replaces and removes servers, and persists the list', () => {
    const { store } = fileStore();
    const vault = new Vault(store, createAesCipher(randomBytes(32)), recordingLogger());
    expect(vault.servers()).toEqual([]);
    vault.putServer(server('a'));
    vault.putServer(server('b'));
    expect(vault.server('a')).toEqual(server('a'));
    expect(vault.servers().map((s) => s.id)).toEqual(['a', 'b']);

    vault.putServer({ ...server('a'), name: 'Renamed' });
    expect(vault.servers().map((s) => [s.id, s.name])).toEqual([
      ['a', 'Renamed'],
      ['b', 'Server b'],
    ]);
    expect(store.get('servers')).toEqual([{ ...server('a'), name: 'Renamed' }, server('b')]);

    vault.removeServer('a');
    expect(vault.servers().map((s) => s.id)).toEqual(['b']);
    expect(store.get('servers')).toEqual([server('b')]);
    // Removing an unknown server is a no-op.
    vault.removeServer('nope');
    expect(vault.servers().map((s) => s.id)).toEqual(['b']);
  });

  it('throws NOT_FOUND with a hint for an unknown server id', () => {
    const vault = new Vault(mapStore(), createAesCipher(randomBytes(32)), recordingLogger());
    let caught: unknown;
    try {
      vault.server('missing');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeyportError);
    expect((caught as KeyportError).toShape()).toEqual({
      code: 'NOT_FOUND',
      message: 'That server is no longer in Keyport.',
      hint: 'Reload the list of servers.',
    });
  });

  it('removing a server deletes its secrets, and only its', async () => {
    const file = fileStore();
    const vault = new Vault(file.store, createAesCipher(randomBytes(32)), recordingLogger());
    vault.putServer(server('a'));
    vault.putServer(server('b'));
    await vault.putSecret(meta('s1', 'a'), SECRET);
    await vault.putSecret(meta('s2', 'a', 'session'), SECRET);
    await vault.putSecret(meta('s3', 'b'), OTHER_SECRET);

    vault.removeServer('a');
    expect(vault.secrets().map((m) => m.id)).toEqual(['s3']);
    expect(vault.secretMeta('s1')).toBeUndefined();
    expect(await vault.readSecret('s1')).toBeNull();
    expect(await vault.readSecret('s3')).toBe(OTHER_SECRET);
    expect(Object.keys(file.store.get('secrets') as object)).toEqual(['s3']);
    // A removal compacts the log in the background: then the removed entries are gone from the file.
    await file.store.settled();
    expect(file.text()).not.toContain('"s1"');
    expect(file.text()).not.toContain('"s2"');
  });
});

describe('Vault secrets with a working cipher', () => {
  it('stores only ciphertext: the value is nowhere in the file', async () => {
    const file = fileStore();
    const vault = new Vault(file.store, createAesCipher(randomBytes(32)), recordingLogger());
    vault.putServer(server('a'));
    await vault.putSecret(meta('s1', 'a'), SECRET);

    expect(vault.storage()).toMatchObject({ persistent: true, backend: 'aes-256-gcm' });
    expect(vault.storage().reason).toBeUndefined();
    const text = file.text();
    expect(text).toContain('"s1"');
    expect(text).toContain('token s1'); // the metadata is there…
    expect(text).not.toContain(SECRET); // …the value is not,
    expect(text).not.toContain('fake-secret');
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
    const stored = (file.store.get('secrets') as Record<string, { ciphertext: string }>).s1;
    expect(stored?.ciphertext).toMatch(/^v1\./); // …only its ciphertext.
    expect(await vault.readSecret('s1')).toBe(SECRET);
  });

  it('lists metadata with filters and deletes secrets from the store', async () => {
    const file = fileStore();
    const vault = new Vault(file.store, createAesCipher(randomBytes(32)), recordingLogger());
    await vault.putSecret(meta('s1', 'a'), SECRET);
    await vault.putSecret(meta('s2', 'a', 'session'), SECRET);
    await vault.putSecret(meta('s3', 'b'), OTHER_SECRET);
    expect(vault.secrets({ serverId: 'a' }).map((m) => m.id)).toEqual(['s1', 's2']);
    expect(vault.secrets({ purpose: 'api-token' }).map((m) => m.id)).toEqual(['s1', 's3']);
    expect(vault.secrets({ serverId: 'a', purpose: 'session' }).map((m) => m.id)).toEqual(['s2']);
    expect(vault.secretMeta('s3')).toEqual(meta('s3', 'b'));

    vault.deleteSecret('s1');
    expect(vault.secretMeta('s1')).toBeUndefined();
    expect(await vault.readSecret('s1')).toBeNull();
    expect(Object.keys(file.store.get('secrets') as object).sort()).toEqual(['s2', 's3']);
  });

  it('decrypts a session once while unlocked, never an API token twice from memory; a renewed session, a deletion or the lock drops it', async () => {
    const aes = createAesCipher(randomBytes(32));
    let decrypts = 0;
    const counting: Cipher = { ...aes, decrypt: (ciphertext) => ((decrypts += 1), aes.decrypt(ciphertext)) };
    const vault = new Vault(fileStore().store, counting, recordingLogger());
    await vault.putSecret(meta('session', 'a', 'session'), SECRET);
    await vault.putSecret(meta('token', 'a'), OTHER_SECRET);
    for (let i = 0; i < 5; i++) expect(await vault.readSecret('session')).toBe(SECRET);
    expect(decrypts).toBe(1);
    // API tokens are read when copied: decrypted each time, kept nowhere.
    for (let i = 0; i < 3; i++) expect(await vault.readSecret('token')).toBe(OTHER_SECRET);
    expect(decrypts).toBe(4);

    await vault.putSecret(meta('session', 'a', 'session'), OTHER_SECRET);
    expect(await vault.readSecret('session')).toBe(OTHER_SECRET);
    expect(decrypts).toBe(5);

    vault.lock();
    await expect(vault.readSecret('session')).rejects.toMatchObject({ code: 'LOCKED' });
    await vault.unlock();
    expect(await vault.readSecret('session')).toBe(OTHER_SECRET);
    expect(decrypts).toBe(6);

    vault.deleteSecret('session');
    expect(await vault.readSecret('session')).toBeNull();
  });

  it('a new Vault over the same file and key reads everything back', async () => {
    const key = randomBytes(32);
    const first = fileStore();
    const vault = new Vault(first.store, createAesCipher(key), recordingLogger());
    vault.putServer(server('a'));
    await vault.putSecret(meta('s1', 'a'), SECRET);
    vault.updateSettings({ clipboardClearSeconds: 45 });

    // A fresh store reads the file from disk, as after a restart.
    const reopened = new Vault(fileStore(first.dir).store, createAesCipher(key), recordingLogger());
    expect(reopened.servers()).toEqual([server('a')]);
    expect(reopened.secretMeta('s1')).toEqual(meta('s1', 'a'));
    expect(await reopened.readSecret('s1')).toBe(SECRET);
    expect(reopened.settings()).toMatchObject({ clipboardClearSeconds: 45, requestTimeoutSeconds: 15 });
  });

  it('saving, changing or deleting one secret writes that secret alone, however many there are', async () => {
    const key = randomBytes(32);
    const cipher = createAesCipher(key);
    const first = fileStore();
    const vault = new Vault(first.store, cipher, recordingLogger());
    vault.putServer(server('a'));
    await vault.putSecrets(Array.from({ length: 500 }, (_, i) => ({ meta: meta(`s${i}`, 'a'), value: SECRET })));
    const lastLine = () => first.text().trimEnd().split('\n').pop() ?? '';

    await vault.putSecret(meta('new', 'a'), OTHER_SECRET);
    expect(JSON.parse(lastLine())).toEqual([['put', 'secrets', 'new', { meta: meta('new', 'a'), ciphertext: expect.any(String) }]]);
    vault.updateSecretMeta('s7', { pinned: true });
    expect(JSON.parse(lastLine())).toEqual([['put', 'secrets', 's7', { meta: { ...meta('s7', 'a'), pinned: true }, ciphertext: expect.any(String) }]]);
    vault.deleteSecret('s8');
    expect(JSON.parse(lastLine())).toEqual([['drop', 'secrets', 's8']]);
    // What a token list learns about some saved copies: those copies alone, in one line, without
    // handing the store every secret to compare.
    const wholeWrites = vi.spyOn(first.store, 'setMany');
    vault.updateManySecretAttributes(new Map<string, Record<string, string>>([['s1', { tokenId: 't1', gone: 'true' }], ['s2', { tokenId: 't2' }]]));
    expect(wholeWrites).not.toHaveBeenCalled();
    expect(JSON.parse(lastLine()).map((op: unknown[]) => op.slice(0, 3))).toEqual([['put', 'secrets', 's1'], ['put', 'secrets', 's2']]);

    const reopened = new Vault(fileStore(first.dir).store, cipher, recordingLogger());
    expect(reopened.secrets()).toHaveLength(500);
    expect(await reopened.readSecret('new')).toBe(OTHER_SECRET);
    expect(reopened.secretMeta('s7')?.pinned).toBe(true);
    expect(reopened.secretMeta('s8')).toBeUndefined();
    expect(reopened.secretMeta('s1')?.attributes).toEqual({ tokenId: 't1', gone: 'true' });
  });

  it('with another key, reading fails with STORAGE_UNAVAILABLE and the log names the id only', async () => {
    const first = fileStore();
    const vault = new Vault(first.store, createAesCipher(randomBytes(32)), recordingLogger());
    await vault.putSecret(meta('s1', 'a'), SECRET);

    const logger = recordingLogger();
    const reopened = new Vault(fileStore(first.dir).store, createAesCipher(randomBytes(32)), logger);
    const error = await keyportError(reopened.readSecret('s1'));
    expect(error.code).toBe('STORAGE_UNAVAILABLE');
    expect(error.hint).toMatch(/Remove the secret and save it again/);
    expect(logger.lines).toEqual(['warn vault: secret s1 could not be decrypted']);
    expect(JSON.stringify(error.toShape())).not.toContain('fake-secret');
  });

  it('writes the store version', () => {
    const store = mapStore();
    new Vault(store, createAesCipher(randomBytes(32)), recordingLogger());
    expect(store.get('version')).toBe(STORE_VERSION);
  });
});

describe('Vault in memory-only mode (cipher unavailable)', () => {
  const unavailable = (): Cipher => createUnavailableCipher('basic_text', REASON);

  it('says secrets are not persistent, and why', () => {
    const vault = new Vault(mapStore(), unavailable(), recordingLogger());
    expect(vault.storage()).toMatchObject({ persistent: false, backend: 'basic_text', reason: REASON });
  });

  it('gives a reason in words even when the cipher has none', () => {
    const cipher: Cipher = { ...unavailable(), status: () => ({ available: false, backend: 'basic_text' }) };
    const storage = new Vault(mapStore(), cipher, recordingLogger()).storage();
    expect(storage.persistent).toBe(false);
    expect(storage.reason).toEqual(expect.stringMatching(/\w+ \w+/));
  });

  it('keeps a secret in memory and writes nothing about it to the store', async () => {
    const file = fileStore();
    const store = mapStore();
    const vault = new Vault(store, unavailable(), recordingLogger());
    const fileVault = new Vault(file.store, unavailable(), recordingLogger());
    const writesBefore = [...store.writes];

    await vault.putSecret(meta('s1', 'a', 'session'), SECRET);
    await fileVault.putSecret(meta('s1', 'a', 'session'), SECRET);

    expect(await vault.readSecret('s1')).toBe(SECRET);
    expect(vault.secrets().map((m) => m.id)).toEqual(['s1']);
    expect(store.writes).toEqual(writesBefore);
    expect(store.get('secrets')).toBeUndefined();
    expect(file.text()).not.toContain('fake-secret');
    expect(file.text()).not.toContain('"s1"');

    // After a restart nothing refers to it.
    const reopened = new Vault(store, unavailable(), recordingLogger());
    expect(reopened.secrets()).toEqual([]);
    expect(await reopened.readSecret('s1')).toBeNull();
  });

  it('refuses with STORAGE_UNAVAILABLE when asked to persist, and keeps nothing', async () => {
    const store = mapStore();
    const vault = new Vault(store, unavailable(), recordingLogger());
    const error = await keyportError(vault.putSecret(meta('s1', 'a'), SECRET, { requirePersistent: true }));
    expect(error.code).toBe('STORAGE_UNAVAILABLE');
    expect(error.hint).toEqual(expect.stringMatching(/\w+ \w+/));
    expect(JSON.stringify(error.toShape())).not.toContain('fake-secret');
    expect(vault.secrets()).toEqual([]);
    expect(await vault.readSecret('s1')).toBeNull();
    expect(store.get('secrets')).toBeUndefined();
  });

  it('deleting a memory-only secret forgets its value', async () => {
    const vault = new Vault(mapStore(), unavailable(), recordingLogger());
    await vault.putSecret(meta('s1', 'a', 'session'), SECRET);
    vault.deleteSecret('s1');
    expect(await vault.readSecret('s1')).toBeNull();
    expect(vault.secrets()).toEqual([]);
  });

  it('removing a server forgets its memory-only secrets', async () => {
    const vault = new Vault(mapStore(), unavailable(), recordingLogger());
    vault.putServer(server('a'));
    await vault.putSecret(meta('s1', 'a', 'session'), SECRET);
    vault.removeServer('a');
    expect(await vault.readSecret('s1')).toBeNull();
  });
});

describe('Vault loading a damaged store', () => {
  const damaged = async (cipher: Cipher) => ({
    servers: [server('a'), { id: 'b', name: 'fake-secret-in-server' }, 'fake-secret-junk', null, 42],
    secrets: {
      good: { meta: meta('good', 'a'), ciphertext: await cipher.encrypt(SECRET) },
      noMeta: { ciphertext: 'fake-secret-ciphertext' },
      badPurpose: { meta: { ...meta('badPurpose', 'a'), purpose: 'fake-secret-purpose' }, ciphertext: 'x' },
      mismatched: { meta: meta('other-id', 'a'), ciphertext: 'x' },
      stringy: 'fake-secret-string',
    },
    settings: { clipboardClearSeconds: 'fake-secret-number', requestTimeoutSeconds: 20 },
  });

  it('sets unreadable entries aside without crashing, counts them, and logs without values', async () => {
    const cipher = createAesCipher(randomBytes(32));
    const logger = recordingLogger();
    const vault = new Vault(mapStore(await damaged(cipher)), cipher, logger);

    expect(vault.servers()).toEqual([server('a')]);
    expect(vault.secrets().map((m) => m.id)).toEqual(['good']);
    expect(await vault.readSecret('good')).toBe(SECRET);
    expect(vault.secretMeta('other-id')).toBeUndefined();
    expect(vault.unreadableCount()).toBe(8);
    // The damaged field falls back to its default; the valid one is kept.
    expect(vault.settings()).toEqual({ ...DEFAULT_SETTINGS, requestTimeoutSeconds: 20 });

    expect(logger.lines.filter((l) => l === 'warn vault: kept an unreadable entry of "servers" aside')).toHaveLength(4);
    expect(logger.lines.filter((l) => l === 'warn vault: kept an unreadable entry of "secrets" aside')).toHaveLength(4);
    expect(logger.lines).toHaveLength(8);
    for (const line of logger.lines) expect(line).not.toContain('fake-secret');
  });

  it('an ordinary write keeps every unreadable entry, byte for byte, under "unreadable"; they stay there across restarts', async () => {
    const key = randomBytes(32);
    const file = fileStore();
    const original = await damaged(createAesCipher(key));
    file.store.setMany(original);
    const vault = new Vault(file.store, createAesCipher(key), recordingLogger());
    vault.putServer(server('c'));
    await vault.putSecret(meta('new', 'c'), OTHER_SECRET);

    const onDisk = readVaultContents(file.path) as { servers: unknown[]; secrets: Record<string, unknown>; unreadable: unknown[] };
    expect(onDisk.servers).toEqual([server('a'), server('c')]);
    expect(Object.keys(onDisk.secrets).sort()).toEqual(['good', 'new']);
    expect(onDisk.unreadable).toEqual([
      { from: 'servers', value: original.servers[1] },
      { from: 'servers', value: 'fake-secret-junk' },
      { from: 'servers', value: null },
      { from: 'servers', value: 42 },
      { from: 'secrets', key: 'noMeta', value: original.secrets.noMeta },
      { from: 'secrets', key: 'badPurpose', value: original.secrets.badPurpose },
      { from: 'secrets', key: 'mismatched', value: original.secrets.mismatched },
      { from: 'secrets', key: 'stringy', value: 'fake-secret-string' },
    ]);

    const reopened = new Vault(fileStore(file.dir).store, createAesCipher(key), recordingLogger());
    expect(reopened.unreadableCount()).toBe(8);
    expect(reopened.servers().map((s) => s.id)).toEqual(['a', 'c']);
    expect(await reopened.readSecret('new')).toBe(OTHER_SECRET);
    reopened.deleteSecret('good');
    expect(readVaultContents(file.path).unreadable).toEqual(onDisk.unreadable);
  });

  it('exports the unreadable entries as they are (no decryption), and deletes them only when asked', async () => {
    const key = randomBytes(32);
    const file = fileStore();
    const original = await damaged(createAesCipher(key));
    file.store.setMany(original);
    const vault = new Vault(file.store, createAesCipher(key), recordingLogger());
    const exported = JSON.parse(vault.exportUnreadable()) as { unreadable: Array<{ from: string; key?: string; value: unknown }> };
    expect(exported.unreadable).toHaveLength(8);
    expect(exported.unreadable).toContainEqual({ from: 'secrets', key: 'noMeta', value: { ciphertext: 'fake-secret-ciphertext' } });
    expect(vault.exportUnreadable()).not.toContain(SECRET);

    vault.deleteUnreadable();
    expect(vault.unreadableCount()).toBe(0);
    const reopened = new Vault(fileStore(file.dir).store, createAesCipher(key), recordingLogger());
    expect(reopened.unreadableCount()).toBe(0);
    expect(reopened.servers()).toEqual([server('a')]);
    expect(await reopened.readSecret('good')).toBe(SECRET);
  });

  it('keeps a list of the wrong shape (and a damaged "unreadable" list) whole, as one unreadable item each', () => {
    const store = mapStore({ servers: { a: server('a') }, secrets: ['x'], unreadable: 'junk', settings: 'fast' });
    const vault = new Vault(store, createAesCipher(randomBytes(32)), recordingLogger());
    expect(vault.servers()).toEqual([]);
    expect(vault.secrets()).toEqual([]);
    expect(vault.settings()).toEqual(DEFAULT_SETTINGS);
    expect(vault.unreadableCount()).toBe(3);
    vault.putServer(server('b'));
    expect(store.get('unreadable')).toEqual([
      { from: 'unreadable', value: 'junk' },
      { from: 'servers', value: { a: server('a') } },
      { from: 'secrets', value: ['x'] },
    ]);
  });

  it('fills missing settings from the defaults', () => {
    const vault = new Vault(mapStore({ settings: { requestTimeoutSeconds: 60 } }), createAesCipher(randomBytes(32)), recordingLogger());
    expect(vault.settings()).toEqual({ ...DEFAULT_SETTINGS, clipboardClearSeconds: 30, requestTimeoutSeconds: 60 });
  });

  it('migrates settings field by field: an older file gains the new fields, a bad or unknown field is dropped alone', () => {
    // As Keyport 0.1 wrote them, before the theme setting existed.
    expect(loadSettings({ clipboardClearSeconds: 45, requestTimeoutSeconds: 20, idleLockMinutes: 0 })).toEqual({ ...DEFAULT_SETTINGS, clipboardClearSeconds: 45, requestTimeoutSeconds: 20, idleLockMinutes: 0 });
    expect(DEFAULT_SETTINGS).toMatchObject({ theme: 'system', reminderDays: [30, 7], defaultCopyFormats: {} });
    expect(loadSettings({ clipboardClearSeconds: 45, theme: 'dark' })).toMatchObject({ clipboardClearSeconds: 45, theme: 'dark' });
    expect(loadSettings({ clipboardClearSeconds: 45, theme: 'purple', removedLongAgo: true })).toEqual({ ...DEFAULT_SETTINGS, clipboardClearSeconds: 45 });
    expect(loadSettings({ idleLockMinutes: -1, theme: 'light' })).toEqual({ ...DEFAULT_SETTINGS, theme: 'light' });
  });

  it('keeps the theme across a restart and refuses an unknown one', () => {
    const store = mapStore({});
    new Vault(store, createAesCipher(randomBytes(32)), recordingLogger()).updateSettings({ theme: 'dark' });
    const reopened = new Vault(store, createAesCipher(randomBytes(32)), recordingLogger());
    expect(reopened.settings().theme).toBe('dark');
    expect(() => reopened.updateSettings({ theme: 'neon' as never })).toThrow();
    expect(reopened.settings().theme).toBe('dark');
  });
});

describe('Vault settings', () => {
  it('defaults to 30 s clipboard clearing and a 15 s request timeout', () => {
    const vault = new Vault(mapStore(), createAesCipher(randomBytes(32)), recordingLogger());
    expect(vault.settings()).toMatchObject({ clipboardClearSeconds: 30, requestTimeoutSeconds: 15 });
    expect(vault.settings()).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toMatchObject({ clipboardClearSeconds: 30, requestTimeoutSeconds: 15 });
  });

  it('updates, validates and persists', () => {
    const store = mapStore();
    const vault = new Vault(store, createAesCipher(randomBytes(32)), recordingLogger());
    const sixty = { ...DEFAULT_SETTINGS, clipboardClearSeconds: 60 };
    expect(vault.updateSettings({ clipboardClearSeconds: 60 })).toEqual(sixty);
    expect(store.get('settings')).toEqual(sixty);

    for (const bad of [{ clipboardClearSeconds: 4 }, { clipboardClearSeconds: 601 }, { requestTimeoutSeconds: 0 }, { requestTimeoutSeconds: 301 }, { clipboardClearSeconds: 7.5 }]) {
      expect(() => vault.updateSettings(bad)).toThrow();
    }
    // A refused update changes nothing, in memory or on disk.
    expect(vault.settings()).toEqual(sixty);
    expect(store.get('settings')).toEqual(sixty);

    const edges = { ...DEFAULT_SETTINGS, clipboardClearSeconds: 5, requestTimeoutSeconds: 300 };
    expect(vault.updateSettings({ clipboardClearSeconds: 5, requestTimeoutSeconds: 300 })).toEqual(edges);
    expect(new Vault(store, createAesCipher(randomBytes(32)), recordingLogger()).settings()).toEqual(edges);
  });

  it('hands out copies, so callers cannot change the settings behind its back', () => {
    const vault = new Vault(mapStore(), createAesCipher(randomBytes(32)), recordingLogger());
    const settings = vault.settings();
    settings.clipboardClearSeconds = 1;
    expect(vault.settings().clipboardClearSeconds).toBe(30);
  });
});
