import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Cipher, CipherStatus } from '../ports';

const VERSION = 'v1';

/** AES-256-GCM with a given 32-byte key: the test cipher (and, later, the passphrase mode's).
 * Output: `v1.<iv>.<tag>.<ciphertext>`, all base64. A wrong key or a tampered byte fails the
 * GCM tag check, so decryption never returns partial or garbled plaintext. */
export function createAesCipher(key: Buffer, backend = 'aes-256-gcm'): Cipher {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key.');
  const status: CipherStatus = { available: true, backend };
  return {
    status: () => status,
    async encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
    },
    async decrypt(ciphertext) {
      const [version, iv, tag, body] = ciphertext.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('Not a Keyport ciphertext.');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}

/** A cipher that reports itself unavailable, for tests of the "cannot protect secrets" path. */
export function createUnavailableCipher(backend: string, reason: string): Cipher {
  const fail = async (): Promise<string> => {
    throw new Error('Encryption is not available.');
  };
  return { status: () => ({ available: false, backend, reason }), encrypt: fail, decrypt: fail };
}
