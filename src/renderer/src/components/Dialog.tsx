import { useEffect, useId, useRef, type ReactNode } from 'react';

interface DialogProps {
  title: string;
  onClose(): void;
  children: ReactNode;
  /** `alertdialog` for confirmations and the show-once secret. */
  role?: 'dialog' | 'alertdialog';
  describedBy?: string;
  /** For tables (the activity log): up to 900 px instead of 520. */
  wide?: boolean;
  /** When set, Escape (or another close request) calls this instead of closing: the dialog
   * asks first (a shown-once token not yet copied). */
  onCloseRequest?: (() => void) | undefined;
}

/** A modal on the native <dialog>: the browser traps focus, makes the rest inert, closes on
 * Escape and restores focus, with no inline styles (so the CSP can forbid them). */
export function Dialog({ title, onClose, children, role = 'dialog', describedBy, wide = false, onCloseRequest }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  const onCloseRequestRef = useRef(onCloseRequest);
  useEffect(() => {
    onCloseRef.current = onClose;
    onCloseRequestRef.current = onCloseRequest;
  }, [onClose, onCloseRequest]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    dialog.showModal();
    const handleClose = () => onCloseRef.current();
    const guard = (event: Event) => {
      const ask = onCloseRequestRef.current;
      // Only this dialog's own Escape: one pressed in a dialog stacked on top is that one's.
      if (!ask || (event instanceof KeyboardEvent && (event.key !== 'Escape' || !(event.target instanceof Element) || event.target.closest('dialog') !== dialog))) return;
      // Cancelling the keydown too: Chromium lets a page cancel a second Escape's close
      // request only after other input.
      event.preventDefault();
      ask();
    };
    dialog.addEventListener('close', handleClose);
    dialog.addEventListener('cancel', guard);
    dialog.addEventListener('keydown', guard);
    return () => {
      dialog.removeEventListener('close', handleClose);
      dialog.removeEventListener('cancel', guard);
      dialog.removeEventListener('keydown', guard);
      if (dialog.open) dialog.close();
    };
  }, []);

  return (
    <dialog ref={ref} className={wide ? 'dialog wide' : 'dialog'} role={role} aria-labelledby={titleId} aria-describedby={describedBy}>
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
