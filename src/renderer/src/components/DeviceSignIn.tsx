import { useState } from 'react';
import type { DeviceSignInCode, ServerView } from '../../../shared/model';
import { cancelSignIn, finishDeviceSignIn, openDeviceVerification, startDeviceSignIn } from '../actions/signIn';
import { ErrorMessage } from './ErrorMessage';
import { ExpiryText } from './ExpiryText';
import { Field } from './Field';
import { useAction } from './useAction';

/** "Sign in with a code" (RFC 8628): shows the code and where to enter it (selectable, and the
 * browser can be opened there), while main polls the server at its interval. */
export function DeviceSignIn({ server }: { server: ServerView }) {
  const [code, setCode] = useState<DeviceSignInCode | null>(null);
  const { busy, error, run } = useAction();
  const open = useAction();

  const start = async () => {
    const started = await run(async () => {
      const next = await startDeviceSignIn(server.id);
      if (next) setCode(next);
      return next;
    });
    // Null: already signed in with a valid session (the action shows it).
    if (!started) return;
    await run(() => finishDeviceSignIn(server.id));
    setCode(null);
  };
  const cancel = () => {
    setCode(null);
    void cancelSignIn(server.id);
  };
  const select = (e: { currentTarget: HTMLInputElement }) => e.currentTarget.select();

  return (
    <div className="form">
      {code ? (
        <>
          <p role="status">On any device, open the address below and enter the code. Keyport is waiting for the server to confirm.</p>
          <Field label="Code">{(p) => <input {...p} className="user-code" readOnly value={code.userCode} onFocus={select} />}</Field>
          <Field label="Address" hint={<ExpiryText expiresAt={code.expiresAt} subject="The code" />}>
            {(p) => <input {...p} readOnly value={code.verificationUri} onFocus={select} spellCheck={false} />}
          </Field>
          <ErrorMessage error={open.error} />
          <div className="actions">
            <button type="button" onClick={cancel}>
              Cancel
            </button>
            <button type="button" onClick={() => open.run(() => openDeviceVerification(server.id))}>
              Open in browser
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="muted">For when this computer’s browser cannot be used: Keyport shows a code to enter on another device.</p>
          <ErrorMessage error={error} />
          <div className="actions">
            <button type="button" className="primary" onClick={start} disabled={busy}>
              Get a code
            </button>
          </div>
        </>
      )}
    </div>
  );
}
