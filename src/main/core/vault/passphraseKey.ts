import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** scrypt parameters, stored beside the salt so they can be raised later without breaking old
 * vaults. N=2^15, r=8 (32 MiB, ~0.1 s): OWASP's minimum for scrypt is N=2^17 with r=8 and p=1
 * for password *storage*; a local vault unlocked a few times a day can afford N=2^15 on every
 * machine Electron supports, and a stolen file still costs an attacker 32 MiB per guess. */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

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
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), 32, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
