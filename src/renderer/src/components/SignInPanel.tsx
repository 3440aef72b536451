import { useMemo, useState, type FormEvent } from 'react';
import { nounInSentence } from './tokenNoun';
import type { KindDescriptor, ServerView, SignInMethod } from '../../../shared/model';
import { signInWithPassword, signInWithToken } from '../actions/signIn';
import { toShape, useKeyport } from '../store';
import { BrowserSignIn } from './BrowserSignIn';
import { DeviceSignIn } from './DeviceSignIn';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';
import { SecretInput } from './SecretInput';
import { useAction } from './useAction';
import { displayName } from '../../../shared/displayText';
import { useFieldErrors } from './useFieldErrors';
import { focusSoon } from '../focusSoon';

/** The sign-in choices; a pasted token is named as the kind names it ("Existing access token"). */
const methodLabel = (method: SignInMethod, kind: KindDescriptor): string =>
  ({ password: 'User name and password', token: `Existing ${nounInSentence(kind.tokenNoun)}`, browser: 'Browser', device: 'Code on another device' })[method];

/** Sign-in forms for the methods the kind supports. The password goes to main once and is
 * cleared from the form straight after. */
export function SignInPanel({ server, kind }: { server: ServerView; kind: KindDescriptor }) {
  const [method, setMethod] = useState<SignInMethod>(kind.signInMethods[0] ?? 'password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  // OAuth client (kinds with `oauthClient`): new (optional name), a saved one, or key + secret.
  const [clientMode, setClientMode] = useState<string>('new');
  const [clientName, setClientName] = useState('');
  const [clientKey, setClientKey] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [remember, setRemember] = useState(false);
  // A one-time password, asked for only once the server says it needs one (OTP_REQUIRED).
  const [otpAsked, setOtpAsked] = useState(false);
  const [otp, setOtp] = useState('');
  const canRememberPassword = kind.tokensNeedPassword || kind.tokenCreationNeedsPassword === true;
  const saved = useKeyport((s) => s.saved);
  const savedClients = useMemo(() => saved.filter((x) => x.serverId === server.id), [saved, server.id]);
  const { busy, error, setError, run } = useAction();
  const form = useFieldErrors(error, setError, method === 'password' ? ['username', 'password'] : ['token']);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const required: Record<string, readonly [string, string]> =
      method === 'password' ? { username: [username, 'Enter your user name.'], password: [password, 'Enter your password.'] } : { token: [token, `Enter your ${nounInSentence(kind.tokenNoun)}.`] };
    if (!form.checkRequired(required)) return;
    const client = !kind.oauthClient
      ? undefined
      : clientMode === 'new'
        ? { type: 'new' as const, ...(clientName.trim() ? { name: clientName.trim() } : {}) }
        : clientMode === 'existing'
          ? { type: 'existing' as const, key: clientKey, secret: clientSecret }
          : { type: 'saved' as const, secretId: clientMode };
    let askedForOtp = false;
    const signedIn = await run(async () => {
      try {
        return method === 'password'
          ? await signInWithPassword({
              serverId: server.id,
              username,
              password,
              ...(client ? { client } : {}),
              rememberPassword: remember,
              ...(otpAsked && otp.trim() ? { otp: otp.trim() } : {}),
            })
          : await signInWithToken(server.id, token);
      } catch (e) {
        askedForOtp = toShape(e).code === 'OTP_REQUIRED';
        throw e;
      }
    });
    // The password stays only while the server waits for the one-time password that goes with
    // it; a code is good once, so it never stays.
    if (!askedForOtp) setPassword('');
    setOtpAsked(askedForOtp);
    setOtp('');
    setToken('');
    setClientSecret('');
    if (signedIn) {
      // Signed in, the next thing is the token list (or the session, for kinds without one).
      focusSoon('#tokens-title', '#main-content [aria-label="Session"] button');
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
              {methodLabel(m, kind)}
            </label>
          ))}
        </div>
      ) : null}
      {method === 'browser' ? <BrowserSignIn server={server} /> : null}
      {method === 'device' ? <DeviceSignIn server={server} /> : null}
      {method === 'password' || method === 'token' ? (
      <form className="form" onSubmit={submit} noValidate id={form.formId}>
        {method === 'password' ? (
          <>
            <Field label="User name" error={form.errors.username}>
              {(p) => (
                <input
                  {...p}
                  value={username}
                  onChange={form.onEdit('username', setUsername)}
                  autoComplete="username"
                  spellCheck={false}
                />
              )}
            </Field>
            <Field
              label="Password"
              hint={remember ? `Kept encrypted in Keyport to manage your ${kind.oauthClient ? 'clients' : `${nounInSentence(kind.tokenNoun)}s`}.` : 'Used once to sign in; Keyport does not keep it.'}
              error={form.errors.password}
            >
              {(p) => (
                <SecretInput
                  {...p}
                  value={password}
                  onChange={form.onEdit('password', setPassword)}
                  autoComplete="current-password"
                />
              )}
            </Field>
            {otpAsked ? (
              <Field label="One-time password" hint="The code from your authenticator app; the server asks for it with your password.">
                {(p) => (
                  <input {...p} value={otp} onChange={(e) => setOtp(e.target.value)} autoComplete="one-time-code" inputMode="numeric" spellCheck={false} autoFocus maxLength={64} aria-invalid={error?.field === 'otp' || undefined} />
                )}
              </Field>
            ) : null}
            {kind.oauthClient ? (
              <fieldset className="fieldset">
                <legend>{kind.oauthClient.noun}</legend>
                <Field label="Sign in through" hint={`The session needs an ${kind.oauthClient.noun}: Keyport can create one for this computer, or use one you have.`}>
                  {(p) => (
                    <select {...p} value={clientMode} onChange={(e) => setClientMode(e.target.value)}>
                      <option value="new">A new client created by Keyport</option>
                      {savedClients.map((c) => (
                        <option key={c.id} value={c.id}>
                          Saved client “{displayName(c.name)}”
                        </option>
                      ))}
                      <option value="existing">A client whose key and secret I have</option>
                    </select>
                  )}
                </Field>
                {clientMode === 'new' ? (
                  <Field label="Client name (optional)" hint={`Left empty: ${kind.oauthClient.defaultNamePrefix}<this computer>-<random>.`}>
                    {(p) => <input {...p} value={clientName} onChange={(e) => setClientName(e.target.value)} maxLength={64} spellCheck={false} aria-invalid={error?.field === 'clientName' || undefined} />}
                  </Field>
                ) : null}
                {clientMode === 'existing' ? (
                  <>
                    <Field label={kind.oauthClient.keyLabel ?? 'Client key'}>
                      {(p) => <input {...p} value={clientKey} onChange={(e) => setClientKey(e.target.value)} spellCheck={false} autoComplete="off" aria-invalid={error?.field === 'clientKey' || undefined} />}
                    </Field>
                    <Field label={kind.oauthClient.secretLabel ?? 'Client secret'}>
                      {(p) => <input {...p} type="password" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} autoComplete="off" aria-invalid={error?.field === 'clientSecret' || undefined} />}
                    </Field>
                  </>
                ) : null}
              </fieldset>
            ) : null}
            {canRememberPassword ? (
              <label className="check">
                <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
                <span>
                  Remember my password (encrypted) so Keyport can {kind.tokensNeedPassword ? 'list and change' : 'create'} {nounInSentence(kind.tokenNoun)}s without asking
                </span>
              </label>
            ) : null}
          </>
        ) : (
          <Field label={kind.tokenNoun} hint={kind.tokenSignInHint ?? 'Kept encrypted so Keyport can renew your session.'} error={form.errors.token}>
            {(p) => (
              <SecretInput
                {...p}
                value={token}
                onChange={form.onEdit('token', setToken)}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
        )}
        <ErrorMessage error={form.formError} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      ) : null}
    </section>
  );
}
