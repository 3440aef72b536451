import { useEffect, useState } from 'react';
import type { ServerView } from '../../../shared/model';
import { useKeyport } from '../store';
import { expiryPhrase, soonestExpiry } from './expiringSoon';

const NO_DAYS: readonly number[] = [];

/** The current time, updated hourly: expiry badges count days. */
function useHourlyNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 60 * 60 * 1000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function statusText(server: ServerView): string {
  switch (server.session.state) {
    case 'signed-in':
      return `Signed in as ${server.session.user.name}`;
    case 'expired':
      return 'Session ended — sign in again';
    default:
      return 'Signed out';
  }
}

/** The servers, as a list of buttons: one click (or Enter) selects. */
export function ServerList() {
  const servers = useKeyport((s) => s.servers);
  const selectedId = useKeyport((s) => s.selectedId);
  const select = useKeyport((s) => s.select);
  const kinds = useKeyport((s) => s.kinds);
  const saved = useKeyport((s) => s.saved);
  // Select the settings object itself: a selector returning a new array would re-render forever.
  const settings = useKeyport((s) => s.settings);
  const reminderDays = settings?.reminderDays ?? NO_DAYS;
  const now = useHourlyNow();
  if (servers.length === 0) return null;
  return (
    <nav aria-label="Servers">
      <ul className="server-list">
        {servers.map((server) => {
          const kind = kinds.find((k) => k.kind === server.kind);
          const expiring = soonestExpiry(server, saved, kind, reminderDays, now);
          return (
            <li key={server.id}>
              <button type="button" className={server.id === selectedId ? 'server-item selected' : 'server-item'} aria-current={server.id === selectedId ? 'page' : undefined} onClick={() => select(server.id)}>
                <span className="server-name">{server.name}</span>
                <span className="server-meta">
                  <span className={`dot ${server.session.state}`} aria-hidden="true" />
                  {statusText(server)}
                </span>
                <span className="server-meta muted">{kind?.label ?? server.kind}</span>
                {expiring ? (
                  <span className="server-meta expiry-badge" title={new Date(expiring.expiresAt).toLocaleString()}>
                    {expiring.what} {expiryPhrase(expiring.expiresAt, now)}
                  </span>
                ) : null}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
