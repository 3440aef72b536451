import { useId, useState, type FormEvent } from 'react';
import type { CreatedToken, KindDescriptor, ServerView } from '../../../shared/model';
import { tokenNameWarning } from '../../../shared/tokenNames';
import { urlPathWarning } from '../../../shared/urlPathWarning';
import { cancelSignIn } from '../actions/signIn';
import { createToken, openCreateNoteLink } from '../actions/tokens';
import { useKeyport } from '../store';
import { ConfirmDialog } from './ConfirmDialog';
import { CopyControl } from './CopyControl';
import { Dialog } from './Dialog';
import { DialogFooter } from './DialogFooter';
import { needsAccountPassword } from './AccountPasswordForm';
import { Field } from './Field';
import { ScopeChoices } from './ScopeChoices';
import { OtpField, useOtpPrompt } from './OtpPrompt';
import { nounInSentence, shortTokenNoun } from './tokenNoun';
import { SecretInput } from './SecretInput';
import { useAction } from './useAction';
import { useFieldErrors } from './useFieldErrors';
import { displayName } from '../../../shared/displayText';

/** Create a token, then show its value once. The value lives only in this component's state
 * and is gone when the dialog closes. */
export function CreateTokenDialog({ server, kind, onClose }: { server: ServerView; kind: KindDescriptor; onClose(): void }) {
  const persistent = useKeyport((s) => s.status?.storage.persistent ?? false);
  const [name, setName] = useState('');
  // Fields with choices start at their first choice, which is what the list shows.
  const [fields, setFields] = useState<Record<string, string>>(() =>
    Object.fromEntries(kind.createFields.flatMap((f) => (f.choices?.[0] ? [[f.id, f.choices[0].value]] : []))),
  );
  const [password, setPassword] = useState('');
  const passwordRemembered = server.session.state === 'signed-in' && server.session.passwordRemembered;
  const askPassword = needsAccountPassword(server, kind) || (kind.tokenCreationNeedsPassword === true && !passwordRemembered);
  const otp = useOtpPrompt();
  const noun = shortTokenNoun(kind);
  const sessionScopes = server.session.state === 'signed-in' ? (server.session.scopes ?? []) : [];
  const [save, setSave] = useState(persistent);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  // A shown-once value that was neither saved nor copied is lost when the dialog closes.
  const [copied, setCopied] = useState(false);
  const [askingToClose, setAskingToClose] = useState(false);
  const { busy, error, setError, run } = useAction();
  const form = useFieldErrors(error, setError, askPassword ? ['name', 'password'] : ['name']);
  const warningId = useId();

  // A confirmation in the browser (npm's web-based OTP) is waited for by main; Cancel ends it.
  const stopWaiting = () => void cancelSignIn(server.id);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const required: Record<string, readonly [string, string]> = { name: [name, `Enter a name for the ${noun}.`] };
    if (askPassword) required.password = [password, 'Enter your account password.'];
    if (!form.checkRequired(required)) return;
    const given = askPassword ? password : undefined;
    const result = await run(() =>
      otp.withOtp((code) =>
        createToken({
          serverId: server.id,
          name,
          save,
          fields,
          ...(given === undefined ? {} : { password: given }),
          ...(code === undefined ? {} : { otp: code }),
        }),
      ),
    );
    if (result) {
      setPassword('');
      setCreated(result);
    }
  };

  if (created) {
    const wouldLose = !created.saved && !copied;
    const requestClose = () => (wouldLose ? setAskingToClose(true) : onClose());
    return (
      <Dialog title={`${kind.tokenNoun} “${displayName(created.token.name)}” created`} onClose={onClose} role="alertdialog" describedBy={warningId} onCloseRequest={wouldLose ? requestClose : undefined}>
        <p id={warningId} className="warning">
          Copy it now: this is the only time Keyport shows this {noun === 'token' ? 'token' : 'secret'}.{' '}
          {created.saved ? 'A copy is saved in Keyport, encrypted, so you can copy it again later.' : 'It was not saved in Keyport.'}
        </p>
        {urlPathWarning(kind, server.url) ? (
          <p className="warning" role="note">
            ⚠ {urlPathWarning(kind, server.url)}
          </p>
        ) : null}
        {created.identifier ? (
          <Field label={created.identifier.label}>
            {(p) => <input {...p} className="secret" readOnly value={created.identifier?.value ?? ''} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />}
          </Field>
        ) : null}
        <Field label={created.identifier ? 'Secret' : 'New token'}>
          {(p) => <textarea {...p} className="secret" readOnly value={created.secret} rows={3} spellCheck={false} onFocus={(e) => e.currentTarget.select()} onCopy={() => setCopied(true)} />}
        </Field>
        <div className="actions spread">
          <CopyControl secretId={created.secretId} kind={kind} name={created.token.name} onCopied={() => setCopied(true)} />
          <button type="button" className="primary" onClick={requestClose} autoFocus>
            Done
          </button>
        </div>
        {askingToClose ? (
          <ConfirmDialog
            title="Close without copying?"
            message={`You have not copied this ${noun === 'token' ? 'token' : 'secret'}. Close anyway? Keyport did not save it, so it cannot be shown again.`}
            confirmLabel="Close anyway"
            busy={false}
            error={null}
            onConfirm={onClose}
            onClose={() => setAskingToClose(false)}
          />
        ) : null}
      </Dialog>
    );
  }

  return (
    <Dialog title={`Create ${nounInSentence(kind.tokenNoun)} on ${server.name}`} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate id={form.formId}>
        {kind.createNote ? (
          <p className="muted">
            {kind.createNote.text}{' '}
            <button type="button" className="link" onClick={() => void openCreateNoteLink(kind.kind)}>
              {kind.createNote.linkLabel}
            </button>
          </p>
        ) : null}
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
        {tokenNameWarning(name) ? (
          <p className="warning" role="status">
            {tokenNameWarning(name)}
          </p>
        ) : null}
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
        <OtpField prompt={otp} what="create a token" error={error} />
        <label className="check">
          <input type="checkbox" checked={save} onChange={(e) => setSave(e.target.checked)} disabled={!persistent} />
          <span>Save in Keyport (encrypted) so I can copy it again later</span>
        </label>
        {!persistent ? <p className="muted">Saving needs a passphrase: Keyport is keeping secrets for this session only.</p> : null}
        <DialogFooter error={form.formError} onCancel={busy ? stopWaiting : onClose} submitLabel={busy ? 'Creating…' : `Create ${noun}`} busy={busy}>
          {busy ? (
            <p role="status" className="muted">
              Waiting for {server.name}… If it asked you to confirm in your browser, finish there; Cancel stops waiting.
            </p>
          ) : null}
        </DialogFooter>
      </form>
    </Dialog>
  );
}
