import type { KindDescriptor, ServerView } from '../../../shared/model';
import { forgetSaved } from '../actions/saved';
import { useKeyport } from '../store';
import { ErrorMessage } from './ErrorMessage';
import { shortTokenNoun } from './tokenNoun';
import { useAction } from './useAction';

/** Saved copies whose token the server no longer has (revoked elsewhere, or replaced by a new
 * one of the same name): never shown as another token's, only offered to be forgotten. */
export function GoneSavedCopies({ server, kind }: { server: ServerView; kind: KindDescriptor }) {
  const saved = useKeyport((s) => s.saved);
  const gone = saved.filter((secret) => secret.serverId === server.id && secret.goneFromServer === true);
  const { busy, error, run } = useAction();
  if (gone.length === 0) return null;
  const forget = async (secretId: string) => {
    await run(() => forgetSaved(secretId));
  };
  return (
    <div className="gone-saved">
      <h4 id={`gone-${server.id}`}>Saved in Keyport, no longer on the server</h4>
      <p className="muted">
        The {shortTokenNoun(kind)} these copies were created as was revoked, or replaced by a new one with the same name. Copies of them would not work.
      </p>
      <ul className="plain" aria-labelledby={`gone-${server.id}`}>
        {gone.map((secret) => (
          <li key={secret.id}>
            <span>{secret.name}</span>{' '}
            <button type="button" onClick={() => void forget(secret.id)} disabled={busy} aria-label={`Forget the saved copy of ${secret.name}`}>
              Forget
            </button>
          </li>
        ))}
      </ul>
      <ErrorMessage error={error} />
    </div>
  );
}
