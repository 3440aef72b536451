import type { ServerRecord } from '../../vault/records';
import type { SessionMaterial } from '../provider';
import { agaveContext, keptFields, pythonJsonDumps } from './agaveCurrent';
import { decodeCredential } from './tapisCredential';

/** `config.json` beside `current`: where agavepy's `load_configs()` (the Tapis CLI's path) reads
 * the session, and `save_configs()` keeps it (agavepy/utils/save_configs.py):
 * `{"current": {client: context}, "sessions": {tenant: {user: {client: context}}}}`, written
 * with json.dump(indent=4). Keyport updates it as save_configs does. */

type Entries = Record<string, Record<string, unknown>>;
interface AgaveConfig {
  current: Entries;
  sessions?: Record<string, Record<string, Entries>>;
  [other: string]: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseConfig(existing: string | null): AgaveConfig | null {
  if (existing === null) return null;
  try {
    const data: unknown = JSON.parse(existing);
    if (isObject(data) && isObject(data.current) && Object.values(data.current).every(isObject)) return data as AgaveConfig;
  } catch {
    // not JSON: replaced (after the backup every export makes)
  }
  return null;
}

/** config.json after save_configs for this session, or null when the session has no OAuth client
 * name (save_configs refuses to save without one). Fields Keyport does not own are kept in the
 * entries of the same client; other clients' entries and unknown top-level keys are untouched. */
export function renderAgaveConfig(server: ServerRecord, material: SessionMaterial, existing: string | null): { text: string; warnings: string[] } | null {
  const clientName = decodeCredential(material.credential).clientName;
  if (!clientName) return null;
  const warnings: string[] = [];
  const context = agaveContext(server, material);
  const tenant = String(context.tenantid);
  const user = String(context.username);
  const parsed = parseConfig(existing);
  if (existing !== null && parsed === null) warnings.push('config.json beside it was not one agavepy wrote; Keyport replaced it (a backup is beside it).');
  const config: AgaveConfig = parsed ?? { current: {} };
  const earlier = isObject(config.sessions) ? config.sessions[tenant]?.[user]?.[clientName] : undefined;
  const entry = { ...context, ...keptFields(config.current[clientName] ?? earlier, context.apikey) };
  // The owned keys first, in save_configs' order, then the kept ones.
  const ordered = { ...context, ...entry };

  const sessions = config.sessions;
  if (!isObject(sessions)) {
    // First save: this client joins "current", and sessions[tenant][user] is "current" itself.
    config.current[clientName] = ordered;
    config.sessions = { [tenant]: { [user]: config.current } };
  } else {
    // Later saves: the client now current moves to sessions under its own tenant and user, and
    // this one becomes current.
    const saved = Object.keys(config.current)[0];
    if (saved !== undefined) {
      const previous = config.current[saved] ?? {};
      const byUser = (sessions[String(previous.tenantid ?? '')] ??= {});
      (byUser[String(previous.username ?? '')] ??= {})[saved] = previous;
      delete config.current[saved];
    }
    config.current[clientName] = ordered;
    // Beyond save_configs: a sessions entry of this same client holds the refresh token this
    // session replaced, which no longer works; it gets the fresh one.
    const mine = sessions[tenant]?.[user];
    if (mine?.[clientName] !== undefined) mine[clientName] = ordered;
  }
  return { text: pythonJsonDumps(config, false, 4), warnings };
}
