import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyportError } from '../errors';
import { recordingLogger, testMeta as meta, testServer as server } from '../../../../test/support/vaultTesting';
import { createAesCipher, createUnavailableCipher } from './aesCipher';
import { DEFAULT_SCRYPT } from './passphraseKey';
import { Vault } from './vault';
import { openVaultFile, readVaultContents } from './vaultFile';

/** The passphrase mode's promises: its key derivation, raising it for old vaults, and never
 * re-encrypting what it cannot read. */

const PASSPHRASE = 'correct horse battery staple';
/** What Keyport before 0.2 used for new passphrases. */
const OLD_SCRYPT = { N: 2 ** 15, r: 8, p: 1 };
const noKeyring = () => createUnavailableCipher('basic_text', 'No keyring here.');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
});

function vaultDir(): { dir: string; path: string; text(): string } {
  const dir = mkdtempSync(join(tmpdir(), 'keyport-passphrase-'));
  dirs.push(dir);
  const path = join(dir, 'vault.json');
  return { dir, path, text: () => readFileSync(path, 'utf8') };
}

async function refusal(promise: Promise<unknown>): Promise<KeyportError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof KeyportError)) throw new Error(`expected a KeyportError, got ${String(error)}`);
  return error;
}

const storedPolicy = (path: string) => (readVaultContents(path) as { storagePolicy: { params: { N: number; r: number; p: number; salt: string } } }).storagePolicy;

// scrypt at N=2^17 takes a second or more per derivation on a busy 2-core machine.
describe('passphrase key derivation', { timeout: 30_000 }, () => {
  it('new passphrases use scrypt N=2^17, r=8, p=1 (OWASP), stored with the salt', async () => {
    const file = vaultDir();
    const vault = new Vault(openVaultFile(file.path), noKeyring(), recordingLogger());
    await vault.usePassphrase(PASSPHRASE);
    expect(DEFAULT_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(storedPolicy(file.path).params).toEqual({ kdf: 'scrypt', salt: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/), N: 2 ** 17, r: 8, p: 1 });
    const reopened = new Vault(openVaultFile(file.path), noKeyring(), recordingLogger());
    await reopened.unlock(PASSPHRASE);
    expect(reopened.storage()).toMatchObject({ mode: 'passphrase', locked: false });
  });

  it('a vault written with the old parameters (N=2^15) is re-encrypted with the new ones at its next unlock, losing nothing', async () => {
    const file = vaultDir();
    const old = new Vault(openVaultFile(file.path), noKeyring(), recordingLogger(), { scryptCost: OLD_SCRYPT });
    await old.usePassphrase(PASSPHRASE);
    old.putServer(server('a'));
    await old.putSecret(meta('s1', 'a'), 'fake-secret-one');
    await old.putSecrets([
      { meta: meta('s2', 'a', 'session'), value: 'fake-secret-two' },
      { meta: meta('s3', 'a', 'credential'), value: 'fake-secret-three\u00e9' },
    ]);
    const before = storedPolicy(file.path);
    expect(before.params).toMatchObject(OLD_SCRYPT);

    const vault = new Vault(openVaultFile(file.path), noKeyring(), recordingLogger());
    expect((await refusal(vault.unlock('wrong passphrase'))).code).toBe('AUTH_FAILED');
    expect(storedPolicy(file.path)).toEqual(before);
    await vault.unlock(PASSPHRASE);
    const after = storedPolicy(file.path);
    expect(after.params).toMatchObject({ N: 2 ** 17, r: 8, p: 1 });
    expect(after.params.salt).not.toBe(before.params.salt);
    expect(await vault.readSecret('s1')).toBe('fake-secret-one');

    // A restart: the new parameters open it, and every secret is there.
    const reopened = new Vault(openVaultFile(file.path), noKeyring(), recordingLogger());
    await reopened.unlock(PASSPHRASE);
    expect(reopened.servers()).toEqual([server('a')]);
    expect(await reopened.readSecret('s1')).toBe('fake-secret-one');
    expect(await reopened.readSecret('s2')).toBe('fake-secret-two');
    expect(await reopened.readSecret('s3')).toBe('fake-secret-three\u00e9');
    expect(storedPolicy(file.path)).toEqual(after);
    expect(file.text()).not.toContain('fake-secret');
  });

  it('if a secret cannot be decrypted, the unlock still works and the old protection is kept as it is', async () => {
    const file = vaultDir();
    const old = new Vault(openVaultFile(file.path), noKeyring(), recordingLogger(), { scryptCost: OLD_SCRYPT });
    await old.usePassphrase(PASSPHRASE);
    await old.putSecret(meta('s1', 'a'), 'fake-secret-one');
    await old.putSecret(meta('s2', 'a'), 'fake-secret-two');
    // Another key's ciphertext: well formed, but not decryptable with this passphrase.
    const store = openVaultFile(file.path);
    const secrets = store.get('secrets') as Record<string, { ciphertext: string }>;
    store.set('secrets', { ...secrets, s2: { ...secrets.s2, ciphertext: await createAesCipher(randomBytes(32)).encrypt('x') } });
    const before = file.text();

    const logger = recordingLogger();
    const vault = new Vault(openVaultFile(file.path), noKeyring(), logger);
    await vault.unlock(PASSPHRASE);
    expect(vault.storage().locked).toBe(false);
    expect(await vault.readSecret('s1')).toBe('fake-secret-one');
    expect(file.text()).toBe(before);
    expect(logger.lines).toContain('warn vault: kept the older passphrase parameters (STORAGE_UNAVAILABLE)');
  });
});

