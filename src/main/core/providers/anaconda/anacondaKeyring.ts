import { isAbsolute, join } from 'node:path';
import { KeyportError } from '../../errors';
import type { ServerRecord } from '../../vault/records';
import type { ImportedSession, SessionMaterial } from '../provider';
import { pythonJsonDumps } from '../tapis/agaveCurrent';
import { apiKeyExpiry } from './apiKeyJwt';

/** `~/.anaconda/keyring`, the file keyring of anaconda-auth (docs/protocols/anaconda.md, "The
 * keyring file"): `{"Anaconda Cloud": {"<domain>": base64(<entry JSON>)}}` written by Python's
 * json.dump; each entry is pydantic's compact JSON of domain, api_key, username, repo_tokens,
 * version. Keyport rewrites only its own domain's entry; every other service, domain and value is
 * kept as it was, in its order. */
export const KEYRING_SERVICE = 'Anaconda Cloud';
const ENTRY_VERSION = 2;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Where anaconda-auth keeps the file: ANACONDA_AUTH_KEYRING_PATH, with `$VAR`/`${VAR}` and `~`
 * expanded as its config does (`Path(expandvars(value)).expanduser()`; unknown variables stay as
 * written), else ~/.anaconda/keyring. A relative path is taken from the home folder: a desktop
 * app has no working directory the person chose, and a terminal usually opens there. */
export function keyringPath(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const homeDir = home.replace(/[\\/]+$/, '');
  const configured = env.ANACONDA_AUTH_KEYRING_PATH;
  if (!configured) return `${homeDir}/.anaconda/keyring`;
  const expanded = configured
    .replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced?: string, bare?: string) => env[braced ?? bare ?? ''] ?? whole)
    .replace(/^~(?=$|[\\/])/, homeDir);
  return isAbsolute(expanded) ? expanded : join(homeDir, expanded);
}

/** The key anaconda-auth looks the entry up by: host[:port] of the site (domain_validator). */
export const keyringDomain = (server: Pick<ServerRecord, 'url'>): string => new URL(server.url).host;

type Outer = Record<string, Record<string, string>>;

/** A keyring key as it may appear in a message: keys are whatever another program wrote, so one
 * could hold `user:password@host`, control characters or megabytes. Keep the host part only,
 * printable, and short. */
export function describeKey(key: string): string {
  const afterCredentials = key.slice(key.lastIndexOf('@') + 1);
  const printable = afterCredentials.replace(/[\p{C}\p{Zl}\p{Zp}]/gu, '');
  const short = printable.length > 60 ? `${printable.slice(0, 59)}…` : printable;
  return short || '(unnamed)';
}

/** The file as anaconda-auth reads it, refusing what it would silently throw away. An empty file
 * (anaconda-auth creates one just by starting) holds nothing. */
function readOuter(text: string): Outer {
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw notKeyring('it is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw notKeyring('it does not hold a JSON object');
  for (const [service, entries] of Object.entries(data)) {
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries) || Object.values(entries).some((v) => typeof v !== 'string')) {
      throw notKeyring(`the “${describeKey(service)}” section is not a map of entries`);
    }
  }
  return data as Outer;
}

interface Entry {
  domain?: string;
  api_key?: string;
  username?: string;
  repo_tokens: unknown[];
  version?: number;
}

function decodeEntry(domain: string, value: string): Entry {
  if (!STRICT_BASE64.test(value)) throw notKeyring(`the entry for ${describeKey(domain)} is not base64`);
  try {
    const entry = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Partial<Entry>;
    if (typeof entry !== 'object' || entry === null) throw new Error('not an object');
    return { ...entry, repo_tokens: Array.isArray(entry.repo_tokens) ? entry.repo_tokens : [] };
  } catch {
    throw notKeyring(`the entry for ${describeKey(domain)} is not readable`);
  }
}

