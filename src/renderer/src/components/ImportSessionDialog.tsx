import { useMemo, useState, type FormEvent } from 'react';
import { importSession } from '../actions/sessionFiles';
import { useKeyport } from '../store';
import { Dialog } from './Dialog';
import { DialogFooter } from './DialogFooter';
import { Field } from './Field';
import { MakePrivateButton } from './MakePrivateButton';
import { useAction } from './useAction';
import { useSessionFilePath } from './useSessionFilePath';

/** Reads a CLI's session file (e.g. ~/.agave/current): the server it names appears in Keyport,
 * signed in. A file Keyport cannot use changes nothing. */
export function ImportSessionDialog({ onClose }: { onClose(): void }) {
  const allKinds = useKeyport((s) => s.kinds);
  const kinds = useMemo(() => allKinds.filter((k) => k.sessionFile), [allKinds]);
  const [kind, setKind] = useState(kinds[0]?.kind ?? '');
  const [path, setPath] = useSessionFilePath(kind);
  const { busy, error, run } = useAction();
  const descriptor = kinds.find((k) => k.kind === kind);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const server = await run(() => importSession(kind, path));
    if (server) onClose();
  };

  return (
    <Dialog title="Import a session" onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        {kinds.length > 1 ? (
          <Field label="Kind">
            {(p) => (
              <select {...p} value={kind} onChange={(e) => setKind(e.target.value)}>
                {kinds.map((k) => (
                  <option key={k.kind} value={k.kind}>
                    {k.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <p className="muted">
          {descriptor ? `Keyport reads the session that ${descriptor.sessionFile?.consumer ?? 'the command line'} saved, adds its server if needed, and signs in with it. The file is not changed.` : null}
        </p>
        <Field label="Session file" hint={descriptor?.sessionFile ? `Usually ${descriptor.sessionFile.displayPath}.` : undefined}>
          {(p) => <input {...p} value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} aria-invalid={error?.field === 'path' || undefined} autoFocus />}
        </Field>
        <DialogFooter error={error} onCancel={onClose} submitLabel="Import" busy={busy} disabled={path === ''}>
          <MakePrivateButton error={error} kind={kind} path={path} retry={() => void submit()} />
        </DialogFooter>
      </form>
    </Dialog>
  );
}
