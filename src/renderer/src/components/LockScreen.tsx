import { useState, type FormEvent } from 'react';
import { lockWords } from '../../../shared/lockWords';
import { unlock, unlockWithSystemCheck } from '../actions/lock';
import { useKeyport } from '../store';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';
import { useAction } from './useAction';

/** All the renderer shows while locked: no server, no token name, nothing else. It asks for
 * what opens the lock (the vault passphrase, or the unlock PIN or passphrase, or the system's
 * check); when nothing is needed it says so and claims no protection. */
export function LockScreen() {
  const lock = useKeyport((s) => s.status?.lock);
  const [secret, setSecret] = useState('');
  const { busy, error, run } = useAction();
  const words = lockWords(lock);
  const unlockWith = lock?.unlockWith ?? 'nothing';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const done = run(() => unlock(unlockWith === 'nothing' ? undefined : secret));
    setSecret('');
    await done;
  };
  const unlockWithSystem = () => run(unlockWithSystemCheck);

  return (
    <main className="lock-screen">
      <form className="panel form lock-form" onSubmit={submit} noValidate>
        <img src="./keyport.svg" alt="" width={56} height={56} />
        <h1>{words.lockedTitle}</h1>
        {unlockWith === 'nothing' ? (
          <p className="muted">Keyport removed your secrets from memory. Anyone at this computer can open it again: set an unlock PIN in Settings to lock it.</p>
        ) : (
          <Field label={unlockWith === 'vault-passphrase' ? 'Passphrase' : 'Unlock PIN or passphrase'}>
            {(p) => <input {...p} type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="current-password" autoFocus aria-invalid={error?.field === 'passphrase' || undefined} />}
          </Field>
        )}
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy} autoFocus={unlockWith === 'nothing'}>
          {unlockWith === 'nothing' ? 'Open Keyport' : busy ? 'Unlocking…' : 'Unlock'}
        </button>
        {lock?.systemCheck ? (
          <button type="button" onClick={unlockWithSystem} disabled={busy}>
            Use {lock.systemCheck}
          </button>
        ) : null}
      </form>
    </main>
  );
}
