import { safeStorage, type SafeStorage } from 'electron';
import type { Cipher, CipherStatus } from '../core/ports';

type SafeStorageApi = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptStringAsync' | 'decryptStringAsync'>;

export interface SafeStorageCipherOptions {
  safeStorage?: SafeStorageApi;
  platform?: NodeJS.Platform;
}

/** Linux backends that are not encryption: `basic_text` encrypts with a key hard-coded in
 * Chromium, and `unknown` means safeStorage was asked before the app was ready. */
const UNPROTECTED_LINUX_BACKENDS: ReadonlySet<string> = new Set(['basic_text', 'unknown']);

const NO_KEYRING_REASON =
  "Your system has no keyring (Linux 'basic_text' backend), so Keyport cannot encrypt secrets at rest. " +
  'Secrets are kept for this session only.';
const NOT_READY_REASON =
  'Keyport could not find out which keyring your system uses, so it cannot encrypt secrets at rest. ' +
  'Secrets are kept for this session only.';
const UNAVAILABLE_REASON =
  "Your system's keyring is not available (it may be locked or missing), so Keyport cannot encrypt secrets at rest. " +
  'Secrets are kept for this session only.';

/** The Cipher port on Electron's safeStorage (Keychain, DPAPI, libsecret/KWallet). Call it
 * after `app.whenReady()`: it asks safeStorage once whether encryption is available, so that
 * `status()` can answer synchronously afterwards. Ciphertext travels as base64. */
export async function createSafeStorageCipher(options: SafeStorageCipherOptions = {}): Promise<Cipher> {
  const storage = options.safeStorage ?? safeStorage;
  const status = await probe(storage, options.platform ?? process.platform);

  const requireAvailable = () => {
    // Never hand back "ciphertext" that is not protected: the vault must keep the secret in
    // memory instead.
    if (!status.available) throw new Error(status.reason ?? UNAVAILABLE_REASON);
  };

  return {
    status: () => ({ ...status }),
    async encrypt(plaintext) {
      requireAvailable();
      const encrypted = await storage.encryptStringAsync(plaintext);
      return encrypted.toString('base64');
    },
    async decrypt(ciphertext) {
      requireAvailable();
      if (!isBase64(ciphertext)) throw new Error('The stored secret is damaged and cannot be decrypted.');
      // `shouldReEncrypt` is not acted on here: the port returns plaintext only (see report).
      const { result } = await storage.decryptStringAsync(Buffer.from(ciphertext, 'base64'));
      return result;
    },
  };
}

async function probe(storage: SafeStorageApi, platform: NodeJS.Platform): Promise<CipherStatus> {
  const backend = backendName(storage, platform);
  let available: boolean;
  try {
    available = await storage.isAsyncEncryptionAvailable();
  } catch {
    available = false;
  }
  if (platform === 'linux' && UNPROTECTED_LINUX_BACKENDS.has(backend)) {
    return { available: false, backend, reason: backend === 'basic_text' ? NO_KEYRING_REASON : NOT_READY_REASON };
  }
  if (!available) return { available: false, backend, reason: UNAVAILABLE_REASON };
  return { available: true, backend };
}

function backendName(storage: SafeStorageApi, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'keychain';
  if (platform === 'win32') return 'dpapi';
  if (platform === 'linux') return storage.getSelectedStorageBackend();
  return 'unknown';
}

function isBase64(value: string): boolean {
  return value.length > 0 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}
