import { useId, useState, type FormEvent } from 'react';
import type { KindDescriptor, ServerView, SessionFileExport } from '../../../shared/model';
import { exportSession } from '../actions/sessionFiles';
import { Dialog } from './Dialog';
import { DialogFooter } from './DialogFooter';
import { Field } from './Field';
import { MakePrivateButton } from './MakePrivateButton';
import { useAction } from './useAction';
import { useSessionFilePath } from './useSessionFilePath';

/** Writes the live session to the CLI's session file, after saying what that shares, and asks
 * before replacing an existing file (which is backed up first). */
export function ExportSessionDialog({ server, kind, onClose }: { server: ServerView; kind: KindDescriptor; onClose(): void }) {
  const file = kind.sessionFile;
  const [path, setPath] = useSessionFilePath(kind.kind);
  const [result, setResult] = useState<SessionFileExport | null>(null);
  const { busy, error, run } = useAction();
  const noteId = useId();
  const [overwriting, setOverwriting] = useState(false);
  if (!file) return null;

  const write = async (overwrite: boolean) => {
    setOverwriting(overwrite);
    const written = await run(() => exportSession(server.id, path, overwrite));
    if (written) setResult(written);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void write(false);
  };

  if (result?.state === 'written') {
    return (
      <Dialog title="Session exported" onClose={onClose}>
        <p role="status">
          Wrote <code>{result.path}</code> for {file.consumer}.
        </p>
        {result.backupPath ? (
          <p>
            The previous file is kept as <code>{result.backupPath}</code>.
          </p>
        ) : null}
        {result.warnings.length > 0 ? (
          <ul className="warning-list" aria-label="Things to know">
            {result.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
        <div className="actions">
          <button type="button" className="primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  if (result?.state === 'exists') {
    return (
      <Dialog title={`Replace ${result.path}?`} onClose={onClose} role="alertdialog" describedBy={noteId}>
        <p id={noteId}>
          A session file already exists there. Keyport will copy it to a backup beside it, then replace it with the session of {server.name}.
        </p>
        <DialogFooter error={error} onCancel={onClose} submitLabel="Back up and replace" busy={busy} tone="danger" onSubmit={() => void write(true)} focusCancel>
          <MakePrivateButton error={error} kind={kind.kind} path={path} retry={() => void write(overwriting)} />
        </DialogFooter>
      </Dialog>
    );
  }

  return (
    <Dialog title={`Export the session of ${server.name}`} onClose={onClose} describedBy={noteId}>
      <form className="form" onSubmit={submit} noValidate>
        <p id={noteId} className="warning">
          {file.exportNote}
        </p>
        <Field label="File" hint={`Where ${file.consumer} look for it (${file.displayPath} unless an environment variable says otherwise).`}>
          {(p) => <input {...p} value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} aria-invalid={error?.field === 'path' || undefined} />}
        </Field>
        <DialogFooter error={error} onCancel={onClose} submitLabel="Export" busy={busy} disabled={path === ''}>
          <MakePrivateButton error={error} kind={kind.kind} path={path} retry={() => void write(overwriting)} />
        </DialogFooter>
      </form>
    </Dialog>
  );
}
