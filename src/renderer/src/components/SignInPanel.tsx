import { useState, type FormEvent } from 'react';
import type { KindDescriptor, ServerView, SignInMethod } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';
import { useAction } from './useAction';

const METHOD_LABELS: Record<SignInMethod, string> = { password: 'User name and password', token: 'Existing API token' };

/** Sign-in forms for the methods the kind supports. The password goes to main once and is
 * cleared from the form straight after. */
export function SignInPanel({ server, kind }: { server: ServerView; kind: KindDescriptor }) {
  const [method, setMethod] = useState<SignInMethod>(kind.signInMethods[0] ?? 'password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const putServer = useKeyport((s) => s.putServer);
  const loadTokens = useKeyport((s) => s.loadTokens);
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const signedIn = await run(() =>
      method === 'password'
        ? keyport.call('auth.signInWithPassword', { serverId: server.id, username, password })
        : keyport.call('auth.signInWithToken', { serverId: server.id, token }),
    );
    setPassword('');
    setToken('');
    if (signedIn) {
      putServer(signedIn);
      void loadTokens(server.id);
    }
  };

  return (
    <section className="panel" aria-labelledby="sign-in-title">
      <h3 id="sign-in-title">Sign in</h3>
      {server.session.state === 'expired' ? (
        <p className="warning" role="status">
          {server.session.message}
        </p>
      ) : null}
      {kind.signInMethods.length > 1 ? (
        <div className="segmented" role="radiogroup" aria-label="Sign-in method">
          {kind.signInMethods.map((m) => (
            <label key={m} className={m === method ? 'segment selected' : 'segment'}>
              <input type="radio" name={`method-${server.id}`} value={m} checked={m === method} onChange={() => setMethod(m)} />
              {METHOD_LABELS[m]}
            </label>
          ))}
        </div>
      ) : null}
      <form className="form" onSubmit={submit} noValidate>
        {method === 'password' ? (
          <>
            <Field label="User name">
              {(p) => <input {...p} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" spellCheck={false} aria-invalid={error?.field === 'username' || undefined} />}
            </Field>
            <Field label="Password" hint="Used once to sign in; Keyport does not keep it.">
              {(p) => <input {...p} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" aria-invalid={error?.field === 'password' || undefined} />}
            </Field>
          </>
        ) : (
          <Field label={kind.tokenNoun} hint="Kept encrypted so Keyport can renew your session.">
            {(p) => <input {...p} type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} aria-invalid={error?.field === 'token' || undefined} />}
          </Field>
        )}
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </section>
  );
}
