import type { ServerView } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';
import { ErrorMessage } from './ErrorMessage';
import { useAction } from './useAction';

/** "Sign in with browser": main opens the system browser and waits for its redirect; this shows
 * progress and a Cancel button. */
export function BrowserSignIn({ server }: { server: ServerView }) {
  const putServer = useKeyport((s) => s.putServer);
  const loadTokens = useKeyport((s) => s.loadTokens);
  const { busy, error, run } = useAction();
  const start = async () => {
    const result = await run(() => keyport.call('auth.signInWithBrowser', { serverId: server.id, force: false }));
    if (result) {
      putServer(result);
      void loadTokens(server.id);
    }
  };
  const cancel = () => void keyport.call('auth.cancelSignIn', { serverId: server.id }).catch(() => undefined);
  return (
    <div className="form">
      {busy ? (
        <p role="status">Waiting for you to finish signing in in your browser… Keyport stops waiting after 5 minutes.</p>
      ) : (
        <p className="muted">Keyport opens your browser at the sign-in page of {server.name}. Come back here when it says you can close the tab.</p>
      )}
      <ErrorMessage error={error} />
      <div className="actions">
        {busy ? (
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        ) : null}
        <button type="button" className="primary" onClick={start} disabled={busy}>
          {busy ? 'Waiting for the browser…' : 'Sign in with browser'}
        </button>
      </div>
    </div>
  );
}
