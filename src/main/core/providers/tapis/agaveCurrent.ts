import { z } from 'zod';
import { normalizeServerUrl, serverUrlProblem } from '../../../../shared/schemas';
import { KeyportError } from '../../errors';
import type { ServerRecord } from '../../vault/records';
import type { ImportedSession, SessionMaterial } from '../provider';
import { decodeCredential, encodeCredential } from './tapisCredential';

/** `~/.agave/current`, the session file of agavepy and the Tapis CLIs (docs/protocols/tapis.md,
 * "The session file current"). Keyport writes the layout of agavepy's `Agave.save_configs`
 * byte for byte and reads both layouts agavepy writes. */

/** Where agavepy 0.9.5 reads `current`: $AGAVE_CACHE_DIR when set (agavepy requires an existing
 * directory; Keyport creates it), else ~/.agave. TAPIS_CACHE_DIR, which agavepy does not read,
 * wins when set, as the Tapis CLI documentation asks. */
export function agaveCurrentPath(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const dir = env.TAPIS_CACHE_DIR || env.AGAVE_CACHE_DIR || `${home.replace(/[\\/]+$/, '')}/.agave`;
  return `${dir.replace(/[\\/]+$/, '')}/current`;
}

/** Python's json.dumps(value, sort_keys=…, indent=…) with ensure_ascii: one line with ", " and
 * ": " without an indent; with one, a line per item and "," at line ends (Python 3). */
