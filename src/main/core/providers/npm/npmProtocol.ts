import { z } from 'zod';
import { listOf } from '../../http/responses';
import type { HttpResponse } from '../../http/types';

/** The npm registry protocol as the npm CLI 11 (npm-profile, npm-registry-fetch) speaks it and
 * Verdaccio 6 answers it (docs/protocols/npm.md names what confirms each fact). Kept in one
 * place so a registry's differences are one edit. Paths are relative to the registry URL. */
export const NPM_PATHS = {
  /** PUT: the legacy "couch" login (npm-profile loginCouch; Verdaccio api/user.ts). */
  login: (username: string) => `/-/user/org.couchdb.user:${encodeURIComponent(username)}`,
  /** PUT after a 409: npm-profile's second login step, with the document's revision. */
  loginRevision: (username: string, rev: string) => `/-/user/org.couchdb.user:${encodeURIComponent(username)}/-rev/${encodeURIComponent(rev)}`,
  /** GET → {username} (npm lib/utils/get-identity.js; Verdaccio api/whoami.ts). */
  whoami: '/-/whoami',
  /** GET list (paginated by urls.next) / POST create (npm-profile listTokens/createToken). */
  tokens: '/-/npm/v1/tokens',
  /** DELETE: ends a login token, as `npm logout` does (npm lib/commands/logout.js). */
  logout: (token: string) => `/-/user/token/${encodeURIComponent(token)}`,
  /** DELETE (npm-profile removeToken). */
  token: (key: string) => `/-/npm/v1/tokens/token/${encodeURIComponent(key)}`,
  /** GET → a JSON object, without credentials: what `npm ping` asks (npm lib/utils/ping.js). */
  ping: '/-/ping',
  /** POST {} → {loginUrl, doneUrl}: the web login (npm-profile webAuth). */
  webLogin: '/-/v1/login',
} as const;

/** The header a one-time password travels in (npm-registry-fetch lib/index.js). */
export const OTP_HEADER = 'npm-otp';

export const NPM_EXPECTED = 'an npm registry (such as https://registry.npmjs.org)';

export const loginAnswer = z.object({ token: z.string().min(1) });

/** The user document npm-profile reads before its second login step (only `_rev` is used). */
export const userDocumentAnswer = z.object({ _rev: z.string().min(1).optional() });

/** Verdaccio answers `{}` with 200 to a request whose token it did not accept: no name means
 * not signed in, as the npm CLI's get-identity treats it. */
export const whoamiAnswer = z.object({ username: z.string().min(1).optional() });

const created = z.union([z.string(), z.number()]).nullable().optional();

const text = z.string().nullable().optional();
const names = z.array(z.string()).nullable().optional();

const tokenObject = z.object({
  key: z.string().min(1),
  /** Granular tokens (registry.npmjs.org, assumed shape; see docs/protocols/npm.md). */
  description: text,
  expires: text,
  last_used: text,
  packages: names,
  packages_all: z.boolean().nullable().optional(),
  scopes: names,
  orgs: names,
  packages_and_scopes_permission: text,
  orgs_permission: text,
  bypass_2fa: z.boolean().nullable().optional(),
  /** Verdaccio's own fields: a list entry with one of these comes from a registry with npm's
   * legacy token API only. */
  user: z.string().optional(),
  /** Masked in a list (Verdaccio: first and last five characters); whole when created. */
  token: z.string().optional(),
  name: z.string().nullable().optional(),
  readonly: z.boolean().optional(),
  /** Verdaccio calls it `cidr`; npm's CLI prints `cidr_whitelist` (registry.npmjs.org). */
  cidr: z.array(z.string()).nullable().optional(),
  cidr_whitelist: z.array(z.string()).nullable().optional(),
  created,
});
export type NpmTokenObject = z.output<typeof tokenObject>;

const optional = (v: unknown, type: 'string' | 'boolean'): boolean => v === undefined || v === null || typeof v === type;
function optionalNames(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (!Array.isArray(v)) return false;
  // A plain loop: no callback per name, and a hole counts as the undefined zod sees there.
  for (const s of v as unknown[]) if (typeof s !== 'string') return false;
  return true;
}

/** The same check as `tokenObject`, in one pass without zod's per-field machinery: a list of
 * 1,000 tokens is 17,000 fields (bench 5d; unit test "checks list entries as the token schema
 * does" keeps the two in step). */
export function isTokenObject(v: unknown): v is NpmTokenObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const t = v as Record<string, unknown>;
  return (
    typeof t.key === 'string' &&
    t.key.length > 0 &&
    (t.token === undefined || typeof t.token === 'string') &&
    (t.user === undefined || typeof t.user === 'string') &&
    (t.readonly === undefined || typeof t.readonly === 'boolean') &&
    (t.created === undefined || t.created === null || typeof t.created === 'string' || typeof t.created === 'number') &&
    optional(t.name, 'string') &&
    optional(t.description, 'string') &&
    optional(t.expires, 'string') &&
    optional(t.last_used, 'string') &&
    optional(t.packages_and_scopes_permission, 'string') &&
    optional(t.orgs_permission, 'string') &&
    optional(t.packages_all, 'boolean') &&
    optional(t.bypass_2fa, 'boolean') &&
    optionalNames(t.packages) &&
    optionalNames(t.scopes) &&
    optionalNames(t.orgs) &&
    optionalNames(t.cidr) &&
    optionalNames(t.cidr_whitelist)
  );
}

