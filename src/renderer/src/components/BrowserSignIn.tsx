import type { ServerView } from '../../../shared/model';
import { cancelSignIn, signInWithBrowser } from '../actions/signIn';
import { ErrorMessage } from './ErrorMessage';
import { useAction } from './useAction';

/** "Sign in with browser": main opens the system browser and waits for its redirect; this shows
 * progress and a Cancel button. */
export function BrowserSignIn({ server }: { server: ServerView }) {
  const { busy, error, run } = useAction();
  const start = () => run(() => signInWithBrowser(server.id));
  const cancel = () => void cancelSignIn(server.id);
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
