import { z } from 'zod';

/** The Tapis v3 wire protocol as tapipy 25.4.0 speaks it (docs/protocols/tapis3.md says which
 * fact comes from tapipy's code, its bundled specs or is assumed). Kept in one place so a real
 * server's difference is one edit. */
export const TAPIS3_PATHS = {
  /** GET, no token (tapipy's Tenants.reload_tenants). */
  tenants: '/v3/tenants',
  /** POST JSON, Basic client_id:client_key; password, refresh_token and device_code grants. */
  tokens: '/v3/oauth2/tokens',
  /** POST JSON {token}, no authentication. */
  revoke: '/v3/oauth2/tokens/revoke',
  /** POST JSON {client_id}, no authentication. */
  deviceCode: '/v3/oauth2/device/code',
  /** GET, X-Tapis-Token. */
  userinfo: '/v3/oauth2/userinfo',
  /** GET (limit, offset) / POST JSON, X-Tapis-Token. */
  clients: '/v3/oauth2/clients',
  /** DELETE, X-Tapis-Token. */
  client: (id: string) => `/v3/oauth2/clients/${encodeURIComponent(id)}`,
} as const;

export const TAPIS_TOKEN_HEADER = 'X-Tapis-Token';
export const TAPIS3_EXPECTED = 'a Tapis v3 tenant (its base URL, such as https://tacc.tapis.io)';
/** Clients listed per page (assumed server maximum; the spec names no limit). */
export const CLIENTS_PAGE_SIZE = 100;
/** At most this many pages: a server that never ends its list cannot keep Keyport busy. */
export const CLIENTS_MAX_PAGES = 50;
/** The device answer has no interval in Tapis' spec; RFC 8628's default. */
export const DEVICE_POLL_SECONDS = 5;

/** The envelope every Tapis service answers with; `result` is checked by the caller's schema. */
export const envelope = <T extends z.ZodType>(result: T) =>
  z.object({ status: z.string().optional(), message: z.string().nullable().optional(), version: z.string().nullable().optional(), result });

/** An error answer: only `message` is used (the real Authenticator: status "error", HTTP 400). */
export const errorAnswer = z.object({ message: z.string() });

const text = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? '');

export const tenantSchema = z.object({ tenant_id: z.string().min(1), base_url: z.string().min(1), description: text });
export const tenantsAnswer = envelope(z.array(tenantSchema));
export type Tapis3Tenant = z.infer<typeof tenantSchema>;

const tokenObject = <K extends string>(key: K) => z.object({ [key]: z.string().min(1) } as Record<K, z.ZodString>);

export const tokenAnswer = envelope(
  z.object({
    access_token: tokenObject('access_token'),
    refresh_token: tokenObject('refresh_token').nullable().optional(),
  }),
);

/** `expires_in` is a string in the spec (DeviceCodeResposne); a number is accepted too. */
const seconds = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().positive().max(24 * 3600));

export const deviceCodeAnswer = envelope(
  z.object({
    device_code: z.string().min(1),
    user_code: z.string().min(1).max(64),
    verification_uri: z.string().min(1),
    expires_in: seconds,
    /** Not in Tapis' spec (RFC 8628); honoured when a server sends it. */
    // Any number: Keyport clamps it (devicePollSeconds) rather than refusing the sign-in.
    interval: z.number().optional(),
  }),
);

export const profileAnswer = envelope(z.object({ username: z.string().min(1), email: z.string().nullable().optional(), name: z.string().nullable().optional() }));

export const clientSchema = z.object({
  client_id: z.string().min(1),
  client_key: z.string().optional(),
  display_name: text,
  description: text,
  callback_url: text,
  create_time: text,
});
export const clientListAnswer = envelope(z.array(clientSchema));
export const createdClientAnswer = envelope(clientSchema.extend({ client_key: z.string().min(1) }));
export type Tapis3Client = z.infer<typeof clientSchema>;

const jwtClaims = z.object({ exp: z.number().finite().positive() }).passthrough();

/** The claims of a JWT, unverified (as tapipy reads them: add_claims_to_token), or null when
 * the token is not a JWT with a numeric `exp`: tapipy cannot use such a token. */
export function jwtExpiry(token: string): { exp: number; claims: Record<string, unknown> } | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return null;
  try {
    const parsed = jwtClaims.safeParse(JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')));
    return parsed.success ? { exp: parsed.data.exp, claims: parsed.data } : null;
  } catch {
    return null;
  }
}
