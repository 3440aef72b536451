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

const STORED_SECRET_KEYS = 2;
const META_KEYS = 6;
const PURPOSES: ReadonlySet<unknown> = new Set(secretPurposeSchema.options);

/** A saved secret as read from the file. The common case, a record exactly as Keyport writes it,
 * is recognised by a direct check (zod costs ~5 µs a record: 50 ms for 10,000 at every start)
 * and kept as it is; anything else goes through the schema, which decides as before (a default
 * filled in, unknown fields dropped, or refused). The direct check accepts only records the
 * schema returns unchanged, so the result is the same either way (records.test.ts). */
export function parseStoredSecret(value: unknown): StoredSecret | null {
  if (isExactStoredSecret(value)) return value;
  const parsed = storedSecretSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function isExactStoredSecret(value: unknown): value is StoredSecret {
  if (!isRecord(value) || Object.keys(value).length !== STORED_SECRET_KEYS || typeof value.ciphertext !== 'string') return false;
  const meta = value.meta;
  if (!isRecord(meta) || Object.keys(meta).length !== META_KEYS) return false;
  return (
    typeof meta.id === 'string' &&
    meta.id !== '' &&
    typeof meta.serverId === 'string' &&
    meta.serverId !== '' &&
    PURPOSES.has(meta.purpose) &&
    typeof meta.name === 'string' &&
    typeof meta.savedAt === 'string' &&
    isStringRecord(meta.attributes)
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

function isStringRecord(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const key in value) if (typeof value[key] !== 'string') return false;
  return true;
}
