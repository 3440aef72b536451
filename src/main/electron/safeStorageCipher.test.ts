import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createSafeStorageCipher } from './safeStorageCipher';

/** A stand-in for Electron's safeStorage: "encrypts" by XOR so ciphertext differs from the
 * plaintext and round-trips, which is all the adapter can observe. */
const { safeStorage, state } = vi.hoisted(() => {
  const xor = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ 0x5a));
  const state = { backend: 'gnome_libsecret', available: true };
  const safeStorage = {
    isAsyncEncryptionAvailable: vi.fn(async () => state.available),
    getSelectedStorageBackend: vi.fn(() => state.backend),
    encryptStringAsync: vi.fn(async (plain: string) => xor(Buffer.from(plain, 'utf8'))),
    decryptStringAsync: vi.fn(async (encrypted: Buffer) => ({ shouldReEncrypt: false, result: xor(encrypted).toString('utf8') })),
  };
  return { safeStorage, state };
});

vi.mock('electron', () => ({ safeStorage }));

beforeEach(() => {
  vi.clearAllMocks();
  state.backend = 'gnome_libsecret';
  state.available = true;
});

describe('createSafeStorageCipher', () => {
  it("is unavailable on Linux's basic_text backend, says why, and refuses to encrypt", async () => {
    state.backend = 'basic_text';
    const cipher = await createSafeStorageCipher({ platform: 'linux' });
    const status = cipher.status();
    expect(status).toMatchObject({ available: false, backend: 'basic_text' });
    expect(status.reason).toContain('no keyring');
    expect(status.reason).toContain('session only');
    await expect(cipher.encrypt('s3cret')).rejects.toThrow(/cannot encrypt/);
    await expect(cipher.decrypt('AAAA')).rejects.toThrow();
    expect(safeStorage.encryptStringAsync).not.toHaveBeenCalled();
  });

  it("is unavailable when the Linux backend is still 'unknown' (asked before ready)", async () => {
    state.backend = 'unknown';
    const cipher = await createSafeStorageCipher({ platform: 'linux' });
    expect(cipher.status()).toMatchObject({ available: false, backend: 'unknown' });
    await expect(cipher.encrypt('s3cret')).rejects.toThrow();
  });

  it('is unavailable when safeStorage says encryption is not available', async () => {
    state.available = false;
    const cipher = await createSafeStorageCipher({ platform: 'win32' });
    expect(cipher.status()).toMatchObject({ available: false, backend: 'dpapi' });
    expect(cipher.status().reason).toBeTruthy();
    await expect(cipher.encrypt('s3cret')).rejects.toThrow();
  });

  it('round-trips through safeStorage as base64 when a keyring is available', async () => {
    const cipher = await createSafeStorageCipher({ platform: 'linux' });
    expect(cipher.status()).toEqual({ available: true, backend: 'gnome_libsecret' });
    const ciphertext = await cipher.encrypt('tok_ABC 123 ✓');
    expect(ciphertext).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(ciphertext, 'base64').toString('utf8')).not.toContain('tok_ABC');
    expect(safeStorage.encryptStringAsync).toHaveBeenCalledWith('tok_ABC 123 ✓');
    await expect(cipher.decrypt(ciphertext)).resolves.toBe('tok_ABC 123 ✓');
  });

  it('names the macOS backend and does not ask for a Linux backend there', async () => {
    const cipher = await createSafeStorageCipher({ platform: 'darwin' });
    expect(cipher.status()).toEqual({ available: true, backend: 'keychain' });
    expect(safeStorage.getSelectedStorageBackend).not.toHaveBeenCalled();
  });

  it('rejects ciphertext that is not base64 without calling safeStorage', async () => {
    const cipher = await createSafeStorageCipher({ platform: 'linux' });
    await expect(cipher.decrypt('not base64!')).rejects.toThrow(/damaged/);
    expect(safeStorage.decryptStringAsync).not.toHaveBeenCalled();
  });
});
