import { echoInput } from '../../../../shared/echoInput';
import { KeyportError } from '../../errors';
import type { FieldDescriptor } from '../../../../shared/model';
import type { ListedSettings, ProviderToken } from '../provider';
import { parseCidrList, type NpmTokenObject } from './npmProtocol';

/** The "create token" choices of the npm kind and the bodies they become. Granular bodies are
 * exactly what npm 11's `npm token create` sends for the same choices (lib/commands/token.js;
 * compared by conformance/keyportWithNpmjs.test.ts); legacy bodies are what Verdaccio reads. */

/** Values of the "Access" field (packages and scopes), in npm's words where they differ. */
const ACCESS_TO_PERMISSION = { 'read-only': 'read-only', publish: 'read-write', 'no-access': 'no-access' } as const;
const ORG_PERMISSIONS = ['no-access', 'read-only', 'read-write'] as const;
type Access = keyof typeof ACCESS_TO_PERMISSION;

export const DEFAULT_EXPIRY_DAYS = 30;
/** registry.npmjs.org since 2025-11: tokens that can write live at most 90 days (GitHub
 * changelog 2025-11-05); 365 for read-only ones is assumed. The registry has the last word. */
export const MAX_WRITE_DAYS = 90;
export const MAX_READ_DAYS = 365;

export const NPM_CREATE_FIELDS: FieldDescriptor[] = [
  {
    id: 'access',
    label: 'Access',
    choices: [
      { value: 'read-only', label: 'Read-only: install packages' },
      { value: 'publish', label: 'Read and write: install and publish packages' },
      { value: 'no-access', label: 'No access to packages (organizations only)' },
    ],
    hint: 'To the packages and scopes below (all packages when both are empty). A read-only token cannot publish or change anything.',
  },
  {
    id: 'expires',
    label: 'Expires after (days)',
    placeholder: String(DEFAULT_EXPIRY_DAYS),
    hint: `registry.npmjs.org allows at most ${MAX_WRITE_DAYS} days for tokens that can publish and ${MAX_READ_DAYS} for read-only ones. Registries without expiring tokens (Verdaccio) ignore it.`,
  },
  { id: 'packages', label: 'Packages (optional)', placeholder: 'my-package, @me/tool', hint: 'Separated by commas. Empty, with no scopes: all your packages.' },
  { id: 'scopes', label: 'Scopes (optional)', placeholder: '@me', hint: 'Every package under these scopes, now and later.' },
  { id: 'orgs', label: 'Organizations (optional)', placeholder: 'my-org', hint: 'To manage their members and teams.' },
  {
    id: 'orgsAccess',
    label: 'Access to organizations',
    choices: [
      { value: 'no-access', label: 'No access' },
      { value: 'read-only', label: 'Read-only' },
      { value: 'read-write', label: 'Read and write' },
    ],
  },
  { id: 'description', label: 'Description (optional)', placeholder: 'Publishes from CI' },
  {
    id: 'cidr',
    label: 'Allowed IP ranges (optional)',
    placeholder: '192.168.1.0/24, 203.0.113.7/32',
    hint: 'IPv4 ranges, separated by commas. Empty: any address.',
  },
  {
    id: 'bypass2fa',
    label: 'Two-factor authentication',
    choices: [
      { value: 'require', label: 'Ask for a one-time password as the account does' },
      { value: 'bypass', label: 'Bypass it (for automation that cannot answer one)' },
    ],
  },
];

const invalid = (message: string, field: string, hint?: string) => new KeyportError('VALIDATION', message, { field, ...(hint ? { hint } : {}) });

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');

// npm package names (validate-npm-package-name, new-style): lower case, URL-safe, optional scope.
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
const SCOPE_NAME = /^@[a-z0-9-~][a-z0-9-._~]*$/;
const ORG_NAME = /^[a-z0-9][a-z0-9-._]*$/;

