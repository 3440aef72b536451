import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAesCipher, createUnavailableCipher } from './aesCipher';

const PLAINTEXT = 'eyJhbGciOiJIUzI1NiJ9.fake-secret-\u00e9\u20ac-value';

/** Flips one bit of the base64 field at `index` (1 = iv, 2 = tag, 3 = body) of a v1 ciphertext. */
function tamper(ciphertext: string, index: number): string {
  const parts = ciphertext.split('.');
  const bytes = Buffer.from(parts[index] ?? '', 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64');
  return parts.join('.');
}

async function decryptError(promise: Promise<string>): Promise<Error> {
  try {
    const value = await promise;
    throw new Error(`decrypt returned ${value.length} characters instead of failing`);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return error;
  }
}

describe('createAesCipher', () => {
  it('reports itself available with its backend', () => {
    expect(createAesCipher(randomBytes(32)).status()).toEqual({ available: true, backend: 'aes-256-gcm' });
    expect(createAesCipher(randomBytes(32), 'test backend').status()).toEqual({ available: true, backend: 'test backend' });
  });

  it('round-trips text, including the empty string and non-ASCII', async () => {
    const cipher = createAesCipher(randomBytes(32));
    for (const text of [PLAINTEXT, '', 'a', 'x'.repeat(20_000), '\u{1F511} k\u00e9y']) {
      const ciphertext = await cipher.encrypt(text);
      expect(ciphertext).toMatch(/^v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*$/);
      expect(await cipher.decrypt(ciphertext)).toBe(text);
    }
  });

  it('never contains the plaintext', async () => {
    const ciphertext = await createAesCipher(randomBytes(32)).encrypt(PLAINTEXT);
    expect(ciphertext).not.toContain(PLAINTEXT);
    expect(ciphertext).not.toContain('fake-secret');
    expect(Buffer.from(ciphertext.split('.')[3] ?? '', 'base64').toString('utf8')).not.toContain('fake-secret');
  });

  it('uses a fresh 12-byte IV every time, so equal plaintexts give different ciphertexts', async () => {
    const cipher = createAesCipher(randomBytes(32));
    const ciphertexts = await Promise.all(Array.from({ length: 20 }, () => cipher.encrypt(PLAINTEXT)));
    const ivs = ciphertexts.map((c) => c.split('.')[1] ?? '');
    expect(new Set(ciphertexts).size).toBe(20);
    expect(new Set(ivs).size).toBe(20);
    for (const iv of ivs) expect(Buffer.from(iv, 'base64')).toHaveLength(12);
    for (const c of ciphertexts) expect(await cipher.decrypt(c)).toBe(PLAINTEXT);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createAesCipher(randomBytes(16))).toThrow(/32-byte/);
    expect(() => createAesCipher(randomBytes(33))).toThrow(/32-byte/);
    expect(() => createAesCipher(Buffer.alloc(0))).toThrow(/32-byte/);
  });

  it('fails with a wrong key and gives back no plaintext', async () => {
    const ciphertext = await createAesCipher(randomBytes(32)).encrypt(PLAINTEXT);
    const error = await decryptError(createAesCipher(randomBytes(32)).decrypt(ciphertext));
    expect(error.message).not.toContain('fake-secret');
  });

  it.each([
    ['iv', 1],
    ['tag', 2],
    ['body', 3],
  ])('fails when one bit of the %s is changed', async (_field, index) => {
    const cipher = createAesCipher(randomBytes(32));
    const ciphertext = await cipher.encrypt(PLAINTEXT);
    const error = await decryptError(cipher.decrypt(tamper(ciphertext, index)));
    expect(error.message).not.toContain('fake-secret');
    // The original still decrypts: the failure was the tampering.
    expect(await cipher.decrypt(ciphertext)).toBe(PLAINTEXT);
  });

  it('fails on a truncated body, a dropped field, another version or plain text', async () => {
    const cipher = createAesCipher(randomBytes(32));
    const ciphertext = await cipher.encrypt(PLAINTEXT);
    const [, iv = '', tag = '', body = ''] = ciphertext.split('.');
    const truncated = ['v1', iv, tag, Buffer.from(body, 'base64').subarray(0, 5).toString('base64')].join('.');
    for (const bad of [truncated, `v1.${iv}.${tag}`, `v2.${iv}.${tag}.${body}`, PLAINTEXT, '', 'v1...']) {
      await decryptError(cipher.decrypt(bad));
    }
  });
});

describe('createUnavailableCipher', () => {
  it('says why it is unavailable and refuses to encrypt or decrypt', async () => {
    const cipher = createUnavailableCipher('basic_text', 'No keyring on this system.');
    expect(cipher.status()).toEqual({ available: false, backend: 'basic_text', reason: 'No keyring on this system.' });
    await expect(cipher.encrypt(PLAINTEXT)).rejects.toThrow('Encryption is not available.');
    await expect(cipher.decrypt('v1.a.b.c')).rejects.toThrow('Encryption is not available.');
  });
});