export function pythonJsonDumps(value: unknown, sortKeys: boolean, indent?: number, depth = 0): string {
  const str = (s: string): string => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const items: string[] = Array.isArray(value)
    ? value.map((v) => pythonJsonDumps(v, sortKeys, indent, depth + 1))
    : (() => {
        const entries = Object.entries(value as Record<string, unknown>);
        if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return entries.map(([k, v]) => `${str(k)}: ${pythonJsonDumps(v, sortKeys, indent, depth + 1)}`);
      })();
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return `${open}${close}`;
  if (indent === undefined) return `${open}${items.join(', ')}${close}`;
  const inner = ' '.repeat(indent * (depth + 1));
  return `${open}\n${items.map((i) => inner + i).join(',\n')}\n${' '.repeat(indent * depth)}${close}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** agavepy's expires_at, `%a %b %-d %H:%M:%S %Z %Y`, in UTC. Informational: nothing parses it. */
export function agaveExpiresAt(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** The session context `save_configs` builds (agavepy/agave.py), in its key order: the 11 keys
 * Keyport owns in `current` and in config.json's entries. */
export function agaveContext(server: ServerRecord, material: SessionMaterial): Record<string, string | number> {
  const credential = decodeCredential(material.credential);
  return {
    tenantid: server.options.tenantId ?? '',
    baseurl: server.url,
    devurl: '',
    apisecret: credential.secret,
    apikey: credential.key,
    username: material.user.name,
    access_token: material.session,
    refresh_token: credential.refreshToken,
    created_at: String(credential.issuedAt),
    expires_in: credential.expiresIn,
    expires_at: agaveExpiresAt(credential.issuedAt + credential.expiresIn),
  };
}

/** The fields of an earlier entry for the same OAuth client that Keyport does not own
 * (token_username, client_name, use_nonce, verify, proxies, …), kept as they were. */
export function keptFields(previous: unknown, apikey: string | number | undefined): Record<string, unknown> {
  if (typeof previous !== 'object' || previous === null || Array.isArray(previous)) return {};
  const entry = previous as Record<string, unknown>;
  if (entry.apikey !== apikey) return {};
  return Object.fromEntries(Object.entries(entry).filter(([key]) => !OWNED_KEYS.has(key)));
}

function parseOrNull(text: string | null): unknown {
  try {
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

const OWNED_KEYS = new Set(['tenantid', 'baseurl', 'devurl', 'apisecret', 'apikey', 'username', 'access_token', 'refresh_token', 'created_at', 'expires_in', 'expires_at']);

/** `current` as save_configs writes it (sorted keys, one line, no newline at the end), plus
 * the fields Keyport does not own of the file it replaces, when that file is for the same
 * OAuth client (agavepy's own refresh rewrites it with verify, proxies and the like). */
export function renderAgaveCurrent(server: ServerRecord, material: SessionMaterial, existing: string | null = null): string {
  const context = agaveContext(server, material);
  return pythonJsonDumps({ ...keptFields(parseOrNull(existing), context.apikey), ...context }, true);
}

/** Why agavepy may not be able to use an exported file as it is. */
export function exportWarnings(server: ServerRecord): string[] {
  const warnings: string[] = [];
  const url = new URL(server.url);
  if (url.protocol !== 'https:' || url.port !== '') {
    warnings.push('agavepy’s Agave.restore() and its API calls reach only https servers on the default port; its token and client functions work with this address.');
  }
  if (server.caCertificatePath) warnings.push(`agavepy does not know Keyport’s CA file: add "verify": "${server.caCertificatePath}" to the file or set it on the Agave object.`);
  if (server.allowInsecureTls) warnings.push('Keyport skips certificate checks for this server; agavepy will not.');
  warnings.push('Keyport and agavepy now share one refresh token: when one of them refreshes, the other must import again or sign in again.');
  return warnings;
}

const str = z.string();
const unixSeconds = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().nonnegative());
const lifetime = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().positive());

/** Both layouts: save_configs (11 sorted keys, created_at a string, devurl) and _write_client
 * (to_dict(): created_at a number, client_name, verify, proxies, no devurl). */
const currentSchema = z.object({
  baseurl: str.min(1),
  apikey: str.min(1),
  apisecret: str.min(1),
  refresh_token: str.min(1),
  access_token: str.nullable().optional(),
  // save_configs writes "" when agavepy was not told the tenant; agavepy restores such files.
  tenantid: str.nullable().optional(),
  verify: z.union([z.boolean(), z.string()]).nullable().optional(),
  username: str.nullable().optional(),
  client_name: str.nullable().optional(),
  created_at: unixSeconds.nullable().optional(),
  expires_in: lifetime.nullable().optional(),
});

const configSchema = z.object({ current: z.record(z.string(), z.object({ apikey: z.string().optional() }).passthrough()) });

/** Reads a `current` file. Refuses, naming only keys and never values, what agavepy could not
 * use either. `readSibling` reads config.json beside it, where save_configs keeps the client's
 * name. */
export async function parseAgaveCurrent(text: string, readSibling: (name: string) => Promise<string | null>): Promise<ImportedSession> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw notSession('it is not valid JSON');
  }
  if (Array.isArray(data)) data = data[0];
  if (typeof data !== 'object' || data === null) throw notSession('it does not hold a JSON object');
  const parsed = currentSchema.safeParse(data);
  if (!parsed.success) {
    const keys = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '(root)')))];
    throw notSession(`${keys.join(', ')} ${keys.length === 1 ? 'is' : 'are'} missing or not valid`);
  }
  const current = parsed.data;
  const baseurl = current.baseurl.trim();
  const urlProblem = serverUrlProblem(baseurl);
  if (urlProblem) throw notSession(`baseurl is not a usable server address (${urlProblem})`);
  const url = normalizeServerUrl(baseurl);

  const clientName = current.client_name || (await clientNameFromConfig(current.apikey, readSibling));
  const issuedAt = Math.floor(current.created_at ?? 0);
  const expiresIn = current.expires_in ?? 0;
  // Without both, the expiry is unknown: treat the access token as expired, so the first use
  // refreshes it (agavepy does the same with its 60-second rule).
  const known = current.created_at != null && current.expires_in != null;
  const username = current.username ?? '';
  return {
    server: {
      url,
      options: current.tenantid ? { tenantId: current.tenantid } : {},
      suggestedName: current.tenantid ? `Tapis ${current.tenantid}` : `Tapis ${new URL(url).host}`,
      // agavepy's `verify` may name a CA file; the new server trusts the same one.
      caCertificatePath: typeof current.verify === 'string' && current.verify !== '' ? current.verify : null,
    },
    session: current.access_token ?? '',
    credential: encodeCredential({
      clientName,
      key: current.apikey,
      secret: current.apisecret,
      refreshToken: current.refresh_token,
      issuedAt,
      expiresIn: known ? expiresIn : 1,
    }),
    expiresAt: new Date(known && current.access_token ? (issuedAt + expiresIn) * 1000 : 0).toISOString(),
    user: { name: username || 'Tapis user' },
    attributes: clientName ? { clientName, clientKey: current.apikey } : { clientKey: current.apikey },
    dependsOnTokenId: clientName ?? undefined,
  };
}

async function clientNameFromConfig(apikey: string, readSibling: (name: string) => Promise<string | null>): Promise<string | null> {
  const text = await readSibling('config.json').catch(() => null);
  if (text === null) return null;
  try {
    const config = configSchema.safeParse(JSON.parse(text));
    if (!config.success) return null;
    return Object.entries(config.data.current).find(([, entry]) => entry.apikey === apikey)?.[0] ?? null;
  } catch {
    return null;
  }
}

const notSession = (why: string) =>
  new KeyportError('FILE_ERROR', `This is not a Tapis session file that Keyport can use: ${why}.`, {
    hint: 'Choose the “current” file that agavepy or the Tapis CLI wrote (usually ~/.agave/current). Nothing was changed.',
    field: 'path',
  });
