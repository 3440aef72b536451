import { useKeyport, useReminderDays } from '../store';
import { expiryPhrase, soonestExpiry } from './expiringSoon';
import { sessionStatusText } from './sessionStatus';
import { ExactTimeOnHover } from './TimeText';
import { useNow } from './useNow';

/** The servers, as a list of buttons: one click (or Enter) selects. */
export function ServerList() {
  const servers = useKeyport((s) => s.servers);
  const selectedId = useKeyport((s) => s.selectedId);
  const select = useKeyport((s) => s.select);
  const kinds = useKeyport((s) => s.kinds);
  const saved = useKeyport((s) => s.saved);
  const reminderDays = useReminderDays();
  // Expiry badges count days.
  const now = useNow(60 * 60 * 1000);
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
                  {sessionStatusText(server)}
                </span>
                <span className="server-meta muted">{kind?.label ?? server.kind}</span>
                {expiring ? (
                  <span className="server-meta expiry-badge">
                    {expiring.what} <ExactTimeOnHover at={expiring.expiresAt}>{expiryPhrase(expiring.expiresAt, now)}</ExactTimeOnHover>
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
