import { useState } from 'react';
import { deleteUnreadable, exportUnreadable } from '../actions/storage';
import { useKeyport } from '../store';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { useAction } from './useAction';

const itemsText = (count: number) => (count === 1 ? '1 saved item' : `${count} saved items`);

/** Saved servers or secrets that no longer validate are kept aside in the vault file, never
 * dropped silently: this says so and offers to export them as stored, or delete them. */
export function UnreadableItemsBanner() {
  const count = useKeyport((s) => s.status?.unreadableItems ?? 0);
  const [open, setOpen] = useState(false);
  if (count === 0) return null;
  return (
    <div className="banner" role="status">
      <span>
        <strong>{itemsText(count)} could not be read.</strong> Keyport keeps {count === 1 ? 'it' : 'them'} as {count === 1 ? 'it is' : 'they are'} in its vault
        file and does not use {count === 1 ? 'it' : 'them'}.
      </span>
      <div className="banner-actions">
        <button type="button" onClick={() => setOpen(true)}>
          Review…
        </button>
      </div>
      {open ? <UnreadableItemsDialog count={count} onClose={() => setOpen(false)} /> : null}
    </div>
  );
}

function UnreadableItemsDialog({ count, onClose }: { count: number; onClose(): void }) {
  const [exportedTo, setExportedTo] = useState<string | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const { busy, error, run } = useAction();

  const exportItems = async () => {
    const result = await run(exportUnreadable);
    if (result) setExportedTo(result.path);
  };
  const deleteItems = async () => {
    const status = await run(deleteUnreadable);
    if (status) onClose();
  };

  return (
    <Dialog title={`${itemsText(count)} could not be read`} onClose={onClose}>
      <p>
        A saved server or secret in Keyport’s vault file no longer has the form Keyport expects: the file was edited, damaged, or written by a newer Keyport.
        Keyport has kept {count === 1 ? 'it' : 'them'} aside unchanged.
      </p>
      <p>Export writes {count === 1 ? 'it' : 'them'} to a file in your home folder exactly as stored: secrets stay encrypted, nothing is decrypted.</p>
      {exportedTo ? (
        <p role="status">
          Saved to <code>{exportedTo}</code>
        </p>
      ) : null}
      {confirmingDelete ? (
        <p role="alert">
          Delete {itemsText(count).replace('saved ', 'unreadable ')} for good? {exportedTo ? '' : `You have not exported ${count === 1 ? 'it' : 'them'}. `}This cannot be undone.
        </p>
      ) : null}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
        <button type="button" onClick={exportItems} disabled={busy}>
          Export
        </button>
        {confirmingDelete ? (
          <button type="button" className="danger" onClick={deleteItems} disabled={busy}>
            Delete for good
          </button>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirmingDelete(true)} disabled={busy}>
            Delete…
          </button>
        )}
      </div>
    </Dialog>
  );
}
