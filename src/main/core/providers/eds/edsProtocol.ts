import { z } from 'zod';
import { listOf } from '../../http/responses';

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

/** A list entry as the server sent it, once isEdsToken has checked it. */
export interface EdsTokenEntry {
  name: string;
  created?: string | null;
  last_used?: string | null;
}

const optionalText = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

/** The same check as an entry of `tokenListAnswer`, in one pass without zod's per-field
 * machinery (a 10,000-token list is 30,000 fields); edsProvider.test.ts keeps the two in step. */
export function isEdsToken(v: unknown): v is EdsTokenEntry {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const t = v as Record<string, unknown>;
  return typeof t.name === 'string' && optionalText(t.created) && optionalText(t.last_used);
}

/** `tokenListAnswer` with its entries checked by isEdsToken: for parseJsonList, which falls
 * back to `tokenListAnswer` to name what is wrong with an answer this refuses. */
export const tokenListAnswerFast = z.object({ tokens: listOf(isEdsToken) });

export const createdTokenAnswer = z.object({ name: z.string(), token: z.string().min(1), created: isoOrNull });

export const EDS_EXPECTED = 'an Enthought Deployment Server';
