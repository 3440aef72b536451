import { useId, useState, type FormEvent } from 'react';
import type { CreatedToken, KindDescriptor, ServerView } from '../../../shared/model';
import { keyport } from '../api';
import { toShape, useKeyport } from '../store';
import { CopyControl } from './CopyControl';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { needsAccountPassword } from './AccountPasswordForm';
import { Field } from './Field';
import { ScopeChoices } from './ScopeChoices';
import { nounInSentence, shortTokenNoun } from './tokenNoun';
import { SecretInput } from './SecretInput';
import { useAction } from './useAction';
import { useFieldErrors } from './useFieldErrors';

/** Create a token, then show its value once. The value lives only in this component's state
 * and is gone when the dialog closes. */
export function CreateTokenDialog({ server, kind, onClose }: { server: ServerView; kind: KindDescriptor; onClose(): void }) {
  const persistent = useKeyport((s) => s.status?.storage.persistent ?? false);
  const loadTokens = useKeyport((s) => s.loadTokens);
  const refreshSaved = useKeyport((s) => s.refreshSaved);
  const [name, setName] = useState('');
  // Fields with choices start at their first choice, which is what the list shows.
  const [fields, setFields] = useState<Record<string, string>>(() =>
    Object.fromEntries(kind.createFields.flatMap((f) => (f.choices?.[0] ? [[f.id, f.choices[0].value]] : []))),
  );
  const [password, setPassword] = useState('');
  const passwordRemembered = server.session.state === 'signed-in' && server.session.passwordRemembered;
  const askPassword = needsAccountPassword(server, kind) || (kind.tokenCreationNeedsPassword === true && !passwordRemembered);
  // A one-time password, asked for only once the server says it needs one (OTP_REQUIRED).
  const [otpAsked, setOtpAsked] = useState(false);
  const [otp, setOtp] = useState('');
  const noun = shortTokenNoun(kind);
  const sessionScopes = server.session.state === 'signed-in' ? (server.session.scopes ?? []) : [];
  const [save, setSave] = useState(persistent);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const { busy, error, setError, run } = useAction();
  const form = useFieldErrors(error, setError, askPassword ? ['name', 'password'] : ['name']);
  const warningId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const required: Record<string, readonly [string, string]> = { name: [name, `Enter a name for the ${noun}.`] };
    if (askPassword) required.password = [password, 'Enter your account password.'];
    if (!form.checkRequired(required)) return;
    const given = askPassword ? password : undefined;
    const code = otpAsked && otp.trim() ? otp.trim() : undefined;
    let askedForOtp = false;
    const result = await run(async () => {
      try {
        return await keyport.call('tokens.create', {
          serverId: server.id,
          name,
          save,
          fields,
          ...(given === undefined ? {} : { password: given }),
          ...(code === undefined ? {} : { otp: code }),
        });
      } catch (e) {
        askedForOtp = toShape(e).code === 'OTP_REQUIRED';
        throw e;
      }
    });
    setOtpAsked(askedForOtp);
    setOtp('');
    if (result) {
      setPassword('');
      setCreated(result);
      void loadTokens(server.id, given);
      if (result.saved) void refreshSaved();
    }
  };

  if (created) {
    return (
      <Dialog title={`${kind.tokenNoun} “${created.token.name}” created`} onClose={onClose} role="alertdialog" describedBy={warningId}>
        <p id={warningId} className="warning">
          Copy it now: this is the only time Keyport shows this {noun === 'token' ? 'token' : 'secret'}.{' '}
          {created.saved ? 'A copy is saved in Keyport, encrypted, so you can copy it again later.' : 'It was not saved in Keyport.'}
        </p>
        {created.identifier ? (
          <Field label={created.identifier.label}>
            {(p) => <input {...p} className="secret" readOnly value={created.identifier?.value ?? ''} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />}
          </Field>
        ) : null}
        <Field label={created.identifier ? 'Secret' : 'New token'}>
          {(p) => <textarea {...p} className="secret" readOnly value={created.secret} rows={3} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />}
        </Field>
        <div className="actions spread">
          <CopyControl secretId={created.secretId} kind={kind} name={created.token.name} />
          <button type="button" className="primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={`Create ${nounInSentence(kind.tokenNoun)} on ${server.name}`} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate id={form.formId}>
        <Field label={noun === 'token' ? 'Token name' : `${kind.tokenNoun} name`} hint={kind.tokenNameNote ?? `The name identifies the ${noun} on the server; use one per machine.`} error={form.errors.name}>
          {(p) => (
            <input
              {...p}
              value={name}
              onChange={form.onEdit('name', setName)}
              autoFocus
              spellCheck={false}
              placeholder={noun === 'token' ? 'build-server-token' : 'build-server'}
            />
          )}
        </Field>
        {kind.createFields.map((f) =>
          f.choicesFromSessionScopes && sessionScopes.length > 0 ? (
            <ScopeChoices key={f.id} field={f} scopes={sessionScopes} value={fields[f.id] ?? ''} invalid={error?.field === f.id} onChange={(v) => setFields({ ...fields, [f.id]: v })} />
          ) : (
            <Field key={f.id} label={f.label} hint={f.hint}>
              {(p) =>
                f.choices ? (
                  <select {...p} value={fields[f.id] ?? ''} onChange={(e) => setFields({ ...fields, [f.id]: e.target.value })} aria-invalid={error?.field === f.id || undefined}>
                    {f.choices.map((c) => (
                      <option key={c.value} value={c.value}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input {...p} value={fields[f.id] ?? ''} onChange={(e) => setFields({ ...fields, [f.id]: e.target.value })} maxLength={500} placeholder={f.placeholder} aria-invalid={error?.field === f.id || undefined} />
                )
              }
            </Field>
          ),
        )}
        {askPassword ? (
          <Field label="Account password" hint="Needed for this change; not kept." error={form.errors.password}>
            {(p) => (
              <SecretInput
                {...p}
                value={password}
                onChange={form.onEdit('password', setPassword)}
                autoComplete="current-password"
              />
            )}
          </Field>
        ) : null}
        {otpAsked ? (
          <Field label="One-time password" hint="The code from your authenticator app; the server asks for it to create a token.">
            {(p) => <input {...p} value={otp} onChange={(e) => setOtp(e.target.value)} autoComplete="one-time-code" inputMode="numeric" spellCheck={false} autoFocus maxLength={64} aria-invalid={error?.field === 'otp' || undefined} />}
          </Field>
        ) : null}
        <label className="check">
          <input type="checkbox" checked={save} onChange={(e) => setSave(e.target.checked)} disabled={!persistent} />
          <span>Save in Keyport (encrypted) so I can copy it again later</span>
        </label>
        {!persistent ? <p className="muted">Saving needs a passphrase: Keyport is keeping secrets for this session only.</p> : null}
        <ErrorMessage error={form.formError} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : `Create ${noun}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
