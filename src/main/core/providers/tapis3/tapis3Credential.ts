import { z } from 'zod';
import { KeyportError } from '../../errors';

/** What a Tapis v3 session is renewed from: the OAuth client and the latest refresh token.
 * Serialized into the vault's credential secret; only this provider reads it. */
export const tapis3CredentialSchema = z.object({
  clientId: z.string().min(1),
  clientKey: z.string().min(1),
  refreshToken: z.string().min(1),
});
export type Tapis3Credential = z.infer<typeof tapis3CredentialSchema>;

export const encodeTapis3Credential = (credential: Tapis3Credential): string => JSON.stringify(credential);

export function decodeTapis3Credential(text: string | null): Tapis3Credential {
  if (text !== null) {
    try {
      const parsed = tapis3CredentialSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through
    }
  }
  // AUTH_FAILED: the session cannot be renewed from it, so the session service signs out.
  throw new KeyportError('AUTH_FAILED', 'Keyport’s copy of this Tapis session is damaged.', { hint: 'Sign in again.' });
}
