import { useState } from 'react';
import { keepSecretsForSessionOnly } from '../actions/storage';
import { useKeyport } from '../store';
import { ErrorMessage } from './ErrorMessage';
import { PassphraseDialog } from './PassphraseDialog';
import { useAction } from './useAction';

/** Says plainly when the OS cannot protect secrets, and lets the person choose: a passphrase,
 * or secrets for this session only (ARCHITECTURE.md, "Secrets"). */
export function StorageBanner() {
  const storage = useKeyport((s) => s.status?.storage);
  const [choosing, setChoosing] = useState(false);
  const { busy, error, run } = useAction();
  if (!storage || storage.mode === 'os' || storage.mode === 'passphrase') return null;

  const sessionOnly = () => run(keepSecretsForSessionOnly);

  return (
    <div className="banner" role={storage.mode === 'undecided' ? 'alert' : 'status'}>
      {storage.mode === 'undecided' ? (
        <>
          <strong>Keyport cannot use your system’s keyring to protect secrets.</strong> {storage.reason} Choose how to keep them: a passphrase
          encrypts them on disk; “this session only” keeps them in memory, and they are gone when you quit. Until you choose, nothing secret is
          saved.
        </>
      ) : (
        <>
          <strong>Secrets are kept for this session only.</strong> Sessions and tokens are forgotten when you quit Keyport.
        </>
      )}
      <div className="banner-actions">
        <button type="button" className="primary" onClick={() => setChoosing(true)}>
          Use a passphrase
        </button>
        {storage.mode === 'undecided' ? (
          <button type="button" onClick={sessionOnly} disabled={busy}>
            Keep secrets for this session only
          </button>
        ) : null}
      </div>
      <ErrorMessage error={error} />
      {choosing ? <PassphraseDialog onClose={() => setChoosing(false)} /> : null}
    </div>
  );
}