const pageLinks = z.object({ next: z.string().nullable().optional() }).optional();

export const tokenListAnswer = z.object({
  objects: listOf(isTokenObject),
  urls: pageLinks,
});

/** The answer with every entry checked by `tokenObject`: what parseJsonList names the fields of
 * a refused entry with. */
export const tokenListAnswerExact = z.object({ objects: z.array(tokenObject), urls: pageLinks });
export type NpmTokenList = z.output<typeof tokenListAnswer>;

/** The full schema of a token entry, for tests that keep isTokenObject in step with it. */
export const tokenObjectSchema = tokenObject;

/** Whether a token list comes from a registry with npm's legacy token API only (Verdaccio 6),
 * which ignores the granular fields and makes a publish token unless told `readonly`. Told
 * from the answer, never the host name: Verdaccio's entries carry `user` and `cidr` (its own
 * name for the ranges) and no `expires`; its empty list has `urls.next` = "" where npm's
 * registry sends null (assumed for registry.npmjs.org). */
export function isLegacyTokenApi(list: NpmTokenList): boolean {
  if (list.objects.length === 0) return list.urls?.next === '';
  return list.objects.some((t) => t.user !== undefined || (t.cidr !== undefined && t.cidr_whitelist === undefined) || (t.readonly !== undefined && t.expires === undefined));
}

const httpUrl = z.string().refine((u) => {
  try {
    return /^https?:$/.test(new URL(u).protocol);
  } catch {
    return false;
  }
}, 'an http(s) URL');

/** POST /-/v1/login → where the person signs in and where Keyport waits (npm-profile webAuth:
 * both must be http(s) URLs). */
export const webLoginAnswer = z.object({ loginUrl: httpUrl, doneUrl: httpUrl });

/** The doneUrl's 200 answer: the session token (web login) or the one-time password (web OTP). */
export const doneAnswer = z.object({ token: z.string().min(1) });

/** A 401 OTP challenge whose body says where to confirm in the browser (npm lib/utils/auth.js:
 * `err.body.authUrl` and `err.body.doneUrl`). */
export const webOtpChallenge = z.object({ authUrl: httpUrl, doneUrl: httpUrl });

export const createdTokenAnswer = tokenObject.extend({ token: z.string().min(1) });

/** Whether a 401 asks for a one-time password, by npm-registry-fetch's rule
 * (lib/check-response.js): `WWW-Authenticate` lists `otp`, or, for registries that leave the
 * header out, the body mentions a "one-time pass(word)". */
export function asksForOtp(res: HttpResponse): boolean {
  if (res.status !== 401) return false;
  const challenges = (res.headers['www-authenticate'] ?? '')
    .split(/,\s*/)
    .map((s) => s.trim().toLowerCase());
  return challenges.includes('otp') || /one-time pass/.test(res.text);
}

/** Whether a 401 says the request came from an address the account or token does not allow
 * (npm-registry-fetch: `WWW-Authenticate: ipaddress`). */
export function refusesAddress(res: HttpResponse): boolean {
  if (res.status !== 401) return false;
  return (res.headers['www-authenticate'] ?? '')
    .split(/,\s*/)
    .map((s) => s.trim().toLowerCase())
    .includes('ipaddress');
}

/** The key npm looks a registry's credentials up by ("nerf dart", @npmcli/config
 * lib/nerf-dart.js): the URL without its protocol, query and file part, the path kept up to and
 * including its last slash. Keyport keeps registry URLs without a trailing slash and npm's
 * registry setting has one (https://registry.npmjs.org/), so the slash is put back first:
 * https://host:8443/npm → //host:8443/npm/. */
export function nerfDart(registryUrl: string): string {
  const withSlash = registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`;
  const parsed = new URL(withSlash);
  const from = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  const rel = new URL('.', from);
  return `//${rel.host}${rel.pathname}`;
}

/** An IPv4 CIDR range as npm's `token create --cidr` accepts it (is-cidr v4): four octets of
 * 0–255 and a prefix of 0–32. npm refuses IPv6 ranges, and so does Keyport. */
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

export type CidrCheck = { ok: true; list: string[] } | { ok: false; bad: string; ipv6: boolean };

/** Splits and checks a CIDR list as npm does (comma-separated, spaces allowed). */
export function parseCidrList(text: string): CidrCheck {
  const list = text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const entry of list) {
    if (!IPV4_CIDR.test(entry)) return { ok: false, bad: entry, ipv6: entry.includes(':') };
  }
  return { ok: true, list };
}
