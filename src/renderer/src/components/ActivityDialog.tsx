import { useEffect, useState } from 'react';
import { AUDIT_ACTION_LABELS } from '../../../shared/auditActions';
import type { AuditEntry } from '../../../shared/model';
import { exportActivityCsv, listActivity } from '../actions/activity';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { useAction } from './useAction';
import { ServerText } from './ServerText';
import { TimeText } from './TimeText';
import { useNow } from './useNow';

/** How many entries the dialog draws; the CSV holds them all. */
const SHOWN = 200;

/** The local activity log: what was done with which token, when — never a value. */
export function ActivityDialog({ onClose }: { onClose(): void }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const { busy, error, run } = useAction();
  const now = useNow(60_000);

  useEffect(() => {
    // Loaded once per opening (`run` is stable).
    void run(listActivity).then((list) => {
      if (list) setEntries(list);
    });
  }, [run]);

  const exportCsv = async () => {
    const csv = await run(exportActivityCsv);
    if (csv === undefined) return;
    // A download from the page itself: the text is the person's own log, holding no secret.
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `keyport-activity-${new Date().toISOString().slice(0, 10)}.csv`;
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Dialog title="Activity" onClose={onClose} wide>
      <p className="muted">What was done with your tokens on this computer: created, revoked, copied, imported and exported. Names only, never values.</p>
      {entries === null ? (
        <p role="status">{busy ? 'Loading…' : null}</p>
      ) : entries.length === 0 ? (
        <p>Nothing yet. Creating, copying or revoking a token shows up here.</p>
      ) : (
        <div className="activity-scroll">
          <table className="tokens activity">
            <caption className="visually-hidden">Activity, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Server</th>
                <th scope="col">Token</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {entries.slice(0, SHOWN).map((entry) => (
                <tr key={entry.id}>
                  <td>
                    <TimeText at={entry.at} now={now} />
                  </td>
                  <td>{AUDIT_ACTION_LABELS[entry.action]}</td>
                  <td>
                    <ServerText text={entry.serverName} />
                  </td>
                  <td>{entry.subject ? <ServerText text={entry.subject} /> : null}</td>
                  <td>{entry.detail ? <ServerText text={entry.detail} max={500} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length > SHOWN ? <p className="muted">Showing the latest {SHOWN} of {entries.length}; the CSV holds them all.</p> : null}
        </div>
      )}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={exportCsv} disabled={busy || !entries?.length}>
          Export as CSV
        </button>
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
