import { useId, type ReactNode } from 'react';
import type { KeyportErrorShape } from '../../../shared/errors';
import { Dialog } from './Dialog';
import { DialogFooter } from './DialogFooter';

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
      <DialogFooter error={error} onCancel={onClose} submitLabel={confirmLabel} busy={busy} tone="danger" onSubmit={onConfirm} focusCancel />
    </Dialog>
  );
}
