import { z } from 'zod';

/** The Tapis (Agave v2) wire protocol as agavepy 0.9.5 speaks it (docs/protocols/tapis.md names
 * the module that confirms each fact). Kept in one place so a real server's differences are one
 * edit. */
export const TAPIS_PATHS = {
  /** GET list / POST create (form), HTTP Basic user:password (agavepy/clients/*.py). */
  clients: '/clients/v2',
  /** DELETE, the name formatted into the path (agavepy/clients/delete.py). */
  client: (name: string) => `/clients/v2/${encodeURIComponent(name)}`,
  /** POST, Basic key:secret, password and refresh_token grants (agavepy/tokens/*.py). */
  token: '/token',
  /** GET, Bearer access token (profiles.get in agavepy/resources/api_profiles.json.j2). */
  me: '/profiles/v2/me',
} as const;

/** Every grant asks for this scope (agavepy/tokens/create_access_token.py). */
export const TAPIS_SCOPE = 'PRODUCTION';
/** The tier agavepy creates clients with (agavepy/clients/create.py). */
export const TAPIS_DEFAULT_TIER = 'Unlimited';
export const TAPIS_EXPECTED = 'a Tapis (Agave v2) API server';

/** The service envelope; `result` is checked by the caller's schema. */
export const envelope = <T extends z.ZodType>(result: T) => z.object({ status: z.string().optional(), message: z.string().optional(), result });

const text = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? '');

export const clientSchema = z.object({
  name: z.string().min(1),
  description: text,
  tier: text,
  consumerKey: z.string().min(1),
  consumerSecret: z.string().optional(),
});

export const clientListAnswer = envelope(z.array(clientSchema));
export const createdClientAnswer = envelope(clientSchema.extend({ consumerSecret: z.string().min(1) }));

/** `expires_in` is a number or a numeric string (agavepy takes int() of it). */
const seconds = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().positive().max(10 * 365 * 24 * 3600));

/** The OAuth answer of /token (no envelope). A refresh answer must carry a new refresh token:
 * agavepy's refresh_tokens.py indexes it. */
export const tokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: seconds,
});

export const oauthErrorAnswer = z.object({ error: z.string(), error_description: z.string().optional() });

/** Profile keys: snake_case as TACC documents them, or the camelCase of agavepy's bundled
 * Swagger `Profile` model; either is accepted. */
export const profileAnswer = envelope(
  z.object({
    username: z.string().min(1),
    email: z.string().nullable().optional(),
    first_name: z.string().nullable().optional(),
    last_name: z.string().nullable().optional(),
    firstName: z.string().nullable().optional(),
    lastName: z.string().nullable().optional(),
  }),
);

/** The API gateway's answer to a bad access token. agavepy refreshes only when the message
 * contains "Invalid Credentials" (agavepy/agave.py, with_refresh). */
export const gatewayFault = z.object({ fault: z.object({ message: z.string() }) });