/** pydantic's model_dump_json(exclude_none=True) of TokenInfo: compact, fixed key order. */
function encodeEntry(entry: Entry): string {
  const inner: Record<string, unknown> = { domain: entry.domain };
  if (entry.api_key != null) inner.api_key = entry.api_key;
  if (entry.username != null) inner.username = entry.username;
  inner.repo_tokens = entry.repo_tokens;
  if (entry.version != null) inner.version = entry.version;
  return Buffer.from(JSON.stringify(inner), 'utf8').toString('base64');
}

/** Every site in the file with an API key Keyport can use. An entry Keyport cannot use (another
 * program's, a broken one) is skipped when others are usable: the file is shared, and one bad
 * neighbour should not block the site the person asked for. With no usable entry, the first
 * problem is the error. */
export function parseKeyring(text: string): ImportedSession[] {
  const entries = readOuter(text)[KEYRING_SERVICE] ?? {};
  const sessions: ImportedSession[] = [];
  let firstProblem: KeyportError | null = null;
  for (const [domain, value] of Object.entries(entries)) {
    try {
      const session = parseEntry(domain, value);
      if (session) sessions.push(session);
    } catch (error) {
      if (!(error instanceof KeyportError)) throw error;
      firstProblem ??= error;
    }
  }
  if (sessions.length === 0 && firstProblem) throw firstProblem;
  return sessions;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function parseEntry(domain: string, value: string): ImportedSession | null {
  const entry = decodeEntry(domain, value);
  if (!entry.api_key) return null;
  const expiry = typeof entry.api_key === 'string' ? apiKeyExpiry(entry.api_key) : null;
  if (!expiry) throw notKeyring(`the API key for ${describeKey(domain)} is not a JWT with an expiry`);
  let url: URL;
  try {
    url = new URL(`https://${domain}`);
    if (url.host !== domain.toLowerCase()) throw new Error('not a host');
  } catch {
    throw notKeyring(`“${describeKey(domain)}” is not a site address`);
  }
  // Keyring keys carry no scheme; anaconda-auth always uses https. A loopback site is a
  // development or test server, reached over plain http (anaconda-auth's own tests run one
  // so); the person can switch it to https in the server's settings.
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  return {
    server: { url: `${loopback ? 'http' : 'https'}://${domain}`, options: {}, suggestedName: `Anaconda ${domain}` },
    session: entry.api_key,
    credential: null,
    expiresAt: expiry.toISOString(),
    user: { name: (typeof entry.username === 'string' && entry.username) || `owner of the API key for ${domain}` },
  };
}

export function renderKeyring(server: ServerRecord, material: SessionMaterial, existing: string | null): string {
  const outer = readOuter(existing ?? '');
  const domain = keyringDomain(server);
  const service = outer[KEYRING_SERVICE] ?? {};
  const previous = service[domain] !== undefined ? decodeEntry(domain, service[domain]) : null;
  // Like anaconda-auth's own login: replace the key, keep the entry's other fields.
  const entry: Entry = {
    domain,
    api_key: material.session,
    username: previous?.username,
    repo_tokens: previous?.repo_tokens ?? [],
    version: previous?.version ?? ENTRY_VERSION,
  };
  return pythonJsonDumps({ ...outer, [KEYRING_SERVICE]: { ...service, [domain]: encodeEntry(entry) } }, false);
}

/** The file without this site's entry (anaconda-auth's logout), or null when it has none. */
export function removeFromKeyring(server: ServerRecord, existing: string): string | null {
  const outer = readOuter(existing);
  const domain = keyringDomain(server);
  const service = outer[KEYRING_SERVICE];
  if (!service || service[domain] === undefined) return null;
  const rest = Object.fromEntries(Object.entries(service).filter(([d]) => d !== domain));
  return pythonJsonDumps({ ...outer, [KEYRING_SERVICE]: rest }, false);
}

const notKeyring = (why: string) =>
  new KeyportError('FILE_ERROR', `This is not an Anaconda keyring file that Keyport can use: ${why}.`, {
    hint: 'Choose the keyring file anaconda-auth wrote (usually ~/.anaconda/keyring). Nothing was changed.',
    field: 'path',
  });
