import { STORE_KEYS } from '../storeKeys';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AUDIT_ACTION_LABELS } from '../../../shared/auditActions';
import { visibleText } from '../../../shared/displayText';
import type { AuditAction, AuditEntry } from '../../../shared/model';
import type { KeyValueStore } from '../ports';

/** The store key; the log lives beside the vault's servers and settings. */
const STORE_KEY = STORE_KEYS.auditLog;
/** Enough for years of everyday use; the oldest entries go first. Each save rewrites the log,
 * so it must stay small next to the vault itself. */
export const MAX_AUDIT_ENTRIES = 5000;

/** The most of a token name or detail an entry keeps. A server can name a token with megabytes;
 * an entry holding more than the stored schema allows would be dropped at the next start. */
const MAX_TEXT = 500;

/** `text` cut to what an entry keeps, never inside a surrogate pair. */
function kept(text: string | null): string | null {
  if (text === null || text.length <= MAX_TEXT) return text;
  const end = /[\uD800-\uDBFF]/.test(text[MAX_TEXT - 2] ?? '') ? MAX_TEXT - 2 : MAX_TEXT - 1;
  return `${text.slice(0, end)}…`;
}

const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as [AuditAction, ...AuditAction[]];

const entrySchema = z.object({
  id: z.string().min(1).max(100),
  at: z.string().min(1).max(40),
  action: z.enum(AUDIT_ACTIONS),
  serverId: z.string().max(100).nullable(),
  serverName: z.string().max(200),
  kind: z.string().max(40),
  subject: z.string().max(MAX_TEXT).nullable(),
  detail: z.string().max(MAX_TEXT).nullable(),
});

/** The server an action concerned: a record or a view, whose name and kind the entry keeps. */
export type AuditedServer = { id: string; name: string; kind: string };

/** A local record of what was done with which token, for the person's own review: created,
 * revoked, copied, imported, exported — with time, server and token name, never a value. Names
 * come from the vault and the servers, not from the renderer. */
export class AuditLog {
  private readonly store: KeyValueStore;
  private readonly now: () => Date;
  private entries: AuditEntry[];

  constructor(store: KeyValueStore, now: () => Date) {
    this.store = store;
    this.now = now;
    this.entries = load(store);
  }

  record(server: AuditedServer, action: AuditAction, subject: string | null, detail: string | null): void {
    const entry: AuditEntry = { id: randomUUID(), at: this.now().toISOString(), action, serverId: server.id, serverName: server.name, kind: server.kind, subject: kept(subject), detail: kept(detail) };
    this.entries = [...this.entries, entry].slice(-MAX_AUDIT_ENTRIES);
    // Not worth a wait for the disk on every create, copy or revoke: a power cut may lose the
    // last entries, never the file (a torn last line is cut off at the next start).
    if (this.store.setLazily) this.store.setLazily(STORE_KEY, this.entries);
    else this.store.set(STORE_KEY, this.entries);
  }

  /** Newest first. */
  list(): AuditEntry[] {
    return [...this.entries].reverse();
  }

  /** The whole log as CSV (RFC 4180), oldest first, for a spreadsheet. */
  csv(): string {
    const header = ['Time (UTC)', 'Action', 'Server', 'Kind', 'Token', 'Detail'];
    const rows = this.entries.map((e) => [e.at, AUDIT_ACTION_LABELS[e.action], e.serverName, e.kind, e.subject ?? '', e.detail ?? '']);
    return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
  }
}

/** One CSV cell. Token names are chosen by whoever runs the server: control and invisible
 * characters are made visible first (visibleText: no raw ESC reaches a terminal that `cat`s the
 * file, no line break or bidi override reshapes the table). A cell a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR at the start: OWASP "CSV injection") gets a leading apostrophe.
 * Quoted when it holds a separator or quote. */
export function csvCell(value: string): string {
  const shown = visibleText(value);
  const safe = /^[=+\-@\t\r]/.test(shown) ? `'${shown}` : shown;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The stored log, without entries that do not parse (a damaged store loses only those). */
function load(store: KeyValueStore): AuditEntry[] {
  const raw = store.get(STORE_KEY);
  if (!Array.isArray(raw)) return [];
  const entries: AuditEntry[] = [];
  for (const item of raw) {
    const parsed = entrySchema.safeParse(item);
    if (parsed.success) entries.push(parsed.data);
  }
  return entries.slice(-MAX_AUDIT_ENTRIES);
}
