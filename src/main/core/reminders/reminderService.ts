import { STORE_KEYS } from '../storeKeys';
import { displayName } from '../../../shared/displayText';
import type { KeyValueStore, Notifier, Timers } from '../ports';
import type { ProviderRegistry } from '../providers/registry';
import { expiryTime } from '../vault/records';
import type { Vault } from '../vault/vault';

const STORE_KEY = STORE_KEYS.remindersSent;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How often the clock is looked at while Keyport runs: a key does not expire by the minute. */
export const REMINDER_CHECK_INTERVAL_MS = 60 * 60 * 1000;

export interface ReminderDeps {
  vault: Vault;
  /** Ids of servers whose session ended and could not be renewed. */
  endedSessions(): string[];
  providers: ProviderRegistry;
  store: KeyValueStore;
  notifier: Notifier | undefined;
  timers: Timers;
  /** Days before expiry to remind, from the settings. */
  reminderDays(): number[];
}

/** Something of the person's that expires: a saved token, or the key a session is (Anaconda). */
interface Expiring {
  id: string;
  what: string;
  serverName: string;
  expiresAt: number;
}

/** Desktop reminders before a saved key expires (by default 30 and 7 days before), when it has
 * expired, and when a session could not be renewed. Each is sent once: what was sent is kept in
 * the store, so a restart does not repeat it; a key that gets renewed (a new expiry) is a new
 * key to remind about. Renewable sessions (an access token that lives for hours) are not keys
 * and are never reminded about. */
export class ReminderService {
  private readonly deps: ReminderDeps;
  private timer: { cancel(): void } | null = null;

  constructor(deps: ReminderDeps) {
    this.deps = deps;
  }

  /** Checks now, then every hour until stopped. */
  start(): void {
    this.check();
    this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private schedule(): void {
    this.timer = this.deps.timers.setTimeout(() => {
      this.check();
      this.schedule();
    }, REMINDER_CHECK_INTERVAL_MS);
  }

  /** Sends what is due and forgets what no longer exists. Cheap: metadata only, no decryption. */
  check(): void {
    const { vault } = this.deps;
    if (vault.storage().locked) return;
    const sent = this.sent();
    const live = new Set<string>();
    const now = this.deps.timers.now();
    const days = [...new Set(this.deps.reminderDays())].sort((a, b) => b - a);

    for (const item of this.expiring()) {
      const prefix = `${item.id}@${item.expiresAt}`;
      const due = item.expiresAt <= now ? ['expired'] : days.filter((d) => now >= item.expiresAt - d * DAY_MS).map(String);
      for (const key of [...days.map(String), 'expired']) live.add(`${prefix}:${key}`);
      const fresh = due.filter((key) => !sent.has(`${prefix}:${key}`));
      if (fresh.length === 0) continue;
      // Only the most urgent of what is due: a key found 5 days before expiry gets one
      // "7 days" reminder, not a "30 days" one as well.
      this.notify(item, now);
      for (const key of due) sent.set(`${prefix}:${key}`, new Date(now).toISOString());
    }

    // Only the ended sessions, not every server's view: this runs after every change, and a
    // vault may hold 200 servers and 10,000 secrets.
    for (const serverId of this.deps.endedSessions()) {
      const server = vault.servers().find((s) => s.id === serverId);
      if (!server) continue;
      const key = `ended:${server.id}`;
      live.add(key);
      if (sent.has(key)) continue;
      this.deps.notifier?.notify({ title: `Sign in again to ${server.name}`, body: `Keyport could not renew your session on ${server.name}. Sign in again to keep using its tokens.` });
      sent.set(key, new Date(now).toISOString());
    }

    for (const key of [...sent.keys()]) if (!live.has(key)) sent.delete(key);
    this.deps.store.set(STORE_KEY, Object.fromEntries(sent));
  }

  private notify(item: Expiring, now: number): void {
    const date = new Date(item.expiresAt).toISOString().slice(0, 10);
    if (item.expiresAt <= now) {
      this.deps.notifier?.notify({ title: `${item.what} has expired`, body: `${item.what} on ${item.serverName} expired on ${date}. Create a new one and update the machines that use it.` });
      return;
    }
    // Rounded like the app's badges: 4 days and 23 hours is "5 days".
    const left = Math.max(1, Math.round((item.expiresAt - now) / DAY_MS));
    this.deps.notifier?.notify({
      title: `${item.what} expires in ${left} day${left === 1 ? '' : 's'}`,
      body: `${item.what} on ${item.serverName} expires on ${date}. Create a new one before then and update the machines that use it.`,
    });
  }

  /** Saved tokens with an expiry, and sessions that are a key with an expiry (not renewable). */
  private expiring(): Expiring[] {
    const { vault, providers } = this.deps;
    const items: Expiring[] = [];
    const servers = new Map(vault.servers().map((s) => [s.id, s]));
    for (const meta of vault.secrets()) {
      const expiresAt = expiryTime(meta);
      if (expiresAt === null) continue;
      const server = servers.get(meta.serverId);
      if (!server) continue;
      const descriptor = providers.get(server.kind).descriptor;
      if (meta.purpose === 'api-token') {
        items.push({ id: meta.id, what: `The ${descriptor.tokenNoun} “${displayName(meta.name)}”`, serverName: server.name, expiresAt });
      } else if (meta.purpose === 'session' && !descriptor.refreshableSession) {
        items.push({ id: meta.id, what: `Keyport’s ${descriptor.tokenNoun}`, serverName: server.name, expiresAt });
      }
    }
    return items;
  }

  private sent(): Map<string, string> {
    const raw = this.deps.store.get(STORE_KEY);
    const sent = new Map<string, string>();
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') sent.set(key, value);
    }
    return sent;
  }
}
