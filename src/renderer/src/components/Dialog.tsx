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
}

/** A modal on the native <dialog>: the browser traps focus, makes the rest inert, closes on
 * Escape and restores focus, with no inline styles (so the CSP can forbid them). */
export function Dialog({ title, onClose, children, role = 'dialog', describedBy, wide = false }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    dialog.showModal();
    const handleClose = () => onCloseRef.current();
    dialog.addEventListener('close', handleClose);
    return () => {
      dialog.removeEventListener('close', handleClose);
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
