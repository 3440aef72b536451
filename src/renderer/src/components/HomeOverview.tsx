import type { KindDescriptor, ServerView } from '../../../shared/model';
import { useKeyport, useReminderDays } from '../store';
import { expiryPhrase, soonestExpiry } from './expiringSoon';
import { sessionStatusText } from './sessionStatus';
import { ExactTimeOnHover } from './TimeText';
import { useNow } from './useNow';
import { nounInSentence } from './tokenNoun';

/** The session's status, with when its key expires where the session is a key (a renewable
 * access token is renewed by Keyport and not worth a mention). */
function sessionText(server: ServerView, kind: KindDescriptor | undefined, nowMs: number): string {
  const status = sessionStatusText(server);
  if (server.session.state !== 'signed-in' || !server.session.expiresAt || !kind || kind.refreshableSession) return status;
  const ends = Date.parse(server.session.expiresAt);
  return Number.isNaN(ends) ? status : `${status}; Keyport’s ${nounInSentence(kind.tokenNoun)} ${expiryPhrase(ends, nowMs)}`;
}

/** Every server at a glance: how it is signed in, how many tokens Keyport holds or last listed,
 * and the keys that expire soon, soonest first. Reached from "Overview" in the sidebar. */
export function HomeOverview() {
  const servers = useKeyport((s) => s.servers);
  const kinds = useKeyport((s) => s.kinds);
  const saved = useKeyport((s) => s.saved);
  const tokens = useKeyport((s) => s.tokens);
  const select = useKeyport((s) => s.select);
  const reminderDays = useReminderDays();
  const now = useNow(60_000);

  const expiring = servers
    .map((server) => ({ server, soon: soonestExpiry(server, saved, kinds.find((k) => k.kind === server.kind), reminderDays, now) }))
    .filter((e): e is { server: ServerView; soon: NonNullable<typeof e.soon> } => e.soon !== null)
    .sort((a, b) => a.soon.expiresAt - b.soon.expiresAt);

  return (
    <section className="overview" aria-labelledby="overview-title">
      <h2 id="overview-title">Overview</h2>
      {expiring.length > 0 ? (
        <div className="panel warning-panel" role="region" aria-label="Expiring soon">
          <h3>Expiring soon</h3>
          <ul className="plain">
            {expiring.map(({ server, soon }) => (
              <li key={server.id}>
                <button type="button" className="link" onClick={() => select(server.id)}>
                  {server.name}
                </button>
                : {soon.what} <ExactTimeOnHover at={soon.expiresAt}>{expiryPhrase(soon.expiresAt, now)}</ExactTimeOnHover>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <table className="tokens">
        <caption className="visually-hidden">All servers</caption>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Kind</th>
            <th scope="col">Session</th>
            <th scope="col">Tokens</th>
          </tr>
        </thead>
        <tbody>
          {servers.map((server) => {
            const kind = kinds.find((k) => k.kind === server.kind);
            const savedCount = saved.filter((s) => s.serverId === server.id).length;
            const listed = tokens[server.id]?.status === 'ready' ? tokens[server.id]?.items.length : undefined;
            const noun = kind?.tokenNoun ?? 'token';
            return (
              <tr key={server.id}>
                <th scope="row">
                  <button type="button" className="link" onClick={() => select(server.id)}>
                    {server.name}
                  </button>
                </th>
                <td>{kind?.label ?? server.kind}</td>
                <td>{sessionText(server, kind, now)}</td>
                <td>
                  {kind?.tokenList === false
                    ? '—'
                    : [listed === undefined ? null : `${listed} on the server`, `${savedCount} saved in Keyport`].filter(Boolean).join(', ')}
                  {kind?.tokenList === false ? <span className="visually-hidden">no {noun} list</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
