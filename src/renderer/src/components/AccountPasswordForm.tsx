import { useState, type FormEvent } from 'react';
import type { KindDescriptor, ServerView } from '../../../shared/model';
import { useKeyport } from '../store';
import { Field } from './Field';
import { nounInSentence } from './tokenNoun';

/** Asked for when the server manages tokens with the account password (Tapis clients API) and
 * the person did not ask Keyport to remember it. The password goes to main for one call. */
export function AccountPasswordForm({ server, kind, reason }: { server: ServerView; kind: KindDescriptor; reason: string }) {
  const [password, setPassword] = useState('');
  const loadTokens = useKeyport((s) => s.loadTokens);
  const loading = useKeyport((s) => s.tokens[server.id]?.status === 'loading');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const given = password;
    setPassword('');
    await loadTokens(server.id, given);
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={`Password to list ${nounInSentence(kind.tokenNoun)}s`}>
      <p className="warning" role="status">
        {reason}
      </p>
      <Field label="Account password" hint={`Keyport uses it for this request and does not keep it. To stop being asked, sign in again with “Remember my password”.`}>
        {(p) => <input {...p} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />}
      </Field>
      <div className="actions">
        <button type="submit" className="primary" disabled={loading || password === ''}>
          Show {nounInSentence(kind.tokenNoun)}s
        </button>
      </div>
    </form>
  );
}

/** True when token actions on this server must carry the account password. */
export const needsAccountPassword = (server: ServerView, kind: KindDescriptor): boolean =>
  kind.tokensNeedPassword && !(server.session.state === 'signed-in' && server.session.passwordRemembered);
