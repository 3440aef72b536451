import { z } from 'zod';
import { KeyportError } from '../../errors';

/** What a Tapis session is renewed from: the OAuth client and the latest refresh token, plus
 * when the access token was issued and for how long (a `current` file needs both). Serialized
 * into the vault's credential secret; only this provider reads it. */
export const tapisCredentialSchema = z.object({
  clientName: z.string().nullable(),
  key: z.string().min(1),
  secret: z.string().min(1),
  refreshToken: z.string().min(1),
  /** Unix seconds at which the access token answer arrived (agavepy's created_at). */
  issuedAt: z.number().int(),
  expiresIn: z.number().int().positive(),
});
export type TapisCredential = z.infer<typeof tapisCredentialSchema>;

export const encodeCredential = (credential: TapisCredential): string => JSON.stringify(credential);

export function decodeCredential(text: string | null): TapisCredential {
  if (text !== null) {
    try {
      const parsed = tapisCredentialSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through
    }
  }
  // AUTH_FAILED: the session cannot be renewed from it, so the session service signs out.
  throw new KeyportError('AUTH_FAILED', 'Keyport’s copy of this Tapis session is damaged.', { hint: 'Sign in again.' });
}
