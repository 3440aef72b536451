import { z } from 'zod';

/** The EDS wire protocol as hatcher 0.17.0 speaks it (docs/protocols/eds.md names the module
 * that confirms each fact). Kept in one place so a real server's differences are one edit. */
export const EDS_API_ROOT = '/api/v1/json'; // hatcher/core/url_templates.py URLS_V1 (hatcher's default api version)
export const EDS_PATHS = {
  /** POST, Basic user:password or Bearer <api token> → session token (hatcher/core/auth.py). */
  session: `${EDS_API_ROOT}/auth/tokens/auth`,
  /** GET list / POST create (JSON {name}) (hatcher/core/brood_client.py). */
  apiTokens: `${EDS_API_ROOT}/auth/tokens/api`,
  /** DELETE ?force=False (hatcher/core/brood_url_handler.py adds the force query). */
  apiToken: (name: string) => `${EDS_API_ROOT}/auth/tokens/api/${encodeURIComponent(name)}`,
  /** Assumed: no public client shows a who-am-I call. */
  currentUser: '/api/v0/json/auth/user',
} as const;

export const sessionAnswer = z.object({ token: z.string().min(1) });

export const userAnswer = z.object({ name: z.string(), email: z.string().optional() });

const isoOrNull = z.string().nullable().optional().transform((v) => v ?? null);

export const tokenListAnswer = z.object({
  tokens: z.array(z.object({ name: z.string(), created: isoOrNull, last_used: isoOrNull })),
});

export const createdTokenAnswer = z.object({ name: z.string(), token: z.string().min(1), created: isoOrNull });

export const EDS_EXPECTED = 'an Enthought Deployment Server';
