import type { ReactNode } from 'react';
import type { KeyportErrorShape } from '../../../shared/errors';
import { ErrorMessage } from './ErrorMessage';

interface DialogFooterProps {
  error: KeyportErrorShape | null;
  onCancel(): void;
  submitLabel: ReactNode;
  /** While the action runs, the submit button waits. */
  busy: boolean;
  /** Another reason the submit button waits (nothing typed yet). */
  disabled?: boolean;
  tone?: 'primary' | 'danger';
  /** Without it, the submit button submits its form; with it, it is a plain button. */
  onSubmit?: () => void;
  /** Confirmations give the safe choice the focus. */
  focusCancel?: boolean;
  /** Between the error and the buttons: a note while waiting, a fix for the error. */
  children?: ReactNode;
  /** A second way to act, between Cancel and the action (e.g. "Add anyway"). */
  alternative?: ReactNode;
}

/** The end of every dialog that asks for something: the error, Cancel, and the action. */
export function DialogFooter({ error, onCancel, submitLabel, busy, disabled = false, tone = 'primary', onSubmit, focusCancel = false, children, alternative }: DialogFooterProps) {
  return (
    <>
      <ErrorMessage error={error} />
      {children}
      <div className="actions">
        <button type="button" onClick={onCancel} autoFocus={focusCancel}>
          Cancel
        </button>
        {alternative}
        <button type={onSubmit ? 'button' : 'submit'} className={tone} onClick={onSubmit} disabled={busy || disabled}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}
