import { useState, type FormEvent } from 'react';
import { keyport } from '../api';
import { useKeyport } from '../store';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';
import { useAction } from './useAction';

/** All the renderer shows while locked: no server, no token name, nothing else. */
export function LockScreen() {
  const mode = useKeyport((s) => s.status?.storage.mode);
  const unlocked = useKeyport((s) => s.unlocked);
  const [passphrase, setPassphrase] = useState('');
  const { busy, error, run } = useAction();
  const needsPassphrase = mode === 'passphrase';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const status = await run(() => keyport.call('app.unlock', needsPassphrase ? { passphrase } : {}));
    setPassphrase('');
    if (status) await unlocked(status);
  };

  return (
    <main className="lock-screen">
      <form className="panel form lock-form" onSubmit={submit} noValidate>
        <img src="./keyport.svg" alt="" width={56} height={56} />
        <h1>Keyport is locked</h1>
        {needsPassphrase ? (
          <Field label="Passphrase">
            {(p) => <input {...p} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="current-password" autoFocus aria-invalid={error?.field === 'passphrase' || undefined} />}
          </Field>
        ) : (
          <p className="muted">Your secrets were cleared from memory.</p>
        )}
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy} autoFocus={!needsPassphrase}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
    </main>
  );
}
