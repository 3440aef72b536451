import { displayName } from '../../../shared/displayText';
import { expiresSoon } from '../../../shared/expiresSoon';
import type { KindDescriptor, SavedSecretView, ServerView } from '../../../shared/model';
import { nounInSentence } from './tokenNoun';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The soonest expiry of a server's keys the person relies on: saved tokens and a session that is
 * a key (not a renewable access token). Null when nothing expires within the reminder window. */
export function soonestExpiry(server: ServerView, saved: readonly SavedSecretView[], kind: KindDescriptor | undefined, reminderDays: readonly number[], nowMs: number): { expiresAt: number; what: string } | null {
  const candidates: Array<{ expiresAt: number; what: string }> = [];
  for (const secret of saved) {
    if (secret.serverId !== server.id || !secret.expiresAt) continue;
    candidates.push({ expiresAt: Date.parse(secret.expiresAt), what: displayName(secret.name) });
  }
  if (server.session.state === 'signed-in' && server.session.expiresAt && kind && !kind.refreshableSession) {
    candidates.push({ expiresAt: Date.parse(server.session.expiresAt), what: `Keyport’s ${nounInSentence(kind.tokenNoun)}` });
  }
  const soon = candidates.filter((c) => expiresSoon(c.expiresAt, nowMs, reminderDays)).sort((a, b) => a.expiresAt - b.expiresAt);
  return soon[0] ?? null;
}

/** "expires in 5 days", "expires today", "expired". */
export function expiryPhrase(expiresAt: number, nowMs: number): string {
  if (expiresAt <= nowMs) return 'expired';
  // Rounded, as the session panel's "in 5 days": 4 days and 23 hours is 5 days to a person.
  const days = Math.round((expiresAt - nowMs) / DAY_MS);
  return expiresAt - nowMs < DAY_MS ? 'expires within a day' : `expires in ${days} day${days === 1 ? '' : 's'}`;
}
