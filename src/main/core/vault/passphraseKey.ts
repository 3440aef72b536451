import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** scrypt parameters, stored beside the salt so they can be raised later without breaking old
 * vaults. N=2^17, r=8, p=1 (128 MiB, a few tenths of a second): OWASP's minimum for scrypt. A
 * vault written with cheaper parameters (Keyport before 0.2 used N=2^15) is re-encrypted with
 * these at its next unlock (Vault.unlock). */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

export const passphraseParamsSchema = z.object({
  kdf: z.literal('scrypt'),
  salt: z.string().min(16),
  N: z.number().int().min(2 ** 10).max(2 ** 22),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
});
export type PassphraseParams = z.infer<typeof passphraseParamsSchema>;

export function newPassphraseParams(cost: { N: number; r: number; p: number } = DEFAULT_SCRYPT): PassphraseParams {
  return { kdf: 'scrypt', salt: randomBytes(16).toString('base64'), ...cost };
}

/** Derives the 32-byte AES-256-GCM key from a passphrase. */
export function derivePassphraseKey(passphrase: string, params: PassphraseParams): Promise<Buffer> {
  // Node refuses scrypt above maxmem (32 MiB by default); N=2^17, r=8 needs 128*N*r = 128 MiB.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), 32, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