describe('a damaged storage policy', () => {
  it.each([
    ['a string', 'passphrase'],
    ['a passphrase policy without its check', { mode: 'passphrase', params: { kdf: 'scrypt', salt: 'c2FsdHNhbHRzYWx0c2FsdA==', N: 2 ** 17, r: 8, p: 1 } }],
    ['scrypt parameters out of range', { mode: 'passphrase', params: { kdf: 'scrypt', salt: 'c2FsdHNhbHRzYWx0c2FsdA==', N: 3, r: 8, p: 1 }, check: 'v1.a.b.c' }],
    ['an unknown mode', { mode: 'later' }],
    ['null', null],
  ])('(%s): the vault refuses to open, the file untouched and copied aside, the message says what to do', async (_name, policy) => {
    const file = vaultDir();
    // Each store is settled and closed before the next opens the file: a background compaction
    // of the first must not land in the middle of what this test checks.
    const store = openVaultFile(file.path);
    const writer = new Vault(store, noKeyring(), recordingLogger(), { scryptCost: { N: 2 ** 10, r: 8, p: 1 } });
    await writer.usePassphrase(PASSPHRASE);
    await writer.putSecret(meta('s1', 'a'), 'fake-secret-one');
    await store.settled();
    store.close();
    const editor = openVaultFile(file.path);
    editor.set('storagePolicy', policy);
    await editor.settled();
    editor.close();
    const before = file.text();

    let error: unknown;
    try {
      new Vault(openVaultFile(file.path, { now: () => new Date('2026-03-01T00:00:00.000Z') }), noKeyring(), recordingLogger());
    } catch (caught) {
      error = caught;
    }
    const backup = join(file.dir, 'vault.json.damaged-2026-03-01T00-00-00-000Z');
    expect(error).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: 'Keyport’s vault is damaged: the setting that says how your secrets are protected (storagePolicy) cannot be read. Keyport did not open it, and changed nothing.',
      hint: `A copy was saved at ${backup}. Restore the vault file from a backup of your own, or move it away to start Keyport with an empty vault (saved servers and secrets are then gone).`,
    });
    expect(file.text()).toBe(before);
    expect(readFileSync(backup, 'utf8')).toBe(before);
    expect(readdirSync(file.dir).sort()).toEqual(['vault.json', 'vault.json.damaged-2026-03-01T00-00-00-000Z']);
  });
});

describe('choosing how secrets are kept never loses one it cannot read', () => {
  /** Secrets saved while a keyring worked, opened where there is none: "undecided", and their
   * ciphertexts cannot be decrypted. */
  async function keyringGone() {
    const file = vaultDir();
    const withKeyring = new Vault(openVaultFile(file.path), createAesCipher(randomBytes(32), 'keychain'), recordingLogger());
    withKeyring.putServer(server('a'));
    await withKeyring.putSecret(meta('s1', 'a'), 'fake-secret-one');
    const vault = new Vault(openVaultFile(file.path), noKeyring(), recordingLogger(), { scryptCost: { N: 2 ** 10, r: 8, p: 1 } });
    expect(vault.storage()).toMatchObject({ mode: 'undecided', locked: false });
    return { file, vault };
  }

  it.each([
    ['usePassphrase', (vault: Vault) => vault.usePassphrase(PASSPHRASE)],
    ['useSessionOnly', (vault: Vault) => vault.useSessionOnly()],
  ])('%s refuses while a saved secret cannot be decrypted, and changes nothing', async (_name, choose) => {
    const { file, vault } = await keyringGone();
    const before = file.text();
    const error = await refusal(choose(vault));
    expect(error).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: '1 saved secret cannot be decrypted, so Keyport did not change how secrets are protected: that would lose it.',
      hint: expect.stringContaining('keyring or passphrase they were saved with'),
    });
    expect(file.text()).toBe(before);
    expect(vault.storage().mode).toBe('undecided');
    expect(vault.secrets().map((m) => m.id)).toEqual(['s1']);
  });

  it('once the unreadable secret is removed, the choice goes through', async () => {
    const { file, vault } = await keyringGone();
    vault.deleteSecret('s1');
    await vault.usePassphrase(PASSPHRASE);
    expect(vault.storage().mode).toBe('passphrase');
    expect(storedPolicy(file.path).params.N).toBe(2 ** 10);
  });
});

describe('changes made while the vault re-encrypts', () => {
  it('a secret saved while the passphrase changes waits its turn, and is kept under the new one', async () => {
    const file = vaultDir();
    const cheap = { scryptCost: { N: 2 ** 14, r: 8, p: 1 } };
    const vault = new Vault(openVaultFile(file.path), noKeyring(), recordingLogger(), cheap);
    await vault.usePassphrase('the first passphrase');
    await vault.putSecret(meta('before', 'a'), 'fake-secret-before');
    // scrypt (N=2^14 here) runs on the thread pool for a while: a save made meanwhile would
    // otherwise land after the change read every value and before it re-encrypted them.
    const changing = vault.usePassphrase(PASSPHRASE);
    const saving = new Promise<void>((resolve, reject) => setImmediate(() => vault.putSecret(meta('during', 'a'), 'fake-secret-during').then(resolve, reject)));
    await Promise.all([changing, saving]);
    const reopened = new Vault(openVaultFile(file.path), noKeyring(), recordingLogger(), cheap);
    await reopened.unlock(PASSPHRASE);
    expect(await reopened.readSecret('before')).toBe('fake-secret-before');
    expect(await reopened.readSecret('during')).toBe('fake-secret-during');
  });
});
