import { useState } from 'react';
import type { DeviceSignInCode, ServerView } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';
import { ErrorMessage } from './ErrorMessage';
import { ExpiryText } from './ExpiryText';
import { Field } from './Field';
import { useAction } from './useAction';

/** "Sign in with a code" (RFC 8628): shows the code and where to enter it (selectable, and the
 * browser can be opened there), while main polls the server at its interval. */
export function DeviceSignIn({ server }: { server: ServerView }) {
  const putServer = useKeyport((s) => s.putServer);
  const loadTokens = useKeyport((s) => s.loadTokens);
  const [code, setCode] = useState<DeviceSignInCode | null>(null);
  const { busy, error, run } = useAction();
  const open = useAction();

  const start = async () => {
    const started = await run(async () => {
      const next = await keyport.call('auth.startDeviceSignIn', { serverId: server.id, force: false });
      if (next) setCode(next);
      return next;
    });
    if (started === null) {
      // Already signed in with a valid session.
      const servers = await keyport.call('servers.list').catch(() => []);
      const self = servers.find((s) => s.id === server.id);
      if (self) putServer(self);
      return;
    }
    if (!started) return;
    const result = await run(() => keyport.call('auth.finishDeviceSignIn', { serverId: server.id }));
    setCode(null);
    if (result) {
      putServer(result);
      void loadTokens(server.id);
    }
  };
  const cancel = () => {
    setCode(null);
    void keyport.call('auth.cancelSignIn', { serverId: server.id }).catch(() => undefined);
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
            <button type="button" onClick={() => open.run(() => keyport.call('auth.openDeviceVerification', { serverId: server.id }))}>
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