function choice<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, field: string, what: string): T {
  const v = (value ?? '').trim();
  if (v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw invalid(`Choose ${what}.`, field);
  return v as T;
}

function cidrList(text: string | undefined): string[] {
  const cidr = parseCidrList(text ?? '');
  if (!cidr.ok) {
    throw invalid(cidr.ipv6 ? `npm tokens accept only IPv4 ranges, not “${echoInput(cidr.bad)}”.` : `“${echoInput(cidr.bad)}” is not an IPv4 range in CIDR form.`, 'cidr', 'Write ranges such as 192.168.1.0/24 or 203.0.113.7/32, separated by commas; leave it empty to allow any address.');
  }
  return cidr.list;
}

function expiryDays(text: string | undefined, writes: boolean): number {
  const t = (text ?? '').trim();
  if (t === '') return DEFAULT_EXPIRY_DAYS;
  if (!/^\d+$/.test(t) || Number(t) < 1) throw invalid('Enter the number of days until the token expires, such as 30.', 'expires');
  const days = Number(t);
  const max = writes ? MAX_WRITE_DAYS : MAX_READ_DAYS;
  if (days > max) {
    throw invalid(`registry.npmjs.org allows at most ${max} days for ${writes ? 'a token that can publish or change organizations' : 'a read-only token'}.`, 'expires', writes ? `Choose ${MAX_WRITE_DAYS} days or fewer, or make the token read-only.` : `Choose ${MAX_READ_DAYS} days or fewer.`);
  }
  return days;
}

/** The body of `POST /-/npm/v1/tokens` for a granular token: the fields npm 11 sends for the
 * same choices, with the same names, types and units (days as a number; lists as arrays; flags
 * only when on). */
export function granularBody(name: string, password: string, fields: Record<string, string>): Record<string, unknown> {
  const access = choice<Access>(fields.access, Object.keys(ACCESS_TO_PERMISSION) as Access[], 'read-only', 'access', 'read-only, read and write, or no access');
  const orgsAccess = choice(fields.orgsAccess, ORG_PERMISSIONS, 'no-access', 'orgsAccess', 'the access to organizations');
  const packages = list(fields.packages);
  for (const p of packages) if (!PACKAGE_NAME.test(p)) throw invalid(`“${p}” is not an npm package name.`, 'packages', 'Package names are lower case, such as my-package or @me/tool.');
  const scopes = list(fields.scopes).map((s) => (s.startsWith('@') ? s : `@${s}`));
  for (const s of scopes) if (!SCOPE_NAME.test(s)) throw invalid(`“${s}” is not an npm scope.`, 'scopes', 'Scopes look like @me or @my-org.');
  const orgs = list(fields.orgs);
  for (const o of orgs) if (!ORG_NAME.test(o)) throw invalid(`“${o}” is not an npm organization name.`, 'orgs');
  const permission = ACCESS_TO_PERMISSION[access];
  if (permission === 'no-access' && (orgs.length === 0 || orgsAccess === 'no-access')) {
    throw invalid('This token would have no access to anything.', 'access', 'Give it read-only or read and write access to packages, or access to an organization you name.');
  }
  if (permission === 'no-access' && (packages.length > 0 || scopes.length > 0)) {
    throw invalid('You named packages or scopes but gave them no access.', 'access', 'Choose read-only or read and write, or clear the packages and scopes.');
  }
  if (orgs.length > 0 && orgsAccess === 'no-access' && permission !== 'no-access') {
    throw invalid('You named organizations but gave them no access.', 'orgsAccess', 'Choose read-only or read and write, or clear the organizations.');
  }
  const writes = permission === 'read-write' || (orgs.length > 0 && orgsAccess === 'read-write');
  const expires = expiryDays(fields.expires, writes);
  const cidr = cidrList(fields.cidr);
  const bypass = choice(fields.bypass2fa, ['require', 'bypass'] as const, 'require', 'bypass2fa', 'whether to bypass two-factor authentication');
  const description = (fields.description ?? '').trim();

  const body: Record<string, unknown> = { name, password };
  if (description !== '') body.description = description;
  if (packages.length > 0) body.packages = packages;
  if (permission !== 'no-access' && packages.length === 0 && scopes.length === 0) body.packages_all = true;
  if (scopes.length > 0) body.scopes = scopes;
  if (orgs.length > 0) body.orgs = orgs;
  body.packages_and_scopes_permission = permission;
  if (orgs.length > 0) body.orgs_permission = orgsAccess;
  body.expires = expires;
  if (cidr.length > 0) body.cidr_whitelist = cidr;
  if (bypass === 'bypass') body.bypass_2fa = true;
  return body;
}

/** The body for a registry with the legacy token API only (Verdaccio 6): `readonly` and
 * `cidr_whitelist`. Choices it cannot keep are refused rather than silently dropped. */
export function legacyBody(name: string, password: string, fields: Record<string, string>): Record<string, unknown> {
  const access = choice<Access>(fields.access, ['read-only', 'publish'], 'read-only', 'access', 'read-only or publish access');
  for (const field of ['packages', 'scopes', 'orgs', 'description'] as const) {
    if ((fields[field] ?? '').trim() !== '') {
      throw invalid('This registry has no granular tokens: a token reaches every package the account can.', field, 'Clear this field, or use a registry with granular tokens (registry.npmjs.org).');
    }
  }
  if ((fields.bypass2fa ?? 'require') === 'bypass') throw invalid('This registry has no two-factor authentication to bypass.', 'bypass2fa');
  return { name, password, readonly: access === 'read-only', cidr_whitelist: cidrList(fields.cidr) };
}

/** A registry error about the token settings, on the field it names (registry.npmjs.org
 * answers 400 with a sentence; which words it uses is assumed). */
export function settingsRefused(serverName: string, message: string): KeyportError {
  const m = message.toLowerCase();
  const field = /expir|days/.test(m) ? 'expires' : /cidr|ip /.test(m) ? 'cidr' : /organi[sz]ation|\borgs?\b/.test(m) ? 'orgs' : /scope/.test(m) ? 'scopes' : /package/.test(m) ? 'packages' : /permission|access/.test(m) ? 'access' : /name/.test(m) ? 'name' : 'access';
  return new KeyportError('VALIDATION', `${serverName} did not accept the token settings${message ? `: ${message.slice(0, 200)}` : '.'}`, { field, hint: 'Nothing was created. Correct the field and try again.' });
}

const DAY_MS = 86_400_000;

/** The create fields that make a token like a listed one (Rotate of a token Keyport did not
 * make), from its list entry: granular — access, packages, scopes, organizations and their
 * access, expiry (expires − created, in days), IP ranges, description, two-factor bypass;
 * legacy — read-only or publish, IP ranges. An entry that does not say what the token reaches
 * is `known: false`: the defaults could reach more. */
export function settingsOfNpmToken(t: NpmTokenObject): ListedSettings {
  const cidr = (t.cidr ?? t.cidr_whitelist ?? []).join(', ');
  const permission = t.packages_and_scopes_permission;
  if (!permission) {
    if (typeof t.readonly !== 'boolean') return { known: false, reason: 'the registry does not list whether it can publish' };
    return { known: true, fields: { access: t.readonly ? 'read-only' : 'publish', ...(cidr ? { cidr } : {}) } };
  }
  const access = (Object.keys(ACCESS_TO_PERMISSION) as Access[]).find((a) => ACCESS_TO_PERMISSION[a] === permission);
  if (!access) return { known: false, reason: `the registry lists an access npm does not name (${permission.slice(0, 40)})` };
  const packages = t.packages ?? [];
  const scopes = t.scopes ?? [];
  const orgs = t.orgs ?? [];
  if (permission !== 'no-access' && t.packages_all !== true && packages.length === 0 && scopes.length === 0) {
    return { known: false, reason: 'the registry does not list which packages it reaches' };
  }
  const fields: Record<string, string> = { access };
  if (packages.length > 0) fields.packages = packages.join(', ');
  if (scopes.length > 0) fields.scopes = scopes.join(', ');
  if (orgs.length > 0) {
    if (!t.orgs_permission) return { known: false, reason: 'the registry does not list its access to organizations' };
    fields.orgs = orgs.join(', ');
    fields.orgsAccess = t.orgs_permission;
  }
  if (t.expires) {
    const days = Math.round((new Date(t.expires).getTime() - new Date(t.created ?? Number.NaN).getTime()) / DAY_MS);
    if (!(days >= 1)) return { known: false, reason: 'the registry does not list how long it lasts' };
    fields.expires = String(days);
  }
  if (cidr) fields.cidr = cidr;
  if (t.description?.trim()) fields.description = t.description.trim();
  if (t.bypass_2fa === true) fields.bypass2fa = 'bypass';
  return { known: true, fields };
}

const PERMISSION_LABEL: Record<string, string> = { 'read-only': 'Read-only', 'read-write': 'Read and write', 'no-access': 'No access' };

/** How a listed token shows in Keyport: its expiry and last use as dates, what it reaches and
 * how, in words. */
export function tokenFrom(t: NpmTokenObject): ProviderToken {
  const cidr = t.cidr ?? t.cidr_whitelist;
  const masked = t.token && t.token.length <= 40 ? t.token : null;
  const permission = t.packages_and_scopes_permission;
  const extra: Record<string, string> = {
    token: masked ?? '',
    access: permission ? grantedAccess(permission, t.orgs_permission) : t.readonly ? 'Read-only' : 'Publish',
    reach: permission ? reachOf(t) : 'All packages',
    description: t.description ?? '',
    cidr: cidr && cidr.length > 0 ? cidr.join(', ') : 'Any address',
    key: t.key,
  };
  if (t.bypass_2fa) extra.bypass2fa = 'Bypasses two-factor';
  return {
    id: t.key,
    // Legacy tokens have no name: the masked value, which is what `npm token list` shows.
    name: t.name?.trim() || masked || `${t.key.slice(0, 8)}…`,
    createdAt: isoOrNull(t.created),
    lastUsedAt: isoOrNull(t.last_used),
    expiresAt: isoOrNull(t.expires),
    scopes: null,
    extra,
  };
}

function grantedAccess(packages: string, orgs: string | null | undefined): string {
  const text = PERMISSION_LABEL[packages] ?? packages;
  if (!orgs || orgs === 'no-access') return text;
  return `${text}; organizations: ${(PERMISSION_LABEL[orgs] ?? orgs).toLowerCase()}`;
}

/** What a granular token reaches: all packages, or the packages, scopes and orgs it names. */
function reachOf(t: NpmTokenObject): string {
  let text = t.packages_all ? 'All packages' : '';
  const add = (part: string) => {
    text = text === '' ? part : `${text}, ${part}`;
  };
  for (const p of t.packages ?? []) add(p);
  for (const s of t.scopes ?? []) add(s);
  for (const o of t.orgs ?? []) add(`organization ${o}`);
  return text || '—';
}

/** Already what toISOString() writes: kept as is (parsing every date of a 1,000-token list costs
 * more than the rest of mapping it). */
const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function isoOrNull(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string' && CANONICAL_ISO.test(value)) return value;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
