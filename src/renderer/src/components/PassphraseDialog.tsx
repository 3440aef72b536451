import { useState, type FormEvent } from 'react';
import { MIN_PASSPHRASE_LENGTH } from '../../../shared/limits';
import { keyport } from '../api';
import { useKeyport } from '../store';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';
import { useAction } from './useAction';

/** Choose (or change) the passphrase that encrypts secrets when there is no keyring. */
export function PassphraseDialog({ onClose }: { onClose(): void }) {
  const setStatus = useKeyport((s) => s.setStatus);
  const refreshServers = useKeyport((s) => s.refreshServers);
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, setError, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (passphrase !== again) {
      setError({ code: 'VALIDATION', message: 'The two passphrases are not the same.', field: 'again' });
      return;
    }
    const status = await run(() => keyport.call('storage.usePassphrase', { passphrase }));
    if (status) {
      setStatus(status);
      // Live sessions are now written to disk: their "lasts until you quit" note goes at once.
      await refreshServers();
      onClose();
    }
  };

  return (
    <Dialog title="Protect Keyport with a passphrase" onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <p>Keyport encrypts your secrets with a key made from this passphrase and asks for it when it starts or is locked. It cannot be recovered if you forget it.</p>
        <Field label="Passphrase" hint={`At least ${MIN_PASSPHRASE_LENGTH} characters; a few unrelated words work well.`}>
          {(p) => <input {...p} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" autoFocus aria-invalid={error?.field === 'passphrase' || undefined} />}
        </Field>
        <Field label="Passphrase again">
          {(p) => <input {...p} type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" aria-invalid={error?.field === 'again' || undefined} />}
        </Field>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Encrypting…' : 'Use this passphrase'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
