import { useId, type ReactNode } from 'react';
import type { KeyportErrorShape } from '../../../shared/errors';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';

interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  busy: boolean;
  error: KeyportErrorShape | null;
  onConfirm(): void;
  onClose(): void;
  /** Extra content between the message and the buttons (e.g. a password field). */
  children?: ReactNode;
}

/** A confirmation that names what will happen; the safe choice has focus. */
export function ConfirmDialog({ title, message, confirmLabel, busy, error, onConfirm, onClose, children }: ConfirmDialogProps) {
  const messageId = useId();
  return (
    <Dialog title={title} onClose={onClose} role="alertdialog" describedBy={messageId}>
      <p id={messageId}>{message}</p>
      {children}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
