import { z } from 'zod';

/** What the vault persists, validated on every load: a hand-edited or corrupted file yields
 * defaults for the broken part instead of a crash. */
export const serverRecordSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  kind: z.string(),
  url: z.string(),
  allowInsecureTls: z.boolean(),
  caCertificatePath: z.string().nullable(),
  /** Kind-specific settings (Tapis: tenantId). Absent in vaults written before kinds had any. */
  options: z.record(z.string(), z.string()).default({}),
  createdAt: z.string(),
});
export type ServerRecord = z.infer<typeof serverRecordSchema>;

/** Why a secret is kept: a token the person saved, the session of a signed-in server, the
 * credential a session is renewed from (a pasted API token; an OAuth client and refresh token),
 * the account password the person asked Keyport to remember, or a secret setting of the server
 * (an OpenID Connect client secret; the field's id is the secret's name). */
export const secretPurposeSchema = z.enum(['api-token', 'session', 'credential', 'password', 'server-setting']);
export type SecretPurpose = z.infer<typeof secretPurposeSchema>;

export const secretMetaSchema = z.object({
  id: z.string().min(1),
  serverId: z.string().min(1),
  purpose: secretPurposeSchema,
  name: z.string(),
  savedAt: z.string(),
  /** Non-secret facts about the secret, e.g. how the session was obtained and who it is for. */
  attributes: z.record(z.string(), z.string()).default({}),
});
export type SecretMeta = z.infer<typeof secretMetaSchema>;

export const storedSecretSchema = z.object({ meta: secretMetaSchema, ciphertext: z.string() });
export type StoredSecret = z.infer<typeof storedSecretSchema>;
