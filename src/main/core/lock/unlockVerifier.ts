import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { derivePassphraseKey, newPassphraseParams, passphraseParamsSchema } from '../vault/passphraseKey';

/** scrypt cost of the unlock secret's verifier: OWASP's minimum for stored passwords (N=2^17,
 * r=8, p=1; 128 MiB and about half a second per guess). Stored beside the salt, so it can be
 * raised later without breaking a verifier written today. */
export const UNLOCK_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

/** What is stored of the unlock passphrase or PIN: a salted scrypt hash, never the secret. */
export const unlockVerifierSchema = passphraseParamsSchema.extend({ hash: z.string().min(40).max(100) });
export type UnlockVerifier = z.infer<typeof unlockVerifierSchema>;

export async function createUnlockVerifier(secret: string, cost: { N: number; r: number; p: number } = UNLOCK_SCRYPT): Promise<UnlockVerifier> {
  const params = newPassphraseParams(cost);
  return { ...params, hash: (await derivePassphraseKey(secret, params)).toString('base64') };
}

/** True when `secret` is the one the verifier was made from. The hashes are compared in
 * constant time, so how long a refusal takes says nothing about how close a guess was. */
export async function matchesUnlockVerifier(secret: string, verifier: UnlockVerifier): Promise<boolean> {
  const expected = Buffer.from(verifier.hash, 'base64');
  const actual = await derivePassphraseKey(secret, verifier);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
