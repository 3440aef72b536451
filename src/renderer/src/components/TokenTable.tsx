import { useState } from 'react';
import type { KindDescriptor, ServerView, TokenView } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';
import { ConfirmDialog } from './ConfirmDialog';
import { CopyControl } from './CopyControl';
import { ErrorMessage } from './ErrorMessage';
import { useAction } from './useAction';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const formatDate = (iso: string | null, empty = '—') => {
  if (!iso) return empty;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
};

/** The account's tokens, with the columns the kind has. */
export function TokenTable({ server, kind }: { server: ServerView; kind: KindDescriptor }) {
  const state = useKeyport((s) => s.tokens[server.id]);
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  const loadTokens = useKeyport((s) => s.loadTokens);
  const refreshSaved = useKeyport((s) => s.refreshSaved);
  const revoke = useAction();
  const cols = kind.tokenColumns;

  const confirmRevoke = async () => {
    if (!revoking) return;
    const done = await revoke.run(async () => {
      await keyport.call('tokens.revoke', { serverId: server.id, tokenId: revoking.id });
      return true;
    });
    if (done) {
      setRevoking(null);
      void loadTokens(server.id);
      void refreshSaved();
    }
  };

  if (!state || (state.status === 'loading' && state.items.length === 0)) {
    return (
      <p className="muted" role="status">
        Loading tokens…
      </p>
    );
  }
  return (
    <>
      <ErrorMessage error={state.error} />
      {state.items.length === 0 && state.status === 'ready' ? (
        <p className="empty">No {kind.tokenNoun.toLowerCase()}s yet. Create one for each machine or script that needs access.</p>
      ) : null}
      {state.items.length > 0 ? (
        <table className="tokens" aria-label={`${kind.tokenNoun}s on ${server.name}`}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              {cols.created ? <th scope="col">Created</th> : null}
              {cols.lastUsed ? <th scope="col">Last used</th> : null}
              {cols.expires ? <th scope="col">Expires</th> : null}
              <th scope="col">In Keyport</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {state.items.map((t) => (
              <tr key={t.id}>
                <th scope="row" className="token-name">
                  {t.name}
                </th>
                {cols.created ? <td>{formatDate(t.createdAt)}</td> : null}
                {cols.lastUsed ? <td>{formatDate(t.lastUsedAt, 'Never')}</td> : null}
                {cols.expires ? <td>{formatDate(t.expiresAt, 'Never')}</td> : null}
                <td>{t.savedSecretId ? <CopyControl secretId={t.savedSecretId} kind={kind} name={t.name} /> : <span className="muted">Not saved</span>}</td>
                <td className="row-actions">
                  <button type="button" className="danger-quiet" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          message={`Scripts and machines that use “${revoking.name}” will lose access to ${server.name}. This cannot be undone.`}
          confirmLabel="Revoke token"
          busy={revoke.busy}
          error={revoke.error}
          onConfirm={confirmRevoke}
          onClose={() => {
            setRevoking(null);
            revoke.setError(null);
          }}
        />
      ) : null}
    </>
  );
}
