import { useState, type FormEvent } from 'react';
import type { ServerView } from '../../../shared/model';
import { urlPathWarning } from '../../../shared/urlPathWarning';
import { pickCertificate, saveServer } from '../actions/servers';
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
  const descriptor = kinds.find((k) => k.kind === kind);
  const form = useFieldErrors(error, setError, ['name', 'url', ...(descriptor?.serverFields ?? []).map((f) => f.id)]);
  const urlLabel = descriptor?.urlLabel ?? 'URL';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Every empty required field is reported at once, before asking the core.
    const required: Record<string, readonly [string, string]> = { name: [name, 'Enter a name for this server.'], url: [url, `Enter the ${nounInSentence(urlLabel)}.`] };
    for (const f of descriptor?.serverFields ?? []) if (f.required && !f.secret) required[f.id] = [options[f.id] ?? '', `Enter the ${nounInSentence(f.label)}.`];
    if (!form.checkRequired(required)) return;
    // Only the settings of the chosen kind are sent.
    const kindOptions = Object.fromEntries((descriptor?.serverFields ?? []).map((f) => [f.id, options[f.id] ?? '']));
    const changes = { name, kind, url, allowInsecureTls, caCertificatePath: caCertificatePath || null, options: kindOptions };
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
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value)} aria-invalid={invalid('kind')}>
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
        <DialogFooter error={form.formError} onCancel={onClose} submitLabel={server ? 'Save changes' : 'Add server'} busy={busy} />
      </form>
    </Dialog>
  );
}
