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

/** One ID token claim as the session view shows it (values already text). */
export const claimSchema = z.object({ name: z.string(), value: z.string() });
export type Claim = z.infer<typeof claimSchema>;

/** A machine and file a saved token (or a session) was delivered to over SSH. */
export const deliveryTargetSchema = z.object({
  id: z.string(),
  /** What the person entered: a host name, an address or an ~/.ssh/config alias. */
  host: z.string(),
  port: z.number().nullable().default(null),
  user: z.string().nullable().default(null),
  path: z.string(),
  format: z.enum(['npmrc', 'env', 'plain', 'session-file']),
  lastDeliveredAt: z.string().nullable().default(null),
  /** SHA-256 of the file as Keyport wrote it last time. */
  sha256: z.string().nullable().default(null),
});
export type DeliveryTarget = z.infer<typeof deliveryTargetSchema>;

/** A saved secret's metadata. Facts Keyport itself reads have typed fields; `attributes` holds
 * the rest as text: what a kind keeps (a client's key, a tenant, the grant's scope) and
 * Keyport's bookkeeping (who is signed in, the token's id on its server). Vaults before
 * layout 2 kept everything in `attributes`: migrations/0001 and 0002 move it. */
export const secretMetaSchema = z.object({
  id: z.string().min(1),
  serverId: z.string().min(1),
  purpose: secretPurposeSchema,
  name: z.string(),
  savedAt: z.string(),
  /** When the token or session expires (ISO 8601, as the server said it), null when unknown or
   * never. Read only through expiryTime: a text that is no time means unknown, and does not
   * make the whole secret unreadable. */
  expiresAt: z.string().nullable().default(null),
  /** Shown in the tray menu (saved tokens). */
  pinned: z.boolean().default(false),
  /** The ID token's claims an OpenID Connect sign-in kept with the session. */
  claims: z.array(claimSchema).nullable().default(null),
  /** Where the token was delivered (read and written only by the delivery service). */
  deliveryTargets: z.array(deliveryTargetSchema).default([]),
  /** On a token being rotated: the saved secret of its replacement, until the rotation is done
   * or rolled back. */
  rotatedTo: z.string().min(1).nullable().default(null),
  /** The create fields (scopes, access, expiry in days…, never a secret) the token was made
   * with, so Rotate makes its successor the same way; null when not recorded. */
  createdWith: z.record(z.string(), z.string()).nullable().default(null),
  attributes: z.record(z.string(), z.string()).default({}),
});
export type SecretMeta = z.infer<typeof secretMetaSchema>;
/** Metadata as callers give it: the typed fields may be left out (their defaults). */
export type NewSecretMeta = z.input<typeof secretMetaSchema>;

/** Fills the typed fields a caller left out. */
export function completeMeta(meta: NewSecretMeta): SecretMeta {
  return {
    ...meta,
    expiresAt: meta.expiresAt ?? null,
    pinned: meta.pinned ?? false,
    claims: meta.claims ?? null,
    deliveryTargets: (meta.deliveryTargets ?? []).map((t) => deliveryTargetSchema.parse(t)),
    rotatedTo: meta.rotatedTo ?? null,
    createdWith: meta.createdWith ?? null,
    attributes: meta.attributes ?? {},
  };
}

/** The one place an expiry is read: milliseconds since the epoch, or null when unknown. */
export function expiryTime(meta: { expiresAt: string | null }): number | null {
  if (meta.expiresAt === null) return null;
  const time = Date.parse(meta.expiresAt);
  return Number.isFinite(time) ? time : null;
}

/** Claims as the OpenID Connect kind hands them over (JSON text of [name, value] pairs, in the
 * SignInResult's `claims` attribute); null when absent or unreadable (a damaged value only hides
 * the claims). */
export function claimsFromText(text: string | undefined): Claim[] | null {
  if (text === undefined) return null;
  try {
    const pairs: unknown = JSON.parse(text);
    if (!Array.isArray(pairs)) return null;
    return pairs.filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string').map(([name, value]) => ({ name, value }));
  } catch {
    return null;
  }
}

export const storedSecretSchema = z.object({ meta: secretMetaSchema, ciphertext: z.string() });
export type StoredSecret = z.infer<typeof storedSecretSchema>;

const STORED_SECRET_KEYS = 2;
const META_KEYS = 12;
const TARGET_KEYS = 8;
const TARGET_FORMATS: ReadonlySet<unknown> = new Set(deliveryTargetSchema.shape.format.options);
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
    (meta.expiresAt === null || typeof meta.expiresAt === 'string') &&
    typeof meta.pinned === 'boolean' &&
    (meta.claims === null || isClaimList(meta.claims)) &&
    isTargetList(meta.deliveryTargets) &&
    (meta.rotatedTo === null || (typeof meta.rotatedTo === 'string' && meta.rotatedTo !== '')) &&
    (meta.createdWith === null || isStringRecord(meta.createdWith)) &&
    isStringRecord(meta.attributes)
  );
}

function isClaimList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const claim of value) if (!isRecord(claim) || Object.keys(claim).length !== 2 || typeof claim.name !== 'string' || typeof claim.value !== 'string') return false;
  return true;
}

function isTargetList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const t of value) {
    if (!isRecord(t) || Object.keys(t).length !== TARGET_KEYS) return false;
    if (typeof t.id !== 'string' || typeof t.host !== 'string' || typeof t.path !== 'string' || !TARGET_FORMATS.has(t.format)) return false;
    if (!(t.port === null || typeof t.port === 'number') || !isTextOrNull(t.user) || !isTextOrNull(t.lastDeliveredAt) || !isTextOrNull(t.sha256)) return false;
  }
  return true;
}

const isTextOrNull = (value: unknown): boolean => value === null || typeof value === 'string';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

function isStringRecord(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const key in value) if (typeof value[key] !== 'string') return false;
  return true;
}
