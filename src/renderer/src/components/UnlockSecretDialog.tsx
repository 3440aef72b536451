import { useState, type FormEvent } from 'react';
import { MIN_UNLOCK_SECRET_LENGTH } from '../../../shared/limits';
import { removeUnlockSecret, setUnlockSecret } from '../actions/lock';
import { Dialog } from './Dialog';
import { DialogFooter } from './DialogFooter';
import { Field } from './Field';
import { useAction } from './useAction';

export type UnlockSecretChange = 'set' | 'change' | 'remove';

const TITLES: Record<UnlockSecretChange, string> = { set: 'Set an unlock PIN', change: 'Change the unlock PIN', remove: 'Remove the unlock PIN' };

/** Sets, changes or removes the PIN or passphrase that opens Keyport's lock. Changing and
 * removing need the current one. */
export function UnlockSecretDialog({ change, onClose }: { change: UnlockSecretChange; onClose(): void }) {
  const [current, setCurrent] = useState('');
  const [secret, setSecret] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, setError, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (change !== 'remove' && secret !== again) {
      setError({ code: 'VALIDATION', message: 'The two are not the same.', field: 'again' });
      return;
    }
    const status = await run(() => (change === 'remove' ? removeUnlockSecret(current) : setUnlockSecret(secret, change === 'change' ? current : undefined)));
    if (status) onClose();
  };

  return (
    <Dialog title={TITLES[change]} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <p>
          {change === 'remove'
            ? 'Without an unlock PIN, locking only clears secrets from memory: anyone at this computer can open Keyport again.'
            : 'Keyport asks for it when it starts and whenever it is locked. It is kept only as a salted scrypt hash and cannot be recovered.'}
        </p>
        {change !== 'set' ? (
          <Field label="Current PIN or passphrase">
            {(p) => <input {...p} type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" autoFocus aria-invalid={error?.field === 'current' || undefined} />}
          </Field>
        ) : null}
        {change !== 'remove' ? (
          <>
            <Field label="New PIN or passphrase" hint={`At least ${MIN_UNLOCK_SECRET_LENGTH} characters. Longer is stronger.`}>
              {(p) => <input {...p} type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" autoFocus={change === 'set'} aria-invalid={error?.field === 'secret' || undefined} />}
            </Field>
            <Field label="New PIN or passphrase again">
              {(p) => <input {...p} type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" aria-invalid={error?.field === 'again' || undefined} />}
            </Field>
          </>
        ) : null}
        <DialogFooter error={error} onCancel={onClose} submitLabel={change === 'remove' ? 'Remove unlock PIN' : busy ? 'Saving…' : 'Use this PIN'} busy={busy} tone={change === 'remove' ? 'danger' : 'primary'} />
      </form>
    </Dialog>
  );
}
