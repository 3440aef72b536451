import { z } from 'zod';
import { KeyportError } from '../../errors';
import type { ListedSettings } from '../provider';

/** JupyterHub's REST API as JupyterHub 6.1.1 serves it (docs/protocols/jupyterhub.md names
 * what confirms each fact). Paths are relative to the hub's base URL. */
export const HUB_PATHS = {
  /** GET: the version document, no authentication (the hub's "are you there"). */
  root: '/hub/api/',
  /** GET: who the token belongs to, with the token's own scopes (SelfAPIHandler). */
  user: '/hub/api/user',
  /** GET list / POST create (UserTokenListAPIHandler). */
  tokens: (user: string) => `/hub/api/users/${encodeURIComponent(user)}/tokens`,
  /** DELETE (UserTokenAPIHandler). */
  token: (user: string, id: string) => `/hub/api/users/${encodeURIComponent(user)}/tokens/${encodeURIComponent(id)}`,
} as const;

export const HUB_EXPECTED = 'a JupyterHub (its base address, such as https://hub.example.org)';

/** The note Keyport gives the token it signs in with, so the person recognises it in lists. */
export const SESSION_NOTE = 'Keyport session';

/** The header JupyterHub's own clients send (HubAuth; `Bearer` works too). */
export const authorization = (token: string): Record<string, string> => ({ Authorization: `token ${token}` });

/** The API address non-interactive clients read from JUPYTERHUB_API_URL. */
export const apiUrl = (baseUrl: string): string => `${baseUrl}/hub/api`;

/** The hub's base address from what a person pastes: the API or hub page addresses work too. */
export function hubBaseUrl(url: string): string {
  let base = url.replace(/\/+$/, '');
  for (const suffix of ['/hub/api', '/hub']) {
    if (base.endsWith(suffix)) base = base.slice(0, -suffix.length).replace(/\/+$/, '');
  }
  return base;
}

export const versionAnswer = z.object({ version: z.string() });

export const userAnswer = z.object({
  kind: z.string().optional(),
  name: z.string().min(1),
  admin: z.boolean().optional(),
  /** The `a<n>` id of the token that asked (JupyterHub 5+). */
  token_id: z.string().nullable().optional(),
  scopes: z.array(z.string()).optional(),
});
export type HubUser = z.output<typeof userAnswer>;

const time = z.string().nullable().optional();

export const tokenModel = z.object({
  id: z.string().min(1),
  note: z.string().nullable().optional(),
  created: time,
  last_activity: time,
  expires_at: time,
  scopes: z.array(z.string()).optional(),
  oauth_client: z.string().nullable().optional(),
});
export type HubToken = z.output<typeof tokenModel>;

export const tokenListAnswer = z.object({ api_tokens: z.array(tokenModel) });

export const createdTokenAnswer = tokenModel.extend({ token: z.string().min(1) });

/** The error body of every API handler (`write_error`): the message may be null. */
export const errorAnswer = z.object({ message: z.string().nullable().optional() });

/** Keyport's id of a listed token: the hub's `a<n>` and its creation time. SQLite hands a
 * deleted token's id to the next one, so the id alone would tie a saved copy, or Keyport's own
 * session, to whatever token gets the number next. */
export function keyportTokenId(token: Pick<HubToken, 'id' | 'created'>): string {
  return token.created ? `${token.id}@${token.created}` : token.id;
}

/** The hub's `a<n>` in Keyport's id (see keyportTokenId). */
export function hubTokenId(keyportId: string): string {
  const at = keyportId.indexOf('@');
  return at === -1 ? keyportId : keyportId.slice(0, at);
}

/** JupyterHub times are UTC with microseconds and `Z`; Keyport keeps ISO times with millis. */
export function isoTime(value: string | null | undefined): string | null {
  if (!value) return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}

const UNIT_SECONDS: Record<string, number> = { h: 3600, d: 86_400 };

/** "Expires in" as the create dialog takes it: empty (the hub's default: never, or its longest
 * allowed life), or a whole positive number of days, or of hours with `h` ("12h", "30", "30d").
 * Seconds for `expires_in`, which must be a positive integer (JupyterHub refuses others only
 * after it has begun to store the token). */
export function expiresInSeconds(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return null;
  const match = /^(\d{1,6})\s*(h|hours?|d|days?)?$/.exec(trimmed);
  const count = match ? Number(match[1]) : Number.NaN;
  if (!match || !(count >= 1)) {
    throw new KeyportError('VALIDATION', `“${text.trim().slice(0, 40)}” is not a time the token can last.`, {
      hint: 'Write a whole number of days (30 or 30d) or hours (12h), or leave it empty for the hub’s default.',
      field: 'expiresIn',
    });
  }
  return count * (UNIT_SECONDS[(match[2] ?? 'd').charAt(0)] ?? 86_400);
}

/** Scopes as the create dialog takes them: separated by spaces or commas. */
export function parseScopes(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((s) => s !== ''))];
}

// String.prototype.isWellFormed is ES2024; this is the same test on UTF-16 code units.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses text JSON cannot carry to the hub intact: a lone UTF-16 surrogate is sent as
 * `\ud800`, which the hub's database refuses, and the hub's next request fails too. */
export function requireWellFormed(value: string, what: string, field: string): void {
  if (LONE_SURROGATE.test(value)) {
    throw new KeyportError('VALIDATION', `The ${what} contains a broken character (a lone UTF-16 surrogate).`, {
      hint: 'Retype it, or remove the character that looks wrong; JupyterHub cannot store such text.',
      field,
    });
  }
}

const HOUR_MS = 3_600_000;

/** The create fields that make a token like a listed one (Rotate of a token Keyport did not
 * make): its scopes, and its lifetime (expires_at − created) in days, or hours when not whole
 * days. A hub that lists no scopes for it cannot say what it reaches, and no scopes asked for
 * means all of the session's: then nothing is created. */
export function settingsOfHubToken(token: Pick<HubToken, 'scopes' | 'created' | 'expires_at'>): ListedSettings {
  const scopes = token.scopes ?? [];
  if (scopes.length === 0) return { known: false, reason: 'the hub does not list its scopes' };
  const fields: Record<string, string> = { scopes: [...scopes].sort().join(' ') };
  const created = token.created ? Date.parse(token.created) : Number.NaN;
  const expires = token.expires_at ? Date.parse(token.expires_at) : Number.NaN;
  const hours = Math.round((expires - created) / HOUR_MS);
  if (hours >= 1) fields.expiresIn = hours % 24 === 0 ? `${hours / 24}d` : `${hours}h`;
  return { known: true, fields };
}
