import { useState, type FormEvent, type SyntheticEvent } from 'react';
import type { ServerView } from '../../../shared/model';
import { urlPathWarning } from '../../../shared/urlPathWarning';
import { checkServer, pickCertificate, saveServer } from '../actions/servers';
import { useKeyport } from '../store';
import { Dialog } from './Dialog';
import { DialogFooter } from './DialogFooter';
import { Field } from './Field';
import { useAction } from './useAction';
import { useFieldErrors } from './useFieldErrors';
import { focusSoon } from '../focusSoon';
import { nounInSentence } from './tokenNoun';

/** Add a server, or edit one. Validation is the shared schema's, run in main. */
export function ServerFormDialog({ server, onClose }: { server: ServerView | null; onClose(): void }) {
  const kinds = useKeyport((s) => s.kinds);
  const [name, setName] = useState(server?.name ?? '');
  const [kind, setKind] = useState(server?.kind ?? kinds[0]?.kind ?? '');
  const [url, setUrl] = useState(server?.url ?? '');
  const [allowInsecureTls, setAllowInsecureTls] = useState(server?.allowInsecureTls ?? false);
  const [caCertificatePath, setCaPath] = useState(server?.caCertificatePath ?? '');
  const [options, setOptions] = useState<Record<string, string>>(server?.options ?? {});
  const { busy, error, setError, run } = useAction();
  /** The address failed the check: "Add anyway" is offered while its error is shown. */
  const [checkFailed, setCheckFailed] = useState(false);
  const [checking, setChecking] = useState(false);
  const descriptor = kinds.find((k) => k.kind === kind);
  const form = useFieldErrors(error, setError, ['name', 'url', ...(descriptor?.serverFields ?? []).map((f) => f.id)]);
  const urlLabel = descriptor?.urlLabel ?? 'URL';

  const submit = async (event: FormEvent | SyntheticEvent, anyway = false) => {
    event.preventDefault();
    // Every empty required field is reported at once, before asking the core.
    const required: Record<string, readonly [string, string]> = { name: [name, 'Enter a name for this server.'], url: [url, `Enter the ${nounInSentence(urlLabel)}.`] };
    for (const f of descriptor?.serverFields ?? []) if (f.required && !f.secret) required[f.id] = [options[f.id] ?? '', `Enter the ${nounInSentence(f.label)}.`];
    if (!form.checkRequired(required)) return;
    // Only the settings of the chosen kind are sent.
    const kindOptions = Object.fromEntries((descriptor?.serverFields ?? []).map((f) => [f.id, options[f.id] ?? '']));
    const changes = { name, kind, url, allowInsecureTls, caCertificatePath: caCertificatePath || null, options: kindOptions };
    // The address is asked first, so a wrong port or another kind of server is said here, on
    // the URL field, not later at sign-in. An edit that keeps the address is not asked again.
    const moved = !server || server.url !== url.trim() || server.kind !== kind || server.allowInsecureTls !== allowInsecureTls || (server.caCertificatePath ?? '') !== caCertificatePath;
    if (moved && !anyway) {
      setChecking(true);
      const checked = await run(async () => {
        await checkServer(changes, server?.id);
        return true;
      });
      setChecking(false);
      if (!checked) {
        setCheckFailed(true);
        return;
      }
    }
    setCheckFailed(false);
    const saved = await run(() => saveServer(server?.id ?? null, changes));
    if (saved) {
      onClose();
      // A new server's next step is signing in: focus goes to its form.
      if (!server) focusSoon('#main-content [aria-labelledby="sign-in-title"] input:not([type="radio"])', '#main-content [aria-labelledby="sign-in-title"] button');
    }
  };

  const browse = async () => {
    const picked = await run(pickCertificate);
    if (picked) setCaPath(picked);
  };

  const invalid = (field: string) => (error?.field === field ? true : undefined);
  // Offered only while the check's error is shown: fixing the URL clears both.
  const offerAnyway = checkFailed && error !== null && (error.field === 'url' || form.formError !== null);
  const anywayNoteId = `${form.formId}-anyway`;

  return (
    <Dialog title={server ? `Edit ${server.name}` : 'Add server'} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate id={form.formId}>
        <Field label="Name" error={form.errors.name}>
          {(p) => (
            <input
              {...p}
              value={name}
              onChange={form.onEdit('name', setName)}
              required
              autoFocus
              placeholder="Company packages"
            />
          )}
        </Field>
        <Field label="Kind" hint={descriptor?.description}>
          {(p) => (
            <select
              {...p}
              value={kind}
              onChange={(e) => {
                setKind(e.target.value);
                // The address was checked as the old kind: that verdict no longer applies.
                if (error?.field === 'url') setError(null);
              }}
              aria-invalid={invalid('kind')}
            >
              {kinds.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={urlLabel} error={form.errors.url}>
          {(p) => (
            <input
              {...p}
              value={url}
              onChange={form.onEdit('url', setUrl)}
              required
              inputMode="url"
              spellCheck={false}
              placeholder={descriptor?.urlPlaceholder}
            />
          )}
        </Field>
        {urlPathWarning(descriptor, url) ? (
          <p className="warning" role="note">
            ⚠ {urlPathWarning(descriptor, url)}
          </p>
        ) : null}
        {descriptor?.serverFields.map((f) => (
          <Field key={f.id} label={f.required ? f.label : `${f.label} (optional)`} hint={f.hint} error={form.errors[f.id]}>
            {(p) =>
              f.secret ? (
                // A secret setting is write-only: main keeps it encrypted and never sends it back.
                <input
                  {...p}
                  type="password"
                  autoComplete="off"
                  value={options[f.id] ?? ''}
                  onChange={(e) => {
                    setOptions({ ...options, [f.id]: e.target.value });
                    form.edited(f.id);
                  }}
                  maxLength={500}
                  spellCheck={false}
                  placeholder={server?.savedSecretFields?.includes(f.id) ? 'Saved — leave empty to keep it' : f.placeholder}
                />
              ) : (
                <input
                  {...p}
                  value={options[f.id] ?? ''}
                  onChange={(e) => {
                    setOptions({ ...options, [f.id]: e.target.value });
                    form.edited(f.id);
                  }}
                  required={f.required}
                  maxLength={500}
                  spellCheck={false}
                  placeholder={f.placeholder}
                />
              )
            }
          </Field>
        ))}
        <fieldset className="fieldset">
          <legend>Secure connection</legend>
          <Field label="CA certificate file (optional)" hint="For servers whose certificate is signed by your organisation’s own authority.">
            {(p) => (
              <span className="row">
                <input {...p} value={caCertificatePath} onChange={(e) => setCaPath(e.target.value)} spellCheck={false} aria-invalid={invalid('caCertificatePath')} placeholder="/path/to/company-ca.pem" />
                <button type="button" onClick={browse} disabled={busy}>
                  Browse…
                </button>
              </span>
            )}
          </Field>
          <label className="check">
            <input type="checkbox" checked={allowInsecureTls} onChange={(e) => setAllowInsecureTls(e.target.checked)} />
            <span>Allow insecure TLS (do not verify the server’s certificate)</span>
          </label>
          {allowInsecureTls ? (
            <p className="warning" role="note">
              ⚠ Anyone on the network path can read and change traffic to this server, including your password and tokens. Prefer adding the CA certificate.
            </p>
          ) : null}
        </fieldset>
        <DialogFooter
          error={form.formError}
          onCancel={onClose}
          submitLabel={checking ? 'Checking server…' : server ? 'Save changes' : 'Add server'}
          busy={busy}
          alternative={
            offerAnyway ? (
              <button type="button" onClick={(e) => void submit(e, true)} disabled={busy} aria-describedby={anywayNoteId}>
                {server ? 'Save anyway' : 'Add anyway'}
              </button>
            ) : null
          }
        >
          {offerAnyway ? (
            <p className="note" id={anywayNoteId}>
              If the server is offline for now, you can {server ? 'save' : 'add'} it anyway and sign in once it answers.
            </p>
          ) : null}
        </DialogFooter>
      </form>
    </Dialog>
  );
}
