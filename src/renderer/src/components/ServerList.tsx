import type { ServerView } from '../../../shared/model';
import { useKeyport } from '../store';

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
  if (servers.length === 0) return null;
  return (
    <nav aria-label="Servers">
      <ul className="server-list">
        {servers.map((server) => (
          <li key={server.id}>
            <button type="button" className={server.id === selectedId ? 'server-item selected' : 'server-item'} aria-current={server.id === selectedId ? 'page' : undefined} onClick={() => select(server.id)}>
              <span className="server-name">{server.name}</span>
              <span className="server-meta">
                <span className={`dot ${server.session.state}`} aria-hidden="true" />
                {statusText(server)}
              </span>
              <span className="server-meta muted">{kinds.find((k) => k.kind === server.kind)?.label ?? server.kind}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
